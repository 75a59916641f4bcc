"""sitemap.xml and robots.txt: every published page, in both languages, on the public address."""

import xml.etree.ElementTree as ET

import pytest

from lib import languages
from sites.models import Person, Status, Street

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def entries(client) -> dict[str, dict[str, str]]:
    """{page address: {hreflang: alternate address}} from the sitemap."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        }
        for url in root.findall("s:url", NS)
    }


def test_the_sitemap_lists_published_pages_in_every_language_with_alternates(client, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    base = "https://qr.langson.gov.vn"
    Street.objects.create(name_vi="Phố Kỳ Lừa", unit_id=None, status=Status.PUBLISHED)
    Street.objects.create(name_vi="Phố Nháp", status=Status.DRAFT)
    Person.objects.create(name_vi="Hoàng Văn Thụ", status=Status.PUBLISHED)
    Person.objects.create(name_vi="Người Ẩn", status=Status.WITHDRAWN)
    found = entries(client)
    for path in ("streets/pho-ky-lua/", "people/hoang-van-thu/", "", "about/"):
        each = {code: f"{base}/{code}/{path}" for code in languages.codes()}  # vi, en, zh-hans
        # x-default: the address without a language, which sends each visitor to theirs.
        alternates = {**each, "x-default": f"{base}/{path}"}
        assert all(found[url] == alternates for url in each.values())
    assert not [url for url in found if "nhap" in url or "nguoi-an" in url]


def test_the_sitemap_lists_communes_with_published_places(client, demo, settings):
    found = entries(client)
    assert f"{settings.PUBLIC_BASE_URL}/en/units/phuong-tam-thanh/" in found
    # A commune with nothing published is not worth a search engine's visit.
    assert not [url for url in found if "/units/xa-huu-lien/" in url]


def test_robots_txt_points_to_the_sitemap_and_keeps_the_admin_out(client, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://qr.langson.gov.vn/sitemap.xml" in text
    assert "Disallow: /admin/" in text
