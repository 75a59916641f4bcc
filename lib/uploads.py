"""Image uploads, wherever they come from (the admin's photos and portraits, a visitor's
suggested photo, an installer's photo of the plate): checked by Pillow before they are kept, so
a renamed file, a truncated upload, an SVG or a decompression bomb is refused with a clear message
in the sender's language; and stored without the metadata a phone writes into a photo (the GPS
position it was taken at, often the sender's home, the phone's make and serial, the time).

`PhotoField` is the model field for every image: its form field checks the upload
(`validate_photo`), and saving strips the metadata (`strip_metadata`) before the file is written,
so the original served from /media/ and through the API carries none either. The metadata is cut
out of the file, not re-encoded: the picture keeps its quality; only its orientation survives,
so a photo taken sideways still shows upright.

The stored file is named by us, never by the sender: a random name with the extension of the
format Pillow found in the content (`stored_name`). A picture may hold anything in its palette or
its pixels, HTML included; under a name ending in `.html` the web server would serve it as a page
of the portal's own origin. docs/operations.md has the web server's side (`/media/` serves only
pictures as pictures, with `nosniff` and a sandboxing Content-Security-Policy)."""

from __future__ import annotations

import io
import re
import struct
import uuid
import warnings
import zlib

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than any phone camera; a bigger image is a bomb, not a photo.
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG some phones write
# The extension a stored photo gets from its format (an MPO is served as the JPEG it starts with).
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
# What a file Pillow cannot read is stored as (only code can save one: every form checks first):
# a download, never a page or a picture.
UNKNOWN_EXTENSION = "bin"
ACCEPT = "image/jpeg,image/png,image/webp"
# The file's own first bytes, and the names a vector drawing arrives under.
SVG_SIGNS = (b"<svg", b"<?xml", b"<!doctype svg")


def looks_like_svg(upload: File) -> bool:
    name = (getattr(upload, "name", "") or "").lower()
    content_type = (getattr(upload, "content_type", "") or "").lower()
    if name.endswith((".svg", ".svgz")) or "svg" in content_type:
        return True
    upload.seek(0)
    head = upload.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    upload.seek(0)
    return head.startswith(SVG_SIGNS) or b"<svg" in head


def too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = MAX_PHOTO_PIXELS // 1_000_000
    if width is None:
        return ValidationError(
            _("The image has too many pixels; the limit is %(limit)s megapixels.")
            % {"limit": limit},
            code="too_many_pixels",
        )
    return ValidationError(
        _(
            "The image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. "
            "Send a smaller copy."
        )
        % {"width": width, "height": height, "limit": limit},
        code="too_many_pixels",
    )


def validate_photo(photo: File) -> None:
    """Raises ValidationError (in the active language) unless `photo` is a JPEG, PNG or WebP
    image of at most MAX_PHOTO_BYTES and MAX_PHOTO_PIXELS that decodes completely. Nothing is
    decoded before the size and the pixel count are known to be within the limits."""
    if looks_like_svg(photo):
        raise ValidationError(
            _("SVG drawings are not accepted: send a photo in JPEG, PNG or WebP format."),
            code="svg",
        )
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB. Send a smaller copy.")
            % {"size": round(photo.size / 1024 / 1024, 1), "limit": MAX_PHOTO_BYTES >> 20},
            code="too_big",
        )
    not_a_photo = ValidationError(_("This file is not a photo that can be opened."), code="invalid")
    try:
        with warnings.catch_warnings():
            # Pillow warns past 89 megapixels and refuses past 179: both are bombs here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            photo.seek(0)
            with Image.open(photo) as image:
                width, height = image.size
                if image.format not in PHOTO_FORMATS:
                    raise ValidationError(
                        _("Send a photo in JPEG, PNG or WebP format."), code="format"
                    )
                if width * height > MAX_PHOTO_PIXELS:
                    raise too_many_pixels(width, height)
                image.verify()
            # verify() reads the structure; decoding (reduced, for JPEG) finds truncated data.
            photo.seek(0)
            with Image.open(photo) as image:
                image.draft("RGB", (1024, 1024))
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as error:
        raise not_a_photo from error
    finally:
        photo.seek(0)


# --- metadata ----------------------------------------------------------------------------------


def orientation_exif(data: bytes) -> bytes | None:
    """A minimal EXIF block (TIFF data) holding only the picture's orientation, when it is not
    the default; None otherwise."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # unreadable metadata: nothing worth keeping
        return None
    if orientation in (None, 1) or not isinstance(orientation, int):
        return None
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif.tobytes()[len(b"Exif\x00\x00") :]


# JPEG segments that are the picture or tell how to show it; every other APPn (EXIF, XMP, IPTC,
# maker notes, MPF), COM and anything after the first image is metadata.
_KEEP_APP = {0xE0: b"JFIF", 0xE2: b"ICC_PROFILE", 0xEE: b"Adobe"}


def _strip_jpeg(data: bytes) -> bytes:
    exif = orientation_exif(data)
    pending = None
    if exif:
        payload = b"Exif\x00\x00" + exif
        pending = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    out = bytearray(b"\xff\xd8")
    i = 2
    while i < len(data) - 1:
        if data[i] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:  # end of the (first) image: what follows is other pictures, trailers
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[i : i + 2]
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        end = i + 2 + length
        segment = data[i:end]
        if pending and not (marker == 0xE0 and segment[4:8] == b"JFIF"):
            # The orientation goes after the JFIF header, which must come first.
            out += pending
            pending = None
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            sign = _KEEP_APP.get(marker)
            if sign and segment[4 : 4 + len(sign)] == sign:
                out += segment
        else:
            out += segment
        i = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            found = _NEXT_MARKER.search(data, end)
            i = found.start() if found else len(data) - 1
            out += data[end:i]
    raise ValueError("no end of image")


# In entropy-coded data, 0xFF is followed by 0x00 (a stuffed byte) or a restart marker; any other
# byte after it is the next segment's marker. Searched for by the regular expression engine, in
# C: a Python loop over the bytes of an 8.8 MB photo took a second.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The picture, its colours and its animation; text, EXIF, time stamps and the rest go.
_PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"cICP",
    b"sBIT",
    b"bKGD",
    b"pHYs",
    b"acTL",
    b"fcTL",
    b"fdAT",
}


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _strip_png(data: bytes) -> bytes:
    exif = orientation_exif(data)
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if kind in _PNG_KEEP:
            out += data[i:end]
        if kind == b"IHDR" and exif:
            out += _png_chunk(b"eXIf", exif)
        i = end
        if kind == b"IEND":
            return bytes(out)
    raise ValueError("no IEND")


def _strip_webp(data: bytes) -> bytes:
    chunks = []
    i = 12
    while i + 8 <= len(data):
        kind = data[i : i + 4]
        (length,) = struct.unpack("<I", data[i + 4 : i + 8])
        end = i + 8 + length + (length & 1)
        chunks.append([kind, data[i + 8 : i + 8 + length]])
        i = end
    if not chunks or chunks[0][0] != b"VP8X":
        return data  # the simple format holds no metadata
    exif = orientation_exif(data)
    kept = [chunk for chunk in chunks if chunk[0] not in (b"EXIF", b"XMP ")]
    flags = kept[0][1][0] & ~0x0C  # EXIF (0x08) and XMP (0x04) flags off
    if exif:
        kept.append([b"EXIF", exif])
        flags |= 0x08
    kept[0][1] = bytes([flags]) + kept[0][1][1:]
    body = b"".join(
        kind + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")
        for kind, payload in kept
    )
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def _reencode(data: bytes) -> bytes:
    """The last resort for a file whose structure the above could not follow: the picture
    drawn again, upright, with nothing else."""
    from PIL import ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        fmt = "JPEG" if opened.format == "MPO" else opened.format
        image = ImageOps.exif_transpose(opened)
        buffer = io.BytesIO()
        options = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
        if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(buffer, fmt, icc_profile=opened.info.get("icc_profile"), **options)
    return buffer.getvalue()


def strip_metadata(data: bytes) -> bytes:
    """The same picture without EXIF (GPS position, camera, time), XMP, IPTC, comments, text
    chunks or appended pictures, keeping only the orientation and the colour profile. Bytes
    that are not JPEG, PNG or WebP are returned as they are."""
    if data.startswith(b"\xff\xd8"):
        strip = _strip_jpeg
    elif data.startswith(_PNG_SIGNATURE):
        strip = _strip_png
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        strip = _strip_webp
    else:
        return data
    try:
        stripped = strip(data)
        # The picture's data is copied as it is, never decoded: the file Pillow reads back must
        # have the same size and colours. (Decoding it again took longer than all the rest.)
        with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(stripped)) as after:
            if (after.size, after.mode) != (before.size, before.mode):
                raise ValueError("the picture changed")
    except (ValueError, OSError, struct.error, IndexError, SyntaxError):
        return _reencode(data)
    return stripped


def stored_name(data: bytes) -> str:
    """The name a photo is stored under: random (a suggested photo waits for moderation at an
    address nobody can guess) with the extension of the format found in `data`. Nothing the
    sender chose, neither the name nor the extension, reaches storage."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            extension = EXTENSIONS.get(image.format or "", UNKNOWN_EXTENSION)
    except (OSError, SyntaxError, ValueError, struct.error, EOFError):
        extension = UNKNOWN_EXTENSION
    return f"{uuid.uuid4().hex}.{extension}"


# --- fields ------------------------------------------------------------------------------------


class AcceptsFormats:
    """A file form field whose file picker offers only the formats it accepts (`accept`, a
    list of media types); the check itself reads the content."""

    accept = ""

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = self.accept
        return attrs


class PhotoFormField(AcceptsFormats, forms.ImageField):
    """An image upload checked by validate_photo (in place of Django's own check, whose
    messages do not say what is wrong)."""

    accept = ACCEPT

    default_validators = []  # the format is checked from the content, not the file name

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        validate_photo(upload)
        upload._photo_checked = True
        return upload


def validate_new_photo(value: File) -> None:
    """Model validation of a file not yet saved (one already stored was checked then)."""
    if not value or getattr(value, "_committed", True):
        return
    upload = getattr(value, "file", value)
    if not getattr(upload, "_photo_checked", False):
        validate_photo(upload)


class PhotoFieldFile(ImageFieldFile):
    def save(self, name: str, content: File, save: bool = True) -> None:
        """Every way a file reaches storage (a form, a service, `field.save()` in code) passes
        here: the metadata is cut out first, and the sender's `name` is replaced by ours
        (`stored_name`)."""
        content.seek(0)
        data = content.read()
        stripped = strip_metadata(data)
        name = stored_name(stripped)
        if stripped != data:
            content = ContentFile(stripped, name=name)
        else:
            content.seek(0)
        super().save(name, content, save=save)


class PhotoField(models.ImageField):
    """An image field whose uploads are checked (validate_photo) and stored without their
    metadata (strip_metadata), however they arrive: a form, a service, an import."""

    attr_class = PhotoFieldFile
    default_validators = [validate_new_photo]

    def formfield(self, **kwargs) -> forms.Field:
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})
