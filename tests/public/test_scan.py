"""The scan path: /Q/<code> answers with the record's own page, at once, in the visitor's
language, whatever happened to the record and whatever was typed."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from qrplates.models import Plate
from qrplates.services import plate_mint
from sites.models import Person, Place, Status, Street
from tests.qrplates.conftest import PHONE

pytestmark = pytest.mark.django_db


def scan(client, path: str, **headers):
    return client.get(path, HTTP_USER_AGENT=PHONE, **headers)


def test_a_scan_answers_with_the_page_itself_not_a_redirect(client, plate, street):
    response = scan(client, f"/Q/{plate.code}")
    assert response.status_code == 200
    assert "Phố Tông Đản" in response.content.decode()


def test_the_scan_page_is_byte_for_byte_the_records_own_page(client, plate, street):
    for language in ("vi", "en"):
        with translation.override(language):
            own_url = street.get_absolute_url()
        scanned = scan(client, f"/Q/{plate.code}?lang={language}")
        assert scanned.content == client.get(own_url).content


@pytest.mark.parametrize(
    "path",
    [
        "/Q/{code}",
        "/Q/{code}/",
        "/q/{code}",
        "/q/{lower}/",
        "/Q/{lower}",
        "/Q/{mixed}",
        "/Q/{spaced}",
    ],
)
def test_any_letter_case_trailing_slash_and_short_q_work(client, plate, path):
    code = plate.code
    mixed = "".join(ch.lower() if i % 2 else ch for i, ch in enumerate(code))
    url = path.format(code=code, lower=code.lower(), mixed=mixed, spaced=f"{code[:3]}-{code[3:]}")
    response = scan(client, url)
    assert response.status_code == 200, url
    assert "Tông Đản" in response.content.decode()


def test_zeros_and_ones_typed_as_letters_are_read_as_meant(client, street):
    plate = Plate.objects.get(pk=plate_mint(target=street).pk)
    typed = plate.code.replace("0", "o").replace("1", "l")
    assert scan(client, f"/Q/{typed}").status_code == 200


@pytest.mark.parametrize(
    ("headers", "query", "language"),
    [
        ({}, "", "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9,vi;q=0.8"}, "", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9,en;q=0.8"}, "", "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.8,vi;q=0.5"}, "", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "vi;q=0.3,en;q=0.7"}, "", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en;q=0,vi;q=0.1"}, "", "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "", "zh-hans"),
        ({"HTTP_ACCEPT_LANGUAGE": "*"}, "", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9"}, "", "en"),  # a foreign phone
        ({"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9"}, "", "zh-hans"),
        ({"HTTP_COOKIE": "lang=zh-hans", "HTTP_ACCEPT_LANGUAGE": "en"}, "", "zh-hans"),
        ({"HTTP_ACCEPT_LANGUAGE": "garbage;;q=x"}, "", "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "?lang=vi", "vi"),
        ({}, "?lang=en", "en"),
        ({}, "?lang=EN-us", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "?lang=klingon", "en"),
        ({"HTTP_COOKIE": "lang=en", "HTTP_ACCEPT_LANGUAGE": "vi"}, "", "en"),
        ({"HTTP_COOKIE": "lang=vi", "HTTP_ACCEPT_LANGUAGE": "en"}, "", "vi"),
        ({"HTTP_COOKIE": "lang=en"}, "?lang=vi", "vi"),
        ({"HTTP_COOKIE": "lang=xx", "HTTP_ACCEPT_LANGUAGE": "en"}, "", "en"),
    ],
)
def test_the_language_comes_from_the_query_then_the_saved_choice_then_the_browser(
    client, plate, headers, query, language
):
    response = scan(client, f"/Q/{plate.code}{query}", **headers)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()
    # The street has no Chinese text yet: a Chinese page shows its English name, marked so.
    expected = {
        "vi": "<h1>Phố Tông Đản</h1>",
        "en": "<h1>Tong Dan Street</h1>",
        "zh-hans": '<h1 lang="en">Tong Dan Street</h1>',
    }[language]
    assert expected in response.content.decode()


def test_the_response_varies_on_what_chose_its_language(client, plate):
    response = scan(client, f"/Q/{plate.code}")
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_the_scan_page_points_to_the_records_language_prefixed_address(client, plate, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    html = scan(client, f"/Q/{plate.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        '<link rel="canonical" href="https://qr.langson.gov.vn/en/streets/pho-tong-dan/">' in html
    )
    assert 'hreflang="vi" href="https://qr.langson.gov.vn/vi/streets/pho-tong-dan/"' in html
    # The language switch leads to the record's own pages, not back to the plate.
    assert 'data-direct="/vi/streets/pho-tong-dan/" data-lang="vi"' in html


def test_a_renamed_record_keeps_its_plate(client, plate, street):
    street.name_vi = "Phố Tông Đản Mới"
    street.save()
    response = scan(client, f"/Q/{plate.code}")
    assert response.status_code == 200
    assert "<h1>Phố Tông Đản Mới</h1>" in response.content.decode()
    assert "/vi/streets/pho-tong-dan-moi/" in response.content.decode()


def test_a_merged_record_leads_to_the_survivor(client, plate, street):
    survivor = Street.objects.create(name_vi="Phố Tông Đản (hợp nhất)", status=Status.PUBLISHED)
    street.merged_into = survivor
    street.status = Status.WITHDRAWN
    street.save()
    response = scan(client, f"/Q/{plate.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Phố Tông Đản (hợp nhất)</h1>" in html
    assert "/vi/streets/pho-tong-dan-hop-nhat/" in html


def test_merges_are_followed_to_the_end_of_the_chain(client, plate, street):
    middle = Street.objects.create(name_vi="Phố Giữa", status=Status.WITHDRAWN)
    last = Street.objects.create(name_vi="Phố Cuối", status=Status.PUBLISHED)
    street.merged_into, street.status = middle, Status.WITHDRAWN
    street.save()
    middle.merged_into = last
    middle.save()
    assert "<h1>Phố Cuối</h1>" in scan(client, f"/Q/{plate.code}").content.decode()


def test_a_person_plate_shows_the_persons_page(client, person):
    plate = plate_mint(target=person)
    response = scan(client, f"/Q/{plate.code}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "<h1>Tông Đản</h1>" in response.content.decode()
    assert "/en/people/tong-dan/" in response.content.decode()


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.DRAFT, Status.REVIEW])
def test_an_unpublished_record_shows_a_notice_in_both_languages_never_its_text(
    client, plate, street, relic, status
):
    street.summary_vi = "Nội dung nháp bí mật"
    street.status = status
    street.save()
    response = scan(client, f"/Q/{plate.code}")
    assert response.status_code == 200
    html = response.content.decode()
    if status == Status.WITHDRAWN:
        # Withdrawn is not "being revised": no promise that the page comes back.
        assert "Trang của biển này đã được gỡ xuống" in html
        assert "The page for this plate has been withdrawn" in html
        assert "will be back soon" not in html and "sẽ sớm trở lại" not in html
    else:
        assert "Thông tin về biển này đang được cập nhật" in html
        assert "The information for this plate is being updated" in html
        assert "will be back soon" in html
    assert "Nội dung nháp bí mật" not in html and "Tông Đản" not in html
    # Places nearby, in each language.
    assert 'href="/vi/relics/den-ky-cung/">Đền Kỳ Cùng</a>' in html
    assert 'href="/en/relics/den-ky-cung/">Kỳ Cùng Temple</a>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_without_coordinates_the_notice_offers_places_of_the_same_commune(client, demo):
    from sites.models import AdminUnit

    unit = AdminUnit.objects.get(name="Phường Lương Văn Tri")
    draft = Street.objects.create(name_vi="Phố Đang Sửa", unit=unit, status=Status.DRAFT)
    plate = plate_mint(target=draft)
    html = scan(client, f"/Q/{plate.code}").content.decode()
    neighbour = Place.objects.published().filter(unit=unit).order_by("kind", "slug").first()
    assert neighbour.get_absolute_url() in html
    assert "Phố Đang Sửa" not in html


def test_a_withdrawn_person_offers_the_places_linked_to_them(client, person, street):
    street.named_after = person
    street.save()
    plate = plate_mint(target=person)
    Person.objects.filter(pk=person.pk).update(status=Status.WITHDRAWN)
    html = scan(client, f"/Q/{plate.code}").content.decode()
    assert street.get_absolute_url() in html


def test_a_record_withdrawn_and_published_again_shows_its_page_again(client, plate, street):
    Street.objects.filter(pk=street.pk).update(status=Status.WITHDRAWN)
    assert "đã được gỡ xuống" in scan(client, f"/Q/{plate.code}").content.decode()
    Street.objects.filter(pk=street.pk).update(status=Status.PUBLISHED)
    assert "<h1>Phố Tông Đản</h1>" in scan(client, f"/Q/{plate.code}").content.decode()


def test_a_retired_plate_still_leads_to_its_page(client, plate):
    Plate.objects.filter(pk=plate.pk).update(status=Plate.Status.RETIRED)
    assert scan(client, f"/Q/{plate.code}").status_code == 200


def assert_not_found_page(response) -> str:
    assert response.status_code == 404
    html = response.content.decode()
    assert "Mã trên biển này không dẫn tới đâu" in html
    assert "This plate code leads nowhere" in html
    assert 'name="code"' in html and 'action="/vi/code/"' in html and 'action="/en/code/"' in html
    assert 'action="/vi/search/"' in html and 'action="/en/search/"' in html
    return html


def test_a_mistyped_check_symbol_says_so_in_both_languages(client, plate):
    last = plate.code[-1]
    typo = plate.code[:-1] + ("0" if last != "0" else "1")
    html = assert_not_found_page(scan(client, f"/Q/{typo}"))
    assert "Mã bị gõ nhầm" in html
    assert "The code was mistyped" in html


def test_a_valid_code_no_plate_carries_is_a_404(client, plate):
    from qrplates import codes

    other = codes.new_code()
    while other == plate.code:
        other = codes.new_code()
    html = assert_not_found_page(scan(client, f"/Q/{other}"))
    assert f"No plate has the code {other}" in html


@pytest.mark.parametrize(
    "path",
    [
        "/Q/" + "A" * 5000,
        "/Q/%00",
        "/Q/ABC%00DEF",
        "/Q/%FF%FE%FD",
        "/Q/%C4%90%C6%AF%E1%BB%9CNG",  # ĐƯỜNG
        "/Q/%E2%80%AE%E2%80%8B7KQ2M9X",  # right-to-left override, zero-width space
        "/Q/%25%32%65%25%32%65",  # %2e%2e, double-encoded
        "/Q/..%2F..%2Fetc%2Fpasswd",
        "/Q/<script>alert(1)</script>",
        "/Q/%F0%9F%98%80%F0%9F%98%80",  # emoji
        "/Q/' OR 1=1 --",
        "/Q/ABC?lang=%00&code=%FF",
        "/Q/ABC/extra/parts",
    ],
)
def test_malformed_codes_get_the_404_page_never_a_500(client, path):
    response = scan(client, path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<script>alert" not in html
    assert 'name="code"' in html and 'name="q"' in html


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=100).filter(lambda t: "/" not in t and "?" not in t))
def test_whatever_follows_q_the_answer_is_a_page_not_an_error(client, text):
    from urllib.parse import quote

    response = scan(client, "/Q/" + quote(text, safe=""))
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_reading_methods_are_answered(client, plate, method):
    assert getattr(client, method)(f"/Q/{plate.code}").status_code == 405


def test_the_sites_own_404_page_has_the_code_box_and_search_in_both_languages(client):
    response = client.get("/vi/streets/no-such-street/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html and "Page not found" in html
    assert 'name="code"' in html and 'name="q"' in html
