"""Recorded narration on the public side: a player on the page that downloads nothing until it is
played, the recording served (in ranges) only while its record is published, in the area's
offline pack within its budget, and in the API; a walking route's the same way."""

import re

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.utils import translation

from sites.models import (
    AdminUnit,
    Narration,
    Person,
    Relic,
    Route,
    RouteStop,
    ScenicSpot,
    Status,
)
from tests.audio import mp3_bytes, opus_bytes

pytestmark = pytest.mark.django_db

PUBLISHED = Status.PUBLISHED


def narrate(owner, language: str = "vi", data: bytes | None = None) -> Narration:
    narration = Narration(language=language)
    narration.owner = owner
    narration.audio.save("sent-by-an-editor.mp3", ContentFile(data or mp3_bytes(3)), save=False)
    narration.save()
    return narration


@pytest.fixture
def relic():
    return Relic.objects.create(
        name_vi="Đền Kỳ Cùng",
        summary_vi="Đền thờ bên sông Kỳ Cùng.",
        body_vi="Đoạn thứ nhất.\n\nĐoạn thứ hai.",
        unit=AdminUnit.objects.get(slug="phuong-tam-thanh"),
        status=PUBLISHED,
    )


def test_the_page_has_a_player_that_downloads_nothing_until_played(client, relic):
    narration = narrate(relic)
    html = client.get(relic.get_absolute_url()).content.decode()
    player = re.search(r"<audio[^>]*>.*?</audio>", html, re.S).group(0)
    assert player.startswith('<audio controls preload="none">')
    assert f'<source src="{narration.url}" type="audio/mpeg">' in player
    assert "(0:03)" in html
    assert "Nội dung trang này là lời của bản ghi âm." in html  # the text is its transcript
    # The Listen button is there, hidden until the phone's voices are known, and says what
    # it reads: the title, the notes, the summary and the text, not the menus or the footer.
    button = re.search(r'<button type="button" class="btn listen-button"[^>]*>', html).group(0)
    assert " hidden " in button and 'aria-pressed="false"' in button
    assert 'data-listen="main h1, main .note, main .lead, main .text"' in button
    assert '<div class="text"><p>Đoạn thứ nhất.</p>' in html


def test_the_recording_is_served_with_ranges_and_without_its_tags(client, relic):
    narration = narrate(relic, data=mp3_bytes(3, tags=True))
    whole = client.get(narration.url, HTTP_ACCEPT_ENCODING="gzip")
    assert whole.status_code == 200
    assert whole["Content-Type"] == "audio/mpeg"
    assert whole["Accept-Ranges"] == "bytes"
    assert "Content-Encoding" not in whole
    body = b"".join(whole.streaming_content)
    assert body == mp3_bytes(3)  # the tags were removed before the file was stored
    part = client.get(narration.url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(body)}"
    assert part.content == body[100:200]
    tail = client.get(narration.url, HTTP_RANGE="bytes=-10")
    assert tail.content == body[-10:]
    assert client.get(narration.url, HTTP_RANGE=f"bytes={len(body)}-").status_code == 416
    # Stored under a name of ours, with the extension of the format found in it.
    assert re.fullmatch(r"narration/[0-9a-f]{32}\.mp3", narration.audio.name)
    assert narration.audio.name not in narration.url


def test_a_withdrawn_records_recording_goes_with_its_page(client, relic):
    narration = narrate(relic)
    assert client.get(narration.url).status_code == 200
    relic.status = Status.WITHDRAWN
    relic.save()
    assert client.get(narration.url).status_code == 404
    relic.status = Status.REVIEW
    relic.save()
    assert client.get(narration.url).status_code == 404


def test_an_address_that_does_not_name_the_stored_file_is_not_served(client, relic):
    narration = narrate(relic)
    assert client.get(narration.url.replace(".mp3", ".ogg")).status_code == 404
    pk = narration.pk
    assert client.get(f"/narration/{pk}-000000000000.mp3").status_code == 404


def test_a_persons_page_plays_their_recording_too(client):
    person = Person.objects.create(
        name_vi="Ngô Thì Sĩ", biography_vi="Đốc trấn Lạng Sơn.", status=PUBLISHED
    )
    narration = narrate(person, data=opus_bytes(2))
    html = client.get(person.get_absolute_url()).content.decode()
    assert f'<source src="{narration.url}" type="audio/ogg">' in html


def test_the_recording_offered_is_in_the_language_the_text_is_shown_in(
    client, relic, django_capture_on_commit_callbacks
):
    vietnamese = narrate(relic, "vi")
    with translation.override("en"):
        url = relic.get_absolute_url()
    # No English text yet: the page shows the Vietnamese text, and its recording, marked so.
    html = client.get(url).content.decode()
    assert vietnamese.url in html
    assert '<audio controls preload="none" lang="vi">' in html
    # With English text but no English recording, no recording is offered: the text on the
    # page would not be its transcript.
    relic.name_en, relic.summary_en, relic.body_en = "Kỳ Cùng Temple", "A temple.", "Text."
    # As in production, the page cache's copy is replaced once the save commits.
    with django_capture_on_commit_callbacks(execute=True):
        relic.save()
    assert vietnamese.url not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        english = narrate(relic, "en")
    html = client.get(url).content.decode()
    assert english.url in html and '<audio controls preload="none">' in html


def test_the_offline_pack_holds_narration_within_its_budget(client, relic, settings):
    cave = ScenicSpot.objects.create(name_vi="Động Tam Thanh", unit=relic.unit, status=PUBLISHED)
    small = narrate(relic, data=mp3_bytes(3))
    large = narrate(cave, data=mp3_bytes(200))  # some 0.8 MB
    settings.OFFLINE_NARRATION_MB = 1
    data = client.get("/vi/units/phuong-tam-thanh/offline.json").json()
    assert sorted(data["audio"]) == sorted([small.url, large.url])
    settings.OFFLINE_NARRATION_MB = 0
    caches[settings.PAGE_CACHE_ALIAS].clear()  # the page cache hears nothing of a setting
    assert client.get("/vi/units/phuong-tam-thanh/offline.json").json()["audio"] == []
    # The English pack: the English pages show the Vietnamese text, hence its recording.
    settings.OFFLINE_NARRATION_MB = 1
    data = client.get("/en/units/phuong-tam-thanh/offline.json").json()
    assert sorted(data["audio"]) == sorted([small.url, large.url])
    relic.status = Status.WITHDRAWN
    relic.save()
    data = client.get("/vi/units/phuong-tam-thanh/offline.json").json()
    assert data["audio"] == [large.url]


def test_the_api_lists_a_records_recordings(client, relic, settings):
    narration = narrate(relic)
    data = client.get(f"/api/v1/places/{relic.pk}/").json()
    assert data["narration"] == [
        {
            "language": "vi",
            "url": settings.PUBLIC_BASE_URL + narration.url,
            "content_type": "audio/mpeg",
            "seconds": 3.0,
        }
    ]


@pytest.fixture
def route(relic):
    route = Route.objects.create(
        title_vi="Đi bộ bên sông Kỳ Cùng",
        summary_vi="Từ đền Kỳ Cùng, dọc bờ sông.",
        status=PUBLISHED,
    )
    RouteStop.objects.create(route=route, place=relic, position=1)
    return route


def test_a_routes_page_plays_its_recording_served_only_while_it_is_published(
    client, route, django_capture_on_commit_callbacks
):
    narration = narrate(route, data=mp3_bytes(5, tags=True))
    html = client.get(route.get_absolute_url()).content.decode()
    player = re.search(r"<audio[^>]*>.*?</audio>", html, re.S).group(0)
    assert player.startswith('<audio controls preload="none">')
    assert f'<source src="{narration.url}" type="audio/mpeg">' in player
    assert "(0:05)" in html
    served = client.get(narration.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == mp3_bytes(5)  # without its tags
    assert client.get(narration.url, HTTP_RANGE="bytes=0-9").status_code == 206
    # Withdrawn, or back in review, the route's recording goes with its page.
    for status in (Status.WITHDRAWN, Status.REVIEW):
        with django_capture_on_commit_callbacks(execute=True):
            route.status = status
            route.save()
        assert client.get(narration.url).status_code == 404
    assert client.get(route.get_absolute_url()).status_code == 404


def test_a_routes_english_page_offers_the_recording_of_the_text_it_shows(
    client, route, django_capture_on_commit_callbacks
):
    vietnamese = narrate(route, "vi")
    with translation.override("en"):
        url = route.get_absolute_url()
    # No English title yet: the page shows the Vietnamese text, hence its recording.
    assert '<audio controls preload="none" lang="vi">' in client.get(url).content.decode()
    route.title_en, route.summary_en = "A walk by the Kỳ Cùng", "From the temple."
    with django_capture_on_commit_callbacks(execute=True):
        route.save()
    html = client.get(url).content.decode()
    assert vietnamese.url not in html and "<audio" not in html


def test_the_offline_pack_holds_a_routes_recording_after_its_places_within_the_budget(
    client, relic, route, settings, django_capture_on_commit_callbacks
):
    place_recording = narrate(relic, data=mp3_bytes(100))  # some 0.4 MB
    route_recording = narrate(route, data=mp3_bytes(3))
    settings.OFFLINE_NARRATION_MB = 1
    data = client.get("/vi/units/phuong-tam-thanh/offline.json").json()
    assert route.get_absolute_url() in data["pages"]
    assert data["audio"] == [place_recording.url, route_recording.url]
    # A route recording too large for what the places leave is left out.
    with django_capture_on_commit_callbacks(execute=True):
        route_recording.delete()
        too_large = narrate(route, data=mp3_bytes(200))  # some 0.8 MB
    data = client.get("/vi/units/phuong-tam-thanh/offline.json").json()
    assert data["audio"] == [place_recording.url]
    assert too_large.url not in data["audio"]
    # A withdrawn route is in no pack, nor its recording.
    settings.OFFLINE_NARRATION_MB = 2
    caches[settings.PAGE_CACHE_ALIAS].clear()
    assert client.get("/vi/units/phuong-tam-thanh/offline.json").json()["audio"] == [
        place_recording.url,
        too_large.url,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        route.status = Status.WITHDRAWN
        route.save()
    data = client.get("/vi/units/phuong-tam-thanh/offline.json").json()
    assert data["audio"] == [place_recording.url]


def test_the_api_lists_a_routes_recordings(client, route, settings):
    narration = narrate(route)
    data = client.get(f"/api/v1/routes/{route.slug}/").json()
    assert data["narration"] == [
        {
            "language": "vi",
            "url": settings.PUBLIC_BASE_URL + narration.url,
            "content_type": "audio/mpeg",
            "seconds": 3.0,
        }
    ]
    listed = client.get("/api/v1/routes/").json()["results"]
    assert listed[0]["narration"] == data["narration"]
