"""The places endpoint: lists, details, every filter, and nothing unpublished, ever."""

import datetime

import pytest
from django.utils import timezone

from sites.models import Place, Relic, Status, Street
from tests.api.conftest import DONG_KINH, TAM_THANH, names

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/places/"


def test_the_list_holds_every_published_place_and_nothing_else(client, records):
    response = client.get(PLACES)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert set(names(response)) == {"Đền Kỳ Cùng", "Đường Hoàng Văn Thụ", "Động Tam Thanh"}
    assert {item["status"] for item in body["results"]} == {"published"}


def test_a_place_shows_its_kind_specific_fields_and_nulls_the_others(client, records):
    street = client.get(f"{PLACES}{records['street'].pk}/").json()
    assert street["kind"] == "street"
    assert street["street_type"] == "duong"
    assert street["named_after"]["name"] == "Hoàng Văn Thụ"
    assert street["ranking"] is None
    assert street["unit"]["code"] == "05986"
    assert street["url"].endswith("/vi/streets/duong-hoang-van-thu/")

    cave = client.get(f"{PLACES}{records['cave'].pk}/").json()
    assert cave["ranking"] == "national"
    assert cave["ranking_label"] == "Quốc gia"
    assert cave["street_type"] is None
    assert cave["named_after"] is None
    assert cave["former_names"] is None
    assert (cave["lat"], cave["lon"]) == (None, None)


def test_a_detail_lists_only_published_people(client, records):
    cave = client.get(f"{PLACES}{records['cave'].pk}/").json()
    assert [link["person"]["name"] for link in cave["people"]] == ["Hoàng Văn Thụ"]
    assert cave["people"][0]["role"] == "fought_here"


def test_an_unpublished_namesake_is_not_named(client, records):
    records["hero"].status = Status.DRAFT
    records["hero"].save()
    street = client.get(f"{PLACES}{records['street'].pk}/").json()
    assert street["named_after"] is None


@pytest.mark.parametrize("record", ["draft", "withdrawn"])
def test_an_unpublished_place_is_not_found_by_id(client, records, record):
    response = client.get(f"{PLACES}{records[record].pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "nhap"},
        {"q": "rut"},
        {"slug": "den-nhap-ky-cung"},
        {"kind": "relic"},
        {"ranking": "provincial"},
        {"unit": "05977"},
        {"near": f"{DONG_KINH[0]},{DONG_KINH[1]}", "radius": 500},
        {"bbox": "106.0,21.0,107.0,22.0"},
        {"updated_since": "2000-01-01"},
        {"status": "draft"},
        {"status": "withdrawn"},
        {"format": "csv"},
        {"format": "geojson"},
        {"lang": "all"},
    ],
)
def test_no_filter_or_format_reveals_an_unpublished_place(client, records, params):
    body = client.get(PLACES, params).content.decode()
    assert "Nháp" not in body
    assert "Đã Rút" not in body
    assert "nhap" not in body


def test_staff_see_unpublished_places_only_when_they_ask(token_client, records):
    assert "Đền Nháp Kỳ Cùng" not in names(token_client.get(PLACES))
    drafts = token_client.get(PLACES, {"status": ["draft", "withdrawn"]})
    assert set(names(drafts)) == {"Phố Đã Rút", "Đền Nháp Kỳ Cùng"}
    detail = token_client.get(f"{PLACES}{records['draft'].pk}/")
    assert detail.json()["status"] == "draft"


def test_kind_filter_takes_one_or_several_kinds(client, records):
    assert names(client.get(PLACES, {"kind": "street"})) == ["Đường Hoàng Văn Thụ"]
    both = names(client.get(PLACES, {"kind": ["relic", "scenic"]}))
    assert set(both) == {"Đền Kỳ Cùng", "Động Tam Thanh"}


def test_ranking_filter_covers_relics_and_scenic_spots(client, records):
    assert names(client.get(PLACES, {"ranking": "national"})) == ["Động Tam Thanh"]
    assert names(client.get(PLACES, {"ranking": "provincial"})) == ["Đền Kỳ Cùng"]


def test_unit_filter_takes_the_official_code_or_the_address(client, records):
    assert names(client.get(PLACES, {"unit": "05986"})) == ["Đường Hoàng Văn Thụ"]
    assert names(client.get(PLACES, {"unit": "phuong-dong-kinh"})) == ["Đền Kỳ Cùng"]


def test_search_ignores_diacritics_and_case(client, records):
    assert names(client.get(PLACES, {"q": "HOANG van thu"})) == ["Đường Hoàng Văn Thụ"]
    assert names(client.get(PLACES, {"q": "Tam Thanh Cave"})) == ["Động Tam Thanh"]
    assert names(client.get(PLACES, {"q": "ky cung"})) == ["Đền Kỳ Cùng"]


def test_bbox_keeps_the_places_inside_in_lon_lat_order(client, records):
    lat, lon = DONG_KINH
    box = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    assert names(client.get(PLACES, {"bbox": box})) == ["Đền Kỳ Cùng"]
    swapped = f"{lat - 0.01},{lon - 0.01},{lat + 0.01},{lon + 0.01}"
    assert client.get(PLACES, {"bbox": swapped}).status_code == 400


def test_near_lists_the_places_within_the_radius_nearest_first(client, records):
    lat, lon = DONG_KINH
    close = client.get(PLACES, {"near": f"{lat},{lon}", "radius": 1000}).json()
    assert [item["name"] for item in close["results"]] == ["Đền Kỳ Cùng"]
    assert close["results"][0]["distance_m"] == 0
    wide = client.get(PLACES, {"near": f"{lat},{lon}", "radius": 20000}).json()["results"]
    assert [item["name"] for item in wide] == ["Đền Kỳ Cùng", "Đường Hoàng Văn Thụ"]
    assert 8000 < wide[1]["distance_m"] < 10000


def test_near_without_a_radius_uses_one_kilometre(client, records):
    lat, lon = TAM_THANH
    results = client.get(PLACES, {"near": f"{lat + 0.005},{lon}"}).json()["results"]
    assert [item["name"] for item in results] == ["Đường Hoàng Văn Thụ"]
    assert 500 < results[0]["distance_m"] < 600


def test_updated_since_keeps_what_changed_after_the_moment(client, records):
    Place.objects.filter(pk=records["temple"].pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=30)
    )
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    recent = names(client.get(PLACES, {"updated_since": since}))
    assert set(recent) == {"Đường Hoàng Văn Thụ", "Động Tam Thanh"}
    moment = (timezone.now() - datetime.timedelta(days=31)).isoformat()
    assert len(names(client.get(PLACES, {"updated_since": moment}))) == 3


def test_pages_are_stable_and_do_not_overlap(client, db):
    for number in range(7):
        Street.objects.create(name_vi=f"Phố Số {number}", status=Status.PUBLISHED)
    seen = []
    url = f"{PLACES}?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 7


def test_ordering_by_name_breaks_ties_by_id(client, db):
    street = Street.objects.create(name_vi="Phố Kỳ Lừa", status=Status.PUBLISHED)
    relic = Relic.objects.create(name_vi="Phố Kỳ Lừa", status=Status.PUBLISHED)
    Street.objects.create(name_vi="Phố A", status=Status.PUBLISHED)
    for ordering in ("name", "-name"):
        ordered = client.get(PLACES, {"ordering": ordering}).json()["results"]
        same = [item["id"] for item in ordered if item["slug"] == "pho-ky-lua"]
        assert same == [street.pk, relic.pk]
    assert client.get(PLACES, {"ordering": "-name"}).json()["results"][-1]["name"] == "Phố A"


def test_a_list_takes_a_fixed_number_of_queries(client, records, django_assert_max_num_queries):
    for number in range(20):
        Street.objects.create(
            name_vi=f"Phố {number}", named_after=records["hero"], status=Status.PUBLISHED
        )
    with django_assert_max_num_queries(4):
        assert client.get(PLACES, {"page_size": 50}).status_code == 200
