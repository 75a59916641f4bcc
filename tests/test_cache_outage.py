"""Redis stops (or hangs) in the middle of a run: pages, the API and the public forms keep
answering, the limits keep holding (each process counting on its own, logged), scans are still
counted, and Redis is used again when it is back.

The Redis that fails is a throwaway `redis-server` of the test's own on a free port (never the
shared one), so the failure is the real one: a refused connection, or one that never answers.
"""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.test import Client
from django.utils import timezone

from lib import ratelimits
from qrplates.models import PlateScanDay
from qrplates.services import plate_mint
from sites.models import ProblemReport, Status, Street
from streetinfo.settings import cache_config
from tests.ports import free_port
from tests.qrplates.conftest import PHONE

pytestmark = pytest.mark.django_db


class ThrowawayRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def stored(self) -> list[bytes]:
        return redis.Redis(port=self.port).keys("*")


def use_caches_at(settings, url: str) -> None:
    """Every cache of the site at `url`, configured as production configures Redis."""
    settings.CACHES = {
        "default": cache_config("default", 10_000, redis_url=url),
        "pages": cache_config("pages", 5_000, redis_url=url),
    }


@pytest.fixture
def throwaway_redis(settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis()
    server.start()
    use_caches_at(settings, server.url)
    ratelimits.counters.forget()
    yield server
    server.stop()
    ratelimits.counters.forget()


@pytest.fixture
def street(db) -> Street:
    return Street.objects.create(
        name_vi="Phố Kỳ Lừa", summary_vi="Phố chợ.", body_vi="Lịch sử.", status=Status.PUBLISHED
    )


def report(client: Client, street: Street, message: str):
    return client.post(f"/vi/report/place/{street.pk}/", {"kind": "wrong_info", "message": message})


def test_the_site_keeps_answering_while_redis_is_stopped(throwaway_redis, street, settings, caplog):
    settings.API_THROTTLE_ANON = "3/minute"
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    plate = plate_mint(target=street)
    visitor = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9")
    page = street.get_absolute_url()
    assert visitor.get(page).status_code == 200
    assert visitor.get("/api/v1/places/").status_code == 200
    assert report(visitor, street, "trước").status_code == 302

    throwaway_redis.stop()  # mid-run, as a crashed or restarting Redis would

    assert visitor.get(page).status_code == 200
    # The API's throttle: answers, and still limits (in this process's memory).
    assert [visitor.get("/api/v1/places/").status_code for _ in range(4)] == [200] * 3 + [429]
    # The forms' rate limit: reports are saved, and the limit still holds (counted afresh).
    for number in range(settings.PUBLIC_FORM_RATE_LIMIT):
        assert report(visitor, street, f"trong lúc Redis dừng {number}").status_code == 302
    assert ProblemReport.objects.filter(message__startswith="trong lúc Redis dừng").count() == 2
    assert report(visitor, street, "quá nhiều").status_code == 429
    # Scans: answered and counted, a phone once per window.
    for _ in range(3):
        assert visitor.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE).status_code == 200
    assert PlateScanDay.objects.get(plate=plate).count == 1
    assert "The shared cache cannot be reached" in caplog.text

    throwaway_redis.start()
    ratelimits.counters.forget()  # as RETRY_SECONDS after the failure
    assert Client(REMOTE_ADDR="198.51.100.4").get("/api/v1/places/").status_code == 200
    assert any(b"ratelimits:" in key for key in throwaway_redis.stored())
    assert PlateScanDay.objects.get(plate=plate).day == timezone.localdate()


def test_a_redis_that_hangs_costs_a_bounded_wait(street, settings):
    """A server that accepts connections and never answers (a hung Redis, a half-open
    network): each request waits at most the cache timeouts, not the system's TCP timeout."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(100)  # never accepted, never answered
    try:
        use_caches_at(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
        ratelimits.counters.forget()
        visitor = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.10")
        for address in (street.get_absolute_url(), "/api/v1/places/"):
            started = time.monotonic()
            assert visitor.get(address).status_code == 200
            assert time.monotonic() - started < 5
    finally:
        hung.close()
        ratelimits.counters.forget()
