"""The maps drawn on the server: what they show matches the page's lists, they are announced
to screen readers, and each adds at most 2 KB (gzip) to its page."""

import gzip
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sites.models import AdminUnit, Place, Route, RouteStop, ScenicSpot, Status

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
MAP_BUDGET = 2 * 1024


def page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def the_map(html: str) -> ET.Element:
    found = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(found) == 1
    return ET.fromstring(found[0])


def map_share(html: str) -> int:
    """What the map adds to the page, in gzip bytes."""
    without = re.sub(r"<svg .*?</svg>", "", html, flags=re.S)
    return len(gzip.compress(html.encode())) - len(gzip.compress(without.encode()))


def linked_titles(svg: ET.Element) -> list[tuple[str, str]]:
    return [(a.find(SVG + "title").text, a.get("href")) for a in svg.iter(SVG + "a")]


def url_of(record) -> str:
    with translation.override("en"):
        return record.get_absolute_url()


def test_the_place_map_numbers_the_nearby_places_as_the_list_does(demo):
    cave = Place.objects.get(slug="dong-nhi-thanh")
    html = page(url_of(cave))
    svg = the_map(html)
    assert svg.get("role") == "group"  # it holds links
    assert svg.get("aria-labelledby") == "place-map-title"
    assert svg.find(SVG + "title").text == "Map of Nhị Thanh Cave"
    assert "Tam Thanh Ward" in svg.find(SVG + "desc").text
    listed = re.findall(
        r'<li><span class="dot">(\d+)</span> <a href="([^"]+)">', html.split("<h2>Nearby</h2>")[1]
    )
    numbered = [
        (a.find(SVG + "text").text, a.get("href"))
        for a in svg.iter(SVG + "a")
        if a.find(SVG + "text") is not None
    ]
    assert listed and numbered == listed
    assert map_share(html) <= MAP_BUDGET


def test_a_place_without_coordinates_shows_its_commune_and_says_so(demo):
    place = Place.objects.published().filter(lat=None).exclude(unit=None).first()
    svg = the_map(page(url_of(place)))
    assert "is not known yet" in svg.find(SVG + "desc").text
    assert not list(svg.iter(SVG + "circle"))


def test_the_unit_map_shows_its_places_that_have_a_position(demo):
    unit = AdminUnit.objects.get(slug="phuong-tam-thanh")
    html = page(url_of(unit))
    svg = the_map(html)
    placed = Place.objects.published().in_unit(unit).with_coordinates()
    assert sorted(href for _title, href in linked_titles(svg)) == sorted(url_of(p) for p in placed)
    for _title, href in linked_titles(svg):
        assert f'href="{href}"' in html.split("</svg>")[1]  # also in the list
    assert map_share(html) <= MAP_BUDGET


def test_the_home_map_links_the_communes_that_have_places(demo):
    html = page("/en/")
    svg = the_map(html)
    with_places = AdminUnit.objects.communes().filter(places__status=Status.PUBLISHED).distinct()
    assert sorted(href for _title, href in linked_titles(svg)) == sorted(
        url_of(unit) for unit in with_places
    )
    assert "65 communes and wards" in svg.find(SVG + "desc").text
    assert map_share(html) <= MAP_BUDGET


@pytest.fixture
def route(demo):
    return Route.objects.get(external_id="demo:route:tam-thanh")


def test_the_demo_route_walks_three_sourced_places(route):
    stops = route.published_stops()
    assert [p.slug for p in stops] == ["dong-nhi-thanh", "dong-va-chua-tam-thanh", "nui-to-thi"]
    assert all(p.has_coordinates for p in stops)
    length = Route.length_of(stops)
    assert 1500 < length < 3000
    assert Route.walking_minutes(length) == 30


def test_the_route_page_lists_and_draws_the_stops_in_order(route):
    html = page(url_of(route))
    svg = the_map(html)
    stops = route.published_stops()
    assert [href for _t, href in linked_titles(svg)] == [url_of(p) for p in stops]
    assert [t.text for t in svg.iter(SVG + "text") if t.text.isdigit()] == ["1", "2", "3"]
    assert len([p for p in svg.iter(SVG + "path") if p.get("stroke-width") == "3"]) == 1
    assert "about 30 minutes" in html
    assert map_share(html) <= MAP_BUDGET
    # It can be listened to: the title, the summary, the stops in order and the text.
    assert 'data-listen="main h1, main .lead, main ol.plain a, main .text"' in html
    assert url_of(route) in page("/en/")


def test_a_route_shows_only_published_stops_and_is_hidden_until_published(route):
    cave = ScenicSpot.objects.get(slug="dong-va-chua-tam-thanh")
    cave.status = Status.DRAFT
    cave.save()
    html = page(url_of(route))
    assert cave.name_en not in html
    route.status = Status.DRAFT
    route.save()
    assert Client().get(url_of(route)).status_code == 404
    assert url_of(route) not in page("/en/")


def test_a_route_with_a_stop_without_position_has_no_length(route):
    place = Place.objects.published().filter(lat=None).first()
    RouteStop.objects.create(route=route, place=place, position=9)
    route = Route.objects.get(pk=route.pk)
    assert Route.length_of(route.published_stops()) is None
    html = page(url_of(route))
    assert "Walking time" not in html
    assert place.name_en in html


def test_the_route_page_speaks_vietnamese(route):
    html = page(reverse("sites:route", kwargs={"slug": route.slug}).replace("/en/", "/vi/"))
    assert "Đi bộ ở Tam Thanh" in html


def test_a_place_on_a_route_links_to_it(route):
    for place in route.published_stops():
        assert url_of(route) in page(url_of(place))
    other = Place.objects.published().exclude(route_stops__route=route).first()
    assert url_of(route) not in page(url_of(other))


def test_saving_an_area_for_offline_keeps_its_routes(route):
    tam_thanh = AdminUnit.objects.get(slug="phuong-tam-thanh")
    with translation.override("en"):
        url = reverse("sites:unit_offline", kwargs={"slug": tam_thanh.slug})
    pack = Client().get(url).json()
    assert url_of(route) in pack["pages"]
    elsewhere = AdminUnit.objects.get(slug="xa-mau-son")
    with translation.override("en"):
        url = reverse("sites:unit_offline", kwargs={"slug": elsewhere.slug})
    assert url_of(route) not in Client().get(url).json()["pages"]


def test_a_plate_at_the_start_of_a_walk_leads_to_the_walk(route):
    from django.core.exceptions import ValidationError

    from qrplates.services import plate_mint

    start = route.published_stops()[0]
    panel = plate_mint(target=start, label="Bảng đầu tuyến")
    panel.route = route
    panel.full_clean()
    panel.save()
    client = Client()
    html = client.get(f"/Q/{panel.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>A walk in Tam Thanh" in html
    # Unpublished, the walk gives way to the place the plate stands at.
    route.status = Status.DRAFT
    route.save()
    html = client.get(f"/Q/{panel.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<h1>{start.name_en}</h1>" in html

    # Only from one of its stops; the one-owner rule stays the database's.
    elsewhere = Place.objects.published().exclude(route_stops__route=route).first()
    stray = plate_mint(target=elsewhere)
    stray.route = route
    with pytest.raises(ValidationError) as error:
        stray.full_clean()
    assert "route" in error.value.message_dict


def test_reviewers_keep_routes_and_editors_have_no_access(route, django_user_model):
    from django.contrib.auth.models import Group

    reviewer = django_user_model.objects.create_user("duyet", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    editor = django_user_model.objects.create_user("bientap", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    url = reverse("admin:sites_route_change", args=[route.pk])
    reviewing = Client()
    reviewing.force_login(reviewer)
    page = reviewing.get(url).content.decode()
    assert 'name="title_vi"' in page and 'value="published"' in page
    editing = Client()
    editing.force_login(editor)
    assert editing.get(url).status_code == 403
    assert editing.post(url, {"title_vi": "Khác"}).status_code == 403


def test_routes_with_the_same_title_get_their_own_addresses(db):
    first = Route.objects.create(title_vi="Đi bộ phố cổ")
    second = Route.objects.create(title_vi="Đi bộ phố cổ")
    assert (first.slug, second.slug) == ("di-bo-pho-co", "di-bo-pho-co-2")
