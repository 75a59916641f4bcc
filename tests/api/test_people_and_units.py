"""The people and communes endpoints."""

import pytest

from sites.models import AdminUnit, Status

pytestmark = pytest.mark.django_db


def test_people_lists_only_published_people(client, records):
    body = client.get("/api/v1/people/").json()
    assert [item["name"] for item in body["results"]] == ["Hoàng Văn Thụ"]
    assert body["results"][0]["years"] == "1909 – 1944"
    assert client.get(f"/api/v1/people/{records['secret'].pk}/").status_code == 404
    assert client.get("/api/v1/people/", {"q": "bi mat"}).json()["count"] == 0


def test_a_person_lists_the_published_places_tied_to_them(client, records):
    body = client.get(f"/api/v1/people/{records['hero'].pk}/", {"lang": "en"}).json()
    ties = [(tie["place"]["name"], tie["role"]) for tie in body["places"]]
    # The street named after them first, then the links; the draft relic is left out.
    assert ties == [("Hoang Van Thu Street", "named_after"), ("Tam Thanh Cave", "fought_here")]
    assert body["places"][1]["role_label"] == "fought here"


def test_people_search_ignores_diacritics(client, records):
    body = client.get("/api/v1/people/", {"q": "hoang van thu"}).json()
    assert body["count"] == 1


def test_units_list_every_commune_and_ward_with_published_place_counts(client, records):
    body = client.get("/api/v1/units/", {"page_size": 200, "level": ["ward", "commune"]}).json()
    assert body["count"] == 65
    counts = {unit["code"]: unit["place_count"] for unit in body["results"]}
    # The withdrawn street in Tam Thanh and the draft relic in Đông Kinh are not counted.
    assert counts["05986"] == 1
    assert counts["05977"] == 1


def test_a_unit_is_found_by_its_official_code(client, db):
    body = client.get("/api/v1/units/05986/", {"lang": "en"}).json()
    assert body["name"] == "Tam Thanh Ward"
    assert body["level"] == "ward"
    assert body["parent"] == "20"
    assert len(body["bbox"]) == 4
    assert client.get("/api/v1/units/99999/").status_code == 404


def test_units_search_and_current_filters(client, db):
    found = client.get("/api/v1/units/", {"q": "ky lua"}).json()
    assert [unit["code"] for unit in found["results"]] == [
        AdminUnit.objects.get(slug="phuong-ky-lua").code
    ]
    abolished = AdminUnit.objects.get(code="05986")
    abolished.valid_until = "2020-01-01"
    abolished.save()
    current = client.get("/api/v1/units/", {"current": "true", "page_size": 200}).json()
    former = client.get("/api/v1/units/", {"current": "false"}).json()
    assert "05986" not in {unit["code"] for unit in current["results"]}
    assert [unit["code"] for unit in former["results"]] == ["05986"]


def test_a_withdrawn_place_in_a_unit_does_not_show_in_its_count(client, records):
    records["street"].status = Status.WITHDRAWN
    records["street"].save()
    assert client.get("/api/v1/units/05986/").json()["place_count"] == 0
