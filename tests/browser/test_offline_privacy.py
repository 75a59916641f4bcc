"""What the service worker keeps: pages any visitor could have had, never a page made for one
person. An installer scanning plates on a shared phone, then signing out, leaves nothing of the
pages made for them to be read offline by the next person."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.test_visitor import CAVE_VI, wait_for_service_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM = "Xác nhận đã gắn biển này"  # "Confirm installation of this plate"

STORED_URLS = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(name + " " + request.url);
    }
    return urls;
}"""


def test_pages_made_for_a_signed_in_installer_are_not_kept_for_offline(
    site, phone, django_user_model
):
    installer = django_user_model.objects.create_superuser("lapdat", "lapdat@example.org", "x")
    staff = Client()
    staff.force_login(installer)
    phone.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": site.url}]
    )
    page = phone.new_page()
    scanned = f"{site.url}/Q/{site.cave_code}"
    page.goto(scanned)
    expect(page.get_by_role("link", name=CONFIRM)).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    # Through the worker now: the scan again, the installer's own page, a place's page as staff
    # see it, and the API as staff read it.
    page.goto(scanned)
    expect(page.get_by_role("link", name=CONFIRM)).to_be_visible()
    page.get_by_role("link", name=CONFIRM).click()
    expect(page.locator("h1")).to_have_text("Xác nhận gắn biển")
    install_page = page.url
    page.goto(site.url + CAVE_VI)
    page.goto(site.url + "/api/v1/plates/")
    page.goto(site.url + "/vi/")

    # The session ends (signed out, or expired): the phone goes to the next person.
    phone.clear_cookies()
    stored = page.evaluate(STORED_URLS)
    assert not [url for url in stored if "/install/" in url or "/api/" in url], stored
    phone.set_offline(True)
    page.goto(scanned)
    expect(page.locator("h1")).to_have_text("Không có kết nối")  # the offline page
    expect(page.get_by_role("link", name=CONFIRM)).to_have_count(0)
    page.goto(install_page)
    expect(page.locator("h1")).to_have_text("Không có kết nối")
    phone.set_offline(False)


def test_public_pages_are_still_kept_for_offline(site, phone):
    page = phone.new_page()
    page.goto(site.url + CAVE_VI)
    wait_for_service_worker(page)
    page.goto(site.url + "/vi/")  # through the worker
    phone.set_offline(True)
    page.goto(site.url + CAVE_VI)
    expect(page.locator("h1")).to_have_text("Động Nhị Thanh")
    page.goto(site.url + "/vi/")
    expect(page.locator("h1")).not_to_have_text("Không có kết nối")
    phone.set_offline(False)
