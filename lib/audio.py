"""Audio uploads (a record's recorded narration), checked as strictly as photos (`lib.uploads`):
the format is found in the content, never in the file's name; a file that is not audio a phone
plays, that is too big or too long, is refused with a clear message in the sender's language;
and what is kept carries none of the tags a recorder or an editing program writes into a file
(ID3, APEv2, MP4 and Vorbis comments: a title, a name, a phone's make, sometimes a place).

Accepted: MP3, M4A (AAC) and Ogg (Opus or Vorbis), the formats phones record and play. The
parsing and the tag removal are mutagen's (a library that has read and written audio tags for
twenty years), not ours. `AudioField` is the model field: its form field checks the upload
(`check_audio`) and saving writes the checked, stripped bytes under a random name with the
extension of the format found (`stored_name`), as `PhotoField` does for pictures.

The limits are settings (`NARRATION_MAX_MB`, `NARRATION_MAX_SECONDS`)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from mutagen import MutagenError, apev2, id3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, Atoms
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from lib.uploads import AcceptsFormats

# The extension a stored file gets, and the type it is served as, by format.
FORMATS = {
    "mp3": ("mp3", "audio/mpeg"),
    "m4a": ("m4a", "audio/mp4"),
    "opus": ("opus", "audio/ogg"),
    "ogg": ("ogg", "audio/ogg"),
}
CONTENT_TYPES = dict(FORMATS.values())
ACCEPT = "audio/mpeg,audio/mp4,audio/x-m4a,audio/aac,audio/ogg,.mp3,.m4a,.ogg,.opus"


@dataclass(frozen=True)
class Audio:
    """A checked recording: its bytes without tags, its format and its length in seconds."""

    data: bytes
    format: str
    seconds: float

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]


def max_bytes() -> int:
    return settings.NARRATION_MAX_MB * 1024 * 1024


def not_audio() -> ValidationError:
    return ValidationError(
        _(
            "This file is not a recording that can be played. Send it as MP3, M4A (AAC) or "
            "Ogg (Opus or Vorbis)."
        ),
        code="invalid",
    )


def _read(upload: File) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _mp3(buffer: io.BytesIO) -> float:
    # Tags first: an ID3 block may hold anything, and MPEG frames are looked for after it.
    id3.delete(buffer, delete_v1=True, delete_v2=True)
    buffer.seek(0)
    apev2.delete(buffer)
    buffer.seek(0)
    audio = MP3(buffer)
    # "Sketchy": no frame at the start of the stream, only something that looked like one
    # further in (mutagen's own warning that the file may not be MPEG audio at all).
    if audio.info.sketchy:
        raise not_audio()
    return audio.info.length


def _mp4(buffer: io.BytesIO) -> float:
    audio = MP4(buffer)
    if not (audio.info.codec or "").startswith("mp4a"):
        raise not_audio()
    buffer.seek(0)
    atoms = Atoms(buffer)
    handlers = set()
    for track in atoms[b"moov"].findall(b"trak"):
        hdlr = track[b"mdia", b"hdlr"]
        buffer.seek(hdlr.offset + 16)
        handlers.add(buffer.read(4))
    if handlers - {b"soun"}:
        raise ValidationError(
            _("This file holds a video or more than sound: send the recording alone."),
            code="video",
        )
    buffer.seek(0)
    audio.delete(buffer)
    # What mutagen removes is the iTunes tag list; a QuickTime recorder may write other user
    # data beside it (a place, a device). Such a file is refused rather than kept with it.
    buffer.seek(0)
    moov = Atoms(buffer)[b"moov"]
    for udta in moov.findall(b"udta"):
        for child in udta.children or ():
            if child.name != b"meta":
                raise ValidationError(
                    _(
                        "This M4A file carries information about its recording that cannot be "
                        "removed: export it again as MP3."
                    ),
                    code="metadata",
                )
    return audio.info.length


def _ogg(buffer: io.BytesIO) -> tuple[str, float]:
    for kind, opener in (("opus", OggOpus), ("ogg", OggVorbis)):
        buffer.seek(0)
        try:
            audio = opener(buffer)
        except MutagenError:
            continue
        buffer.seek(0)
        audio.delete(buffer)
        return kind, audio.info.length
    raise not_audio()


def sniff(data: bytes) -> str | None:
    """The container the first bytes announce: "mp3", "m4a", "ogg", or None."""
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def check_audio(upload: File) -> Audio:
    """The recording in `upload`, checked and without its tags; raises ValidationError (in the
    active language) unless it is MP3, M4A (AAC) or Ogg (Opus or Vorbis) audio of at most
    NARRATION_MAX_MB and NARRATION_MAX_SECONDS. Nothing is parsed before the size is known to be
    within the limit."""
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _(
                "The recording is %(size)s MB; the limit is %(limit)s MB. Send a shorter or "
                "more compressed copy."
            )
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": settings.NARRATION_MAX_MB},
            code="too_big",
        )
    data = _read(upload)
    container = sniff(data)
    if container is None:
        raise not_audio()
    buffer = io.BytesIO(data)
    try:
        if container == "mp3":
            kind, seconds = "mp3", _mp3(buffer)
        elif container == "m4a":
            kind, seconds = "m4a", _mp4(buffer)
        else:
            kind, seconds = _ogg(buffer)
    except ValidationError:
        raise
    except (MutagenError, KeyError, ValueError, IndexError, EOFError, OSError) as error:
        raise not_audio() from error
    if not seconds or seconds <= 0:
        raise not_audio()
    if seconds > settings.NARRATION_MAX_SECONDS:
        raise ValidationError(
            _("The recording lasts %(minutes)s minutes; the limit is %(limit)s minutes.")
            % {
                "minutes": f"{round(seconds / 60, 1):g}",
                "limit": f"{round(settings.NARRATION_MAX_SECONDS / 60, 1):g}",
            },
            code="too_long",
        )
    return Audio(data=buffer.getvalue(), format=kind, seconds=round(seconds, 1))


def stored_name(audio: Audio) -> str:
    """A random name with the extension of the format found: nothing the sender chose reaches
    storage."""
    return f"{uuid.uuid4().hex}.{audio.extension}"


def content_type(name: str) -> str:
    """The type a stored recording is served as, from the extension we gave it."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")


# --- fields ------------------------------------------------------------------------------------


class AudioFormField(AcceptsFormats, forms.FileField):
    """A recording checked by check_audio; the checked bytes travel with the upload."""

    accept = ACCEPT

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        upload._audio = check_audio(upload)
        return upload


def checked(upload: File) -> Audio:
    """The upload's checked recording: the form's check, or one made now (and kept on the
    upload) when the file came another way."""
    for holder in (upload, getattr(upload, "file", None)):
        audio = getattr(holder, "_audio", None)
        if audio is not None:
            return audio
    upload._audio = check_audio(upload)
    return upload._audio


def validate_new_audio(value: File) -> None:
    """Model validation of a file not yet saved (one already stored was checked then)."""
    if value and not getattr(value, "_committed", True):
        checked(value)


class AudioFieldFile(FieldFile):
    def save(self, name: str, content: File, save: bool = True) -> None:
        """Every way a recording reaches storage passes here: what is written is the checked
        bytes without tags, under our name (`stored_name`), never the sender's."""
        audio = checked(content)
        # What was found is kept on the row, as ImageField keeps a picture's size.
        for field, value in (
            (self.field.seconds_field, audio.seconds),
            (self.field.size_field, len(audio.data)),
        ):
            if field:
                setattr(self.instance, field, value)
        super().save(stored_name(audio), ContentFile(audio.data), save=save)


class AudioField(models.FileField):
    """A file field whose uploads are checked (check_audio) and stored without their tags,
    however they arrive: a form, a service, code. `seconds_field` and `size_field` name the
    model's fields that receive the recording's length and its stored size."""

    attr_class = AudioFieldFile
    default_validators = [validate_new_audio]

    def __init__(self, *args, seconds_field: str = "", size_field: str = "", **kwargs):
        self.seconds_field, self.size_field = seconds_field, size_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for option in ("seconds_field", "size_field"):
            if getattr(self, option):
                kwargs[option] = getattr(self, option)
        return name, path, args, kwargs

    def formfield(self, **kwargs) -> forms.Field:
        return super().formfield(**{"form_class": AudioFormField, **kwargs})
