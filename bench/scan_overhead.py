"""What the scan path costs on top of the record's own page.

Serves the same demo record three ways, interleaved, through Django's WSGI handler as a WSGI
server would call it, on a throw-away SQLite database (or BENCH_DATABASE_URL): its own URL (the
baseline), /Q/<code> from a phone (resolved and counted), and /Q/<code> from a link-preview bot
(resolved, not counted). "wait" is what the visitor waits for: until the last byte of the page
is handed to the server. "after" is the work done once it is sent (the count's upsert and
commit, and the once-per-window check in the cache: each round is another phone). Prints
medians and their ratios against the baseline measured in the same run.

    .venv/bin/python bench/scan_overhead.py [rounds]
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
WORK = tempfile.mkdtemp(prefix="streetinfo-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="streetinfo.settings",
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

from qrplates.models import Plate, PlateScanDay  # noqa: E402
from qrplates.scans import scan_buffer  # noqa: E402

PHONE = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
HANDLER = WSGIHandler()


def served(path: str, agent: str, phone: int = 0) -> tuple[float, float]:
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
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    start = time.perf_counter()
    response = HANDLER(environ, lambda status, headers: statuses.append(status))
    body = b"".join(response)
    sent = time.perf_counter()
    response.close()
    done = time.perf_counter()
    assert statuses == ["200 OK"] and body, (path, statuses)
    return sent - start, done - sent


def main(rounds: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", verbosity=0, stdout=io.StringIO())
    plate = Plate.objects.select_related("place").order_by("code").first()
    own, short = plate.place.get_absolute_url(), f"/Q/{plate.code}"
    ways = {"own URL": (own, PHONE), "scan, counted": (short, PHONE), "scan, bot": (short, BOT)}
    for _ in range(20):  # warm-up: templates, URL resolvers, connection
        for path, agent in ways.values():
            served(path, agent)
    scan_buffer.flush()
    PlateScanDay.objects.all().delete()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for phone in range(1, rounds + 1):
        for name, (path, agent) in ways.items():
            samples[name].append(served(path, agent, phone))
    scan_buffer.flush()  # counts are written every SCAN_COUNT_FLUSH_SECONDS
    assert PlateScanDay.objects.get(plate=plate).count == rounds
    baseline = statistics.median(wait for wait, _after in samples["own URL"])
    print(f"{rounds} rounds on {django.db.connection.vendor}, {own} and {short}")
    for name, values in samples.items():
        wait = statistics.median(w for w, _a in values)
        after = statistics.median(a for _w, a in values)
        print(
            f"  {name:14} wait {wait * 1000:6.2f} ms  ratio {wait / baseline:4.2f}   "
            f"after sending {after * 1000:5.2f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
