"""The list of walking routes (/<lang>/routes/): every published route with what its own page
says first, one round trip, linked from the home page, the footer and each route's page, in
the sitemap, and made stale (page cache, static mode) by a change to a route or its stops."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edge import pagecache
from edge.dependents import dependents
from sites.models import Route, RouteStop, ScenicSpot, Status

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def route(demo):
    # The demo's saves would ride along with the test's first commit (see tests/test_pagecache).
    pagecache.forget_pending()
    return Route.objects.get(external_id="demo:route:tam-thanh")


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def entry(html: str, route: Route, language: str) -> str:
    """The list item of `route` on the list in `language`."""
    url = route.get_absolute_url().replace("/vi/", f"/{language}/", 1)
    found = re.search(rf'<li><a href="{re.escape(url)}"[^>]*>.*?</li>', html, re.S)
    assert found, url
    return found.group(0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_published_route_is_listed_with_its_stops_length_and_time(client, route, language):
    html = get(client, f"/{language}/routes/")
    item = entry(html, route, language)
    assert {"vi": "3 điểm dừng", "en": "3 stops", "zh-hans": "3 个站点"}[language] in item
    assert {"vi": "khoảng 30 phút", "en": "about 30 minutes", "zh-hans": "30"}[language] in item
    assert re.search(r"\d[.,]?\d{3}\xa0m", item)  # the length, between 1.5 and 3 km
    assert getattr(route, f"summary_{language.replace('-', '_')}") in item
    assert "<h1>" in html and html.count("<li><a href=") >= 1


def test_a_draft_route_is_not_listed_and_a_withdrawn_stop_is_not_counted(client, route):
    cave = ScenicSpot.objects.get(slug="dong-va-chua-tam-thanh")
    cave.status = Status.DRAFT
    cave.save()
    draft = Route.objects.create(title_vi="Tuyến Nháp", title_en="A draft walk")
    html = get(client, "/en/routes/")
    assert "2 stops" in entry(html, route, "en")
    assert "A draft walk" not in html
    route.status = Status.WITHDRAWN
    route.save()
    html = get(client, "/en/routes/")
    assert route.title_en not in html and draft.slug not in html
    assert "No walking route is published yet." in html


def test_the_list_costs_the_same_queries_whatever_the_number_of_routes(client, route, settings):
    settings.PAGE_CACHE_ENABLED = False
    with CaptureQueriesContext(connection) as one:
        get(client, "/en/routes/")
    for number in range(3):
        other = Route.objects.create(title_vi=f"Tuyến {number}", status=Status.PUBLISHED)
        for position, stop in enumerate(route.stops.all()):
            RouteStop.objects.create(route=other, place=stop.place, position=position)
    with CaptureQueriesContext(connection) as four:
        html = get(client, "/en/routes/")
    assert html.count("3 stops") == 4
    assert len(four) == len(one) <= 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_the_footer_and_each_route_page_link_to_the_list(client, route, language):
    link = f'href="/{language}/routes/"'
    assert link in get(client, f"/{language}/").split("<footer>")[0]
    route_page = get(client, route.get_absolute_url().replace("/vi/", f"/{language}/", 1))
    assert link in route_page.split("<footer>")[0]  # its eyebrow, "Walking route"
    assert link in get(client, f"/{language}/people/").split("<footer>")[1]


def test_the_sitemap_lists_the_list_in_every_language_with_hreflang(client, route, settings):
    settings.PUBLIC_BASE_URL = "https://qr.langson.gov.vn"
    xml = client.get("/sitemap.xml").content.decode()
    for language in LANGUAGES:
        assert f"<loc>https://qr.langson.gov.vn/{language}/routes/</loc>" in xml
        assert f'hreflang="{language}" href="https://qr.langson.gov.vn/{language}/routes/"' in xml


def test_a_change_to_a_route_or_its_stops_makes_the_list_stale(
    client, route, django_capture_on_commit_callbacks
):
    for language in LANGUAGES:
        assert f"/{language}/routes/" in dependents([route]).pages
        assert f"/{language}/routes/" in dependents([route.stops.first()]).pages
    get(client, "/en/routes/")
    assert client.get("/en/routes/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        route.title_en = "A longer walk in Tam Thanh"
        route.save()
    assert "A longer walk in Tam Thanh" in get(client, "/en/routes/")
    # A stop withdrawn: the list counts one stop less.
    cave = ScenicSpot.objects.get(slug="dong-va-chua-tam-thanh")
    with django_capture_on_commit_callbacks(execute=True):
        cave.status = Status.WITHDRAWN
        cave.save()
    assert "2 stops" in entry(get(client, "/en/routes/"), route, "en")
