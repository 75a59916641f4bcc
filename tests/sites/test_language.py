"""The language: from the address, the switch (remembered), then Accept-Language in q-order."""

import re

import pytest
from django.test import Client

from sites.models import Status, Street

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    return Street.objects.create(
        name_vi="Phố Kỳ Lừa",
        name_en="Ky Lua Street",
        summary_vi="Phố chợ.",
        status=Status.PUBLISHED,
    )


def switch_link(html: str) -> tuple[str, str]:
    """(href, direct address) of the language switch's link."""
    match = re.search(r'<nav class="lang"[^>]*><a href="([^"]+)" data-direct="([^"]+)"', html)
    assert match, "no language switch on the page"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_the_switch_opens_the_same_record_in_the_other_language_and_remembers_it(street):
    client = Client()
    html = client.get("/vi/streets/pho-ky-lua/").content.decode()
    href, direct = switch_link(html)
    assert direct == "/en/streets/pho-ky-lua/"
    assert re.search(r'hreflang="en" lang="en">English</a>', html)
    # A plain GET link: no form, no CSRF token, works with JavaScript off.
    response = client.get(href)
    assert response.status_code == 302
    assert response["Location"] == "/en/streets/pho-ky-lua/"
    assert response.cookies["lang"].value == "en"
    assert "no-store" in response["Cache-Control"]
    assert "Ky Lua Street" in client.get(response["Location"]).content.decode()
    # Remembered: an address without a language (the home, a scanned code) now opens in English.
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert home["Location"] == "/en/"


def test_the_switch_keeps_the_search_query(db):
    html = Client().get("/vi/search/?q=k%E1%BB%B3+l%E1%BB%ABa").content.decode()
    _href, direct = switch_link(html)
    assert direct == "/en/search/?q=k%E1%BB%B3+l%E1%BB%ABa"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""],
)
def test_the_switch_never_sends_a_visitor_to_another_site(db, target):
    response = Client().get("/lang/en/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_the_switch_refuses_an_unknown_language(db):
    assert Client().get("/lang/fr/", {"next": "/vi/"}).status_code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9,vi;q=0.8", "/en/"),
        # Not just the first tag: French is unknown, and Vietnamese outranks English.
        ("fr-FR, en;q=0.3, vi;q=0.8", "/vi/"),
        ("en;q=0.2, vi;q=0.9", "/vi/"),
        ("de, en-GB;q=0.5", "/en/"),
        ("zh-CN", "/zh-hans/"),
        ("ko-KR,ko;q=0.9", "/en/"),  # a foreign phone: English
        ("", "/vi/"),
    ],
)
def test_a_first_visit_follows_accept_language_in_its_q_order(db, header, expected):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_an_address_without_language_opens_the_record_in_the_visitors_language(street, settings):
    response = Client().get("/streets/pho-ky-lua/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/en/streets/pho-ky-lua/"
    html = Client().get("/en/streets/pho-ky-lua/").content.decode()
    assert (
        '<link rel="alternate" hreflang="x-default" '
        f'href="{settings.PUBLIC_BASE_URL}/streets/pho-ky-lua/">' in html
    )


def test_the_cookie_outranks_accept_language(db):
    client = Client()
    client.cookies["lang"] = "vi"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/vi/"


def test_pages_are_the_same_for_everyone_and_cacheable(street):
    client = Client()
    client.cookies["lang"] = "en"
    response = client.get("/vi/streets/pho-ky-lua/")
    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "public" in response["Cache-Control"]
    assert "max-age=600" in response["Cache-Control"]
    assert "s-maxage=300" in response["Cache-Control"]  # a CDN may keep it, for less time
    assert "Cookie" not in response.get("Vary", "")
    assert response["Content-Language"] == "vi"
    assert response["ETag"]


def test_a_page_the_phone_already_has_is_not_sent_again(street):
    client = Client()
    first = client.get("/vi/streets/pho-ky-lua/", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(
        "/vi/streets/pho-ky-lua/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert again.content == b""


def test_the_admin_still_speaks_vietnamese_for_english_browsers(staff_client):
    response = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "vi"


def test_a_scanned_plate_shows_the_record_with_its_own_addresses(street, settings):
    """The scan path answers /Q/<code> with the record's page: the switch leads to the
    record's own address in the other language, the canonical link to its own address."""
    from qrplates.services import plate_mint

    plate = plate_mint(target=street)
    client = Client()
    client.cookies["lang"] = "en"
    html = client.get(f"/Q/{plate.code}").content.decode()
    assert "<h1>Ky Lua Street</h1>" in html
    _href, direct = switch_link(html)
    assert direct == "/vi/streets/pho-ky-lua/"
    canonical = f"{settings.PUBLIC_BASE_URL}/en/streets/pho-ky-lua/"
    assert f'<link rel="canonical" href="{canonical}">' in html
