"""Content-Security-Policy and Permissions-Policy: the same header for every visitor of a public
page (cacheable), a per-request nonce only where a page is made for one person, no inline code
on public pages, geolocation only on the installer's page."""

import base64
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qrplates.services import plate_mint, plate_transition
from sites.models import AdminUnit, Person, Place, Status
from tests.workflow.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>")
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)
NONCE = re.compile(r"'nonce-([\w-]+)'")


def public_urls() -> list[str]:
    place = Place.objects.published().get(slug="dong-nhi-thanh").specific
    person = Person.objects.published().first()
    unit = AdminUnit.objects.filter(places__status=Status.PUBLISHED).first()
    plate = plate_mint(target=place)
    urls = [f"/Q/{plate.code}", "/Q/ZZZZZZZ", "/nowhere/"]
    for language in ("vi", "en"):
        with translation.override(language):
            urls += [
                reverse("sites:home"),
                place.get_absolute_url(),
                person.get_absolute_url(),
                unit.get_absolute_url(),
                reverse("sites:search") + "?q=thanh",
                reverse("sites:about"),
                reverse("sites:offline"),
                reverse("sites:kind", args=["relics"]),
                reverse("plate-code") + "?code=7KQ2M9",
                reverse("workflow:report", args=["place", place.pk]),
                reverse("workflow:suggest", args=["place", place.pk]),
            ]
    return urls


def test_public_pages_carry_one_policy_without_nonce_or_unsafe_inline(client, demo, settings):
    headers = set()
    for url in public_urls():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = response.headers["Content-Security-Policy"]
        assert "nonce-" not in policy, url
        assert "unsafe-inline" not in policy, url
        headers.add(policy)
    assert headers == {response.headers["Content-Security-Policy"]}
    policy = headers.pop()
    assert f"style-src 'self' {settings.INLINE_CSS_HASH}" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "worker-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_public_pages_have_no_inline_script_style_attribute_or_event_handler(client, demo):
    for url in public_urls():
        page = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not STYLE_ATTRIBUTE.search(page), (url, STYLE_ATTRIBUTE.search(page))
        assert not EVENT_HANDLER.search(page), (url, EVENT_HANDLER.search(page))


def test_the_inlined_stylesheet_is_allowed_by_its_hash(client, demo):
    response = client.get("/vi/")
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_a_changed_stylesheet_would_not_match_the_policy(client, demo, settings):
    """The hash is of the exact text inlined: one byte more and the browser would refuse it."""
    styles = re.findall(r"<style>(.*?)</style>", client.get("/vi/").content.decode(), re.S)
    digest = base64.b64encode(hashlib.sha256((styles[0] + " ").encode()).digest()).decode()
    assert f"'sha256-{digest}'" not in settings.INLINE_CSS_HASH


def test_admin_pages_mark_their_inline_styles_with_the_requests_nonce(staff_client):
    first = staff_client.get("/admin/")
    second = staff_client.get("/admin/")
    nonces = []
    for response in (first, second):
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        (nonce,) = set(NONCE.findall(policy))
        page = response.content.decode()
        assert f'<style nonce="{nonce}">' in page
        assert not re.search(r"<style>", page)
        assert not STYLE_ATTRIBUTE.search(page)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_the_dashboard_and_the_api_docs_use_nonces_too(staff_client):
    for url in ("/admin/dashboard/", "/api/docs/"):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        (nonce,) = set(NONCE.findall(response.headers["Content-Security-Policy"]))
        page = response.content.decode()
        assert not re.search(r"<(script|style)>", page), url
        assert f'nonce="{nonce}"' in page


def test_every_response_forbids_geolocation_camera_and_payment(client, staff_client, demo):
    for response in (
        client.get("/vi/"),
        client.get("/Q/ZZZZZZZ"),
        client.get("/api/v1/places/"),
        client.get("/sw.js"),
        staff_client.get("/admin/"),
    ):
        policy = response.headers["Permissions-Policy"]
        assert "geolocation=()" in policy
        for feature in ("camera", "microphone", "payment", "usb"):
            assert f"{feature}=()" in policy


@pytest.fixture
def printed_plate(demo):
    place = Place.objects.published().get(slug="dong-nhi-thanh").specific
    plate = plate_mint(target=place)
    plate_transition(plate=plate, status="approved")
    plate_transition(plate=plate, status="printed")
    return plate


def test_the_installers_page_alone_may_ask_for_the_position(django_user_model, printed_plate):
    installer = client_for(make_user(django_user_model, "lapdat", "Installer"))
    response = installer.get(reverse("workflow:install", args=[printed_plate.code]))
    assert response.status_code == 200
    policy = response.headers["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    assert "camera=()" in policy and "microphone=()" in policy
    # Its position script runs by the request's nonce.
    (nonce,) = set(NONCE.findall(response.headers["Content-Security-Policy"]))
    assert f'<script nonce="{nonce}">' in response.content.decode()
    scanned = installer.get(f"/Q/{printed_plate.code}")
    assert "geolocation=()" in scanned.headers["Permissions-Policy"]


def test_a_view_that_sets_its_own_header_keeps_it(rf):
    from django.http import HttpResponse

    from lib.http import PermissionsPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "fullscreen=()"
        return response

    assert PermissionsPolicyMiddleware(view)(rf.get("/"))["Permissions-Policy"] == "fullscreen=()"


def test_staff_reading_a_public_page_get_the_visitors_policy(demo, staff_client):
    place = Place.objects.published().get(slug="dong-nhi-thanh")
    with translation.override("vi"):
        url = place.specific.get_absolute_url()
    anonymous = Client().get(url).headers["Content-Security-Policy"]
    assert staff_client.get(url).headers["Content-Security-Policy"] == anonymous


def test_signing_out_tells_the_browser_to_forget_the_sites_storage(staff_client):
    """Staff sign in on shared phones: signing out clears the caches and storage (the service
    worker's copies) the browser holds for the site."""
    response = staff_client.post("/admin/logout/")
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert staff_client.get("/admin/").status_code == 302  # signed out indeed
    assert "Clear-Site-Data" not in staff_client.get("/admin/logout/")
