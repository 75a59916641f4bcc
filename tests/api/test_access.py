"""Throttling of anonymous clients, and CORS open to reads only."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/places/"
ELSEWHERE = "https://maps.example.org"


def test_anonymous_clients_are_throttled_with_a_retry_after(client, db, settings):
    settings.API_THROTTLE_ANON = "3/minute"
    assert [client.get(PLACES).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(PLACES, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith("Too many requests: try again in ")


def test_whole_list_exports_have_their_own_smaller_allowance(client, db, settings):
    settings.API_THROTTLE_EXPORT = "2/minute"
    for _ in range(2):
        assert client.get(PLACES, {"format": "csv"}).status_code == 200
    assert client.get(PLACES, {"format": "geojson"}).status_code == 429
    assert client.get(PLACES).status_code == 200


def test_throttling_counts_each_address_apart(db, settings):
    settings.API_THROTTLE_ANON = "1/minute"
    assert Client(REMOTE_ADDR="203.0.113.1").get(PLACES).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.2").get(PLACES).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.1").get(PLACES).status_code == 429


def test_staff_tokens_have_their_own_larger_allowance(token_client, settings):
    settings.API_THROTTLE_ANON = "1/minute"
    settings.API_THROTTLE_STAFF = "5/minute"
    assert [token_client.get(PLACES).status_code for _ in range(5)] == [200] * 5
    assert token_client.get(PLACES).status_code == 429


def test_any_site_may_read_the_api(client, records):
    response = client.get(PLACES, HTTP_ORIGIN=ELSEWHERE)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "Content-Language" in response["Access-Control-Expose-Headers"]


def test_a_preflight_for_a_read_is_allowed(client, db):
    response = client.options(
        PLACES, HTTP_ORIGIN=ELSEWHERE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_preflight_for_a_write_is_not_blessed(client, db):
    response = client.options(
        PLACES,
        HTTP_ORIGIN=ELSEWHERE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    # The browser compares what it wants with what is allowed, and sends nothing.
    assert "POST" not in response["Access-Control-Allow-Methods"]
    assert "authorization" not in response["Access-Control-Allow-Headers"]


def test_a_cross_origin_write_gets_no_cors_header(token_client):
    response = token_client.post(
        PLACES, {"kind": "street"}, content_type="application/json", HTTP_ORIGIN=ELSEWHERE
    )
    assert "Access-Control-Allow-Origin" not in response


def test_public_pages_and_the_admin_are_not_opened_to_other_sites(client, db):
    for url in ("/vi/", "/admin/login/"):
        assert "Access-Control-Allow-Origin" not in client.get(url, HTTP_ORIGIN=ELSEWHERE)


def test_a_forged_forwarded_address_does_not_escape_the_throttle(db, settings):
    """Behind one proxy (NUM_PROXIES=1), a client that reaches the app server itself and
    writes a new X-Forwarded-For on every request used to get all 400 of 400 requests."""
    settings.NUM_PROXIES = 1
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    settings.API_THROTTLE_ANON = "3/minute"
    answers = [
        Client(REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .get(PLACES)
        .status_code
        for n in range(6)
    ]
    assert answers == [200, 200, 200, 429, 429, 429]
    # Through the proxy, each visitor has their own allowance.
    via_proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert via_proxy.get(PLACES).status_code == 200
