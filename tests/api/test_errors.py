"""Bad requests get a JSON 4xx that names what is wrong, never a 500 and never an HTML page."""

import json

import pytest
from django.db import OperationalError, connections
from django.test import Client, RequestFactory

from streetinfo.errors import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"bbox": "106.7,21.8,106.8"}, "bbox", "four numbers"),
        ({"bbox": "a,b,c,d"}, "bbox", "four numbers"),
        ({"bbox": "106.8,21.8,106.7,21.9"}, "bbox", "minimum not above its maximum"),
        ({"bbox": "nan,21,106,22"}, "bbox", "four numbers"),
        ({"bbox": "0,-91,1,0"}, "bbox", "between -90 and 90"),
        ({"kind": "castle"}, "kind", "Unknown kind “castle”"),
        ({"ranking": "world"}, "ranking", "Unknown ranking “world”"),
        ({"unit": "atlantis"}, "unit", "No commune or ward"),
        ({"near": "21.8"}, "near", "lat,lon"),
        ({"near": "inf,106"}, "near", "lat,lon"),
        ({"near": "106.7,21.8"}, "near", "between -90 and 90"),
        ({"near": "21.8,106.7", "radius": "1e9"}, "radius", "at most 50000 metres"),
        ({"near": "21.8,106.7", "radius": "0"}, "radius", "at least 1 metre"),
        ({"near": "21.8,106.7", "radius": "far"}, "radius", "in metres"),
        ({"radius": "100"}, "radius", "needs a point"),
        ({"updated_since": "yesterday"}, "updated_since", "2025-07-01"),
        ({"updated_since": "2025-02-30"}, "updated_since", "2025-07-01"),
        ({"updated_since": "0001-01-01T00:00:00+14:00"}, "updated_since", "2025-07-01"),
        ({"lang": "fr"}, "lang", "Unknown language “fr”"),
        ({"format": "xml"}, "format", "Unknown format “xml”"),
        ({"page": "0"}, "page", "whole number from 1"),
        ({"page": "two"}, "page", "whole number from 1"),
        ({"page_size": "1000"}, "page_size", "from 1 to 200"),
        ({"ordering": "colour"}, "ordering", ""),
        ({"ordering": "name,"}, "ordering", "empty item"),
        ({"bbox": ""}, "bbox", "empty"),
        ({"kind": ""}, "kind", "Unknown kind “”"),
        ({"updated_since": ""}, "updated_since", "empty"),
        ({"near": " "}, "near", "empty"),
        ({"q": "x" * 201}, "q", "200"),
        ({"q": "nul\x00byte"}, "q", ""),
        ({"unit": "05986\x00"}, "unit", "Null characters"),
        ({"slug": "a\x00"}, "slug", "Null characters"),
        ({"status": "secret"}, "status", ""),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, db, params, parameter, message):
    response = client.get("/api/v1/places/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [parameter]
    assert message in body["errors"][parameter][0]
    assert body["detail"].startswith(f"{parameter}: ")


@pytest.mark.parametrize("parameter", ["place", "person"])
@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808"])
def test_an_id_past_the_largest_is_a_400_naming_it(client, records, parameter, value):
    """On SQLite this overflowed its integers: a 500 (issue 13)."""
    response = client.get("/api/v1/plates/", {parameter: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]
    assert "9223372036854775807" in response.json()["errors"][parameter][0]
    largest = client.get("/api/v1/plates/", {parameter: "9223372036854775807"})
    assert largest.status_code == 200 and largest.json()["results"] == []


def test_a_page_past_the_end_is_a_404_with_a_message(client, records):
    response = client.get("/api/v1/places/", {"page": 99}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["detail"] == "This page number is past the last page."


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/places/0/",
        "/api/v1/places/99999999999999999999999/",
        "/api/v1/places/not-a-number/",
        "/api/v1/people/-1/",
        "/api/v1/units/abc/",
        "/api/v1/nothing-here/",
        "/api/v2/places/",
    ],
)
def test_an_unknown_address_is_a_json_404(client, db, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_method_the_endpoint_does_not_take_is_a_405(token_client, records):
    # Records are withdrawn, never deleted: a plate on a pole may still lead to them.
    response = token_client.delete(f"/api/v1/places/{records['street'].pk}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "DELETE" not in response["Allow"]


def test_an_accept_header_we_cannot_answer_is_a_406(client, db):
    response = client.get("/api/v1/places/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_an_address_without_its_final_slash_is_redirected(client, db):
    response = client.get("/api/v1/places")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/places/"


def test_api_root_redirects_to_the_docs(client):
    assert client.get("/api/")["Location"] == "/api/docs/"


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when PostgreSQL is unreachable (tests/test_outage.py stops a
    real one)."""

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    monkeypatch.setattr(connections["default"], "cursor", unreachable)


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("vi", "Dữ liệu mở tạm thời gián đoạn: không kết nối được cơ sở dữ liệu."),
        ("en", "The open data is briefly unavailable: its database cannot be reached."),
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/places/", "/api/v1/people/1/", "/api/v1/units/"])
def test_while_the_database_is_down_the_api_says_503_and_when_to_retry(
    records, database_down, language, detail, url
):
    """The API answered 500 during a database outage (issue 13)."""
    response = Client(raise_request_exception=False).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["code"]) == (503, "unavailable")
    assert body["detail"].startswith(detail) and "60" in body["detail"]


def test_a_failure_outside_the_api_views_is_still_its_json_error():
    request = RequestFactory().get("/api/v1/places/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert json.loads(response.content)["code"] == "unavailable"
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and json.loads(response.content)["code"] == "error"
