"""Problem reports and community suggestions from public pages: no account, a honeypot and a
per-client rate limit, stored with the record (and plate), queued for staff, never published
by themselves; record pages stay cacheable for anonymous visitors."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from qrplates.services import plate_mint
from sites.models import Photo, ProblemReport, Suggestion
from tests.caches import cache_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def jpeg(size=(64, 48), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=fmt)
    return SimpleUploadedFile("anh.jpg", buffer.getvalue(), content_type="image/jpeg")


def report_url(record) -> str:
    return reverse("workflow:report", args=["place", record.pk])


def test_a_record_page_links_to_the_forms_and_stays_cacheable(client, own_street):
    # (People's pages carry the same include; they are tested once the public pages land.)
    response = client.get(own_street.get_absolute_url())
    page = response.content.decode()
    assert reverse("workflow:report", args=["place", own_street.pk]) in page
    assert reverse("workflow:suggest", args=["place", own_street.pk]) in page
    assert "csrftoken" not in response.cookies and "csrfmiddlewaretoken" not in page
    assert "Cookie" not in response.get("Vary", "")


def test_a_visitor_reports_a_problem_without_an_account(client, own_street):
    url = report_url(own_street)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "damaged", "message": "Biển bị cong.", "contact": "0912 345 678"}
    )
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert report.place.pk == own_street.pk and report.status == ProblemReport.State.OPEN
    assert report.contact == "0912 345 678" and report.language == "vi"
    thanks = client.get(response["Location"]).content.decode()
    assert "Cảm ơn" in thanks


def test_a_report_names_the_plate_the_visitor_picks(client, own_street):
    north = plate_mint(target=own_street, label="Đầu phố phía Bắc")
    plate_mint(target=own_street, label="Đầu phố phía Nam")
    page = client.get(f"/Q/{north.code}").content.decode()
    url = report_url(own_street)
    assert url in page  # the scanned page is the record's own page, links included
    form = client.get(url).content.decode()
    assert f"Đầu phố phía Bắc ({north.code})" in form
    client.post(url, {"kind": "missing", "plate": north.pk})
    report = ProblemReport.objects.get()
    assert report.plate == north and report.place.pk == own_street.pk


def test_a_report_about_a_plate_by_its_code(client, own_street):
    plate = plate_mint(target=own_street)
    client.post(reverse("workflow:report", args=["plate", plate.code.lower()]), {"kind": "damaged"})
    report = ProblemReport.objects.get()
    assert report.plate == plate and report.place.pk == own_street.pk


def test_a_plate_of_another_record_is_not_accepted(client, own_street, other_relic):
    foreign = plate_mint(target=other_relic)
    plate_mint(target=own_street)
    response = client.post(report_url(own_street), {"kind": "missing", "plate": foreign.pk})
    assert response.status_code == 200 and not ProblemReport.objects.exists()


def test_the_honeypot_keeps_nothing(client, own_street):
    response = client.post(report_url(own_street), {"kind": "other", "website": "http://spam"})
    assert response.status_code == 302
    assert not ProblemReport.objects.exists()


def test_too_many_reports_from_one_client_are_refused(client, own_street, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    url = report_url(own_street)
    for _ in range(2):
        assert client.post(url, {"kind": "other"}).status_code == 302
    refused = client.post(url, {"kind": "other"})
    assert refused.status_code == 429
    assert ProblemReport.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(url, {"kind": "other"}).status_code == 302
    # Nothing about the client is stored: the key is a hash.
    assert not any("127.0.0.1" in key for key in cache_keys())


def test_behind_the_proxy_each_visitor_has_their_own_limit(own_street, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 1
    settings.NUM_PROXIES = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    url = report_url(own_street)
    first = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert first.post(url, {"kind": "other"}).status_code == 302
    assert first.post(url, {"kind": "other"}).status_code == 429
    second = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert second.post(url, {"kind": "other"}).status_code == 302


def test_unpublished_records_and_junk_have_no_form(client, other_relic):
    assert client.get(report_url(other_relic)).status_code == 404
    assert client.get(reverse("workflow:report", args=["plate", "ĐĐĐ"])).status_code == 404
    assert client.get(reverse("workflow:report", args=["thing", "1"])).status_code == 404


@pytest.mark.parametrize("form", ["report", "suggest"])
@pytest.mark.parametrize("kind", ["place", "person"])
@pytest.mark.parametrize(
    "key", ["abc", "1.5", "1e3", "²", "-1", "99999999999999999999", "' OR 1=1", "\x00"]
)
def test_an_address_that_names_no_record_is_a_404_not_a_500(own_street, form, kind, key):
    """/vi/report/place/abc/ and /en/suggest/person/1.5/ answered 500 (issue 13)."""
    visitor = Client(raise_request_exception=False)
    url = reverse(f"workflow:{form}", args=[kind, key])
    assert visitor.get(url).status_code == 404
    assert visitor.post(url, {"kind": "other"}).status_code == 404
    assert not ProblemReport.objects.exists() and not Suggestion.objects.exists()


def test_a_record_id_is_written_in_ascii_digits(client, own_street):
    wide = str(own_street.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.get(reverse("workflow:report", args=["place", wide])).status_code == 404
    assert client.get(reverse("workflow:report", args=["place", own_street.pk])).status_code == 200


def test_a_photo_suggestion_waits_for_moderation_and_then_joins_the_record(
    client, own_street, reviewer_client
):
    url = reverse("workflow:suggest", args=["place", own_street.pk])
    response = client.post(
        url,
        {
            "kind": "photo",
            "text": "Đầu phố năm 2024",
            "credit": "Đội số Tam Thanh",
            "photo": jpeg(),
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.State.NEW and not own_street.photos.exists()
    queue = reviewer_client.get(reverse("admin:sites_suggestion_changelist")).content.decode()
    assert "Phố Tam Thanh Thử" in queue
    reviewer_client.post(
        reverse("admin:sites_suggestion_changelist"),
        {"action": "accept", "_selected_action": [suggestion.pk]},
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.State.ACCEPTED
    photo = Photo.objects.get(place=own_street)
    assert photo.caption == "Đầu phố năm 2024" and photo.credit == "Đội số Tam Thanh"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.jpg", b"not an image"), "không phải là ảnh mở được"),
        (jpeg(fmt="GIF"), "JPEG, PNG"),
    ],
    ids=["not-an-image", "gif"],
)
def test_a_bad_photo_is_refused_with_a_clear_message(client, own_street, upload, message):
    url = reverse("workflow:suggest", args=["place", own_street.pk])
    response = client.post(url, {"kind": "photo", "photo": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Suggestion.objects.exists()


def test_an_oversized_or_huge_photo_is_refused(client, own_street, monkeypatch):
    from lib import uploads

    monkeypatch.setattr(uploads, "MAX_PHOTO_PIXELS", 1000)
    url = reverse("workflow:suggest", args=["place", own_street.pk])
    response = client.post(url, {"kind": "photo", "photo": jpeg((100, 100))})
    assert "quá lớn" in response.content.decode()
    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", 10)
    response = client.post(url, {"kind": "photo", "photo": jpeg()})
    assert "MB" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_an_editor_sees_the_reports_of_their_units_and_closes_them(
    client, editor_client, own_street, other_relic, reviewer
):
    from sites.models import Status

    other_relic.status = Status.PUBLISHED
    other_relic.save()
    client.post(report_url(own_street), {"kind": "wrong_info", "message": "Sai năm."})
    client.post(report_url(other_relic), {"kind": "damaged"})
    queue = editor_client.get(reverse("admin:sites_problemreport_changelist")).content.decode()
    assert "Sai năm." in queue and "Đền Kỳ Lừa Thử" not in queue
    mine = ProblemReport.objects.get(place=own_street)
    editor_client.post(
        reverse("admin:sites_problemreport_changelist"),
        {"action": "mark_handled", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == ProblemReport.State.HANDLED and mine.handled_at is not None


def test_a_forged_forwarded_address_does_not_escape_the_limit(own_street, settings):
    """A client reaching the app server itself used to send 30 of 30 reports by writing a new
    X-Forwarded-For each time."""
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    settings.NUM_PROXIES = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    url = report_url(own_street)
    answers = [
        Client(REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(url, {"kind": "other"})
        .status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 429, 429]


def test_the_report_queue_costs_the_same_queries_for_one_report_or_many(
    reviewer_client, own_street, other_relic
):
    """Each row links to its street or relic (`owner`, the place's own kind): read with the
    list, not one query per row."""
    url = reverse("admin:sites_problemreport_changelist")
    ProblemReport.objects.create(place=own_street, kind="damaged")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer_client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for place in (own_street, other_relic, other_relic, own_street):
        ProblemReport.objects.create(place=place, kind="damaged")
    assert queries() == one
