"""gunicorn.conf.py, read by gunicorn's own configuration parser, as `gunicorn -c` reads it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Loads the file through gunicorn's WSGIApplication (the `gunicorn` command) with the CPU count
# this process sees replaced by CPUS, then prints the settings that matter.
LOAD = """
import json, os, sys
cpus = int(os.environ.pop("FAKE_CPUS"))
os.sched_getaffinity = lambda pid: set(range(cpus))
from gunicorn.app.wsgiapp import WSGIApplication
sys.argv = ["gunicorn", "-c", "gunicorn.conf.py", "streetinfo.wsgi"]
cfg = WSGIApplication().cfg
names = ("workers", "threads", "bind", "timeout", "graceful_timeout", "max_requests",
         "max_requests_jitter", "accesslog", "forwarded_allow_ips", "preload_app")
values = {name: cfg.settings[name].get() for name in names}
print(json.dumps({"worker_class": cfg.worker_class_str, **values}))
"""


def gunicorn_settings(cpus: int, **env: str) -> dict:
    import json

    names = {"PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "FORWARDED_ALLOW_IPS"}
    clean = {k: v for k, v in os.environ.items() if k not in names}
    result = subprocess.run(
        [sys.executable, "-c", LOAD],
        cwd=ROOT,
        env={**clean, "FAKE_CPUS": str(cpus), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (4, 9), (32, 12)])
def test_workers_follow_the_cpu_count_up_to_a_cap(cpus, workers):
    assert gunicorn_settings(cpus)["workers"] == workers


def test_web_concurrency_overrides_the_cpu_count():
    assert gunicorn_settings(2, WEB_CONCURRENCY="7")["workers"] == 7
    assert gunicorn_settings(32, WEB_CONCURRENCY="20")["workers"] == 20


def test_threaded_workers_so_long_downloads_are_not_killed():
    settings = gunicorn_settings(2)
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] >= 2
    assert settings["graceful_timeout"] <= settings["timeout"]
    assert 0 < settings["max_requests_jitter"] < settings["max_requests"]


def test_workers_are_not_replaced_every_few_seconds_on_a_busy_day():
    # 2,800 requests/s on 5 workers (bench/soak.py): at least a minute between replacements.
    assert gunicorn_settings(2)["max_requests"] >= 2800 / 5 * 60
    assert gunicorn_settings(2, GUNICORN_MAX_REQUESTS="0")["max_requests"] == 0


def test_bind_port_logs_and_proxies_from_the_environment():
    settings = gunicorn_settings(2, PORT="8123", FORWARDED_ALLOW_IPS="10.0.0.2")
    assert settings["bind"] == ["0.0.0.0:8123"]
    assert settings["accesslog"] == "-"
    assert settings["forwarded_allow_ips"] == ["10.0.0.2"]
    assert gunicorn_settings(2)["bind"] == ["0.0.0.0:8000"]


def test_a_malformed_value_stops_gunicorn_with_its_name():
    result = subprocess.run(
        [sys.executable, "-c", LOAD],
        cwd=ROOT,
        env={**os.environ, "FAKE_CPUS": "2", "GUNICORN_THREADS": "many"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "GUNICORN_THREADS must be a whole number ≥ 1, got 'many'" in result.stderr
