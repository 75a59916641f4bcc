"""For a phone that cannot scan: the code typed by hand, from the home page or the 404 page."""

import pytest

from qrplates.services import plate_mint
from sites.models import Status, Street

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("home", "label"), [("/vi/", "Nhập mã trên biển"), ("/en/", "Type the code on the plate")]
)
def test_the_home_page_has_the_code_box_in_its_language(client, home, label):
    html = client.get(home).content.decode()
    assert label in html
    assert f'action="{home}code/"' in html and 'name="code"' in html


def test_a_typed_code_opens_the_records_page_in_the_pages_language(client, plate, settings):
    response = client.get("/en/code/", {"code": plate.code.lower()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tong Dan Street</h1>" in html and '<html lang="en">' in html
    canonical = f"{settings.PUBLIC_BASE_URL}/en/streets/pho-tong-dan/"
    assert f'rel="canonical" href="{canonical}"' in html


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Mã bị gõ nhầm: có một ký tự sai hoặc hai ký tự bị đảo chỗ."),
        ("en", "The code was mistyped: a character is wrong or two are swapped."),
    ],
)
def test_a_wrong_check_character_says_the_code_was_mistyped_in_the_visitors_language(
    client, plate, language, message
):
    swapped = plate.code[:5] + plate.code[6] + plate.code[5]
    if swapped == plate.code:
        swapped = plate.code[:6] + ("A" if plate.code[6] != "A" else "B")
    response = client.get(f"/{language}/code/", {"code": swapped})
    assert response.status_code == 404
    html = response.content.decode()
    first_section = html.split("<hr>")[0]
    assert message in first_section
    assert f'value="{swapped}"' in html  # what was typed stays in the box, to correct it


@pytest.mark.parametrize(
    ("typed", "vietnamese", "english"),
    [
        ("ABC", "mã này có 3 ký tự", "this one has 3."),
        ("ABCDEFU", "Mã trên biển không bao giờ dùng “U”", "“U” is never used in plate codes."),
        ("", "Hãy nhập mã in dưới mã QR.", "Type the code printed under the QR code."),
        ("0000000", "Không có biển nào mang mã 0000000", "No plate has the code 0000000."),
    ],
)
def test_each_kind_of_mistake_is_explained_in_both_languages(client, typed, vietnamese, english):
    html = client.get("/vi/code/", {"code": typed}).content.decode()
    assert vietnamese in html and english in html


def test_the_code_page_without_a_code_invites_one(client):
    response = client.get("/vi/code/")
    assert response.status_code == 200
    assert "Nếu điện thoại không quét được mã QR" in response.content.decode()


def test_the_short_address_without_a_code_opens_the_code_page_in_the_visitors_language(client):
    response = client.get("/Q/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "If your phone cannot scan the QR code" in html
    # The language switch leads to the code page in each language.
    assert 'data-direct="/vi/code/" data-lang="vi"' in html


def test_the_language_switch_of_an_updating_page_keeps_the_code(client, street):
    street.status = Status.WITHDRAWN
    street.save()
    plate = plate_mint(target=street)
    html = client.get(f"/Q/{plate.code}").content.decode()
    assert f'data-direct="/en/code/?code={plate.code}" data-lang="en"' in html
    english = client.get(f"/en/code/?code={plate.code}")
    assert english["Content-Language"] == "en"
    assert "<h1>The page for this plate has been withdrawn</h1>" in english.content.decode()


def test_a_typed_code_of_a_merged_record_opens_the_survivor(client, plate, street):
    survivor = Street.objects.create(name_vi="Phố Sau Hợp Nhất", status=Status.PUBLISHED)
    Street.objects.filter(pk=street.pk).update(merged_into=survivor, status=Status.WITHDRAWN)
    html = client.get("/vi/code/", {"code": plate.code}).content.decode()
    assert "<h1>Phố Sau Hợp Nhất</h1>" in html
