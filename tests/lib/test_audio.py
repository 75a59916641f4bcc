"""A recording is checked from its content, refused with a clear message when it is not audio a
phone plays or is too big or too long, and kept without its tags."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from lib.audio import check_audio
from tests.audio import m4a_bytes, mp3_bytes, opus_bytes


def upload(data: bytes, name: str = "recording.mp3") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_an_mp3_loses_its_id3_tags_and_keeps_its_sound():
    sent = mp3_bytes(3, tags=True)
    assert b"21.85 N" in sent and sent[:3] == b"ID3"
    audio = check_audio(upload(sent))
    assert audio.format == "mp3" and audio.extension == "mp3"
    assert audio.seconds == pytest.approx(3, abs=0.1)
    assert b"21.85 N" not in audio.data and b"Den Ky Cung" not in audio.data
    assert audio.data == mp3_bytes(3)  # exactly the frames, nothing else
    assert MP3(io.BytesIO(audio.data)).tags is None


def test_an_ogg_opus_loses_its_comments():
    audio = check_audio(upload(opus_bytes(2, tags=True), "x.opus"))
    assert audio.format == "opus" and audio.seconds == pytest.approx(2, abs=0.1)
    assert b"LOCATION" not in audio.data and b"TITLE" not in audio.data
    assert not OggOpus(io.BytesIO(audio.data)).tags.keys()


def test_an_m4a_loses_its_tags():
    sent = m4a_bytes(3, tags=True)
    assert b"21.85 N" in sent
    audio = check_audio(upload(sent, "x.m4a"))
    assert audio.format == "m4a" and audio.seconds == pytest.approx(3, abs=0.1)
    assert b"21.85 N" not in audio.data and "Kỳ".encode() not in audio.data
    assert not MP4(io.BytesIO(audio.data)).tags


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("video", "This file holds a video or more than sound: send the recording alone."),
        ("place", "This M4A file carries information about its recording that cannot be removed"),
    ],
)
def test_an_m4a_with_a_video_or_a_recording_place_is_refused(kind, message):
    # An iPhone writes where it recorded (QuickTime ©xyz), beside the tags mutagen removes.
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_audio(upload(m4a_bytes(3, **{kind: True}), "x.m4a"))
    assert message in refused.value.messages[0]


def test_the_format_is_found_in_the_content_not_the_name():
    assert check_audio(upload(mp3_bytes(), "narration.ogg")).extension == "mp3"
    assert check_audio(upload(opus_bytes(), "narration.mp3")).extension == "opus"
    assert check_audio(upload(m4a_bytes(), "narration.mp3")).extension == "m4a"


NOT_AUDIO = {
    "text": b"<html><script>alert(1)</script></html>" * 20,
    "picture": b"\x89PNG\r\n\x1a\n" + bytes(2000),
    "tag only": mp3_bytes(2, tags=True)[:1200],  # the ID3 block, then nothing
    "frame then noise": mp3_bytes(0.05) + bytes(range(256)) * 40,
    "ogg without audio": b"OggS" + bytes(500),
}


@pytest.mark.parametrize("kind", NOT_AUDIO)
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This file is not a recording that can be played"),
        ("vi", "Tệp này không phải là bản ghi âm phát được"),
    ],
)
def test_what_is_not_audio_is_refused_in_the_senders_language(kind, language, message):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        check_audio(upload(NOT_AUDIO[kind]))
    assert message in refused.value.messages[0]


def test_the_size_limit_is_a_setting(settings):
    settings.NARRATION_MAX_MB = 1
    big = upload(mp3_bytes(300))  # some 1.2 MB
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_audio(big)
    assert refused.value.code == "too_big"
    assert "the limit is 1 MB" in refused.value.messages[0]


def test_the_length_limit_is_a_setting(settings):
    settings.NARRATION_MAX_SECONDS = 60
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_audio(upload(mp3_bytes(90)))
    assert refused.value.code == "too_long"
    assert "lasts 1.5 minutes; the limit is 1 minutes" in refused.value.messages[0]
    assert check_audio(upload(mp3_bytes(50))).seconds == pytest.approx(50, abs=0.5)
