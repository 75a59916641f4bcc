"""Time to first byte, bytes on the wire and SQL queries for the pages a visitor opens: a place
page, a person page, the home page and a scan, under gunicorn (gunicorn.conf.py, DEBUG=0) on a
PostgreSQL database loaded with the demo content. Each page with the page cache on (a hit,
after a warm-up) and off (a full render). Baseline: /healthz on the same server in the same run
(the process answering without a view, a template or the database).

TTFB is measured from a raw socket, one request at a time, from opening the connection to the
first byte of the answer; bytes on the wire are the whole answer (headers and the gzip body) as a
phone asking for gzip gets it. Queries are counted in-process as bench/queries_per_page.py does
(a full render, the page cache off). The size of every demo place page is bench/page_weight.py.

    .venv/bin/python bench/ttfb.py [requests per page, default 50]
"""

import os
import socket
import statistics
import sys
import time

from _server import (
    BASE_PORT,
    PHONE,
    Gunicorn,
    base_env,
    collectstatic,
    demo_database,
    machine_load,
    plate_codes,
)


def fetch(port: int, path: str) -> tuple[float, int, bytes]:
    """(seconds to the first byte, bytes received, the status line)."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {PHONE}\r\n"
        "Accept-Language: vi\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    ).encode()
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request)
        first = conn.recv(65536)
        ttfb = time.perf_counter() - start
        received = len(first)
        while chunk := conn.recv(65536):
            received += len(chunk)
    return ttfb, received, first.split(b"\r\n", 1)[0]


def pages(database_url: str) -> dict[str, str]:
    import django
    from django.utils import translation

    django.setup()
    from sites.models import Person, Place

    with translation.override("vi"):
        place = max(Place.objects.published(), key=lambda p: len(p.body_vi or ""))
        person = max(Person.objects.published(), key=lambda p: len(p.biography_vi or ""))
        return {
            "/healthz (baseline)": "/healthz",
            "home": "/vi/",
            f"place ({place.slug})": place.get_absolute_url(),
            f"person ({person.slug})": person.get_absolute_url(),
            "scan /Q/<code>": f"/Q/{plate_codes(database_url)[0]}",
        }


def main(rounds: int) -> None:
    database_url = demo_database("ttfb")
    env = base_env(database_url)
    collectstatic(env)
    # Queries are counted on a full render, never a cached copy.
    os.environ.update(env, DJANGO_SETTINGS_MODULE="streetinfo.settings", PAGE_CACHE="0")
    urls = pages(database_url)

    from django.conf import settings
    from django.test import Client
    from queries_per_page import count

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="vi")
    queries = {name: count(client, path) for name, path in urls.items() if path != "/healthz"}
    queries["/healthz (baseline)"] = 0

    rows: dict[str, dict[str, tuple[float, float, float]]] = {}
    for offset, cache in enumerate(("1", "0")):
        port = BASE_PORT + 20 + offset
        with Gunicorn(port, {**env, "PAGE_CACHE": cache}):
            for name, path in urls.items():
                for _ in range(5):  # warm-up: every worker's templates, connections, cache
                    fetch(port, path)
                samples = [fetch(port, path) for _ in range(rounds)]
                statuses = {status for _t, _n, status in samples}
                assert statuses == {b"HTTP/1.1 200 OK"}, (path, statuses)
                times = sorted(t for t, _n, _s in samples)
                rows.setdefault(name, {})[cache] = (
                    statistics.median(times),
                    times[int(len(times) * 0.9)],
                    statistics.median(n for _t, n, _s in samples),
                )
    baseline = rows["/healthz (baseline)"]["1"][0]
    print(machine_load())
    print(f"{rounds} requests per page, one at a time, gzip, Vietnamese; TTFB in ms")
    print(
        f"{'':28}{'page cache on (PAGE_CACHE=1)':>30}{'off (PAGE_CACHE=0)':>26}"
        f"{'bytes':>8}{'queries':>9}"
    )
    print(f"{'page':28}{'p50':>10}{'p90':>10}{'ratio':>10}{'p50':>9}{'p90':>8}{'ratio':>9}")
    for name, modes in rows.items():
        on50, on90, size = modes["1"]
        off50, off90, _size = modes["0"]
        print(
            f"{name:28}{on50 * 1000:>10.1f}{on90 * 1000:>10.1f}{on50 / baseline:>10.1f}"
            f"{off50 * 1000:>9.1f}{off90 * 1000:>8.1f}{off50 / baseline:>9.1f}"
            f"{size:>8.0f}{queries[name]:>9}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
