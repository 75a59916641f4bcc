"""/healthz and /readyz: what a load balancer or container runtime probes."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections
from django.test import Client

# A load balancer probes with the container's own address, which no ALLOWED_HOSTS lists.
CONTAINER_HOST = "10.0.3.7:8000"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/healthz/", "/readyz/"])
def test_probes_answer_200_and_are_never_cached(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_set_no_cookie_and_create_no_session(db, path):
    client = Client()
    before = Session.objects.count()
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert Session.objects.count() == before
    # The locale machinery never ran: no language negotiation shows in the answer.
    assert "Content-Language" not in response.headers
    assert "Vary" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_whatever_the_host_header(db, path):
    client = Client(HTTP_HOST=CONTAINER_HOST)
    assert client.get(path).status_code == 200
    # Everything else still refuses a host that is not allowed.
    assert client.get("/vi/").status_code == 400


def test_healthz_does_not_touch_the_database(db, django_assert_num_queries):
    with (
        mock.patch.object(
            connections["default"], "cursor", side_effect=OperationalError("down")
        ) as cursor,
        django_assert_num_queries(0),
    ):
        response = Client().get("/healthz")
    assert response.status_code == 200
    cursor.assert_not_called()


def test_readyz_is_503_with_the_reason_when_the_database_cannot_be_reached(db):
    refused = OperationalError(
        'connection to server at "10.0.0.5", port 5432 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?"
    )
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = Client(HTTP_HOST=CONTAINER_HOST).get("/readyz")
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database unreachable: ")
    assert "Connection refused" in body["reason"]
    assert "\n" not in body["reason"]


def test_readyz_answers_head_and_refuses_writes(db):
    client = Client()
    assert client.head("/readyz").status_code == 200
    response = client.post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
