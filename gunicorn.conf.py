"""gunicorn settings for Streetinfo: `gunicorn -c gunicorn.conf.py streetinfo.wsgi`.

Every value can be changed from the environment (the container sets none of them by default):

| variable | default | meaning |
| --- | --- | --- |
| PORT | 8000 | port to listen on, all interfaces |
| WEB_CONCURRENCY | 2 × CPUs + 1, at most 12 | worker processes |
| GUNICORN_THREADS | 4 | threads per worker |
| GUNICORN_TIMEOUT | 60 | seconds a silent worker lives before it is killed and replaced |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds running requests get to finish on a restart |
| GUNICORN_MAX_REQUESTS | 50000 | requests before a worker is replaced (0: never), + 10% jitter |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | our proxies, addresses or networks (`*`: any); see below |
"""

import math
import os
from pathlib import Path

MAX_WORKERS = 12


def env_int(name: str, default: int, *, minimum: int) -> int:
    """A whole number from the environment; a malformed one stops gunicorn with its name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise SystemExit(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def cpu_count() -> int:
    """CPUs this process may use: its affinity mask, lowered by a cgroup quota (`docker --cpus`,
    a Kubernetes limit), which os.cpu_count() does not see."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(cpus, 1)


def default_workers(cpus: int) -> int:
    # The usual 2 × CPUs + 1: while one worker waits on PostgreSQL another uses the CPU. Capped:
    # each worker holds its own Python heap and database connections.
    return min(2 * cpus + 1, MAX_WORKERS)


bind = [f"0.0.0.0:{env_int('PORT', 8000, minimum=1)}"]
workers = env_int("WEB_CONCURRENCY", default_workers(cpu_count()), minimum=1)

# Threads, not sync workers: a print batch's ZIP streams for minutes, and a sync worker would
# block on it and be killed by the timeout. A gthread worker keeps reporting to the arbiter
# while its threads serve, so `timeout` only catches a worker that is truly stuck.
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 60, minimum=1)
# A restart (deploy, max_requests) lets running requests finish this long before they are cut:
# raise it when print shops download large batches during working hours.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5

# Replacing each worker now and then bounds any slow growth of its memory; the jitter keeps the
# workers from all restarting at the same moment. Not too often: a new worker starts with empty
# caches (its page cache too, without Redis) and drops its kept-alive connections. At 2000, a
# busy scan day (2,800 requests/s on 5 workers) replaced a worker every 0.7 s; under wrk it
# halved the cached scans' rate against the framework floor and put their p99 at seconds
# (docs/performance.md); memory stays flat over 800,000 requests without any replacing
# (bench/soak.py, docs/production.md).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 50_000, minimum=0)
max_requests_jitter = max_requests // 10

# The heartbeat file on a RAM disk: a container's overlay filesystem can stall it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to the container's output. The access log: client, request, status, bytes, time in
# microseconds, user agent.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)s "%(a)s"'

# Which proxies may say the request came over HTTPS (X-Forwarded-Proto). Django reads the same
# variable to decide whose X-Forwarded-For to believe (lib.http.client_ip).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers fork from a loaded application: less memory (shared pages) and a broken deploy fails
# at start-up rather than on the first request. Connections are opened after the fork.
preload_app = True
