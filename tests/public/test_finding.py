"""Finding things: communes and wards in search, the index pages of people and of communes and
wards, a merged record's old address, and what "save this area for offline" holds."""

import re

import pytest
from django.conf import settings

from qrplates.services import plate_mint
from sites.models import AdminUnit, Person, Place, Relic, ScenicSpot, Status, Street

pytestmark = pytest.mark.django_db


def get(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "unit"),
    [
        ("dong kinh", "Phường Đông Kinh"),
        ("chi lang", "Xã Chi Lăng"),
        ("ky lua", "Phường Kỳ Lừa"),
        ("KỲ LỪA", "Phường Kỳ Lừa"),
    ],
)
def test_a_commune_or_ward_named_by_the_query_comes_first(client, demo, query, unit):
    html = get(client, "/vi/search/", q=query)
    results = html.split("</form>", 1)[1]
    first = re.search(r'<a href="([^"]+)">', results).group(1)
    assert first == AdminUnit.objects.get(name=unit).get_absolute_url()


def test_search_still_finds_places_and_people_after_the_units(client, demo):
    html = get(client, "/en/search/", q="chi lang")
    assert html.index("/en/units/xa-chi-lang/") < html.index("/en/relics/ai-chi-lang/")
    assert "/en/people/" in get(client, "/en/search/", q="ngo thi si")


def test_a_word_in_no_unit_name_lists_no_unit(client, demo):
    assert (
        "/units/"
        not in get(client, "/vi/search/", q="đền").split("</form>", 1)[1].split("<footer>")[0]
    )


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_commune_and_ward_is_listed_with_its_published_places(client, demo, language):
    Street.objects.filter(name_vi="Phố Văn Cao").update(status=Status.DRAFT)
    html = get(client, f"/{language}/units/")
    listed = dict(
        re.findall(
            r'<a href="/\w+(?:-\w+)?/units/([\w-]+)/">[^<]+</a> <span class="muted">\((\d+)\)', html
        )
    )
    assert len(listed) == AdminUnit.objects.communes().count() == 65
    for unit in AdminUnit.objects.communes():
        published = Place.objects.published().filter(unit=unit).count()
        assert int(listed[unit.slug]) == published, unit
    assert int(listed["phuong-luong-van-tri"]) > 0
    assert int(listed["xa-quoc-khanh"]) == 0


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_published_person_is_listed_and_the_lists_are_linked(client, demo, language):
    Person.objects.filter(name_vi="Tông Đản").update(status=Status.DRAFT)
    html = get(client, f"/{language}/people/")
    for person in Person.objects.all():
        assert (person.get_absolute_url().replace("/vi/", f"/{language}/") in html) == (
            person.is_published
        ), person
    home = get(client, f"/{language}/")
    assert f'href="/{language}/people/"' in home and f'href="/{language}/units/"' in home


def test_a_merged_records_address_sends_visitors_to_the_one_that_stays(client, demo):
    stays = Relic.objects.get(slug="den-cua-tay")
    duplicate = Relic.objects.create(name_vi="Đền Ngũ Nhạc", status=Status.PUBLISHED)
    old_url = duplicate.get_absolute_url()
    assert client.get(old_url).status_code == 200
    duplicate.merged_into = stays
    duplicate.status = Status.WITHDRAWN
    duplicate.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == stays.get_absolute_url()
    # Not while the one that stays is unpublished: then the address is gone.
    Relic.objects.filter(pk=stays.pk).update(status=Status.DRAFT)
    assert client.get(old_url).status_code == 404


def test_a_saved_area_holds_its_places_people_and_the_scan_addresses_of_their_plates(client, demo):
    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    plate = plate_mint(target=cave)
    draft = Street.objects.create(name_vi="Phố Nháp", unit=cave.unit, status=Status.DRAFT)
    hidden = plate_mint(target=draft)
    pack = client.get(f"/en/units/{cave.unit.slug}/offline.json").json()
    assert "/en/scenic-spots/dong-nhi-thanh/" in pack["pages"]
    assert "/en/people/ngo-thi-si/" in pack["pages"]  # discovered the cave
    assert pack["scans"][f"/Q/{plate.code}"] == "/en/scenic-spots/dong-nhi-thanh/"
    assert f"/Q/{hidden.code}" not in pack["scans"]
    assert not any("pho-nhap" in page for page in pack["pages"])
    # Every page a scan opens is one the pack stores.
    assert set(pack["scans"].values()) <= set(pack["pages"])


def test_the_service_worker_knows_the_language_cookie(client):
    assert (
        f'"languageCookie": "{settings.LANGUAGE_COOKIE_NAME}"'
        in client.get("/sw.js").content.decode()
    )
