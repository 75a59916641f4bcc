"""Editors attach a recording per record and language in the admin: checked as strictly as a
photo, refused with a message in the editor's language and nothing saved, stored without its
tags; a change to it reaches the pages that show it. Walking routes get theirs the same way."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from edge.dependents import dependents
from sites import signals
from sites.models import AdminUnit, Narration, Relic, Route, Source, Status
from tests.audio import mp3_bytes, opus_bytes
from tests.conftest import MANAGEMENT_INPUT
from tests.sites.test_uploads import admin_client, current_values

pytestmark = pytest.mark.django_db


def relic_form(client, admin_form_data, relic: Relic, upload, language: str = "vi") -> dict:
    url = reverse("admin:sites_relic_change", args=[relic.pk])
    page = client.get(url).content.decode()
    return url, {
        **admin_form_data(url, {}),
        **current_values(page),
        "narrations-TOTAL_FORMS": "1",
        "narrations-0-language": language,
        "narrations-0-audio": upload,
    }


@pytest.fixture
def relic():
    return Relic.objects.create(
        name_vi="Ải Chi Lăng",
        body_vi="Một thung lũng hẹp.",
        unit=AdminUnit.objects.get(slug="phuong-tam-thanh"),
        status=Status.PUBLISHED,
    )


def test_an_editor_attaches_a_recording_kept_without_its_tags(staff_client, admin_form_data, relic):
    sent = SimpleUploadedFile("Chi Lăng (final).txt", mp3_bytes(4, tags=True), "text/plain")
    url, form = relic_form(staff_client, admin_form_data, relic, sent)
    response = staff_client.post(url, form)
    assert response.status_code == 302
    narration = relic.narrations.get()
    assert narration.language == "vi"
    assert narration.audio.name.endswith(".mp3")  # found in the content, not the name
    assert narration.seconds == pytest.approx(4, abs=0.1)
    with narration.audio.open("rb") as stored:
        assert stored.read() == mp3_bytes(4)
    assert narration.size == len(mp3_bytes(4))
    # The inline shows its length.
    assert "0:04" in staff_client.get(url).content.decode()


BAD = {
    "a picture": (
        b"\x89PNG\r\n\x1a\n" + bytes(3000),
        "This file is not a recording that can be played",
        "Tệp này không phải là bản ghi âm phát được",
    ),
    "too long": (
        mp3_bytes(700),
        "The recording lasts 11.6 minutes; the limit is 10 minutes.",
        "Bản ghi âm dài 11.6 phút; giới hạn là 10 phút.",
    ),
}


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_bad_recording_is_refused_in_the_editors_language_and_nothing_is_saved(
    staff, admin_form_data, relic, kind, language
):
    data, english, vietnamese = BAD[kind]
    client = admin_client(staff, language)
    before = relic.updated_at
    upload = SimpleUploadedFile("narration.mp3", data, "audio/mpeg")
    url, form = relic_form(client, admin_form_data, relic, upload)
    form["name_vi"] = "Ải Chi Lăng (sửa)"
    response = client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert (english if language == "en" else vietnamese) in html
    assert not Narration.objects.exists()
    relic.refresh_from_db()
    assert relic.name_vi == "Ải Chi Lăng" and relic.updated_at == before


def test_one_recording_per_record_and_language(staff_client, admin_form_data, relic):
    Narration.objects.create(place=relic, language="vi", audio=SimpleUploadedFile("a", mp3_bytes()))
    sent = SimpleUploadedFile("b.opus", opus_bytes())
    url, form = relic_form(staff_client, admin_form_data, relic, sent)
    form["narrations-INITIAL_FORMS"] = "0"
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert relic.narrations.count() == 1
    with pytest.raises(IntegrityError):
        Narration.objects.create(
            place=relic, language="vi", audio=SimpleUploadedFile("c", mp3_bytes())
        )


def test_a_change_to_a_recording_reaches_its_page_and_its_areas_pack(relic):
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance)

    signals.content_changed.connect(listener)
    try:
        narration = Narration.objects.create(
            place=relic, language="en", audio=SimpleUploadedFile("a", mp3_bytes())
        )
        narration.delete()
    finally:
        signals.content_changed.disconnect(listener)
    assert [type(row) for row in heard] == [Narration, Narration]
    found = dependents([narration])
    assert relic.get_absolute_url() in found.pages
    assert f"/vi/units/{relic.unit.slug}/offline.json" in found.pages


def test_an_editor_of_the_ward_attaches_one_and_the_record_goes_back_to_review(
    django_user_model, relic
):
    from django.contrib.auth.models import Group
    from django.test import Client

    from sites.models import EditorUnit

    user = django_user_model.objects.create_user("bientap", password="pw-x-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    EditorUnit.objects.create(user=user, unit=relic.unit)
    client = Client()
    client.force_login(user)
    url = reverse("admin:sites_relic_change", args=[relic.pk])
    page = client.get(url).content.decode()
    form = {
        **dict(MANAGEMENT_INPUT.findall(page)),
        **current_values(page),
        "narrations-TOTAL_FORMS": "1",
        "narrations-0-language": "vi",
        "narrations-0-audio": SimpleUploadedFile("x.mp3", mp3_bytes(2)),
    }
    response = client.post(url, form)
    assert response.status_code == 302
    assert relic.narrations.count() == 1
    # A published record an editor changed waits for a reviewer, its recording with it.
    relic.refresh_from_db()
    assert relic.status == Status.REVIEW


@pytest.fixture
def route():
    return Route.objects.create(
        title_vi="Đi bộ ở Tam Thanh", summary_vi="Ba danh thắng.", status=Status.PUBLISHED
    )


def test_a_route_gets_its_recording_in_its_admin_checked_as_a_records_is(
    staff_client, admin_form_data, route
):
    url = reverse("admin:sites_route_change", args=[route.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="narrations-TOTAL_FORMS"' in page

    def post(upload):
        form = {
            **admin_form_data(url, {}),
            **current_values(page),
            "stops-TOTAL_FORMS": "0",  # the route has none yet; no empty one either
            "narrations-TOTAL_FORMS": "1",
            "narrations-0-language": "vi",
            "narrations-0-audio": upload,
        }
        return staff_client.post(url, form)

    data, _english, vietnamese = BAD["a picture"]
    response = post(SimpleUploadedFile("walk.mp3", data, "audio/mpeg"))
    assert response.status_code == 200
    assert vietnamese in response.content.decode().replace("&#x27;", "'")
    assert not Narration.objects.exists()
    response = post(SimpleUploadedFile("Tam Thanh.txt", mp3_bytes(4, tags=True), "text/plain"))
    assert response.status_code == 302
    narration = route.narrations.get()
    assert (narration.owner, narration.place, narration.person) == (route, None, None)
    with narration.audio.open("rb") as stored:
        assert stored.read() == mp3_bytes(4)  # its tags removed
    assert "0:04" in staff_client.get(url).content.decode()
    # One per route and language; its page (and the packs of its areas) show it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Narration.objects.create(
            route=route, language="vi", audio=SimpleUploadedFile("c", mp3_bytes())
        )
    assert route.get_absolute_url() in dependents([narration]).pages


def test_a_recording_belongs_to_one_record_or_one_route(relic, route):
    with pytest.raises(IntegrityError), transaction.atomic():
        Narration.objects.create(
            route=route, place=relic, language="en", audio=SimpleUploadedFile("a", mp3_bytes())
        )
    with pytest.raises(TypeError):
        Source(title="Địa chí", owner=route)  # a route has no sources
