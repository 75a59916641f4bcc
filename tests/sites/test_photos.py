"""Photo renditions: made once when a photo is saved, in a few widths, WebP and JPEG."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from lib import images
from sites.models import Photo, Status, Street
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    return Street.objects.create(name_vi="Phố Ảnh", status=Status.PUBLISHED)


def open_rendition(photo: Photo, width: int, fmt: str) -> Image.Image:
    path = images.rendition_name(photo.renditions["folder"], width, fmt)
    with default_storage.open(path) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_saved_photo_gets_webp_and_jpeg_renditions_in_each_width(street, make_photo):
    photo = make_photo(street, width=2000)
    photo.refresh_from_db()
    assert photo.renditions["widths"] == [320, 640, 1024]
    assert (photo.renditions["width"], photo.renditions["height"]) == (2000, 1250)
    for width in (320, 640, 1024):
        webp = open_rendition(photo, width, "webp")
        jpeg = open_rendition(photo, width, "jpg")
        assert webp.format == "WEBP" and jpeg.format == "JPEG"
        assert webp.size == jpeg.size == (width, width * 5 // 8)


def test_a_small_photo_is_never_enlarged(street, make_photo):
    photo = make_photo(street, width=500)
    assert photo.renditions["widths"] == [320, 500]
    assert open_rendition(photo, 500, "jpg").size == (500, 312)


def test_renditions_are_made_once(street, make_photo, monkeypatch):
    photo = make_photo(street)
    calls = []
    monkeypatch.setattr(images, "make_renditions", lambda *a: calls.append(a) or {})
    photo.caption = "Đổi chú thích"
    photo.save()
    assert calls == []


def test_a_replaced_image_gets_new_addresses_and_the_old_files_go(
    street, make_photo, django_capture_on_commit_callbacks
):
    photo = make_photo(street)
    old = photo.picture
    old_folder = photo.renditions["folder"]
    with django_capture_on_commit_callbacks(execute=True):
        photo.image.save("other.jpg", ContentFile(jpeg_bytes(900, 600, "#aa3333")))
    assert photo.picture.src != old.src
    assert not default_storage.exists(images.rendition_name(old_folder, 320, "webp"))
    assert default_storage.exists(images.rendition_name(photo.renditions["folder"], 320, "webp"))


def test_a_phone_photo_is_turned_upright_and_its_location_removed(street):
    image = Image.new("RGB", (800, 400), "#336699")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (21.0, 51.0, 0.0)}  # a GPS position
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    photo = Photo(place=street)
    photo.image.save("phone.jpg", ContentFile(buffer.getvalue()))
    assert (photo.renditions["width"], photo.renditions["height"]) == (400, 800)
    rendition = open_rendition(photo, 320, "jpg")
    assert rendition.size == (320, 640)
    assert not rendition.getexif()


def test_a_file_that_is_not_an_image_falls_back_to_the_original(street, client):
    photo = Photo(place=street, caption="Hỏng")
    photo.image.save("broken.jpg", ContentFile(b"not an image at all"))
    assert photo.renditions["error"]
    assert photo.picture.src == photo.image.url
    assert photo.picture.width is None
    html = client.get(street.get_absolute_url()).content.decode()
    assert f'<img src="{photo.image.url}" alt="Hỏng"' in html


def test_transparent_images_are_flattened_for_jpeg(street):
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 300), (255, 0, 0, 0)).save(buffer, "PNG")
    photo = Photo(place=street)
    photo.image.save("logo.png", ContentFile(buffer.getvalue()))
    assert open_rendition(photo, 320, "jpg").getpixel((5, 5)) == (255, 255, 255)


def test_the_command_makes_missing_renditions_and_leaves_current_ones(street, make_photo):
    from io import StringIO

    from django.core.management import call_command

    current = make_photo(street)
    imported = make_photo(street)
    Photo.objects.filter(pk=imported.pk).update(renditions={})
    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert "Photos given renditions: 1." in out.getvalue()
    imported.refresh_from_db()
    assert imported.renditions["widths"] == [320, 640, 1024]
    current.refresh_from_db()
    assert current.renditions["widths"] == [320, 640, 1024]
