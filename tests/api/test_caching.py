"""Shared caches (a CDN, a proxy) may keep anonymous API answers, one copy per address; a staff
answer is never stored by one, so it can never reach the public."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def shared_cache_may_store(request_headers: dict, response) -> bool:
    """RFC 9111 §3 and §3.5, as a shared cache applies them to a 200."""
    cc = directives(response)
    if "no-store" in cc or "private" in cc:
        return False
    if "authorization" in {name.lower() for name in request_headers}:
        return bool(cc & {"public", "must-revalidate"}) or any(d.startswith("s-maxage") for d in cc)
    return "public" in cc or any(d.startswith(("max-age", "s-maxage")) for d in cc)


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/places/?lang=vi",
        "/api/v1/places/?lang=en&format=geojson",
        "/api/v1/people/?lang=all&format=csv",
        "/api/catalog.jsonld",
        "/api/bulk/units.zip",
    ],
)
def test_anonymous_answers_are_public_and_one_copy_per_address(client, records, address):
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8,vi;q=0.5")
    assert response.status_code == 200
    assert {"public", "max-age=300", "s-maxage=300"} <= directives(response)
    # Nothing a browser makes unique: no Cookie, no Accept-Language (the address decides).
    assert not vary(response) & {"cookie", "accept-language"}
    assert shared_cache_may_store({}, response)


def test_a_language_from_accept_language_is_kept_by_browsers_only(client, records):
    response = client.get("/api/v1/places/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert response["Content-Language"] == "en"
    assert directives(response) == {"private", "max-age=300"}
    assert not shared_cache_may_store({}, response)


def test_the_same_304_keeps_the_public_policy(client, records):
    first = client.get("/api/v1/places/?lang=vi")
    again = client.get("/api/v1/places/?lang=vi", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "public" in directives(again)


def test_a_staff_tokens_answer_is_never_stored_by_a_shared_cache(token_client, records):
    headers = {"Authorization": "Token …"}
    for address in (
        "/api/v1/places/?lang=vi&status=draft",
        f"/api/v1/places/{records['draft'].pk}/?lang=vi",
        "/api/catalog.jsonld",
        "/api/bulk/places.zip",
    ):
        response = token_client.get(address)
        assert response.status_code == 200, address
        assert directives(response) == {"private", "no-store"}, address
        assert not shared_cache_may_store(headers, response)
    draft = token_client.get(f"/api/v1/places/{records['draft'].pk}/?lang=vi")
    assert draft.json()["name"] == "Đền Nháp Kỳ Cùng"


def test_a_signed_in_staff_members_answer_is_private_too(admin_client, records):
    response = admin_client.get("/api/v1/places/?lang=vi&status=draft")
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}


def test_the_public_copy_never_answers_a_token(client, records):
    """The anonymous copy varies on Authorization, which anonymous clients never send: a cache
    asks the app again for a request with a token."""
    response = client.get("/api/v1/places/?lang=vi")
    assert "authorization" in vary(response)


def test_errors_and_throttled_answers_are_not_stored(client, records, settings):
    assert directives(client.get("/api/v1/places/?lang=vi&kind=castle")) == {"no-store"}
    assert directives(client.get("/api/v1/places/999999/?lang=vi")) == {"no-store"}


def test_writes_carry_no_public_policy(token_client, records):
    response = token_client.patch(
        f"/api/v1/places/{records['temple'].pk}/",
        {"summary": {"en": "A temple by the Kỳ Cùng river."}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_an_anonymous_visitor_with_a_stale_session_cookie_gets_a_private_answer(records):
    browser = Client()
    browser.cookies["sessionid"] = "not-a-session"
    response = browser.get("/api/v1/places/?lang=vi")
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}
