"""Person, commune/ward, home, list, search and about pages."""

import json
import re

import pytest
from django.utils import translation

from sites.models import AdminUnit, Person, PersonLink, Relic, ScenicSpot, Status, Street

pytestmark = pytest.mark.django_db

PUBLISHED = Status.PUBLISHED


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def unit():
    return AdminUnit.objects.get(slug="phuong-tam-thanh")


def test_a_person_page_lists_every_published_street_and_site_linked_to_them(client, unit):
    person = Person.objects.create(
        name_vi="Ngô Thì Sĩ",
        role_vi="Đốc trấn Lạng Sơn",
        role_en="Governor of Lạng Sơn",
        biography_vi="Tiểu sử.",
        biography_en="He found Nhị Thanh cave.",
        birth_year=1726,
        death_year=1780,
        alt_names="Nhị Thanh cư sĩ",
        status=PUBLISHED,
    )
    street = Street.objects.create(
        name_vi="Phố Ngô Thì Sĩ", named_after=person, unit=unit, status=PUBLISHED
    )
    cave = ScenicSpot.objects.create(
        name_vi="Động Nhị Thanh", name_en="Nhị Thanh Cave", unit=unit, status=PUBLISHED
    )
    PersonLink.objects.create(
        person=person, place=cave, role=PersonLink.Role.DISCOVERED, year_from=1779
    )
    hidden = Relic.objects.create(name_vi="Chùa Nháp", status=Status.DRAFT)
    PersonLink.objects.create(person=person, place=hidden, role=PersonLink.Role.BUILT_RESTORED)
    with translation.override("en"):
        html = get(client, person.get_absolute_url())
    assert '<h1 lang="vi">Ngô Thì Sĩ</h1>' in html  # no English name: the Vietnamese, marked so
    assert "Person · 1726 – 1780" in html
    assert "Governor of Lạng Sơn" in html
    assert "He found Nhị Thanh cave." in html
    assert "Also known as: Nhị Thanh cư sĩ" in html
    assert f'<a href="/en/streets/{street.slug}/">' in html
    assert "Street named after this person" in html
    assert '<a href="/en/scenic-spots/dong-nhi-thanh/">Nhị Thanh Cave</a>' in html
    assert "Scenic spot · discovered, 1779" in html
    assert "Chùa Nháp" not in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Person"
    assert data["birthDate"] == "1726"
    assert data["deathDate"] == "1780"
    assert "Nhị Thanh cư sĩ" in data["alternateName"]


def test_a_person_without_english_text_is_shown_in_vietnamese_with_the_note(client):
    person = Person.objects.create(
        name_vi="Tông Đản", biography_vi="Tù trưởng người Tày.", status=PUBLISHED
    )
    with translation.override("en"):
        html = get(client, person.get_absolute_url())
    assert "The English translation of this page is on its way" in html
    assert '<div class="text" lang="vi"><p>Tù trưởng người Tày.</p></div>' in html


def test_a_commune_page_lists_its_published_places_by_kind_and_offers_offline_saving(client, unit):
    Street.objects.create(name_vi="Phố Tam Thanh", unit=unit, status=PUBLISHED)
    ScenicSpot.objects.create(name_vi="Động Tam Thanh", unit=unit, status=PUBLISHED)
    Street.objects.create(name_vi="Phố Nháp", unit=unit, status=Status.DRAFT)
    html = get(client, "/vi/units/phuong-tam-thanh/")
    assert "<h1>Phường Tam Thanh</h1>" in html
    assert "<h2>Đường phố</h2>" in html
    assert "<h2>Danh lam thắng cảnh</h2>" in html
    assert "Phố Nháp" not in html
    assert 'data-offline-url="/vi/units/phuong-tam-thanh/offline.json"' in html
    # The offline box needs the service worker: it stays hidden until the script shows it.
    assert re.search(r'<div class="offline-save"[^>]* hidden>', html)
    assert "Lưu khu vực này để đọc ngoại tuyến" in html


def test_an_empty_commune_page_says_so(client):
    html = get(client, "/en/units/xa-mau-son/")
    assert "No places published here yet." in html
    assert "offline-save" not in html


def test_the_offline_list_of_a_commune_holds_its_pages_and_small_photos(client, unit, make_photo):
    cave = ScenicSpot.objects.create(name_vi="Động Tam Thanh", unit=unit, status=PUBLISHED)
    photos = [make_photo(cave, position=i) for i in range(5)]
    Street.objects.create(name_vi="Phố Nháp", unit=unit, status=Status.DRAFT)
    response = client.get("/en/units/phuong-tam-thanh/offline.json")
    data = response.json()
    assert data["pages"] == ["/en/units/phuong-tam-thanh/", "/en/scenic-spots/dong-tam-thanh/"]
    # The first three photos of each place, at the smallest width, as WebP.
    assert data["images"] == [photo.picture.small_url for photo in photos[:3]]
    assert all(url.endswith("/320.webp") for url in data["images"])
    assert "public" in response["Cache-Control"]


def test_the_home_page_has_search_highlights_kinds_and_communes(client, demo):
    html = get(client, "/en/")
    assert 'action="/en/search/"' in html
    highlights = html.split("<h2>Highlights</h2>", 1)[1].split("</ul>", 1)[0]
    # Special national relics first.
    first = re.findall(r'<a href="([^"]+)">', highlights)[:2]
    assert set(first) == {"/en/relics/ai-chi-lang/", "/en/relics/khu-di-tich-khoi-nghia-bac-son/"}
    assert "Special national" in highlights
    assert '<a href="/en/streets/">Streets</a> <span class="muted">(22)</span>' in html
    assert '<a href="/en/units/phuong-tam-thanh/">Tam Thanh Ward</a>' in html


def test_the_home_page_offers_the_code_box_above_the_search(client, db):
    html = get(client, "/en/")
    assert html.index('action="/en/code/"') < html.index('action="/en/search/"')


def test_a_kind_page_lists_its_places_alphabetically(client, demo):
    html = get(client, "/vi/relics/")
    assert "<h1>Di tích</h1>" in html
    links = re.findall(r'<a href="(/vi/relics/[^"]+)">', html)
    assert len(links) == Relic.objects.published().count() == 26
    assert links == sorted(links)


def test_search_finds_places_and_people_and_the_places_linked_to_them(client, demo):
    html = get(client, "/en/search/?q=ngo+thi+si")
    people = html.split("<h2>People</h2>", 1)[1]
    assert '<a href="/en/people/ngo-thi-si/">Ngô Thì Sĩ</a>' in people
    linked = html.split("<h2>Places linked to these people</h2>", 1)[1]
    assert "/en/scenic-spots/dong-nhi-thanh/" in linked
    assert '<meta name="robots" content="noindex">' in html


def test_places_the_search_found_are_not_listed_again_as_linked(client, db):
    from sites.models import Person, PersonLink, Relic, Status, Street

    person = Person.objects.create(name_vi="Tông Đản", name_en="Tông Đản", status=Status.PUBLISHED)
    Street.objects.create(name_vi="Phố Tông Đản", named_after=person, status=Status.PUBLISHED)
    temple = Relic.objects.create(name_vi="Đền Kỳ Cùng", status=Status.PUBLISHED)
    PersonLink.objects.create(person=person, place=temple, role=PersonLink.Role.FOUGHT_HERE)
    html = get(client, "/vi/search/?q=tong+dan")
    found, linked = html.split("Địa điểm gắn với các nhân vật này", 1)
    assert "/vi/streets/pho-tong-dan/" in found
    assert "/vi/relics/den-ky-cung/" in linked
    assert "/vi/streets/pho-tong-dan/" not in linked


def test_search_ranks_a_name_that_starts_with_the_query_first(client, demo):
    html = get(client, "/vi/search/?q=tam+thanh")
    places = html.split("<h2>Địa điểm</h2>", 1)[1].split("</ul>", 1)[0]
    names = re.findall(r'<a href="[^"]+">([^<]+)</a>', places)
    assert names[0] in {"Đường Tam Thanh", "Động và chùa Tam Thanh"}
    assert "Phố Nháp" not in html


def test_search_says_when_nothing_is_found_and_keeps_the_query(client, db):
    html = get(client, "/en/search/?q=%3Cscript%3Exyz")
    assert "Nothing found for “&lt;script&gt;xyz”." in html
    assert 'value="&lt;script&gt;xyz"' in html


def test_the_about_page_explains_the_site_in_both_languages(client, db):
    assert "How to use it" in get(client, "/en/about/")
    assert "Cách sử dụng" in get(client, "/vi/about/")


def test_a_missing_record_is_a_404_not_an_error(client, db):
    for url in (
        "/vi/streets/khong-co/",
        "/en/people/nobody/",
        "/vi/units/khong-co/",
        "/vi/units/tinh-lang-son/",
        "/vi/units/khong-co/offline.json",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "url",
    [
        "/vi/search/?q=%00",
        "/vi/search/?q=tam%00thanh",
        "/en/search/?q=" + "x" * 5000,
        "/vi/search/?q=%25%5F%5C",
        "/vi/search/?q=tam&page=abc",
        "/vi/search/?q=tam&page=999",
        "/lang/en/?next=/vi/%00",
        "/vi/streets/%00/",
    ],
)
def test_hostile_addresses_never_cause_a_server_error(db, url):
    from django.test import Client

    response = Client(raise_request_exception=False).get(url)
    assert response.status_code < 500
