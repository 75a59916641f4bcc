"""A request may send only so much: a longer body is refused with 413, in the sender's language,
before any of it is read (nothing written to disk, nothing saved)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sites.models import Status, Street, Suggestion

pytestmark = pytest.mark.django_db

BOUNDARY = "streetinfo-test-boundary"


class Body:
    """A multipart body with one photo of `size` bytes, made as it is read, that counts how much
    of it was read: what a phone (or a script) sends, without holding it in memory."""

    def __init__(self, size: int) -> None:
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="photo"; filename="IMG_0001.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + size + len(self.tail)
        self.read_so_far = 0

    def read(self, count: int = -1) -> bytes:
        start = self.read_so_far
        end = self.size if count is None or count < 0 else min(self.size, start + count)
        self.read_so_far = end
        photo, tail = len(self.head), self.size - len(self.tail)
        return (
            self.head[start : min(end, photo)]
            + b"\0" * max(0, min(end, tail) - max(start, photo))
            + self.tail[max(start, tail) - tail : max(end, tail) - tail]
        )

    def readline(self, count: int = -1) -> bytes:
        line = bytearray()
        while self.read_so_far < self.size and (count < 0 or len(line) < count):
            line += self.read(1)
            if line.endswith(b"\n"):
                break
        return bytes(line)


def post(client: Client, url: str, body: Body, **headers) -> object:
    return client.generic(
        "POST",
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.size),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            **headers,
        },
    )


@pytest.fixture
def street(db) -> Street:
    return Street.objects.create(name_vi="Phố Thử Giới Hạn", status=Status.PUBLISHED)


def test_the_test_body_is_what_it_says():
    body = Body(10)
    whole = body.read()
    assert len(whole) == body.size and whole.startswith(body.head) and whole.endswith(body.tail)
    assert b"\0" * 10 in whole


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Bạn đã gửi 25,0 MB; cổng thông tin chỉ nhận tối đa 20 MB mỗi lần."),
        ("en", "You sent 25.0 MB; the portal accepts at most 20 MB at a time."),
    ],
)
def test_a_visitor_sending_too_much_is_refused_before_any_of_it_is_read(street, language, message):
    """A 300 MB anonymous POST was written to disk in full before the photo's 10 MB check
    (issue 13)."""
    with translation.override(language):
        url = reverse("workflow:suggest", args=["place", street.pk])
    body = Body(25 * 1024 * 1024)
    response = post(Client(), url, body)
    assert response.status_code == 413
    assert body.read_so_far == 0
    assert message in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert not Suggestion.objects.exists()


def test_a_photo_a_little_over_the_photo_limit_still_reaches_the_form(street):
    """The form says what is wrong in its own words (the photo's size and limit)."""
    url = reverse("workflow:suggest", args=["place", street.pk])
    body = Body(12 * 1024 * 1024)
    response = post(Client(), url, body)
    assert response.status_code == 200 and body.read_so_far == body.size
    assert "giới hạn là 10 MB" in response.content.decode()


def test_staff_may_send_more_and_still_only_so_much(street, staff, settings):
    settings.MAX_REQUEST_BODY_MB = 1
    settings.MAX_STAFF_REQUEST_BODY_MB = 2
    url = reverse("admin:sites_person_add")
    editor = Client()
    editor.force_login(staff)
    within = Body(1536 * 1024)
    assert post(editor, url, within).status_code != 413
    assert within.read_so_far == within.size
    assert post(Client(), url, Body(1536 * 1024)).status_code == 413  # not signed in
    beyond = Body(3 * 1024 * 1024)
    assert post(editor, url, beyond).status_code == 413 and beyond.read_so_far == 0


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("vi", "Yêu cầu nặng 25.0 MB; chỉ nhận tối đa 20 MB."),
        ("en", "The request is 25.0 MB; at most 20 MB is accepted."),
    ],
)
def test_the_api_refuses_a_long_body_with_its_json_error(db, language, detail):
    body = Body(25 * 1024 * 1024)
    response = post(Client(), "/api/v1/places/", body, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413 and body.read_so_far == 0
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": 413, "code": "too_large", "detail": detail}
