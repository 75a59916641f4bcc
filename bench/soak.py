"""Soak test: 64 connections for 5 minutes against a mix of scans, place pages and the home
page under gunicorn (gunicorn.conf.py, DEBUG=0) on a PostgreSQL database with the demo content.

Prints the requests served, the errors (answers other than 2xx/3xx, and socket errors: refused,
reset, timed out) and each worker's resident memory sampled every few seconds: at the start
(after a 10 s warm-up), the middle and the end. The workers are not recycled during the soak
(GUNICORN_MAX_REQUESTS=0: recycling would hide a leak); memory counts as flat when no worker
grows by more than FLAT_MIB between the middle and the end (the first half fills caches and
connections).

    .venv/bin/python bench/soak.py [seconds, default 300] [connections, default 64]
"""

import contextlib
import json
import sys
import threading
import time
from urllib.parse import quote

from _server import (
    BASE_PORT,
    PHONE,
    WORK,
    Gunicorn,
    base_env,
    demo_database,
    get,
    machine_load,
    plate_codes,
    rss_mib,
    wrk,
)

FLAT_MIB = 5.0
SAMPLE_EVERY = 5.0


def mix(database_url: str) -> list[str]:
    """Six scans (every plate in turn), three place pages, one home page in ten requests."""
    import psycopg

    codes = plate_codes(database_url)
    with psycopg.connect(database_url) as conn:
        places = conn.execute(
            "SELECT kind, slug FROM sites_place WHERE status = 'published' ORDER BY id"
        ).fetchall()
    segment = {"street": "streets", "relic": "relics", "scenic": "scenic-spots"}
    place_urls = [f"/{lang}/{segment[k]}/{quote(s)}/" for k, s in places for lang in ("vi", "en")]
    paths = []
    for i in range(max(len(codes), len(place_urls)) * 2):
        paths += [f"/Q/{codes[(i * 6 + j) % len(codes)]}" for j in range(6)]
        paths += [place_urls[(i * 3 + j) % len(place_urls)] for j in range(3)]
        paths.append("/vi/" if i % 2 else "/en/")
    return paths


def main(seconds: int, connections: int) -> None:
    print(machine_load())
    database_url = demo_database("soak")
    env = base_env(database_url, GUNICORN_MAX_REQUESTS="0")
    paths = mix(database_url)
    script = WORK / "mix.lua"
    script.write_text(
        f"paths = {json.dumps(paths).replace('[', '{').replace(']', '}')}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\n"
        "end\n"
    )
    headers = {"User-Agent": PHONE, "Accept-Language": "vi", "Accept-Encoding": "gzip"}
    with Gunicorn(BASE_PORT + 30, env) as server:
        for path in sorted(set(paths)):
            status = get(server.base + path, **headers)[0]
            assert status == 200, (path, status)
        pids = server.worker_pids()
        print(
            f"{len(set(paths))} URLs ({len(paths)} in the rotation); {len(pids)} workers; "
            f"{connections} connections for {seconds} s",
            flush=True,
        )
        samples: dict[int, list[tuple[float, float]]] = {pid: [] for pid in pids}
        stop = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while not stop.is_set():
                elapsed = time.monotonic() - started
                for pid in pids:
                    # A worker that died has no /proc entry: reported below.
                    with contextlib.suppress(FileNotFoundError):
                        samples[pid].append((elapsed, rss_mib(pid)))
                stop.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = wrk(
            f"{server.base}/",
            seconds=seconds,
            connections=connections,
            script=script,
            headers=headers,
        )
        stop.set()
        sampler.join()
        after = server.worker_pids()

    errors = result["non_2xx"] + result["socket_errors"]
    print(
        f"\nrequests {result['requests']:,} ({result['rps']:.0f}/s), errors {errors} "
        f"(non-2xx/3xx {result['non_2xx']}, socket {result['socket_errors']}), "
        f"latency p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms"
    )
    if after != pids:
        print(f"workers replaced during the soak: {sorted(set(pids) - set(after))} (crash?)")
    print(f"\nresident memory per worker, MiB (flat: < {FLAT_MIB:.0f} MiB from middle to end)")
    print(f"{'worker':>8}{'start':>9}{'middle':>9}{'end':>9}{'growth':>9}")
    flat = True
    for pid, points in samples.items():
        warm = [m for t, m in points if t >= 10] or [m for _t, m in points]
        start, middle, end = warm[0], warm[len(warm) // 2], warm[-1]
        flat &= end - middle < FLAT_MIB
        print(f"{pid:>8}{start:>9.1f}{middle:>9.1f}{end:>9.1f}{end - middle:>+9.1f}")
    print(f"\n{machine_load()}")
    print(
        f"{'PASS' if errors == 0 and flat else 'FAIL'}: "
        f"{'zero errors' if errors == 0 else f'{errors} errors'}, "
        f"memory {'flat' if flat else 'growing'}"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300,
        int(sys.argv[2]) if len(sys.argv) > 2 else 64,
    )
