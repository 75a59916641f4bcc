"""An English-speaking visitor saves an area, loses the signal and scans plates there: the plate
of a place never opened, the page of a person linked to it, and a plate elsewhere, whose offline
page speaks English although the address names no language."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_phone(browser):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE, locale="en-GB")
    yield context
    context.close()


def test_scanning_a_plate_in_a_saved_area_works_with_no_signal(site, english_phone, screenshot):
    from qrplates.services import plate_mint
    from sites.models import Relic, ScenicSpot

    in_area = plate_mint(target=ScenicSpot.objects.get(slug="nui-to-thi"), label="Chân núi").code
    elsewhere = plate_mint(target=Relic.objects.get(slug="ai-chi-lang"), label="Cổng").code
    page = english_phone.new_page()
    page.goto(site.url + "/en/units/phuong-tam-thanh/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.get_by_role("button", name="Save this area for offline").click()
    expect(page.locator("[data-status]")).to_contain_text("Saved", timeout=30000)

    english_phone.set_offline(True)
    # A plate of a place in the area, never opened: its page, in the language it was saved in.
    response = page.goto(f"{site.url}/Q/{in_area}")
    assert response.from_service_worker
    expect(page.locator("h1")).to_have_text("Tô Thị Mountain")
    screenshot(page, "offline-scan-in-area")
    # The same plate read in lower case, as some scanners send it.
    page.goto(f"{site.url}/q/{in_area.lower()}")
    expect(page.locator("h1")).to_have_text("Tô Thị Mountain")
    # The cave's plate, and a person linked to the cave: saved with the area.
    page.goto(f"{site.url}/Q/{site.cave_code}")
    expect(page.locator("h1")).to_have_text("Nhị Thanh Cave")
    page.goto(site.url + "/en/people/ngo-thi-si/")
    expect(page.locator("h1")).to_have_text("Ngô Thì Sĩ")
    # A plate elsewhere: the offline page, in English (the phone's language), not Vietnamese.
    page.goto(f"{site.url}/Q/{elsewhere}")
    expect(page.locator("h1")).to_have_text("No connection")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-offline-pages]")).to_contain_text("Nhị Thanh Cave")
    screenshot(page, "offline-scan-elsewhere")
    english_phone.set_offline(False)
