"""The scan path under load, against the framework floor and the physical limit, same run.

gunicorn (gunicorn.conf.py, DEBUG=0, default worker count) on a PostgreSQL database loaded with
the demo content; wrk on 127.0.0.1 with a phone's headers (gzip, Vietnamese), each target warmed
up then measured:

- nginx serving a file with the same bytes as the scan page, gzip_static (the physical limit);
- /bench/floor/: a Django view answering those same bytes through the whole middleware stack
  (the framework floor; bench/bench_urls.py, never in the production URLs), on the same server
  just before and just after each scan row, which is compared with the mean of the two;
- /Q/<code> of a real demo plate, page cache on (PAGE_CACHE=1) and off (PAGE_CACHE=0);
- static mode: nginx answering /Q/<code> from `render_static`'s files with the configuration it
  writes (language chosen by njs, the scan log written).

The load generator shares the machine's cores with the server: figures are for comparing rows
of one run, not absolute capacity.

    .venv/bin/python bench/scan_wrk.py [seconds per target, default 15] [connections, default 32]
"""

import gzip
import shutil
import subprocess
import sys

from _server import (
    BASE_PORT,
    PHONE,
    WORK,
    Gunicorn,
    Nginx,
    base_env,
    demo_database,
    get,
    machine_load,
    manage,
    need,
    need_file,
    plate_codes,
)
from _server import wrk as run_wrk

NJS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"
HEADERS = {"User-Agent": PHONE, "Accept-Language": "vi", "Accept-Encoding": "gzip"}


def measure(name: str, url: str, seconds: int, connections: int) -> dict:
    status, _headers, _body = get(url, **HEADERS)
    assert status == 200, (name, url, status)
    run_wrk(url, seconds=3, connections=connections, headers=HEADERS)  # warm-up
    result = run_wrk(url, seconds=seconds, connections=connections, headers=HEADERS)
    errors = result["non_2xx"] + result["socket_errors"]
    print(
        f"  {name:34} {result['rps']:9.0f} req/s   p99 {result['p99']:7.1f} ms"
        + (f"   errors {errors}" if errors else ""),
        flush=True,
    )
    return result


class FloorAround:
    """The framework floor on `server`, measured before and after a row: the machine's load
    (other work shares its cores) moves during a run, and a ratio against a floor measured
    minutes earlier measured the load as much as the code."""

    def __init__(self, server: Gunicorn, seconds: int, connections: int) -> None:
        self.url = f"{server.base}/bench/floor/"
        self.seconds, self.connections = seconds, connections
        self.rps: list[float] = []

    def around(self, name: str, url: str) -> dict:
        self.rps.append(self.floor())
        result = measure(name, url, self.seconds, self.connections)
        self.rps.append(self.floor())
        return result

    def floor(self) -> float:
        name = "Django constant view (floor)"
        return measure(name, self.url, self.seconds, self.connections)["rps"]

    def mean(self) -> float:
        return sum(self.rps) / len(self.rps)


def static_mode_row(database_url: str, code: str, seconds: int, connections: int) -> dict:
    """nginx answering /Q/<code> from `render_static`'s files, with the configuration it writes:
    the njs language choice, the scan log, Django's headers repeated (no Django running)."""
    env = base_env(database_url)
    out, port = WORK / "static-mode", BASE_PORT + 11
    manage(env, "render_static", "--out", str(out), "--scan-log", str(WORK / "scans.log"))
    config = WORK / "static-mode-nginx.conf"
    config.write_text(
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from edge.static_mode import standalone_config; "
            f"print(standalone_config({str(out)!r}, {port}, '127.0.0.1:9'))",
        )
    )
    nginx = need("nginx", "nginx")
    # The configuration render_static writes loads njs (the language choice).
    need_file(NJS_MODULE, "libnginx-mod-http-js")
    subprocess.run([nginx, "-c", str(config)], check=True)
    try:
        status, headers, _body = get(f"http://127.0.0.1:{port}/Q/{code}", **HEADERS)
        assert status == 200 and headers.get("Content-Language") == "vi", (status, headers)
        return measure(
            "static mode (render_static + nginx)",
            f"http://127.0.0.1:{port}/Q/{code}",
            seconds,
            connections,
        )
    finally:
        subprocess.run([nginx, "-c", str(config), "-s", "quit"], check=False)


def main(seconds: int, connections: int) -> None:
    print(machine_load())
    database_url = demo_database("scan")
    code = plate_codes(database_url)[0]
    floor_file = WORK / "scan.html"
    env = base_env(
        database_url,
        DJANGO_SETTINGS_MODULE="bench_settings",
        BENCH_FLOOR_FILE=str(floor_file),
    )
    results: dict[str, dict] = {}
    with Gunicorn(BASE_PORT + 1, {**env, "PAGE_CACHE": "1"}) as server:
        workers = len(server.worker_pids())
        status, _headers, body = get(
            f"{server.base}/Q/{code}", **{**HEADERS, "Accept-Encoding": "identity"}
        )
        assert status == 200, status
        floor_file.write_bytes(body)
        www = WORK / "www"
        (www / "Q").mkdir(parents=True)
        shutil.copy(floor_file, www / "Q" / code)
        (www / "Q" / f"{code}.gz").write_bytes(gzip.compress(body, 6))
        print(
            f"/Q/{code}: {len(body)} bytes, {len(gzip.compress(body, 6))} gzipped; gunicorn "
            f"{workers} workers × gthread; wrk {connections} connections, {seconds} s per target"
        )
        with Nginx(BASE_PORT + 10, www) as nginx:
            results["nginx"] = measure(
                "nginx, same bytes (physical limit)", f"{nginx.base}/Q/{code}", seconds, connections
            )
        floor = FloorAround(server, seconds, connections)
        results["cached"] = floor.around("scan /Q/<code>, PAGE_CACHE=1", f"{server.base}/Q/{code}")
        results["floor"] = floor.mean()
    with Gunicorn(BASE_PORT + 2, {**env, "PAGE_CACHE": "0"}) as server:
        floor_off = FloorAround(server, seconds, connections)
        results["uncached"] = floor_off.around(
            "scan /Q/<code>, PAGE_CACHE=0", f"{server.base}/Q/{code}"
        )
    static = static_mode_row(database_url, code, seconds, connections)

    nginx = results["nginx"]["rps"]
    print(f"\n{machine_load()}")
    print("ratios (requests/s; each scan row against the floor measured just before and after it)")
    print(
        f"  floor / nginx                 {results['floor'] / nginx:5.2f}   "
        f"(nginx is {nginx / results['floor']:.1f} × the floor)"
    )
    print(
        f"  scan, cache on / floor        {results['cached']['rps'] / floor.mean():5.2f}   "
        "(target ≥ 1.50)"
    )
    print(
        f"  scan, cache off / floor       {results['uncached']['rps'] / floor_off.mean():5.2f}   "
        "(target ≥ 0.30)"
    )
    print(f"  static mode / nginx           {static['rps'] / nginx:5.2f}   (target ≥ 0.80)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 15,
        int(sys.argv[2]) if len(sys.argv) > 2 else 32,
    )
