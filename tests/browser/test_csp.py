"""Every page works under the Content-Security-Policy and Permissions-Policy, in a real browser:
no violation is reported while a visitor reads, scans and saves an area for offline, while
staff use the admin (translation tabs, dashboard), while an installer confirms a plate with the
phone's position, and on the API docs (Swagger UI)."""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "csp-test-password-2025"
# Each document records the violations the browser reports to it (CDP-injected, so the policy
# does not apply to this script itself).
COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
}, true);
"""
POLICY_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy|Permissions[- ]Policy", re.I)


class Watcher:
    """Console messages about either policy, and the violations each page reported."""

    def __init__(self, context: BrowserContext) -> None:
        self.problems: list[str] = []
        context.add_init_script(COLLECT)
        context.on("console", self._console)
        # An uncaught script error may follow from something the policy blocked.
        context.on("weberror", lambda error: self.problems.append(f"error: {error.error}"))

    def _console(self, message) -> None:
        if POLICY_MESSAGE.search(message.text):
            self.problems.append(f"console {message.type}: {message.text}")

    def forget(self, text: str) -> None:
        """Drops the problems we caused on purpose."""
        self.problems = [problem for problem in self.problems if text not in problem]

    def page_done(self, page: Page) -> None:
        reported = page.evaluate("window.__violations || []")
        self.problems += [f"{page.url}: {violation}" for violation in reported]


@pytest.fixture
def watched(phone):
    return phone, Watcher(phone)


def test_a_visitor_meets_no_policy_violation(site, watched):
    phone, watcher = watched
    page = phone.new_page()

    page.goto(f"{site.url}/vi/")
    expect(page.locator("form.plate-code input")).to_be_visible()
    # The service worker (worker-src 'self') starts and takes the page.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    watcher.page_done(page)

    page.goto(f"{site.url}/Q/{site.cave_code}")
    expect(page.locator("h1")).to_have_text("Động Nhị Thanh")
    # The inlined stylesheet applied (allowed by its hash): the brand is bold.
    assert page.evaluate("getComputedStyle(document.querySelector('.brand')).fontWeight") == "700"
    page.wait_for_function("() => document.querySelector('main picture img').naturalWidth > 0")
    # Not the place to ask for the position: the policy refuses it whatever the visitor allows.
    phone.grant_permissions(["geolocation"], origin=site.url)
    error = page.evaluate(
        """() => new Promise((resolve) => navigator.geolocation.getCurrentPosition(
            () => resolve(null), (e) => resolve(e.code), {timeout: 5000}))"""
    )
    assert error == 1  # PERMISSION_DENIED
    watcher.page_done(page)
    watcher.forget("Geolocation access has been blocked because of a permissions policy")

    page.goto(f"{site.url}/vi/scenic-spots/dong-nhi-thanh/")
    expect(page.locator("h1")).to_have_text("Động Nhị Thanh")
    watcher.page_done(page)

    # The offline area pack: the service worker fetches the area's pages and photos.
    page.goto(f"{site.url}/vi/units/phuong-tam-thanh/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.get_by_role("button", name="Lưu khu vực này để đọc ngoại tuyến").click()
    expect(page.locator("[data-status]")).to_contain_text("Đã lưu", timeout=30000)
    watcher.page_done(page)

    page.goto(f"{site.url}/vi/search/?q=thanh")
    watcher.page_done(page)
    assert watcher.problems == []


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("quantri", "qt@example.org", PASSWORD)


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", "quantri")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(f"{url}/admin/")


def test_staff_meet_no_policy_violation_in_the_admin(site, watched, superuser):
    from qrplates.models import Plate
    from sites.models import Street

    phone, watcher = watched
    page = phone.new_page()
    log_in(page, site.url)
    watcher.page_done(page)

    # The admin's own language switch is a form with styled buttons.
    expect(page.locator("form.lang-switch button[value=en]")).to_be_visible()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('form.lang-switch button[value=en]')).borderStyle"
    ) in ("none", "hidden")

    street = Street.objects.get(slug="pho-to-thi")
    page.goto(f"{site.url}/admin/sites/street/{street.pk}/change/")
    # django-modeltranslation's tabs (jQuery UI): the English tab shows the English name.
    english = page.locator("#id_name_en")
    expect(page.locator("#id_name_vi")).to_be_visible()
    expect(english).to_be_hidden()
    page.locator(".ui-tabs-nav a", has_text=re.compile(r"^\s*en\s*$", re.I)).first.click()
    expect(english).to_be_visible()
    watcher.page_done(page)

    page.goto(f"{site.url}/admin/sites/street/")
    expect(page.locator("#result_list")).to_be_visible()
    watcher.page_done(page)

    plate = Plate.objects.get(code=site.cave_code)
    page.goto(f"{site.url}/admin/qrplates/plate/{plate.pk}/change/")
    expect(page.locator("svg").first).to_be_visible()
    watcher.page_done(page)

    page.goto(f"{site.url}/admin/dashboard/")
    expect(page.locator(".dashboard table").first).to_be_visible()
    watcher.page_done(page)

    # simple-history's list, the review diff, the spreadsheet import, a print batch.
    for path in (
        f"/admin/sites/street/{street.pk}/history/",
        f"/admin/sites/street/{street.pk}/review/",
        "/admin/sites/street/import/",
        "/admin/qrplates/printbatch/add/",
    ):
        response = page.goto(site.url + path)
        assert response.status == 200, path
        watcher.page_done(page)
    assert watcher.problems == []


def test_an_installer_gets_the_phones_position_under_the_policy(site, watched, superuser):
    from qrplates.models import Plate
    from qrplates.services import plate_transition

    phone, watcher = watched
    plate = Plate.objects.get(code=site.cave_code)
    plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=Plate.Status.PRINTED)
    phone.grant_permissions(["geolocation"], origin=site.url)
    phone.set_geolocation({"latitude": 21.8603, "longitude": 106.7461, "accuracy": 8})
    page = phone.new_page()
    log_in(page, site.url)
    page.goto(f"{site.url}/vi/install/{plate.code}/")
    # The page's own script (allowed by the request's nonce) fills in the position.
    expect(page.locator("#id_lat")).to_have_value("21.860300")
    expect(page.locator("#id_lon")).to_have_value("106.746100")
    watcher.page_done(page)
    assert watcher.problems == []


def test_the_api_docs_work_under_the_policy(site, watched):
    phone, watcher = watched
    page = phone.new_page()
    page.goto(f"{site.url}/api/docs/")
    # Swagger UI loaded the schema and drew the operations.
    expect(page.locator(".opblock").first).to_be_visible(timeout=20000)
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    watcher.page_done(page)
    assert watcher.problems == []
