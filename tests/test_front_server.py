"""The shipped deployment's front web server: docker-compose.yml publishes nginx alone, and
deploy/nginx/streetinfo.conf — this very file, run in a real nginx in front of the app — keeps a
client from choosing its own address (login lock-out, API throttle, forms' limit), keeps slow
clients away from gunicorn, caps bodies and serves uploads as pictures only.

Docker cannot run here: the file is started by the local nginx with the compose-specific
addresses (the upstream, the ports, the certificate and media folders) replaced, and wrapped in
the http {} block the nginx image's own nginx.conf has.
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt

from sites.models import ProblemReport, Status, Street
from tests.ports import free_port, start_nginx, stop_nginx

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx" / "streetinfo.conf"
COMPOSE = ROOT / "docker-compose.yml"
PASSWORD = "cau-ky-lua-mua-xuan"
# An app address nothing listens at, for what nginx answers itself.
NOWHERE = f"127.0.0.1:{free_port()}"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def app_environment() -> dict:
    return compose()["x-app"]["environment"]


def test_only_the_front_server_is_published_and_the_app_trusts_it_alone():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    nginx = services["nginx"]
    assert "./deploy/nginx/streetinfo.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert set(nginx["networks"]) == {"web"}  # not the databases' network
    assert set(services["app"]["networks"]) == {"default", "web"}
    environment = app_environment()
    assert environment["NUM_PROXIES"] == "1"
    assert environment["FORWARDED_ALLOW_IPS"] == nginx["networks"]["web"]["ipv4_address"]
    assert environment["SECURE_PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not re.search(r"^FORWARDED_ALLOW_IPS\s*=\s*\*", example, re.M)


def block(text: str, opening: str) -> str:
    """The nginx block that starts with `opening` (up to its matching brace), comments dropped
    and whitespace folded."""
    text = re.sub(r"#[^\n]*", "", text)
    start = text.index(opening)
    depth = 0
    for end in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return " ".join(text[start : end + 1].split())
    raise ValueError(f"{opening} is not closed")


def test_the_shipped_configuration_holds_the_documented_blocks():
    """docs/operations.md documents the uploads' and the bodies' blocks for any nginx
    (tests/test_nginx.py runs them); the compose file's nginx runs the same, and sets the
    forwarding headers once for the whole server: a proxy_set_header in a location would drop
    them there, and pass the client's own X-Forwarded-For to the login lock-out."""
    shipped = SHIPPED.read_text(encoding="utf-8")
    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for opening in ("map $uri $streetinfo_media_disposition", "location /media/"):
        assert block(shipped, opening) == block(documented, opening)
    for opening in ("location /admin/", "location /media/", "location / "):
        assert "proxy_set_header" not in block(shipped, opening)
    assert "proxy_set_header" not in block(documented, "location /admin/")
    for size in ("client_max_body_size 20m;", "client_max_body_size 100m;"):
        assert size in shipped and size in documented


# --- the shipped nginx configuration, running --------------------------------------------------


class Front:
    """nginx running deploy/nginx/streetinfo.conf in front of `app` (host:port)."""

    def __init__(self, folder: Path, app: str) -> None:
        self.folder = folder
        self.http_port, self.https_port = free_port(), free_port()
        self.media = folder / "srv" / "media"
        self.media.mkdir(parents=True)
        (folder / "acme").mkdir()
        self.make_certificate(folder / "certs")
        text = SHIPPED.read_text(encoding="utf-8")
        for old, new in {
            "server app:8000;": f"server {app};",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl;": f"listen 127.0.0.1:{self.https_port} ssl;",
            "listen [::]:443 ssl;": "",
            "/etc/nginx/certs/fullchain.pem": f"{folder}/certs/fullchain.pem",
            "/etc/nginx/certs/privkey.pem": f"{folder}/certs/privkey.pem",
            "root /srv/streetinfo;": f"root {folder}/srv;",
            "root /var/www/acme;": f"root {folder}/acme;",
        }.items():
            assert text.count(old) == 1, f"{old!r} is no longer in {SHIPPED.name} once"
            text = text.replace(old, new)
        (folder / "streetinfo.conf").write_text(text, encoding="utf-8")
        # The nginx image's nginx.conf, with this test's paths.
        user = "user root;" if os.geteuid() == 0 else ""
        self.config = folder / "nginx.conf"
        self.config.write_text(
            f"""{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/streetinfo.conf;
}}
""",
            encoding="utf-8",
        )

    @staticmethod
    def make_certificate(folder: Path) -> None:
        folder.mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(folder / "privkey.pem"),
                "-out",
                str(folder / "fullchain.pem"),
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        start_nginx(self.config, self.https_port)

    def stop(self) -> None:
        stop_nginx(self.config)

    def connection(self, timeout: float = 10) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, timeout=timeout, context=insecure_tls()
        )

    def request(self, method: str, path: str, body: bytes | None = None, **headers):
        """(status, headers, body) of one request over https."""
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


def insecure_tls() -> ssl.SSLContext:
    """The test's self-signed certificate is not checked."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.fixture
def front(tmp_path):
    if not shutil.which("nginx") or not shutil.which("openssl"):
        if os.environ.get("CI"):
            pytest.fail("nginx and openssl are needed (apt-get install nginx-light openssl)")
        pytest.skip("nginx or openssl is not installed")
    started = []

    def start(app: str) -> Front:
        server = Front(tmp_path / f"front-{len(started)}", app)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them, over the front server."""

    def __init__(self, front: Front, forged: str = "") -> None:
        self.front = front
        self.cookies: dict[str, str] = {}
        self.forged = forged

    def headers(self, number: int) -> dict:
        headers = {
            "Host": "localhost",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.forged:
            # A new made-up address on every request, and a claim of a trusted proxy's.
            headers["X-Forwarded-For"] = f"{self.forged}.{number % 250}"
            headers["X-Real-IP"] = f"{self.forged}.{number % 250}"
            headers["Forwarded"] = f"for={self.forged}.{number % 250}"
        return headers

    def send(self, method: str, path: str, number: int, data: dict | None = None):
        headers = self.headers(number)
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://localhost{path}"
            headers["Origin"] = "https://localhost"
        status, answer, content = self.front.request(method, path, body, **headers)
        for value in answer.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return status, content

    def post_form(self, path: str, data: dict, number: int) -> int:
        _status, page = self.send("GET", path, number)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        status, _content = self.send(
            "POST", path, number, {**data, "csrfmiddlewaretoken": token[1].decode()}
        )
        return status


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_address_escapes_no_limit_through_the_front_server(
    front, live_server, settings, django_user_model
):
    # The app's proxy settings as docker-compose.yml gives them, with this test's nginx.
    settings.NUM_PROXIES = int(app_environment()["NUM_PROXIES"])
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://localhost"]
    settings.API_THROTTLE_ANON = "5/minute"
    settings.PUBLIC_FORM_RATE_LIMIT = 3
    server = front(live_server.url.removeprefix("http://"))
    attacker = Browser(server, forged="192.0.2")

    # The API throttle: 5 of 12, not 12 of 12.
    answers = [attacker.send("GET", "/api/v1/places/", n)[0] for n in range(12)]
    assert answers.count(200) == 5 and answers[5:] == [429] * 7

    # The forms' limit: 3 of 6 reports.
    street = Street.objects.create(
        name_vi="Phố Kỳ Lừa", summary_vi="Phố chợ.", status=Status.PUBLISHED
    )
    form = f"/vi/report/place/{street.pk}/"
    sent = [attacker.post_form(form, {"kind": "other", "message": f"#{n}"}, n) for n in range(6)]
    assert sent == [302] * 3 + [429] * 3
    assert ProblemReport.objects.count() == 3

    # The login lock-out: 40 wrong passwords, then the right one is still refused.
    django_user_model.objects.create_user("bientap", password=PASSWORD, is_staff=True)
    login = "/admin/login/?next=/admin/"
    for n in range(40):
        attacker.post_form(login, {"username": "bientap", "password": "sai-mat-khau"}, n)
    assert attacker.post_form(login, {"username": "bientap", "password": PASSWORD}, 40) == 429
    # What the app saw is the connection's address, as nginx set it.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.fixture
def gunicorn(tmp_path):
    """The app under gunicorn with gunicorn.conf.py, few threads (so that a handful of slow
    clients would be enough to hold them all), on 127.0.0.1."""
    port = free_port()
    environment = {
        **os.environ,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",  # /healthz asks no database
        "SECRET_KEY": "front-server-test-" + "k" * 50,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "NUM_PROXIES": "1",
    }
    environment.pop("GUNICORN_CMD_ARGS", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "streetinfo.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_slow_clients_do_not_starve_the_app(front, gunicorn):
    """20 connections sending a header line every 3 s made /healthz time out when gunicorn was
    published. Through nginx, /healthz keeps answering at once, and the slow clients are
    dropped once their headers have taken client_header_timeout (10 s)."""
    server = front(gunicorn)
    slow = []
    for _ in range(20):
        raw = socket.create_connection(("127.0.0.1", server.https_port), timeout=5)
        client = insecure_tls().wrap_socket(raw, server_hostname="localhost")
        client.sendall(b"GET /vi/ HTTP/1.1\r\nHost: localhost\r\n")
        slow.append(client)
    waits = []
    started = time.monotonic()
    line = 0
    while time.monotonic() - started < 13:
        if line <= (time.monotonic() - started) / 3:
            line += 1
            for client in slow:
                with contextlib.suppress(OSError):  # dropped by nginx
                    client.sendall(f"X-Slow-{line}: still typing\r\n".encode())
        asked = time.monotonic()
        status, _headers, _body = server.request("GET", "/healthz", Host="localhost")
        waits.append(time.monotonic() - asked)
        assert status == 200
        time.sleep(0.5)
    assert len(waits) >= 10 and max(waits) < 2, waits
    # nginx has given up on every slow client (closed, or answered 408).
    for client in slow:
        client.settimeout(3)
        try:
            answer = client.recv(1024)
        except TimeoutError:
            pytest.fail("a slow client is still being waited for")
        except OSError:  # reset: closed too
            answer = b""
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer
        client.close()


def test_bodies_over_the_cap_never_reach_the_app(front):
    server = front(NOWHERE)
    big = b"x" * (21 * 1024 * 1024)
    status, _headers, body = server.request(
        "POST",
        "/vi/report/place/1/",
        big,
        Host="localhost",
        **{"Content-Type": "application/octet-stream"},
    )
    assert status == 413
    assert "Tệp gửi lên quá lớn" in body.decode() and "The upload is too large" in body.decode()


def test_uploads_are_served_as_pictures_never_as_pages(front):
    server = front(NOWHERE)
    (server.media / "renditions").mkdir()
    (server.media / "renditions" / "a.webp").write_bytes(b"RIFF....WEBP")
    (server.media / "x.html").write_text("<script>alert(1)</script>")
    status, headers, _body = server.request("GET", "/media/renditions/a.webp", Host="localhost")
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "immutable" in headers["Cache-Control"]
    status, headers, _body = server.request("GET", "/media/x.html", Host="localhost")
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == "attachment"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_plain_http_is_sent_to_https(front):
    server = front(NOWHERE)
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=5)
    connection.request("GET", "/Q/7KQ2M9X", headers={"Host": "qr.langson.gov.vn"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == "https://qr.langson.gov.vn/Q/7KQ2M9X"
