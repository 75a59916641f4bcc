"""The web server configuration in docs/operations.md, run in a real nginx: uploads are served as
pictures and never as pages of the portal, and request bodies are capped with the app's numbers
before they reach it."""

import http.client
import io
import os
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from tests.ports import free_port, start_nginx, stop_nginx

DOCS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def documented_block(part: str) -> str:
    """The fenced nginx block of docs/operations.md starting `# --- streetinfo: <part> ---`."""
    blocks = re.findall(r"```nginx\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    found = [block for block in blocks if block.startswith(f"# --- streetinfo: {part} ---")]
    assert len(found) == 1, f"docs/operations.md has no single block for {part}"
    return found[0]


class App(BaseHTTPRequestHandler):
    """Stands for the app servers: reads the body it is sent and says how long it was."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        while length:
            length -= len(self.rfile.read(min(length, 1 << 20)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def nginx(tmp_path):
    """nginx with the documented blocks, uploads under tmp_path/media, the app behind it."""
    if not shutil.which("nginx"):
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    app = ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = free_port()
    server_block = documented_block("server {}").replace("/srv/streetinfo", str(tmp_path))
    temp = tmp_path / "nginx-tmp"
    temp.mkdir()
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream streetinfo {{ server 127.0.0.1:{app.server_address[1]}; }}
    {documented_block("http {}")}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://streetinfo; }}
        {server_block}
    }}
}}
"""
    )
    try:
        start_nginx(config, port)
        yield port
    finally:
        stop_nginx(config)
        app.shutdown()


def request(port: int, method: str, path: str, body: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def plant(media: Path, name: str, content: bytes) -> None:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


SANDBOX = "default-src 'none'; sandbox"


def test_an_upload_is_a_picture_or_a_download_never_a_page(nginx, tmp_path):
    """nginx served media/suggestions/2026/x.html as text/html, and its script ran (issue 13)."""
    media = tmp_path / "media"
    page = b"<html><script>document.title='pwned'</script></html>"
    plant(media, "suggestions/2026/x.html", page)  # as stored before uploads were renamed
    plant(media, "suggestions/2026/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    plant(media, "photos/2026/0123456789abcdef0123456789abcdef.png", png() + page)
    plant(media, "renditions/0123456789ab/320.webp", b"RIFF....WEBPVP8 ")

    for name in ("suggestions/2026/x.html", "suggestions/2026/logo.svg"):
        answer = request(nginx, "GET", f"/media/{name}")
        assert answer.status == 200
        assert answer.getheader("Content-Type") == "application/octet-stream"
        assert answer.getheader("Content-Disposition") == "attachment"
        assert answer.getheader("X-Content-Type-Options") == "nosniff"
        assert answer.getheader("Content-Security-Policy") == SANDBOX

    picture = request(nginx, "GET", "/media/photos/2026/0123456789abcdef0123456789abcdef.png")
    assert picture.getheader("Content-Type") == "image/png"
    assert picture.getheader("Content-Disposition") is None
    assert picture.getheader("X-Content-Type-Options") == "nosniff"
    assert picture.getheader("Content-Security-Policy") == SANDBOX

    rendition = request(nginx, "GET", "/media/renditions/0123456789ab/320.webp")
    assert rendition.getheader("Content-Type") == "image/webp"
    assert "immutable" in rendition.getheader("Cache-Control")
    assert rendition.getheader("X-Content-Type-Options") == "nosniff"
    assert rendition.getheader("Content-Security-Policy") == SANDBOX

    assert request(nginx, "POST", "/media/photos/2026/x.png", b"x").status == 403


def test_a_recording_is_never_served_from_the_media_folder(nginx, tmp_path):
    """Recorded narration is the app's to serve, only while its record is published: its stored
    file under /media/ would outlive a withdrawal."""
    plant(tmp_path / "media", "narration/0123456789abcdef0123456789abcdef.mp3", b"ID3 audio")
    assert (
        request(nginx, "GET", "/media/narration/0123456789abcdef0123456789abcdef.mp3").status == 404
    )
    # The app's own address reaches the app.
    assert request(nginx, "GET", "/narration/1-0123456789ab.mp3").status == 200


def test_bodies_are_capped_with_the_apps_numbers_before_they_reach_it(nginx):
    """A 300 MB anonymous POST was written to disk in full before any check (issue 13)."""
    visitors = settings.MAX_REQUEST_BODY_MB * 1024 * 1024
    staff = settings.MAX_STAFF_REQUEST_BODY_MB * 1024 * 1024
    assert request(nginx, "POST", "/vi/suggest/place/1/", b"x" * visitors).status == 200
    assert request(nginx, "POST", "/vi/suggest/place/1/", b"x" * (visitors + 1)).status == 413
    assert request(nginx, "POST", "/admin/sites/photo/add/", b"x" * (visitors + 1)).status == 200
    assert request(nginx, "POST", "/admin/sites/photo/add/", b"x" * (staff + 1)).status == 413
