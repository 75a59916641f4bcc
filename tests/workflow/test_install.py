"""Installation in the field: an installer who scans a plate confirms it from the scanned page,
with the phone's position and an optional photo; far from the record it asks first and flags
the plate for review."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from qrplates.install import FarFromRecord, plate_install
from qrplates.models import Plate
from qrplates.services import plate_mint, plate_transition
from tests.workflow.conftest import client_for

pytestmark = pytest.mark.django_db

S = Plate.Status
NEAR = {"lat": "21.85175", "lon": "106.75225"}  # ~3 m from the street's coordinates
FAR = {"lat": "21.8600", "lon": "106.7522"}  # ~920 m away


@pytest.fixture
def printed(own_street) -> Plate:
    own_street.lat, own_street.lon = 21.851727, 106.752232
    own_street.save()
    plate = plate_mint(target=own_street, label="Đầu phố")
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    return plate


def install_url(plate) -> str:
    return reverse("workflow:install", args=[plate.code])


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buffer, format="JPEG")
    return SimpleUploadedFile("bien.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_an_installer_scanning_a_plate_is_offered_confirm_installation(installer, printed):
    page = client_for(installer).get(f"/Q/{printed.code}").content.decode()
    assert install_url(printed) in page
    anonymous = Client().get(f"/Q/{printed.code}").content.decode()
    assert install_url(printed) not in anonymous


def test_confirming_installs_the_plate_with_position_time_and_photo(installer, printed):
    client = client_for(installer)
    assert client.get(install_url(printed)).status_code == 200
    response = client.post(install_url(printed), {**NEAR, "photo": photo(), "notes": "Cột điện"})
    assert response.status_code == 302
    printed.refresh_from_db()
    assert printed.status == S.INSTALLED and not printed.needs_review
    step = printed.events.last()
    assert (step.lat, step.lon) == (21.85175, 106.75225)
    assert step.recorded_by == installer and step.recorded_at is not None
    assert step.photo and step.notes == "Cột điện"


def test_far_from_the_record_asks_first_then_flags_the_plate(installer, printed):
    client = client_for(installer)
    asked = client.post(install_url(printed), FAR)
    assert asked.status_code == 200
    assert "confirm_far" in asked.content.decode()
    printed.refresh_from_db()
    assert printed.status == S.PRINTED
    confirmed = client.post(install_url(printed), {**FAR, "confirm_far": "on"})
    assert confirmed.status_code == 302
    printed.refresh_from_db()
    assert printed.status == S.INSTALLED and printed.needs_review
    assert "m" in printed.review_note


def test_the_distance_limit_is_a_setting(installer, printed, settings):
    settings.INSTALL_MAX_DISTANCE_M = 2000
    plate_install(plate=printed, lat=21.86, lon=106.7522, by=installer)
    printed.refresh_from_db()
    assert printed.status == S.INSTALLED and not printed.needs_review


def test_the_service_refuses_a_far_position_unless_confirmed(installer, printed):
    with pytest.raises(FarFromRecord):
        plate_install(plate=printed, lat=21.86, lon=106.7522, by=installer)


def test_only_installers_may_confirm(editor_client, printed):
    assert editor_client.get(install_url(printed)).status_code == 403
    anonymous = Client().get(install_url(printed))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    printed.refresh_from_db()
    assert printed.status == S.PRINTED


def test_a_plate_not_yet_printed_cannot_be_installed(installer, own_street):
    plate = plate_mint(target=own_street)
    client = client_for(installer)
    page = client.get(install_url(plate)).content.decode()
    assert 'name="lat"' not in page
    client.post(install_url(plate), NEAR)
    plate.refresh_from_db()
    assert plate.status == S.PLANNED


def test_works_without_javascript_and_refuses_nonsense(installer, printed):
    client = client_for(installer)
    page = client.get(install_url(printed)).content.decode()
    assert 'name="lat"' in page and 'type="file"' in page  # typed coordinates, plain upload
    bad = client.post(install_url(printed), {"lat": "abc", "lon": "106.75"})
    assert bad.status_code == 200
    hanoi = client.post(install_url(printed), {"lat": "51.5", "lon": "-0.12", "confirm_far": "on"})
    assert hanoi.status_code == 200
    printed.refresh_from_db()
    assert printed.status == S.PRINTED
