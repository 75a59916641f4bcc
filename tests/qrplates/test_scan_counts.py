"""Scan counts: one per person's scan, per plate and day, and nothing about the person."""

import datetime
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lib import ratelimits
from qrplates.models import PlateScanDay
from qrplates.scans import is_machine, scan_buffer
from qrplates.services import plate_mint
from tests.qrplates.conftest import PHONE

pytestmark = pytest.mark.django_db

PEOPLE = {
    "Chrome on Android": PHONE,
    "Safari on iPhone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Zalo's in-app browser": "Mozilla/5.0 (Linux; Android 12; SM-A525F; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 ZaloTheme/light "
    "ZaloLanguage/vn",
    "Zalo on iPhone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Zalo iOS/23.12.01",
    "Facebook's in-app browser": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.40.105]",
    "Cốc Cốc browser": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
    "Gecko) coc_coc_browser/120.0.0 Chrome/114.0 Mobile Safari/537.36",
}
MACHINES = {
    "Facebook preview": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Zalo preview": "Mozilla/5.0 (compatible; ZaloBot/1.0; +https://zalo.me)",
    "Telegram preview": "TelegramBot (like TwitterBot)",
    "Slack preview": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitter preview": "Twitterbot/1.0",
    "WhatsApp preview": "WhatsApp/2.23.20.0",
    "Discord preview": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Skype preview": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Cốc Cốc crawler": "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/)",
    "curl": "curl/8.5.0",
    "no user agent": "",
}


def counts(plate) -> list[tuple[datetime.date, int]]:
    return list(PlateScanDay.objects.filter(plate=plate).values_list("day", "count"))


@pytest.mark.parametrize("user_agent", PEOPLE.values(), ids=PEOPLE.keys())
def test_people_are_counted(user_agent):
    assert not is_machine(user_agent)


@pytest.mark.parametrize("user_agent", MACHINES.values(), ids=MACHINES.keys())
def test_link_previews_crawlers_and_scripts_are_not(user_agent):
    assert is_machine(user_agent)


def person(number: int) -> Client:
    """A visitor's phone, on an address of its own."""
    return Client(REMOTE_ADDR=f"203.0.113.{number}", HTTP_USER_AGENT=PHONE)


def test_each_persons_scan_adds_one_to_the_plates_counter_for_the_day(plate):
    for number in range(3):
        person(number).get(f"/Q/{plate.code}")
    # The day is Lạng Sơn's, whatever the server's clock zone.
    assert counts(plate) == [(timezone.localdate(), 3)]
    assert PlateScanDay.objects.count() == 1


def test_a_client_counts_once_per_plate_in_a_window(plate, settings, monkeypatch):
    """One client reloading a plate's page as fast as it can (5,845 counted scans in 10 s
    before) adds one; changing its user agent on every request adds at most
    SCAN_COUNT_PER_ADDRESS; the next window counts it again."""
    reloader = person(1)
    for _ in range(200):
        assert reloader.get(f"/Q/{plate.code}").status_code == 200
    assert counts(plate) == [(timezone.localdate(), 1)]
    person(2).get(f"/Q/{plate.code}")
    # Another phone behind the same carrier address is another visitor...
    reloader.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PEOPLE["Safari on iPhone"])
    assert counts(plate) == [(timezone.localdate(), 3)]
    # ...but a script inventing a new one each time is cut off.
    for number in range(100):
        reloader.get(f"/Q/{plate.code}", HTTP_USER_AGENT=f"{PHONE} Build/{number}")
    assert counts(plate) == [(timezone.localdate(), 1 + settings.SCAN_COUNT_PER_ADDRESS)]
    # Another plate, and the next window, count again.
    other = plate_mint(target=plate.place)
    reloader.get(f"/Q/{other.code}")
    assert counts(other) == [(timezone.localdate(), 1)]
    later = time.time() + settings.SCAN_COUNT_WINDOW_SECONDS
    monkeypatch.setattr(ratelimits.time, "time", lambda: later)
    reloader.get(f"/Q/{plate.code}")
    assert counts(plate) == [(timezone.localdate(), 2 + settings.SCAN_COUNT_PER_ADDRESS)]


def test_nothing_about_the_client_is_kept_in_the_cache_either(plate, monkeypatch):
    sent = []
    call = ratelimits.FailSoftCache._call

    def spy(cache, method, *args, **kwargs):
        sent.append(repr(args))
        return call(cache, method, *args, **kwargs)

    monkeypatch.setattr(ratelimits.FailSoftCache, "_call", spy)
    person(7).get(f"/Q/{plate.code}")
    assert any("ratelimits:scan" in keys for keys in sent)
    assert not any("203.0.113.7" in keys or "Android" in keys for keys in sent)


def test_a_new_day_starts_a_new_counter(client, plate):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    PlateScanDay.objects.record(plate, day=yesterday)
    client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE)
    assert sorted(count for _day, count in counts(plate)) == [1, 1]


def test_a_scan_answered_from_the_page_cache_costs_one_write_and_no_read(plate):
    person(1).get(f"/Q/{plate.code}")  # renders the page and caches it
    with CaptureQueriesContext(connection) as queries:
        response = person(2).get(f"/Q/{plate.code}")
    assert response["X-Page-Cache"] == "hit"
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == 1 and "ON CONFLICT" in statements[0]
    assert counts(plate) == [(timezone.localdate(), 2)]


def test_counts_are_written_in_batches(client, plate, settings):
    settings.SCAN_COUNT_FLUSH_SECONDS = 3600
    scan_buffer.flush()  # starts the interval now
    for number in range(5):
        person(number).get(f"/Q/{plate.code}")
    assert counts(plate) == []
    scan_buffer.flush()
    assert counts(plate) == [(timezone.localdate(), 5)]


def test_counts_wait_while_the_database_cannot_be_written(plate, monkeypatch):
    person(0).get(f"/Q/{plate.code}")

    def unreachable(counts):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(PlateScanDay.objects, "record_many", unreachable)
        for number in range(1, 4):
            response = person(number).get(f"/Q/{plate.code}")
            assert response.status_code == 200
        assert scan_buffer.pending() == 3
    scan_buffer.flush()
    assert counts(plate) == [(timezone.localdate(), 4)]


@pytest.mark.parametrize("user_agent", MACHINES.values(), ids=MACHINES.keys())
def test_machines_get_the_page_but_are_not_counted(client, plate, user_agent):
    response = client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200
    assert counts(plate) == []


def test_head_requests_and_prefetches_are_not_counted(client, plate):
    assert client.head(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE).status_code == 200
    client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE, HTTP_SEC_PURPOSE="prefetch")
    client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE, HTTP_PURPOSE="prefetch")
    client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE, HTTP_X_PURPOSE="preview")
    assert counts(plate) == []


def test_typed_codes_and_unknown_codes_are_not_counted(client, plate):
    client.get("/vi/code/", {"code": plate.code}, HTTP_USER_AGENT=PHONE)
    client.get("/Q/0000000", HTTP_USER_AGENT=PHONE)
    assert PlateScanDay.objects.count() == 0


def test_scans_of_a_plate_whose_record_is_withdrawn_still_count(client, plate, street):
    street.status = "withdrawn"
    street.save()
    client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE)
    assert counts(plate)[0][1] == 1


def test_nothing_about_the_visitor_is_kept(client, plate):
    client.get(
        f"/Q/{plate.code}",
        HTTP_USER_AGENT=PHONE,
        REMOTE_ADDR="203.0.113.7",
        HTTP_COOKIE="lang=en; sessionid=abc",
    )
    stored = {field.name for field in PlateScanDay._meta.get_fields()}
    assert stored == {"id", "plate", "day", "count"}
    row = PlateScanDay.objects.values().get()
    assert "203.0.113.7" not in str(row) and "Android" not in str(row)
    client.cookies.clear()
    response = client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=PHONE)
    assert not response.cookies  # the scan sets no cookie either
