"""Static mode: every published page and scan target as files, served by nginx in the language
Django would choose, refreshed on publish, and still there when Django and its database are not."""

import datetime
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from edge import pagecache
from edge.static_mode import StaticSite, standalone_config
from qrplates.models import Plate, PlateScanDay
from qrplates.scans import visitor_language
from sites.models import Person, PersonLink, Place, Source, Status
from tests.ports import free_port, start_nginx, stop_nginx
from tests.qrplates.conftest import PHONE

NJS = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")


@pytest.fixture
def rendered(demo_plates, tmp_path) -> Path:
    out = tmp_path / "static"
    call_command("render_static", "--out", str(out), "--scan-log", str(tmp_path / "scans.log"))
    # The fixtures' own saves are in the files already, and their commit never comes (the test
    # runs in a transaction): without this they would ride along with the test's first commit,
    # and a refresh would redo every file, hiding what a change alone refreshes.
    pagecache.forget_pending()
    return out


def test_every_page_and_scan_target_is_written_in_every_language(rendered, demo_plates, client):
    plate = demo_plates[0]
    for language in ("vi", "en"):
        scan_file = rendered / "Q" / plate.code / f"{language}.html"
        expected = client.get(f"/Q/{plate.code}?lang={language}", HTTP_USER_AGENT="curl/8")
        assert scan_file.read_bytes() == expected.content
        assert (rendered / "Q" / plate.code / f"{language}.html.gz").exists()
        page = plate.place.get_absolute_url().replace("/vi/", f"/{language}/")
        assert (rendered / page.lstrip("/") / "index.html").exists()
    assert len(list((rendered / "Q").iterdir())) == len(demo_plates)
    person = Person.objects.published().first()
    assert (rendered / person.get_absolute_url().lstrip("/") / "index.html").exists()
    units = [path for path in (rendered / "vi" / "units").iterdir() if path.is_dir()]
    assert units and all((unit / "offline.json").exists() for unit in units)
    # The index pages of communes and wards, of people and of walking routes.
    assert (rendered / "vi" / "units" / "index.html").exists()
    assert (rendered / "en" / "people" / "index.html").exists()
    assert (rendered / "zh-hans" / "routes" / "index.html").exists()
    assert PlateScanDay.objects.count() == 0  # rendering is not scanning


def test_publishing_refreshes_the_affected_files(
    rendered, demo_plates, settings, django_capture_on_commit_callbacks
):
    settings.STATIC_MODE_DIR = str(rendered)
    plate = demo_plates[0]
    place = plate.place.specific
    scan_file = rendered / "Q" / plate.code / "vi.html"
    old_page_file = rendered / place.get_absolute_url().lstrip("/") / "index.html"
    with django_capture_on_commit_callbacks(execute=True):
        place.name_vi = "Tên Mới Sau Khi Duyệt"
        place.save()
    page_file = rendered / place.get_absolute_url().lstrip("/") / "index.html"
    assert "Tên Mới Sau Khi Duyệt" in scan_file.read_text()
    assert "Tên Mới Sau Khi Duyệt" in page_file.read_text()
    if page_file != old_page_file:  # renamed: the old address redirects, so Django answers it
        assert not old_page_file.exists()
    with django_capture_on_commit_callbacks(execute=True):
        place.status = Status.WITHDRAWN
        place.save()
    assert not page_file.exists()  # nginx asks Django, which knows it is gone
    assert "Tên Mới Sau Khi Duyệt" not in scan_file.read_text()  # "being updated" instead


def test_a_publish_with_its_inline_rows_renders_each_file_once(
    rendered, demo_plates, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.STATIC_MODE_DIR = str(rendered)
    targets: list[str] = []
    render = StaticSite.render

    def counted(site, url, target):
        targets.append(target)
        render(site, url, target)

    monkeypatch.setattr(StaticSite, "render", counted)
    place = demo_plates[0].place.specific
    with django_capture_on_commit_callbacks(execute=True):  # one admin save: one commit
        place.save()
        for number in range(3):
            Source.objects.create(place=place, title=f"Nguồn {number}")
    assert f"Q/{demo_plates[0].code}/vi.html" in targets
    assert len(targets) == len(set(targets))


def test_a_change_rolled_back_does_not_break_the_next_publish(
    rendered, demo_plates, settings, django_capture_on_commit_callbacks
):
    settings.STATIC_MODE_DIR = str(rendered)
    place = demo_plates[0].place.specific
    with pytest.raises(RuntimeError), transaction.atomic():
        person = Person.objects.create(name_vi="Người Chưa Lưu", status=Status.PUBLISHED)
        PersonLink.objects.create(person_id=person.pk, place=place, role=PersonLink.Role.BORN_HERE)
        raise RuntimeError("the editor's save failed: nothing of it is kept")
    with django_capture_on_commit_callbacks(execute=True):
        place.name_vi = "Tên Sau Lần Lưu Hỏng"
        place.save()
    scan_file = rendered / "Q" / demo_plates[0].code / "vi.html"
    assert "Tên Sau Lần Lưu Hỏng" in scan_file.read_text()


def test_scans_served_by_nginx_are_counted_from_its_log(demo_plates, tmp_path):
    plate = demo_plates[0]
    now = timezone.localtime().isoformat(timespec="seconds")
    log = tmp_path / "scans.log"
    log.write_text(
        f"{now}\t200\tGET\t{plate.code}\t\t{PHONE}\n"
        f"{now}\t200\tGET\t{plate.code}\t\t{PHONE}\n"
        f"{now}\t200\tHEAD\t{plate.code}\t\t{PHONE}\n"
        f"{now}\t200\tGET\t{plate.code}\tprefetch\t{PHONE}\n"
        f"{now}\t200\tGET\t{plate.code}\t\tfacebookexternalhit/1.1\n"
        f"{now}\t200\tGET\tNOTACODE\t\t{PHONE}\n"
        "a broken line\n",
        encoding="utf-8",
    )
    call_command("ingest_scan_log", str(log))
    assert list(PlateScanDay.objects.values_list("plate", "day", "count")) == [
        (plate.pk, timezone.localdate(), 2)
    ]


@pytest.fixture
def nginx(rendered, tmp_path):
    """Starts nginx with static mode in front of `django` (host:port); stops it afterwards."""
    if not shutil.which("nginx") or not NJS.exists():
        if os.environ.get("CI"):
            pytest.fail(
                "nginx with njs is not installed (apt-get install nginx-light libnginx-mod-http-js)"
            )
        pytest.skip("nginx with njs is not installed")
    started = []

    def start(django: str) -> str:
        port = free_port()
        config = tmp_path / "nginx.conf"
        config.write_text(standalone_config(rendered, port, django))
        started.append(config)
        start_nginx(config, port)
        return f"http://127.0.0.1:{port}"

    yield start
    for config in started:
        stop_nginx(config)


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


ACCEPT_LANGUAGES = [
    "",
    "en",
    "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7",
    "en-US,en;q=0.9",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "vi;q=0.3,en;q=0.7",  # not in q order
    "en;q=0,vi;q=0.5",
    "de, *;q=0.5, en;q=0.1",
    "zh-CN,zh;q=0.9",
    "EN-gb",
    "en;q=2",  # malformed: the whole header is ignored
    "en, fr!!",  # malformed after a simple start: still ignored
    "en-US;q=0.9,vi;q=0.95",
    "vi-VN, en",
]


def test_a_client_reloading_a_static_scan_counts_once_per_window(demo_plates, tmp_path, settings):
    plate = demo_plates[0]
    now = timezone.now().replace(minute=0, second=1)
    later = now + datetime.timedelta(seconds=settings.SCAN_COUNT_WINDOW_SECONDS)
    lines = [f"{now.isoformat()}\t200\tGET\t{plate.code}\t\t{PHONE}\t203.0.113.5"] * 500
    lines += [
        f"{now.isoformat()}\t200\tGET\t{plate.code}\t\t{PHONE}\t198.51.100.{n}" for n in range(3)
    ]
    # A script inventing a user agent on every request, from one address.
    lines += [
        f"{now.isoformat()}\t200\tGET\t{plate.code}\t\t{PHONE} Build/{n}\t192.0.2.1"
        for n in range(99)
    ]
    lines += [f"{later.isoformat()}\t200\tGET\t{plate.code}\t\t{PHONE}\t203.0.113.5"]
    log = tmp_path / "scans.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("ingest_scan_log", str(log))
    counted = sum(PlateScanDay.objects.filter(plate=plate).values_list("count", flat=True))
    assert counted == 1 + 3 + settings.SCAN_COUNT_PER_ADDRESS + 1


@pytest.mark.django_db(transaction=True)
def test_nginx_answers_scans_from_the_files_in_the_language_django_would_choose(
    live_server, rendered, demo_plates, nginx, rf
):
    base = nginx(live_server.url.removeprefix("http://"))
    plate = demo_plates[0]
    cases = [{"Accept-Language": header} for header in ACCEPT_LANGUAGES]
    cases += [{"Cookie": "lang=en", "Accept-Language": "vi"}, {"Cookie": "lang=xx"}]
    for headers in cases:
        status, answer, body = fetch(f"{base}/Q/{plate.code}", **headers)
        django_request = rf.get(
            f"/Q/{plate.code}",
            HTTP_ACCEPT_LANGUAGE=headers.get("Accept-Language", ""),
            HTTP_COOKIE=headers.get("Cookie", ""),
        )
        expected = visitor_language(django_request)
        assert status == 200, headers
        assert answer["Content-Language"] == expected, headers
        assert body == (rendered / "Q" / plate.code / f"{expected}.html").read_bytes(), headers
        assert not answer["ETag"].startswith("W/")  # nginx's own: the file, not Django
        assert "Content-Security-Policy" in answer or "X-Frame-Options" in answer
    lower = fetch(f"{base}/q/{plate.code.lower()}/?lang=en")
    assert lower[0] == 200 and lower[1]["Content-Language"] == "en"
    # Its last character changed (a demo code may already end in X): no plate has that code.
    typo = plate.code[:-1] + ("Y" if plate.code.endswith("X") else "X")
    mistyped = fetch(f"{base}/Q/{typo}")
    assert mistyped[0] == 404  # Django's own answer, with the code box


@pytest.mark.django_db(transaction=True)
def test_the_files_keep_answering_when_django_is_down(rendered, demo_plates, nginx):
    base = nginx(f"127.0.0.1:{free_port()}")  # nothing listens there
    plate = demo_plates[0]
    status, _headers, body = fetch(f"{base}/Q/{plate.code}", **{"Accept-Language": "en"})
    assert status == 200 and plate.place.name_en.encode() in body
    page = plate.place.get_absolute_url()
    status, _headers, body = fetch(f"{base}{page}")
    assert status == 200 and plate.place.name_vi.encode() in body
    assert fetch(f"{base}/vi/search/?q=abc")[0] == 503


def test_the_log_survives_a_day_boundary(demo_plates, tmp_path):
    plate = demo_plates[0]
    # 23:30 UTC on 1 May is already 2 May in Lạng Sơn (UTC+7).
    log = tmp_path / "scans.log"
    log.write_text(f"2026-05-01T23:30:00+00:00\t200\tGET\t{plate.code}\t\t{PHONE}\n")
    call_command("ingest_scan_log", str(log))
    assert PlateScanDay.objects.get().day == datetime.date(2026, 5, 2)


def test_rendering_behind_a_tls_proxy_in_production(demo_plates, tmp_path, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    settings.ALLOWED_HOSTS = ["qr.langson.gov.vn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    out = tmp_path / "static"
    call_command("render_static", "--out", str(out))
    plate = demo_plates[0]
    assert plate.place.name_vi in (out / "Q" / plate.code / "vi.html").read_text()


def test_rendering_works_with_no_plate(db, tmp_path):
    assert not Plate.objects.exists()
    call_command("render_static", "--out", str(tmp_path / "empty"))
    assert (tmp_path / "empty" / "nginx-server.conf").exists()


def files_linking_to(folder: Path, address: str) -> list[str]:
    """The pages, scan answers and offline packs in `folder` that link to `address`."""
    link, listed = f'href="{address}"'.encode(), f'"{address}"'.encode()
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if (path.suffix == ".html" and link in path.read_bytes())
        or (path.suffix == ".json" and listed in path.read_bytes())
    )


def test_withdrawing_a_person_refreshes_every_file_that_shows_them(
    rendered, demo_plates, settings, django_capture_on_commit_callbacks
):
    settings.STATIC_MODE_DIR = str(rendered)
    person = (
        Person.objects.published()
        .filter(streets_named_after__plates__isnull=False)
        .distinct()
        .first()
    )
    street = person.streets_named_after.filter(plates__isnull=False).first()
    address = person.get_absolute_url()
    shown = files_linking_to(rendered, address)
    assert f"Q/{street.plates.first().code}/vi.html" in shown  # the street's scan answer
    with django_capture_on_commit_callbacks(execute=True):
        person.status = Status.WITHDRAWN
        person.save()
    assert files_linking_to(rendered, address) == []
    assert files_linking_to(rendered, address.replace("/vi/", "/en/")) == []


def test_withdrawing_a_place_refreshes_every_file_that_lists_it(
    rendered, demo_plates, settings, django_capture_on_commit_callbacks
):
    settings.STATIC_MODE_DIR = str(rendered)
    # The place listed on the most other pages: its people's, its commune's, its neighbours'.
    place = max(
        Place.objects.published(),
        key=lambda p: len(files_linking_to(rendered, p.get_absolute_url())),
    ).specific
    address = place.get_absolute_url()
    listed = files_linking_to(rendered, address)
    assert any(f.startswith("Q/") for f in listed) and any(f.endswith(".json") for f in listed)
    with django_capture_on_commit_callbacks(execute=True):
        place.status = Status.WITHDRAWN
        place.save()
    assert files_linking_to(rendered, address) == []
