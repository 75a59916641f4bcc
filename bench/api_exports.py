"""What the open-data API's answers cost, against a page of 50 places as JSON.

Fills a throw-away SQLite database (or BENCH_DATABASE_URL) with the demo data plus PLACES
published streets spread over Lạng Sơn city, then serves each request through Django's WSGI
handler, interleaved, ROUNDS times: a JSON page (the baseline), a page of 200, the whole list as
CSV and as GeoJSON, a `near` search, a text search, a place's detail and the places' bulk file
(ZIP, built beforehand); then the time to rebuild that file. Prints the median time,
the size (raw and gzipped, as a proxy would send it) and both ratios against the baseline.

    .venv/bin/python bench/api_exports.py [places] [rounds]
"""

import gzip
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="streetinfo-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="streetinfo.settings",
    DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK}/bench.sqlite3"),
    DEBUG="0",
    SECRET_KEY="bench-only-" + "x" * 50,
    ALLOWED_HOSTS="testserver",
    LOG_LEVEL="ERROR",
    API_THROTTLE_ANON="1000000/minute",
    API_THROTTLE_EXPORT="1000000/minute",
    MEDIA_ROOT=f"{WORK}/media",
)

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from api import bulk  # noqa: E402
from sites.models import AdminUnit, Place, Status, Street  # noqa: E402

HANDLER = WSGIHandler()
CENTRE = (21.853, 106.761)


def served(path: str, query: str) -> tuple[float, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_LANGUAGE": "vi",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    started = time.perf_counter()
    body = b"".join(HANDLER(environ, lambda status, headers: statuses.append(status)))
    elapsed = time.perf_counter() - started
    assert statuses[0].startswith("200"), (path, query, statuses[0])
    return elapsed, body


def fill(count: int) -> int:
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    unit = AdminUnit.objects.get(code="05986")
    with transaction.atomic():  # multi-table rows: no bulk_create
        for number in range(count):
            Street.objects.create(
                name_vi=f"Phố Thử Nghiệm {number}",
                name_en=f"Test Street {number}",
                summary_vi="Một phố để đo: " + "chữ có dấu " * 20,
                body_vi="Lịch sử của phố. " * 60,
                lat=CENTRE[0] + (number % 50) * 0.001,
                lon=CENTRE[1] + (number // 50) * 0.001,
                unit=unit,
                status=Status.PUBLISHED,
            )
    return Place.objects.order_by("id").values_list("id", flat=True).first()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    first_id = fill(count)
    lat, lon = CENTRE
    cases = {
        "JSON page of 50 (baseline)": ("/api/v1/places/", ""),
        "JSON page of 200": ("/api/v1/places/", "page_size=200"),
        "lang=all page of 50": ("/api/v1/places/", "lang=all"),
        "near, 1 km": ("/api/v1/places/", f"near={lat + 0.02},{lon + 0.02}&radius=1000"),
        "search q=thu nghiem 12": ("/api/v1/places/", "q=thu+nghiem+12"),
        "one place (detail)": (f"/api/v1/places/{first_id}/", ""),
        "whole list as CSV": ("/api/v1/places/", "format=csv"),
        "whole list as GeoJSON": ("/api/v1/places/", "format=geojson"),
        "bulk file (ZIP, every language)": ("/api/bulk/places.zip", ""),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    sizes: dict[str, tuple[int, int]] = {}
    for name, (path, query) in cases.items():  # warm-up, and the sizes
        _elapsed, body = served(path, query)
        sizes[name] = (len(body), len(gzip.compress(body)))
    for _round in range(rounds):
        for name, (path, query) in cases.items():
            times[name].append(served(path, query)[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    base_time = medians["JSON page of 50 (baseline)"]
    base_size = sizes["JSON page of 50 (baseline)"][0]
    total = Place.objects.published().count()
    rebuilds = []
    for _round in range(3):
        started = time.perf_counter()
        bulk.rebuild(bulk.DATASETS["places"])
        rebuilds.append(time.perf_counter() - started)
    print(f"{total} published places, {rounds} rounds, medians:")
    print(f"{'request':32} {'ms':>8} {'× time':>7} {'KiB':>9} {'gzip KiB':>9} {'× size':>7}")
    for name in cases:
        raw, zipped = sizes[name]
        print(
            f"{name:32} {medians[name] * 1000:8.1f} {medians[name] / base_time:7.2f} "
            f"{raw / 1024:9.1f} {zipped / 1024:9.1f} {raw / base_size:7.2f}"
        )
    rebuild = statistics.median(rebuilds)
    print(f"rebuilding the places' bulk file (CSV and GeoJSON, every language): {rebuild:.2f} s")


if __name__ == "__main__":
    main()
