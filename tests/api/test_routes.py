"""Walking routes in the open-data API: published routes only, their published stops in order,
with the length and walking time the route page shows."""

import pytest

from sites.models import Route, ScenicSpot, Status

pytestmark = pytest.mark.django_db


def test_routes_are_listed_with_their_stops_in_order(client, demo):
    route = Route.objects.get(external_id="demo:route:tam-thanh")
    data = client.get("/api/v1/routes/", {"lang": "en"}).json()
    assert [r["slug"] for r in data["results"]] == [route.slug]
    listed = data["results"][0]
    assert listed["title"].startswith("A walk in Tam Thanh")
    assert [s["place"]["slug"] for s in listed["stops"]] == [
        "dong-nhi-thanh",
        "dong-va-chua-tam-thanh",
        "nui-to-thi",
    ]
    assert [s["position"] for s in listed["stops"]] == [1, 2, 3]
    assert listed["length_m"] == Route.length_of(route.published_stops())
    assert listed["walking_minutes"] == 30
    assert listed["url"].endswith(f"/en/routes/{route.slug}/")
    detail = client.get(listed["api_url"]).json()
    assert detail["slug"] == route.slug


def test_unpublished_routes_and_stops_stay_out(client, demo):
    route = Route.objects.get(external_id="demo:route:tam-thanh")
    cave = ScenicSpot.objects.get(slug="dong-va-chua-tam-thanh")
    cave.status = Status.DRAFT
    cave.save()
    listed = client.get(f"/api/v1/routes/{route.slug}/").json()
    assert cave.slug not in [s["place"]["slug"] for s in listed["stops"]]
    route.status = Status.DRAFT
    route.save()
    assert client.get(f"/api/v1/routes/{route.slug}/").status_code == 404
    assert client.get("/api/v1/routes/").json()["results"] == []
