"""PostgreSQL stops in the middle of a run of scans: the portal keeps answering from its page cache,
tells the truth (503, in every language) where it has no copy, keeps the scan counts, and picks up
by itself when the database is back.

The database that is stopped is a throwaway PostgreSQL cluster of the test's own (never the one
the suite runs on), started with PostgreSQL's own tools, so the failure is the real one: a refused
connection in psycopg.
"""

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from edge import pagecache
from qrplates.models import Plate, PlateScanDay
from qrplates.scans import scan_buffer
from tests.ports import free_port
from tests.qrplates.conftest import PHONE

PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = pytest.mark.postgres


class Cluster:
    """A PostgreSQL cluster in a temporary folder, run as the postgres user when we are root
    (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="streetinfo-outage-"))
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self.run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def throwaway_database(django_db_blocker, settings):
    """The default connection pointed at a throwaway cluster holding the demo data."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL's server tools are not installed")
    cluster = Cluster()
    cluster.start()
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(
        NAME="postgres", USER="postgres", HOST="127.0.0.1", PORT=str(cluster.port)
    )
    try:
        with django_db_blocker.unblock():
            call_command("migrate", verbosity=0)
            call_command("load_demo", verbosity=0)
            yield cluster
            connection.close()
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        cluster.remove()


def test_scans_keep_answering_while_postgresql_is_stopped(throwaway_database):
    warm, cold = Plate.objects.filter(place__isnull=False).order_by("code")[:2]
    visitor = Client(raise_request_exception=False)
    phones = itertools.count(1)

    def scan(plate: Plate, language: str = "vi"):
        # Each scan by a phone of its own: one phone counts once per plate in a window.
        return visitor.get(
            f"/Q/{plate.code}",
            HTTP_USER_AGENT=PHONE,
            HTTP_ACCEPT_LANGUAGE=language,
            REMOTE_ADDR=f"203.0.113.{next(phones)}",
        )

    pages = {language: scan(warm, language) for language in ("vi", "en")}
    place_page = visitor.get(warm.place.get_absolute_url())
    assert all(page.status_code == 200 for page in pages.values())
    scan_buffer.flush()
    counted_before = sum(PlateScanDay.objects.values_list("count", flat=True))

    throwaway_database.stop()  # mid-run, as a crashed or rebooting database server would

    for language in ("vi", "en", "vi", "en"):
        during = scan(warm, language)
        assert during.status_code == 200 and during["X-Page-Cache"] == "hit"
        assert during.content == pages[language].content
    # A publish on another app server just before the outage: the copies are stale now, and
    # still what a visitor gets, since nothing newer can be rendered.
    pagecache.bump()
    during = scan(warm, "en")
    assert during.status_code == 200 and during["X-Page-Cache"] == "stale"
    assert during.content == pages["en"].content
    page_during = visitor.get(warm.place.get_absolute_url())
    assert page_during.status_code == 200 and page_during.content == place_page.content
    # A plate nobody scanned before the outage: no copy, an honest bilingual 503.
    never = scan(cold)
    assert never.status_code == 503 and never["Retry-After"]
    assert "The portal is briefly unavailable" in never.content.decode()
    assert scan_buffer.pending() == 5  # the people's scans, waiting for the database

    throwaway_database.start()
    connections["default"].close()  # what Django does at the start of each real request

    after = scan(cold)
    assert after.status_code == 200 and "X-Page-Cache" not in after
    scan_buffer.flush()
    counted_after = sum(PlateScanDay.objects.values_list("count", flat=True))
    assert counted_after - counted_before == 6  # five during the outage, one after


def test_the_api_says_503_in_the_requests_language_while_postgresql_is_stopped(
    throwaway_database,
):
    """The API answered 500 during a database outage (issue 13): a client should learn that it is
    temporary and when to try again, as a visitor does."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    editor = get_user_model().objects.create_superuser("api-editor", "e@example.org", "pw-x-1")
    token = Token.objects.create(user=editor).key
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/places/").status_code == 200

    throwaway_database.stop()

    for language, detail in (
        ("vi", "Dữ liệu mở tạm thời gián đoạn"),
        ("en", "The open data is briefly unavailable"),
    ):
        for url in ("/api/v1/places/", "/api/v1/places/?format=csv", "/api/v1/units/05986/"):
            answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert answer.status_code == 503, (url, answer.content[:300])
            assert answer["Retry-After"] == "60" and answer["Content-Language"] == language
            assert answer.json()["code"] == "unavailable"
            assert answer.json()["detail"].startswith(detail)
    write = client.post(
        "/api/v1/places/",
        {"kind": "street", "name": {"vi": "Phố Mới"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert write.status_code == 503 and write.json()["code"] == "unavailable"

    throwaway_database.start()
    connections["default"].close()
    assert client.get("/api/v1/places/").status_code == 200
