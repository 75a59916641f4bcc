"""Every demo plate, end to end: draw its QR code, read it back with an independent decoder,
open what it says, and land on the record's page in Vietnamese and in English."""

from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.html import escape

from qrplates import rendering
from sites.models import Place
from tests.qrplates.conftest import PHONE
from tests.qrplates.qr import decode_png, decode_svg

pytestmark = pytest.mark.django_db


def test_demo_has_one_plate_per_place_and_two_for_the_long_street(demo_plates):
    assert len(demo_plates) == Place.objects.count() + 1
    per_place = {}
    for plate in demo_plates:
        per_place.setdefault(plate.place.name_vi, []).append(plate)
    assert len(per_place["Đường Trần Hưng Đạo"]) == 2
    assert {len(plates) for name, plates in per_place.items() if name != "Đường Trần Hưng Đạo"} == {
        1
    }


def test_every_demo_plate_scans_to_its_page_in_both_languages(demo_plates, client, settings):
    for plate in demo_plates:
        record = plate.owner
        png_text = decode_png(rendering.render_png(plate.code).content).text
        svg_text = decode_svg(rendering.render_svg(plate.code).content).text
        assert png_text == svg_text == rendering.payload(plate.code)
        address = urlsplit(png_text)
        assert f"{address.scheme}://{address.netloc}".lower() == settings.PUBLIC_BASE_URL
        for language, accept in (("vi", "vi-VN,vi;q=0.9"), ("en", "en-US,en;q=0.9")):
            page = client.get(address.path, HTTP_ACCEPT_LANGUAGE=accept, HTTP_USER_AGENT=PHONE)
            assert page.status_code == 200, (plate.code, language)
            assert page["Content-Language"] == language
            with translation.override(language):
                name = record.name
                canonical = settings.PUBLIC_BASE_URL + record.get_absolute_url()
            html = page.content.decode()
            assert f'<html lang="{language}">' in html
            assert f"<h1>{escape(name)}</h1>" in html
            assert f'<link rel="canonical" href="{canonical}">' in html


@pytest.mark.parametrize("case", ["hybrid", "lower"])
def test_plates_printed_in_other_letter_cases_scan_too(demo_plates, client, settings, case):
    settings.QR_PAYLOAD_CASE = case
    for plate in demo_plates:
        text = decode_png(rendering.render_png(plate.code).content).text
        assert text == rendering.payload(plate.code)
        page = client.get(urlsplit(text).path, HTTP_USER_AGENT=PHONE)
        assert page.status_code == 200
        assert escape(plate.owner.name) in page.content.decode()
