import pytest
from django.utils import translation

from sites.models import Person, Status, Street

pytestmark = pytest.mark.django_db


def test_missing_english_shows_vietnamese_with_a_note(client):
    street = Street.objects.create(
        name_vi="Phố Tông Đản",
        summary_vi="Phố mang tên tù trưởng Tông Đản.",
        status=Status.PUBLISHED,
    )
    with translation.override("en"):
        url = street.get_absolute_url()
    page = client.get(url).content.decode()
    assert url.startswith("/en/")
    assert "Phố mang tên tù trưởng Tông Đản." in page
    assert "The English translation of this page is on its way" in page


def test_english_text_is_shown_when_written(client):
    street = Street.objects.create(
        name_vi="Phố Tông Đản",
        name_en="Tong Dan Street",
        summary_vi="Phố mang tên Tông Đản.",
        summary_en="Named after Tông Đản.",
        body_vi="Lịch sử.",
        body_en="History.",
        status=Status.PUBLISHED,
    )
    with translation.override("en"):
        page = client.get(street.get_absolute_url()).content.decode()
    assert "Named after Tông Đản." in page
    assert "on its way" not in page


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_unpublished_records_are_not_shown(client, status):
    street = Street.objects.create(name_vi="Phố Nháp", status=status)
    person = Person.objects.create(name_vi="Người Nháp", status=status)
    assert client.get(street.get_absolute_url()).status_code == 404
    assert client.get(person.get_absolute_url()).status_code == 404
    assert "Phố Nháp" not in client.get("/vi/").content.decode()
    assert "Phố Nháp" not in client.get("/vi/search/", {"q": "nhap"}).content.decode()


def test_a_record_page_names_its_canonical_address_and_translations(client, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    street = Street.objects.create(name_vi="Phố Kỳ Lừa", status=Status.PUBLISHED)
    page = client.get(street.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="https://qr.langson.gov.vn/vi/streets/pho-ky-lua/">' in page
    assert (
        '<link rel="alternate" hreflang="en" href="https://qr.langson.gov.vn/en/streets/pho-ky-lua/">'
        in page
    )
