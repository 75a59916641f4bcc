"""A place page arrives in one round trip on a weak signal, and costs a bounded number of
queries however much is linked to it."""

import gzip
import re

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
from django.utils import translation

from sites.models import AdminUnit, Person, PersonLink, Place, ScenicSpot, Source, Status, Street

pytestmark = pytest.mark.django_db

# One TCP initial congestion window (10 segments of ~1460 bytes): what arrives before the
# first acknowledgement, i.e. in the first round trip.
BUDGET = 14 * 1024


def test_every_demo_place_page_fits_in_the_first_round_trip(demo):
    client = Client()
    sizes = {}
    for place in Place.objects.published():
        for language in ("vi", "en"):
            with translation.override(language):
                url = place.get_absolute_url()
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200
            # The app compresses the page itself (gunicorn serves it directly).
            assert response["Content-Encoding"] == "gzip"
            html = gzip.decompress(response.content).decode()
            # Critical CSS is inlined, nothing render-blocking is fetched afterwards.
            assert "<style>" in html and "--accent" in html
            assert 'rel="stylesheet"' not in html
            assert re.findall(r"<script src=[^>]+>", html) == [
                f'<script src="{static("js/site.js")}" defer>'
            ]
            sizes[url] = len(response.content)
    assert len(sizes) == 2 * Place.objects.published().count()
    heaviest = max(sizes, key=sizes.get)
    assert sizes[heaviest] <= BUDGET, f"{heaviest}: {sizes[heaviest]} bytes compressed"


@pytest.fixture
def crowded_place(make_photo):
    """A relic with many people, photos, sources and neighbours, each bringing more rows."""
    unit = AdminUnit.objects.get(slug="phuong-tam-thanh")
    relic = ScenicSpot.objects.create(
        name_vi="Động Tam Thanh", lat=21.8517, lon=106.7522, unit=unit, status=Status.PUBLISHED
    )
    for i in range(12):
        person = Person.objects.create(name_vi=f"Nhân vật {i}", status=Status.PUBLISHED)
        PersonLink.objects.create(person=person, place=relic, role=PersonLink.Role.HONOURED_HERE)
        Street.objects.create(name_vi=f"Phố Nhân Vật {i}", named_after=person, status="published")
        Source.objects.create(place=relic, title=f"Nguồn {i}")
    for i in range(6):
        make_photo(relic, caption=f"Ảnh {i}", width=400)
    for i in range(10):
        ScenicSpot.objects.create(
            name_vi=f"Hang {i}", lat=21.8517 + i / 2000, lon=106.7522, status=Status.PUBLISHED
        )
    return relic


@pytest.fixture
def bare_place():
    return ScenicSpot.objects.create(name_vi="Hang Trống", status=Status.PUBLISHED)


QUERY_BOUND = 8


def test_a_place_page_costs_a_bounded_number_of_queries(
    client, crowded_place, bare_place, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERY_BOUND) as crowded:
        html = client.get(crowded_place.get_absolute_url()).content.decode()
    # The page really shows all of it...
    assert html.count("/vi/people/") >= 12
    assert html.count("<figure>") == 6
    assert html.count("Phố Nhân Vật") == 12
    assert "Hang 0" in html and "Hang 5" in html
    with django_assert_max_num_queries(QUERY_BOUND) as bare:
        client.get(bare_place.get_absolute_url())
    # ...for no more queries than a place with nothing linked.
    assert len(crowded.captured_queries) <= len(bare.captured_queries) + 2


def test_a_person_page_costs_a_bounded_number_of_queries(
    client, crowded_place, django_assert_max_num_queries
):
    person = Person.objects.get(name_vi="Nhân vật 3")
    for i in range(10):
        place = Street.objects.create(name_vi=f"Phố Thêm {i}", status=Status.PUBLISHED)
        PersonLink.objects.create(person=person, place=place, role=PersonLink.Role.LIVED_WORKED)
    with django_assert_max_num_queries(QUERY_BOUND):
        html = client.get(person.get_absolute_url()).content.decode()
    assert html.count("Phố Thêm") == 10


def test_the_index_pages_fit_in_the_first_round_trip(demo):
    client = Client()
    for code, _name in settings.LANGUAGES:
        for url in (f"/{code}/units/", f"/{code}/people/"):
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200
            assert len(response.content) <= BUDGET, f"{url}: {len(response.content)} bytes"


@pytest.mark.parametrize(
    "url",
    [
        "/vi/",
        "/en/search/?q=tam",
        "/vi/units/phuong-tam-thanh/",
        "/en/units/",
        "/vi/people/",
        "/vi/units/phuong-tam-thanh/offline.json",
    ],
)
def test_other_pages_cost_a_bounded_number_of_queries(
    client, crowded_place, django_assert_max_num_queries, url
):
    with django_assert_max_num_queries(QUERY_BOUND):
        assert client.get(url).status_code == 200
