"""Headless Chromium (Debian's package) driven by Playwright, on a phone-sized screen.

Playwright's own browser download is never used: `executable_path` points at Debian's binary
(`apt-get install chromium`; .ci/run installs it when missing). Without it these tests are
skipped on a developer's machine, and fail in CI (CI=true), where the browser must be there.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class OneRequestAtATime(WSGIServer):
    """The live server without its threads: they would share the test's in-memory SQLite
    connection, and a service worker fetching a whole area at once breaks it ("bad parameter or
    other API misuse"). The server thread already uses the shared connection itself. Django's
    single-threaded server answers "Connection: close", so the browser never waits on a kept-alive
    socket."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATime


ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (creating data before each step) are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(phone_set_to):
    """A fresh phone: its own cookies, caches and service workers."""
    return phone_set_to("vi-VN")


@pytest.fixture
def phone_set_to(browser):
    """Fresh phones set to a language (a locale such as "zh-CN"), which their browsers ask for."""
    contexts = []

    def make(locale: str):
        contexts.append(browser.new_context(**PHONE, locale=locale))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@dataclass(frozen=True)
class Site:
    url: str
    cave_code: str  # the code of a plate at Động Nhị Thanh


@pytest.fixture
def site(live_server, settings) -> Site:
    """The live server with the demo content, a photo and a plate at Động Nhị Thanh, serving
    uploaded files."""
    from django.core.files.base import ContentFile

    from qrplates.services import plate_mint
    from sites.demo import load_demo
    from sites.models import AdminUnit, Photo, ScenicSpot
    from sites.units import load_units
    from tests.conftest import jpeg_bytes

    settings.ROOT_URLCONF = "tests.browser.urls"
    # Setting the site up is not what these tests look at: the work each commit queues (the
    # page cache's warming, the open-data files) waits, as it does until a worker comes to
    # it, instead of running inside each step; the photo's renditions, which the pages need,
    # are made here. The tests themselves run every task at once, as the suite does.
    running = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    # The communes and wards come from a data migration, and a live-server test starts from
    # the database the previous one emptied (pytest-django's serialized rollback did not
    # restore them when other tests ran first in the same session).
    if not AdminUnit.objects.exists():
        load_units(AdminUnit)
    load_demo()
    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    photo = Photo(place=cave, caption="Lối vào động", credit="Ảnh minh hoạ")
    photo.image.save("cave.jpg", ContentFile(jpeg_bytes(1600, 1000, "#5b7f4b")), save=False)
    photo.save()
    photo.refresh_renditions()
    code = plate_mint(target=cave, label="Cửa động").code
    settings.TASKS = running
    return Site(url=live_server.url, cave_code=code)
