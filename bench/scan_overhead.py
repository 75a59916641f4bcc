"""What the scan path costs, in-process, against the framework floor and the record's own URL.

Serves the same demo record several ways, interleaved, through Django's WSGI handler as a WSGI
server would call it (DEBUG=0, the phone asking for gzip as phones do), on a throw-away SQLite
database (or BENCH_DATABASE_URL):

- the framework floor: /bench/floor/ (bench_urls), a view answering the scan page's own bytes
  through the whole middleware stack, compressed like it;
- the record's own URL, as the page cache answers it;
- /Q/<code> from a phone (resolved and counted) and from a link-preview bot (not counted),
  answered from the page cache (a hit);
- /Q/<code> that the page cache does not answer (PAGE_CACHE off): the plate read, the record's
  page kept from an earlier scan (edge.pagecache.RecordPages), counted;
- /Q/<code> rendered from nothing (PAGE_CACHE and PAGE_CACHE_RECORD_PAGES off): the record
  page's queries and templates, what the first scan after a publish costs before `warm` ran.

"wait" is what the visitor waits for: until the last byte of the page is handed to the server.
"after" is the work done once it is sent (the count, and the once-per-window check in the
cache: each round is another phone). Prints medians, and each row's speed against the floor
measured in the same run (floor time ÷ row time: above 1 is faster than the floor).

    .venv/bin/python bench/scan_overhead.py [rounds] [street|relic|scenic]

With a kind, the plate of that kind's first published place (by address) is scanned, the same
record in every run (the demo's plate codes are drawn anew on every load); without one, the
first plate by code, a different record each run.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_settings, bench_urls (the floor's view)
WORK = tempfile.mkdtemp(prefix="streetinfo-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="bench_settings",
    BENCH_FLOOR_FILE=f"{WORK}/floor.html",
    DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK}/bench.sqlite3"),
    SECRET_KEY="bench-only-" + "x" * 50,
    ALLOWED_HOSTS="testserver",
    LOG_LEVEL="ERROR",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Production's error handling and template caching, with static files found where they are
# (collectstatic's manifest is a deployment's, not this measurement's).
settings.DEBUG = False

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from qrplates.models import Plate, PlateScanDay  # noqa: E402
from qrplates.scans import scan_buffer  # noqa: E402
from sites.models import Place  # noqa: E402

PHONE = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
HANDLER = WSGIHandler()


def served(path: str, agent: str, phone: int = 0, **switches: bool) -> tuple[float, float]:
    """(seconds until the page is handed over, seconds of work after it is sent), for the
    `phone`-th visitor (an address of its own: a phone counts once per plate and window)."""
    environ = {
        "REMOTE_ADDR": f"10.{phone >> 16 & 255}.{phone >> 8 & 255}.{phone & 255}",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": agent,
        "HTTP_ACCEPT_LANGUAGE": "vi",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    for name, value in SWITCHED.items():
        setattr(settings, name, switches.get(name, value))
    start = time.perf_counter()
    response = HANDLER(environ, lambda status, headers: statuses.append(status))
    body = b"".join(response)
    sent = time.perf_counter()
    response.close()
    done = time.perf_counter()
    assert statuses == ["200 OK"] and body, (path, statuses)
    return sent - start, done - sent


# Settings a row may switch off for its requests (each row sets all of them).
SWITCHED = {"PAGE_CACHE_ENABLED": True, "PAGE_CACHE_RECORD_PAGES": True}
MISS = {"PAGE_CACHE_ENABLED": False}
COLD = {"PAGE_CACHE_ENABLED": False, "PAGE_CACHE_RECORD_PAGES": False}
TARGETS = {"scan, counted": 1.5, "scan, cache miss": 0.30}


def main(rounds: int, kind: str = "") -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", verbosity=0, stdout=io.StringIO())
    plates = Plate.objects.select_related("place").order_by("code")
    if kind:
        plates = plates.filter(
            route=None, place__kind=kind, place__in=Place.objects.published()
        ).order_by("place__slug", "code")
    plate = plates.first()
    own, short = plate.place.get_absolute_url(), f"/Q/{plate.code}"
    # The floor answers the scan page's own bytes (uncompressed; compressed as the scan is).
    environ = {"HTTP_ACCEPT_ENCODING": "identity", "HTTP_ACCEPT_LANGUAGE": "vi"}
    Path(os.environ["BENCH_FLOOR_FILE"]).write_bytes(Client(**environ).get(short).content)
    ways = {
        "framework floor": ("/bench/floor/", PHONE, {}),
        "own URL": (own, PHONE, {}),
        "scan, counted": (short, PHONE, {}),
        "scan, bot": (short, BOT, {}),
        "scan, cache miss": (short, PHONE, MISS),
        "scan, cold": (short, PHONE, COLD),
    }
    for _ in range(20):  # warm-up: templates, URL resolvers, connection
        for path, agent, switches in ways.values():
            served(path, agent, **switches)
    scan_buffer.flush()
    PlateScanDay.objects.all().delete()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for phone in range(1, rounds + 1):
        for name, (path, agent, switches) in ways.items():
            samples[name].append(served(path, agent, phone, **switches))
    scan_buffer.flush()  # counts are written every SCAN_COUNT_FLUSH_SECONDS
    # Each phone counts once per plate and window, whichever way it was answered.
    assert PlateScanDay.objects.get(plate=plate).count == rounds
    floor = statistics.median(wait for wait, _after in samples["framework floor"])
    one, five, _fifteen = os.getloadavg()
    print(
        f"{rounds} rounds on {django.db.connection.vendor}, {own} and {short}; "
        f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"
    )
    for name, values in samples.items():
        wait = statistics.median(w for w, _a in values)
        after = statistics.median(a for _w, a in values)
        target = f"   (target ≥ {TARGETS[name]:.2f})" if name in TARGETS else ""
        print(
            f"  {name:17} wait {wait * 1000:6.2f} ms  × floor {floor / wait:5.2f}   "
            f"after sending {after * 1000:5.2f} ms{target}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, *sys.argv[2:3])
