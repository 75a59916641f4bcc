"""The page cache: scans and public pages answered before the view layer, per language, made
stale by publishing, and served from the last copy when the database cannot be reached."""

import gzip
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from edge import pagecache
from lib import languages
from qrplates.demo import mint_demo_plates
from qrplates.models import Plate
from qrplates.services import plate_mint
from sites.models import Place, Status, Street
from sites.selectors import nearby

pytestmark = pytest.mark.django_db

BOT = "curl/8.5.0"  # a machine: its scans are not counted, so a hit costs no query at all


@pytest.fixture
def plate(demo) -> Plate:
    mint_demo_plates()
    # The fixtures' saves are committed with the test's first commit (the test runs in a
    # transaction): they would make every page stale with the test's own change.
    pagecache.forget_pending()
    return Plate.objects.filter(place__street__isnull=False).select_related("place").first()


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when PostgreSQL is unreachable."""

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    def stop():
        monkeypatch.setattr(connections["default"], "cursor", unreachable)

    return stop


def scan(client, plate, **headers):
    return client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=BOT, **headers)


def test_a_second_scan_is_answered_from_the_cache_without_a_query(client, plate):
    first = scan(client, plate)
    with CaptureQueriesContext(connection) as queries:
        second = scan(client, plate)
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first and second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Language"] == first["Content-Language"]


def test_a_miss_reads_the_code_and_the_language_once(client, plate, monkeypatch):
    """The page cache reads the scan's address to key its copy; the view answers from that
    reading instead of normalising the code and negotiating the language again."""
    from public import scan as scan_view
    from qrplates import codes

    calls = []

    def counted(function):
        def wrapper(*args, **kwargs):
            calls.append(function.__name__)
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(codes, "normalize", counted(codes.normalize))
    monkeypatch.setattr(scan_view, "visitor_language", counted(scan_view.visitor_language))
    response = client.get(f"/q/{plate.code.lower()}/", HTTP_USER_AGENT=BOT)
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert sorted(calls) == ["normalize", "visitor_language"]


def test_each_language_has_its_own_copy(client, plate):
    english = scan(client, plate, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    vietnamese = scan(client, plate, HTTP_ACCEPT_LANGUAGE="vi-VN")
    assert english["Content-Language"] == "en" and vietnamese["Content-Language"] == "vi"
    assert plate.place.name_en in english.content.decode()
    assert "X-Page-Cache" not in vietnamese  # not the English copy
    again = scan(client, plate, HTTP_ACCEPT_LANGUAGE="en")
    assert again["X-Page-Cache"] == "hit" and again["Content-Language"] == "en"
    chosen = Client(HTTP_COOKIE="lang=en").get(
        f"/Q/{plate.code}", HTTP_USER_AGENT=BOT, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert chosen["Content-Language"] == "en" and chosen["X-Page-Cache"] == "hit"


def test_letter_case_and_look_alikes_share_the_copy(client, plate):
    scan(client, plate)
    typed = plate.code.lower().replace("0", "o").replace("1", "l")
    response = client.get(f"/q/{typed}/", HTTP_USER_AGENT=BOT)
    assert response["X-Page-Cache"] == "hit"


@pytest.fixture
def held_tasks(settings):
    """Tasks are kept instead of run (as when the worker has not come to them yet): what a
    publish makes stale stays stale, and the test sees what it asked the worker to do."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    return default_task_backend


def pages_of(street: Street) -> dict[str, str]:
    """Pages showing `street` other than its own: the lists it is on."""
    return {
        "home": "/vi/",
        "its kind": "/vi/streets/",
        "its commune": street.unit.get_absolute_url(),
        "its page": street.get_absolute_url(),
    }


def test_publishing_a_change_reaches_the_next_scan(
    client, plate, django_capture_on_commit_callbacks
):
    scan(client, plate)
    street = Street.objects.get(pk=plate.place_id)
    street.name_vi = "Đường Mới Đổi Tên"
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    response = scan(client, plate)
    assert "Đường Mới Đổi Tên" in response.content.decode()


def unrelated_to(street: Street) -> str:
    """The page of a place in another commune, not named after the same person."""
    return (
        Place.objects.published()
        .exclude(unit=street.unit)
        .exclude(pk__in=Street.objects.filter(named_after=street.named_after_id).values("pk"))
        .first()
        .get_absolute_url()
    )


def test_a_publish_swaps_in_the_pages_showing_the_record_and_no_other(
    client, plate, held_tasks, django_capture_on_commit_callbacks
):
    street = Street.objects.select_related("unit").get(pk=plate.place_id)
    showing, unrelated = pages_of(street), unrelated_to(street)
    for url in [*showing.values(), unrelated, "/vi/about/"]:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url
    scan(client, plate)
    old_name = street.name_vi
    street.name_vi = "Đường Mới Đổi Tên"
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    # Until the worker has rendered them again, visitors get the pages as they were.
    response = client.get(showing["its commune"])
    assert response["X-Page-Cache"] == "hit" and old_name in response.content.decode()
    # The commit also asks for the open-data bulk files and static mode's files: the warming
    # is the page cache's own task.
    [warming] = [r for r in held_tasks.results if r.task.func is pagecache.warm.func]
    scans = {f"scan:{plate.code}:{code}" for code in languages.codes()}
    assert set(showing.values()) | scans <= set(warming.args[0])
    assert unrelated not in warming.args[0] and "/vi/about/" not in warming.args[0]

    pagecache.warm.call(*warming.args)

    assert client.get(showing["its page"]).status_code == 301  # the renamed street's old address
    showing["its page"] = street.get_absolute_url()
    for what, url in showing.items():
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response["X-Page-Cache"] == "hit", what
        text = gzip.decompress(response.content).decode()
        # The home page shows some places only (highlights, and counts).
        assert what == "home" or "Đường Mới Đổi Tên" in text, what
    response = scan(client, plate, HTTP_ACCEPT_ENCODING="gzip")
    assert response["X-Page-Cache"] == "hit"
    assert "Đường Mới Đổi Tên" in gzip.decompress(response.content).decode()
    for url in (unrelated, "/vi/about/"):  # never rendered again
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_publish_the_worker_never_renders_is_stale_after_a_minute(
    client, plate, held_tasks, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PAGE_CACHE_FRESH_SECONDS = 3600
    street = Street.objects.select_related("unit").get(pk=plate.place_id)
    showing, unrelated = pages_of(street), unrelated_to(street)
    for url in [showing["its commune"], unrelated]:
        client.get(url)
    street.name_vi = "Đường Mới Đổi Tên"
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    assert client.get(showing["its commune"])["X-Page-Cache"] == "hit"
    later = time.time() + pagecache.SWAP_SECONDS
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(showing["its commune"])
    assert "X-Page-Cache" not in response and "Đường Mới Đổi Tên" in response.content.decode()
    assert client.get(unrelated)["X-Page-Cache"] == "hit"


def test_after_a_publish_the_pages_showing_it_are_rendered_before_anyone_asks(
    client, plate, django_capture_on_commit_callbacks
):
    street = Street.objects.select_related("unit").get(pk=plate.place_id)
    for url in pages_of(street).values():
        client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    street.name_vi = "Đường Mới Đổi Tên"
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    with CaptureQueriesContext(connection) as queries:
        for url in pages_of(street).values():  # its page at its new address too
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response["X-Page-Cache"] == "hit", url
            text = gzip.decompress(response.content).decode()
            assert url == "/vi/" or "Đường Mới Đổi Tên" in text, url
        for language in ("vi", "en"):
            response = scan(
                client, plate, HTTP_ACCEPT_LANGUAGE=language, HTTP_ACCEPT_ENCODING="gzip"
            )
            assert response["X-Page-Cache"] == "hit" and response["Content-Language"] == language
    assert len(queries) == 0


@pytest.mark.parametrize("tasks", ["run at once", "held"])
def test_a_withdrawn_record_is_not_served_from_an_old_copy(
    client, plate, settings, tasks, django_capture_on_commit_callbacks
):
    if tasks == "held":
        settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    name = plate.place.name_vi
    street = Street.objects.select_related("unit").get(pk=plate.place_id)
    lists = [url for what, url in pages_of(street).items() if what != "its page"]
    for url in lists:
        client.get(url)
    for language in ("vi", "en"):
        scan(client, plate, HTTP_ACCEPT_LANGUAGE=language)
    street.status = Status.WITHDRAWN
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    for language in ("vi", "en"):
        response = scan(client, plate, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert name not in response.content.decode()
    assert client.get(street.get_absolute_url()).status_code == 404
    for url in lists:
        assert name not in client.get(url).content.decode(), url


def test_public_pages_are_cached_and_revalidated_from_the_copy(client, plate):
    url = plate.place.get_absolute_url()
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    second = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert second["X-Page-Cache"] == "hit" and second["Content-Encoding"] == "gzip"
    assert second.content == first.content
    revalidated = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304


ACCEPT_ENCODINGS = ["gzip, deflate, br", "nogzip", "identity", "", "x-gzip", "br", "GZIP"]


@pytest.mark.parametrize("first", ["nogzip", "gzip, deflate, br", "GZIP"])
def test_a_copy_goes_only_to_requests_that_would_get_the_same_bytes(plate, settings, first):
    """One request with `Accept-Encoding: nogzip` made every phone get the uncompressed page,
    cached for 30 days (issue 13)."""
    urls = [plate.place.get_absolute_url(), f"/Q/{plate.code}"]

    def encodings() -> dict:
        return {
            (url, header): Client()
            .get(url, HTTP_ACCEPT_ENCODING=header, HTTP_USER_AGENT=BOT)
            .get("Content-Encoding")
            for url in urls
            for header in ACCEPT_ENCODINGS
        }

    settings.PAGE_CACHE_ENABLED = False
    rendered = encodings()
    assert rendered[urls[0], "gzip, deflate, br"] == "gzip" and rendered[urls[0], ""] is None
    settings.PAGE_CACHE_ENABLED = True
    for url in urls:
        Client().get(url, HTTP_ACCEPT_ENCODING=first, HTTP_USER_AGENT=BOT)
    assert encodings() == rendered


def test_scans_are_cacheable_by_a_cdn_per_language_but_a_signed_in_scan_is_not(
    client, plate, staff
):
    response = scan(client, plate)
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "s-maxage=" in cache_control
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    staff_client = Client()
    staff_client.force_login(staff)
    signed_in = staff_client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=BOT)
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]


def test_searches_and_staff_are_never_served_a_copy(client, plate, staff):
    client.get("/vi/search/?q=hoang")
    assert "X-Page-Cache" not in client.get("/vi/search/?q=hoang")
    scan(client, plate)
    staff_client = Client()
    staff_client.force_login(staff)
    response = staff_client.get(f"/Q/{plate.code}", HTTP_USER_AGENT=BOT)
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_when_the_database_is_down_scans_and_pages_get_the_last_copy(client, plate, database_down):
    page = plate.place.get_absolute_url()
    before_scan, before_page = scan(client, plate), client.get(page)
    pagecache.bump()  # every copy is stale now
    database_down()
    visitor = Client(raise_request_exception=False)
    during_scan = visitor.get(f"/Q/{plate.code}", HTTP_USER_AGENT=BOT)
    during_page = visitor.get(page)
    assert during_scan.status_code == during_page.status_code == 200
    assert during_scan["X-Page-Cache"] == during_page["X-Page-Cache"] == "stale"
    assert during_scan.content == before_scan.content
    assert during_page.content == before_page.content


def test_a_page_never_cached_answers_a_friendly_503_while_the_database_is_down(
    plate, database_down
):
    database_down()
    visitor = Client(raise_request_exception=False)
    response = visitor.get(f"/Q/{plate.code}", HTTP_USER_AGENT=BOT)
    assert response.status_code == 503
    assert response["Retry-After"] == "60" and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "Cổng thông tin tạm thời gián đoạn" in text
    assert "The portal is briefly unavailable" in text


def test_the_cache_can_be_turned_off(client, plate, settings):
    settings.PAGE_CACHE_ENABLED = False
    scan(client, plate)
    assert "X-Page-Cache" not in scan(client, plate)


def test_an_import_makes_every_copy_stale_without_working_out_pages_per_row(
    client, plate, monkeypatch, django_capture_on_commit_callbacks
):
    """A writer that announces many changes (the spreadsheet import) costs the page cache one
    number a row, not a look at which pages show each of its rows (80 ms a row for the first
    100)."""
    from django.db import transaction

    from sites.signals import many_changes

    url = plate.place.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    asked, bumps = [], []
    monkeypatch.setattr(pagecache, "addresses_showing", lambda rows: asked.append(rows) or [])
    bump = pagecache.bump
    monkeypatch.setattr(pagecache, "bump", lambda: bumps.append(1) or bump())
    street = Street.objects.get(pk=plate.place_id)
    with many_changes(), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for number in range(3):
            street.summary_vi = f"Tóm tắt lần {number}."
            street.save()
    assert not asked
    assert len(bumps) == 4  # one number a row, and one when they were committed
    assert client.get(url).get("X-Page-Cache") != "hit"
    assert "Tóm tắt lần 2." in client.get(url).content.decode()


# A record's page kept for the next scans of any plate leading to it (pagecache.RecordPages):
# under the mark of the record page's own address, so exactly as fresh as its page cache copy.


def test_a_scan_the_page_cache_cannot_answer_reuses_the_record_page(client, plate, settings):
    street = Street.objects.get(pk=plate.place_id)
    other_end = plate_mint(target=street, label="Cuối phố")
    pagecache.forget_pending()  # the new plate's own change
    with CaptureQueriesContext(connection) as rendered:
        first = scan(client, plate)
    with CaptureQueriesContext(connection) as kept:
        second = scan(client, other_end)  # a page cache miss: another plate's address
    assert "X-Page-Cache" not in second and second.content == first.content
    assert second["Content-Language"] == first["Content-Language"]
    # The plate is still read (it may have been withdrawn or moved); the page is not rendered.
    assert len(kept) == 1 < len(rendered)
    settings.PAGE_CACHE_ENABLED = False  # whole answers off: record pages are still kept
    with CaptureQueriesContext(connection) as off:
        assert scan(client, plate).content == first.content
    assert len(off) == 1


def neighbour_of(street: Street) -> Place:
    around = nearby(street)
    return around.near[0][0] if around.near else around.in_unit[0]


@pytest.mark.parametrize("page_cache", [True, False])
def test_a_kept_record_page_never_shows_a_withdrawn_neighbour(
    client, plate, settings, page_cache, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = page_cache
    street = Street.objects.get(pk=plate.place_id)
    neighbour = neighbour_of(street).specific
    assert neighbour.name_vi in scan(client, plate).content.decode()
    other_end = plate_mint(target=street, label="Cuối phố")
    neighbour.status = Status.WITHDRAWN
    with django_capture_on_commit_callbacks(execute=True):
        neighbour.save()
    for scanned in (plate, other_end):
        response = scan(client, scanned)
        assert response.status_code == 200 and street.name_vi in response.content.decode()
        assert neighbour.name_vi not in response.content.decode()


def test_with_the_page_cache_off_a_published_change_shows_at_once(
    client, plate, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = False
    scan(client, plate)
    street = Street.objects.get(pk=plate.place_id)
    street.name_vi = "Đường Mới Đổi Tên"
    with django_capture_on_commit_callbacks(execute=True):
        street.save()
    assert "Đường Mới Đổi Tên" in scan(client, plate).content.decode()
    # and it is kept in turn
    with CaptureQueriesContext(connection) as queries:
        assert "Đường Mới Đổi Tên" in scan(client, plate).content.decode()
    assert len(queries) == 1
