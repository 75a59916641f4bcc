"""Image uploads: only real JPEG, PNG or WebP photos within the size and pixel limits are kept,
each refusal says why in the sender's language (admin and public forms alike), and what is
kept (the original and its renditions) carries no GPS position or other metadata."""

import html
import io
import re
import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from lib.uploads import MAX_PHOTO_BYTES, strip_metadata
from qrplates.models import Plate
from qrplates.services import plate_mint, plate_transition
from sites.models import Person, Photo, Status, Street, Suggestion
from tests.workflow.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

HOME = (21.0, 51.0, 6.2), (106.0, 45.0, 8.0)  # where the photographer lives


def phone_exif(orientation: int = 6) -> Image.Exif:
    """What a phone writes: make, model, time, orientation and the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X 12"
    exif[ExifTags.Base.DateTime] = "2025:03:08 07:15:00"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = HOME[0]
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = HOME[1]
    return exif


def gradient(width: int = 800, height: int = 500) -> Image.Image:
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((200, 40, 40), (0, 0, width // 4, height // 4))
    return image


def phone_jpeg(orientation: int = 6) -> bytes:
    buffer = io.BytesIO()
    gradient().save(
        buffer,
        "JPEG",
        quality=90,
        exif=phone_exif(orientation),
        xmp=b"<x:xmpmeta><rdf:Description exif:GPSLatitude='21,51.1N'/></x:xmpmeta>",
        comment=b"Chup o nha",
    )
    return buffer.getvalue()


def has_metadata(data: bytes) -> list[str]:
    """What is left of the phone's metadata in an image file."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if exif.get_ifd(ExifTags.IFD.GPSInfo):
            found.append("GPS")
        if ExifTags.Base.Make in exif or ExifTags.Base.Model in exif:
            found.append("camera")
        if ExifTags.Base.DateTime in exif:
            found.append("time")
        for key in ("xmp", "XML:com.adobe.xmp", "comment", "Comment"):
            if image.info.get(key):
                found.append(key)
    for marker in (b"PhoneMaker", b"GPSLatitude", b"Chup o nha"):
        if marker in data:
            found.append(marker.decode())
    return found


def orientation(data: bytes) -> int | None:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif().get(ExifTags.Base.Orientation)


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


# --- metadata -----------------------------------------------------------------------------------


def test_a_phone_jpeg_loses_its_gps_and_camera_but_not_its_picture_or_orientation():
    original = phone_jpeg()
    assert set(has_metadata(original)) >= {"GPS", "camera", "time", "xmp", "comment"}
    stripped = strip_metadata(original)
    assert has_metadata(stripped) == []
    assert orientation(stripped) == 6  # still shown upright
    assert pixels(stripped) == pixels(original)  # cut out, not re-encoded


def test_pictures_appended_after_the_first_are_dropped():
    """MPO files and some phones' trailers put more pictures (and their EXIF) after the image."""
    second = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(second, "JPEG", exif=phone_exif())
    stripped = strip_metadata(phone_jpeg(orientation=1) + second.getvalue())
    assert stripped.endswith(b"\xff\xd9") and stripped.count(b"\xff\xd8") == 1
    assert has_metadata(stripped) == []
    assert orientation(stripped) is None


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_metadata_too(fmt):
    buffer = io.BytesIO()
    options = {"exif": phone_exif(orientation=3), "xmp": b"<x:xmpmeta>GPSLatitude</x:xmpmeta>"}
    if fmt == "WEBP":
        options["lossless"] = True
    gradient(200, 120).save(buffer, fmt, **options)
    original = buffer.getvalue()
    assert "GPS" in has_metadata(original)
    stripped = strip_metadata(original)
    assert has_metadata(stripped) == []
    assert orientation(stripped) == 3
    assert pixels(stripped) == pixels(original)


def test_a_saved_photo_and_its_renditions_carry_no_metadata(demo):
    street = Street.objects.get(slug="pho-to-thi")
    photo = Photo(place=street, caption="Đầu phố")
    photo.image.save("IMG_2041.jpg", ContentFile(phone_jpeg()), save=False)
    photo.save()
    with photo.image.open("rb") as stored:
        original = stored.read()
    assert has_metadata(original) == []
    made = photo.renditions
    assert made["widths"] and "error" not in made
    # Upright: the orientation was applied to the renditions (800×500 turned a quarter).
    assert (made["width"], made["height"]) == (500, 800)
    for width in made["widths"]:
        for fmt in ("webp", "jpg"):
            with default_storage.open(f"{made['folder']}/{width}.{fmt}", "rb") as rendition:
                data = rendition.read()
            assert has_metadata(data) == [], (width, fmt)
            assert orientation(data) in (None, 1)
    # The API hands out the original: clean as well.
    api = Client().get(f"/api/v1/places/{street.pk}/").json()
    assert api["photos"][0]["image"].endswith(photo.image.url)


def test_a_suggested_photo_is_kept_without_the_visitors_position(demo):
    street = Street.objects.get(slug="pho-to-thi")
    upload = SimpleUploadedFile("IMG_2041.jpg", phone_jpeg(), content_type="image/jpeg")
    url = reverse("workflow:suggest", args=["place", street.pk])
    response = Client().post(url, {"kind": "photo", "text": "Đầu phố", "photo": upload})
    assert response.status_code == 302
    with Suggestion.objects.get().photo.open("rb") as stored:
        assert has_metadata(stored.read()) == []


def html_in_a_png() -> bytes:
    """A real PNG whose palette holds a web page: every check passes, it is a picture."""
    page = b"<html><script>document.title='pwned'</script></html>"
    palette = (page + b"\0" * 768)[:768]
    image = Image.new("P", (16, 16), 0)
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert page in buffer.getvalue()
    return buffer.getvalue()


@pytest.mark.parametrize("sent_as", ["x.html", "x.svg.png", "../../x.php", "ảnh.jpg"])
def test_a_stored_photo_is_named_by_its_format_never_by_the_sender(demo, sent_as):
    """A picture may hold a web page in its palette; under the sender's name `x.html` the web
    server served it as a page of the portal (issue 13)."""
    street = Street.objects.get(slug="pho-to-thi")
    upload = SimpleUploadedFile(sent_as, html_in_a_png(), content_type="text/html")
    url = reverse("workflow:suggest", args=["place", street.pk])
    response = Client().post(url, {"kind": "photo", "text": "Ảnh", "photo": upload})
    assert response.status_code == 302
    stored = Suggestion.objects.get().photo.name
    assert re.fullmatch(r"suggestions/\d{4}/[0-9a-f]{32}\.png", stored), stored


def test_every_way_into_storage_names_the_file_by_its_format(demo):
    street = Street.objects.get(slug="pho-to-thi")
    photo = Photo(place=street)
    photo.image.save("page.html", ContentFile(phone_jpeg()), save=False)
    assert re.fullmatch(r"photos/\d{4}/[0-9a-f]{32}\.jpg", photo.image.name)
    photo.image.save("page.html", ContentFile(b"<html>not a picture</html>"), save=False)
    assert photo.image.name.endswith(".bin")  # served as a download, never as a page


# --- refusals -----------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that claims to be `width` × `height`: a decompression bomb's first bytes."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)

BAD_UPLOADS = {
    "oversized": (
        lambda: SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES, "image/jpeg"),
        {"vi": "Ảnh nặng 10.0 MB; giới hạn là 10 MB", "en": "The photo is 10.0 MB; the limit"},
    ),
    "fake": (
        lambda: SimpleUploadedFile("anh.jpg", b"This is a text file, not a photo.", "image/jpeg"),
        {
            "vi": "Tệp này không phải là ảnh mở được.",
            "en": "This file is not a photo that can be opened.",
        },
    ),
    "svg": (
        lambda: SimpleUploadedFile("logo.svg", SVG, "image/svg+xml"),
        {"vi": "Không nhận hình vẽ SVG", "en": "SVG drawings are not accepted"},
    ),
    "svg-renamed": (
        lambda: SimpleUploadedFile("logo.jpg", SVG, "image/jpeg"),
        {"vi": "Không nhận hình vẽ SVG", "en": "SVG drawings are not accepted"},
    ),
    "bomb": (
        lambda: SimpleUploadedFile("bomb.png", png_header(50_000, 50_000), "image/png"),
        {"vi": "quá nhiều điểm ảnh", "en": "too many pixels"},
    ),
    "too-many-pixels": (
        lambda: SimpleUploadedFile("big.png", png_header(8000, 6000), "image/png"),
        {"vi": "8000 × 6000 điểm ảnh, giới hạn là 40 megapixel", "en": "8000 × 6000 pixels"},
    ),
}


def message_shown(response, expected: str) -> bool:
    return expected in response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("kind", BAD_UPLOADS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_public_form_refuses_bad_photos_in_the_visitors_language(demo, kind, language):
    cache.clear()
    make, messages = BAD_UPLOADS[kind]
    street = Street.objects.get(slug="pho-to-thi")
    with translation.override(language):
        url = reverse("workflow:suggest", args=["place", street.pk])
    response = Client().post(url, {"kind": "photo", "text": "Ảnh", "photo": make()})
    assert response.status_code == 200
    assert message_shown(response, messages[language]), response.content.decode()[-3000:]
    assert not Suggestion.objects.exists()


def admin_client(staff, language: str) -> Client:
    client = Client()
    client.force_login(staff)
    if language == "en":
        client.cookies["lang"] = "en"
    return client


PERSON = {
    "name_vi": "Người Thử",
    "name_en": "",
    "status": Status.DRAFT,
    "role_vi": "",
    "role_en": "",
    "biography_vi": "",
    "biography_en": "",
}


@pytest.mark.parametrize("kind", BAD_UPLOADS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_admin_refuses_bad_portraits_in_the_editors_language(
    staff, admin_form_data, kind, language
):
    make, messages = BAD_UPLOADS[kind]
    url = reverse("admin:sites_person_add")
    response = admin_client(staff, language).post(
        url, admin_form_data(url, {**PERSON, "portrait": make()})
    )
    assert response.status_code == 200
    assert message_shown(response, messages[language])
    assert not Person.objects.exists()


@pytest.mark.parametrize("kind", ["fake", "svg", "bomb"])
def test_the_admin_refuses_bad_photos_of_a_place(staff_client, admin_form_data, demo, kind):
    make, messages = BAD_UPLOADS[kind]
    street = Street.objects.get(slug="pho-to-thi")
    url = reverse("admin:sites_street_change", args=[street.pk])
    data = admin_form_data(url, {})
    page = staff_client.get(url).content.decode()
    form = {  # the form as it stands, plus one new photo
        **data,
        **current_values(page),
        "photos-TOTAL_FORMS": "1",
        "photos-0-image": make(),
        "photos-0-caption_vi": "Ảnh xấu",
        "photos-0-position": "0",
    }
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert message_shown(response, messages["vi"])
    assert not street.photos.exists()


def current_values(page: str) -> dict:
    """The values a browser would send back for the change form's own fields."""
    values = {}
    for name, value in re.findall(r'<input[^>]+name="([\w-]+)"[^>]*value="([^"]*)"', page):
        if "-" not in name and name != "csrfmiddlewaretoken":
            values[name] = html.unescape(value)
    for name, text in re.findall(
        r'<textarea[^>]+name="(\w+)"[^>]*>\n?(.*?)</textarea>', page, re.S
    ):
        values[name] = html.unescape(text)
    for name, body in re.findall(r'<select[^>]+name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


@pytest.mark.parametrize("kind", ["oversized", "fake", "svg", "bomb"])
def test_the_installers_photo_is_checked_too(demo, django_user_model, kind):
    make, messages = BAD_UPLOADS[kind]
    street = Street.objects.get(slug="pho-to-thi")
    plate = plate_mint(target=street)
    plate_transition(plate=plate, status=Plate.Status.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=Plate.Status.PRINTED)
    installer = client_for(make_user(django_user_model, "lapdat", "Installer"))
    url = reverse("workflow:install", args=[plate.code])
    response = installer.post(url, {"lat": "21.85", "lon": "106.75", "photo": make()})
    assert response.status_code == 200
    assert message_shown(response, messages["vi"])
    assert Plate.objects.get(pk=plate.pk).status == Plate.Status.PRINTED


def test_a_good_portrait_is_kept(staff_client, admin_form_data):
    url = reverse("admin:sites_person_add")
    upload = SimpleUploadedFile("chan-dung.jpg", phone_jpeg(), "image/jpeg")
    response = staff_client.post(url, admin_form_data(url, {**PERSON, "portrait": upload}))
    assert response.status_code == 302
    person = Person.objects.get()
    with person.portrait.open("rb") as stored:
        assert has_metadata(stored.read()) == []
