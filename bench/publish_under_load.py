"""Scans under load while the Department publishes a change every 5 seconds, beside the same
load without publishing, measured in the same run.

gunicorn (gunicorn.conf.py, DEBUG=0) on a PostgreSQL database loaded with the demo content,
sharing the page cache through Redis as production does (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/3, emptied first). wrk scans every published plate in turn with a phone's
headers and counts the answers served from the cache (`X-Page-Cache: hit`). Then the same again
while another process (the editor's save, run as `sites.services.record_save`) changes the
summary of one of those places every PUBLISH_EVERY seconds, in turn: each publish makes the pages
and scans that show the place stale (edge.dependents) and the task `edge.pagecache.warm`
renders them again (run at once in the saving process: no TASKS setting).

    .venv/bin/python bench/publish_under_load.py [seconds per run (30)] [connections (32)]

Targets (issue 17): with publishing, ≥ 99 % of scans are hits and their p99 stays within 1.5 ×
the p99 without publishing.
"""

import json
import os
import subprocess
import sys
import time

from _server import (
    BASE_PORT,
    PHONE,
    ROOT,
    WORK,
    Gunicorn,
    base_env,
    demo_database,
    get,
    machine_load,
    plate_codes,
)
from _server import wrk as run_wrk

HEADERS = {"User-Agent": PHONE, "Accept-Language": "vi", "Accept-Encoding": "gzip"}
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PUBLISH_EVERY = 5

# Scans the plates in turn; counts the answers by X-Page-Cache, per thread, summed in done().
SCRIPT = """
codes = %s
counter = 0
hits = 0
misses = 0
threads = {}
setup = function(thread) table.insert(threads, thread) end
request = function()
  counter = counter + 1
  return wrk.format("GET", "/Q/" .. codes[(counter %% #codes) + 1])
end
response = function(status, headers, body)
  if headers["X-Page-Cache"] == "hit" then hits = hits + 1 else misses = misses + 1 end
end
done = function(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do h = h + thread:get("hits"); m = m + thread:get("misses") end
  io.write(string.format("CACHE hits %%d misses %%d\\n", h, m))
end
"""

# Run by the publishing process: Django set up with the server's settings, one record_save of a
# place's summary every PUBLISH_EVERY seconds, in turn, until stopped.
PUBLISHER = """
import itertools, os, threading, time
from django.contrib.auth import get_user_model
from qrplates.models import Plate
from sites.models import Place
from sites.services import record_save
user, _ = get_user_model().objects.get_or_create(
    username="bench-publisher", defaults={"is_staff": True, "is_superuser": True}
)
codes = os.environ["BENCH_CODES"].split(",")
ids = Plate.objects.filter(code__in=codes).values("place_id")
places = list(Place.objects.published().filter(pk__in=ids).order_by("pk"))

def publish(n):
    place = places[n % len(places)].specific
    place.refresh_from_db()
    place.summary_vi = (place.summary_vi or "").rstrip(" .0123456789") + f" {n}."
    started = time.perf_counter()
    print(f"publishing {place.slug}", flush=True)
    record_save(record=place, by=user)  # the warming task runs here, after the commit
    print(f"published {place.slug} in {time.perf_counter() - started:.2f} s", flush=True)

# On the clock, each in a thread of its own: a slow warming does not space the publishes out.
for n in itertools.count(1):
    time.sleep(EVERY)
    threading.Thread(target=publish, args=(n,), daemon=True).start()
""".replace("EVERY", str(PUBLISH_EVERY))


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def measure(base: str, script, seconds: int, connections: int) -> dict:
    result = run_wrk(
        f"{base}/", seconds=seconds, connections=connections, script=script, headers=HEADERS
    )
    hits, misses = (int(n) for n in result["output"].split("CACHE hits ")[1].split()[::2][:2])
    result["hit_ratio"] = hits / max(1, hits + misses)
    result["misses"] = misses
    return result


def row(name: str, result: dict) -> None:
    errors = result["non_2xx"] + result["socket_errors"]
    print(
        f"  {name:26} {result['rps']:7.0f} req/s   p50 {result['p50']:6.1f} ms   "
        f"p99 {result['p99']:6.1f} ms   hits {result['hit_ratio'] * 100:6.2f} % "
        f"({result['misses']} misses)" + (f"   errors {errors}" if errors else ""),
        flush=True,
    )


def main(seconds: int, connections: int) -> None:
    print(machine_load())
    database_url = demo_database("publish")
    codes = plate_codes(database_url)
    flush_redis()
    env = base_env(database_url, REDIS_URL=REDIS_URL, PAGE_CACHE="1")
    script = WORK / "scans.lua"
    script.write_text(SCRIPT % json.dumps(codes).replace("[", "{").replace("]", "}"))
    with Gunicorn(BASE_PORT + 40, env) as server:
        for code in codes:  # every scan rendered once, as a day of visitors would have
            assert get(f"{server.base}/Q/{code}", **HEADERS)[0] == 200
        print(
            f"{len(codes)} plates scanned in turn; {len(server.worker_pids())} workers; "
            f"{connections} connections, {seconds} s per run; a publish every {PUBLISH_EVERY} s"
        )
        measure(server.base, script, 10, connections)  # warm-up
        quiet = measure(server.base, script, seconds, connections)
        row("without publishing", quiet)
        publisher = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", PUBLISHER],
            cwd=ROOT,
            env={**env, "BENCH_CODES": ",".join(codes)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            time.sleep(1)
            busy = measure(server.base, script, seconds, connections)
        finally:
            publisher.terminate()
            output, _ = publisher.communicate(timeout=30)
        row("publishing every 5 s", busy)
    started = [line for line in output.splitlines() if line.startswith("publishing ")]
    publishes = [line for line in output.splitlines() if line.startswith("published ")]
    print(f"  {len(started)} publishes started during the run")
    print(
        f"  {len(publishes)} publishes: "
        + "; ".join(publishes[:3])
        + (" …" if len(publishes) > 3 else "")
    )
    if not publishes:
        print(output[-3000:])
    print(f"\n{machine_load()}")
    print(
        f"  hits while publishing        {busy['hit_ratio'] * 100:6.2f} %   (target ≥ 99 %)\n"
        f"  p99 publishing / quiet       {busy['p99'] / quiet['p99']:6.2f}     (target ≤ 1.5)"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 30,
        int(sys.argv[2]) if len(sys.argv) > 2 else 32,
    )
