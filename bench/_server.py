"""Shared by the benchmarks that measure the portal as it runs in production: gunicorn with
gunicorn.conf.py and DEBUG=0 (static files collected, WhiteNoise), on a PostgreSQL database of
their own loaded with the demo content, plus nginx and wrk (Debian packages, installed with
apt-get when missing).

Databases are named BENCH_DB_PREFIX + a suffix (default streetinfo_bench_…) on BENCH_PG
(default postgres://postgres@127.0.0.1:5432), dropped and made again by each run; ports come from
BENCH_PORT (default 8300) upwards. The work folder (logs, nginx configuration, collected static
files) is removed at exit unless BENCH_KEEP=1.
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # for the scripts that also set Django up in-process
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "streetinfo_bench_")
BASE_PORT = int(os.environ.get("BENCH_PORT", "8300"))
PHONE = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
WORK = Path(tempfile.mkdtemp(prefix="streetinfo-bench-"))
if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 keeps the logs and configurations
    atexit.register(shutil.rmtree, WORK, ignore_errors=True)
WORK.chmod(0o755)  # nginx's workers (user nobody) read the files served from here


def machine_load() -> str:
    """The load averages, printed beside figures: other work on the machine skews them."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def prioritise(*pids: int) -> str:
    """Gives this process and `pids` (say, its database connection's server process) priority
    over other work on a shared machine (nice -15; root only), so that a latency budget is
    measured against the code and not against a neighbour's test run. Says what it did."""
    try:
        for pid in (0, *pids):
            os.setpriority(os.PRIO_PROCESS, pid, -15)
    except PermissionError:
        return "run at normal priority (not root)"
    return "run at priority nice -15 (the bench and its database server process)"


def need(command: str, package: str) -> str:
    """The path of a Debian tool, installed with apt-get (as root) when missing."""
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")
    if found:
        return found
    print(f"installing {package} (apt-get) …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")
    if not found:
        sys.exit(f"{command} not found after installing {package}")
    return found


def need_file(path: str, package: str) -> Path:
    """A file a Debian package installs (an nginx module), installed with apt-get when missing:
    nginx can be there without its njs module (libnginx-mod-http-js)."""
    found = Path(path)
    if found.exists():
        return found
    print(f"installing {package} (apt-get) for {path} …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
    if not found.exists():
        sys.exit(f"{path} is missing after installing {package}")
    return found


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process (DEBUG=0), pointed at the bench's files."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GUNICORN_", "S3_", "DB_")) and k != "WEB_CONCURRENCY"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(WORK / "staticfiles"),
        MEDIA_ROOT=str(WORK / "media"),
        IMPORT_PENDING_DIR=str(WORK / "imports"),
        LOG_LEVEL="WARNING",
        # Throttling would answer 429 to a load generator on one address.
        API_THROTTLE_ANON="1000000/second",
        API_THROTTLE_EXPORT="1000000/second",
        # The staff throttle counts anonymous clients too (by address): over 1,200 API requests
        # a minute, as a quiet machine makes, the bench got 429s.
        API_THROTTLE_STAFF="1000000/second",
        # bench_settings / bench_urls (the framework-floor view) are found here.
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT)]),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def fresh_database(suffix: str) -> str:
    """An empty PostgreSQL database of the bench's own (dropped first if it exists)."""
    import psycopg

    name = f"{DB_PREFIX}{suffix}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def demo_database(suffix: str = "demo") -> str:
    """A migrated database holding the demo content and its plates; static files collected."""
    url = fresh_database(suffix)
    env = base_env(url)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", "--no-user", "-v0")
    collectstatic(env)
    print(f"demo database {url.rsplit('/', 1)[1]} ready in {time.perf_counter() - started:.0f} s")
    return url


def collectstatic(env: dict[str, str]) -> None:
    if not (WORK / "staticfiles" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")


def plate_codes(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT code FROM qrplates_plate p JOIN sites_place s ON s.id = p.place_id "
            "WHERE s.status = 'published' ORDER BY code"
        ).fetchall()
    return [row[0] for row in rows]


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    """gunicorn -c gunicorn.conf.py on 127.0.0.1:port, stopped on exit from the `with`."""

    def __init__(self, port: int, env: dict[str, str], *args: str) -> None:
        self.port, self.env, self.args = port, env, args
        self.base = f"http://127.0.0.1:{port}"
        self.log = WORK / f"gunicorn-{port}.log"

    def __enter__(self) -> "Gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                str(WORK / f"access-{self.port}.log"),
                *self.args,
                "streetinfo.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.base + "/healthz")[0] == 200:
                    self.wait_for_workers()
                    return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.__exit__()
        sys.exit(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def wait_for_workers(self) -> None:
        """Until the arbiter has forked all its workers (the count stops changing)."""
        seen, steady = -1, 0
        while steady < 5:
            count = len(self.worker_pids())
            steady = steady + 1 if count == seen else 0
            seen = count
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(pid) for pid in children.read_text().split())

    def __exit__(self, *_exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Nginx:
    """nginx serving the files of `root` on 127.0.0.1:port (precompressed .gz copies used)."""

    def __init__(self, port: int, root: Path) -> None:
        self.port, self.root = port, root
        self.base = f"http://127.0.0.1:{port}"
        self.prefix = WORK / f"nginx-{port}"

    def __enter__(self) -> "Nginx":
        nginx = need("nginx", "nginx")
        self.prefix.mkdir()
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            f"""
worker_processes auto;
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {self.prefix}/body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    access_log {self.prefix}/access.log;
    default_type text/html;
    sendfile on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
        gzip_static on;
        location / {{ charset utf-8; }}
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "stderr.log").open("w"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                get(self.base + "/")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        sys.exit(f"nginx did not start: {(self.prefix / 'stderr.log').read_text()}")

    def __exit__(self, *_exc: object) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


LATENCY_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    """Runs wrk; returns requests/s, p50 and p99 latency (ms), requests, errors."""
    command = [need("wrk", "wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    out = result.stdout

    def latency(label: str) -> float:
        number, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(number) * LATENCY_UNITS[unit]

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "output": out,
    }
