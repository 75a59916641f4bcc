"""Content text is stored without HTML markup, whichever way it arrives (admin, spreadsheet
import, the staff API), so the API and exports hand other systems plain text; what only looks
like a bracket stays as typed."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from lib.text import _MARKUP, strip_markup
from sites.models import Person, Source, Status, Street
from tests.workflow.test_imports import csv_file, preview_and_confirm

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)> Đường Trần Hưng Đạo"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        (HOSTILE, "\"'> Đường Trần Hưng Đạo"),
        ("<b>Phố</b> <i>Kỳ Lừa</i>", "Phố Kỳ Lừa"),
        ("<p>Đoạn một.</p><p>Đoạn hai.</p>", "Đoạn một.\nĐoạn hai."),
        ("Dòng một<br>dòng hai", "Dòng một\ndòng hai"),
        ("<a href='javascript:alert(1)'>nguồn</a>", "nguồn"),
        ("<svg/onload=alert(1)>", ""),
        ("<x onmouseover=alert(1)>chữ", "chữ"),
        ("<!-- ghi chú -->Chữ", "Chữ"),
        ("<style>p{color:red}</style>Chữ", "Chữ"),
        # Not markup: kept as typed.
        ("diện tích < 5 ha, > 3 ha", "diện tích < 5 ha, > 3 ha"),
        ("bài thơ <<Nam quốc sơn hà>>", "bài thơ <<Nam quốc sơn hà>>"),
        ("tuổi<18", "tuổi<18"),
        ("Tom & Jerry, AT&T, &amp; như gõ", "Tom & Jerry, AT&T, &amp; như gõ"),
        ("Dòng 1\r\nDòng 2", "Dòng 1\r\nDòng 2"),
    ],
)
def test_markup_is_stripped_and_text_kept(text, stored):
    assert strip_markup(text) == stored


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' &;abpsvgimxonlr!-Đđ\n")), max_size=40))
def test_stripping_leaves_no_markup_and_twice_changes_nothing(text):
    once = strip_markup(text)
    assert not _MARKUP.search(once)
    assert strip_markup(once) == once


@pytest.mark.django_db
def test_the_admin_stores_plain_text(staff_client, admin_form_data):
    url = reverse("admin:sites_street_add")
    values = {
        "name_vi": "<b>Phố</b> Thử",
        "name_en": "",
        "slug": "",
        "status": Status.DRAFT,
        "street_type": "pho",
        "summary_vi": HOSTILE,
        "summary_en": "",
        "body_vi": "<p>Một.</p><p>Hai.</p>",
        "body_en": "",
    }
    response = staff_client.post(url, admin_form_data(url, values))
    assert response.status_code == 302
    street = Street.objects.get()
    assert street.name_vi == "Phố Thử"
    assert street.summary_vi == "\"'> Đường Trần Hưng Đạo"
    assert street.body_vi == "Một.\nHai."


@pytest.mark.django_db
def test_the_api_stores_plain_text(django_user_model, client):
    user = django_user_model.objects.create_superuser("api", "api@example.org", "x" * 12)
    token = Token.objects.create(user=user)
    response = client.post(
        "/api/v1/places/",
        {
            "kind": "street",
            "name": {"vi": "<i>Phố</i> API"},
            "body": {"vi": HOSTILE},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 201, response.content
    street = Street.objects.get()
    assert (street.name_vi, street.body_vi) == ("Phố API", "\"'> Đường Trần Hưng Đạo")
    assert response.json()["name"] == "Phố API"


@pytest.mark.django_db
def test_a_spreadsheet_import_stores_plain_text(staff_client, settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "imports"
    header = ["external_id", "name_vi", "summary_vi", "street_type"]
    rows = [["ts:xss", "<b>Phố</b> Nhập", HOSTILE, "Phố"]]
    preview_and_confirm(staff_client, csv_file(rows, header))
    street = Street.objects.get(external_id="ts:xss")
    assert street.name_vi == "Phố Nhập"
    assert street.summary_vi == "\"'> Đường Trần Hưng Đạo"


@pytest.mark.django_db
def test_every_text_of_related_records_is_stripped_too():
    person = Person.objects.create(
        name_vi="<b>Người</b>", biography_vi="<script>x()</script>Tiểu sử"
    )
    source = Source.objects.create(
        person=person, title="<i>Sách</i>", url="https://example.org/?a=1&b=<2>"
    )
    assert (person.name_vi, person.biography_vi) == ("Người", "Tiểu sử")
    assert source.title == "Sách"
    # An address is not text: it is kept as given (and checked as a URL by the forms).
    assert source.url == "https://example.org/?a=1&b=<2>"
