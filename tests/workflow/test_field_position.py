"""Coordinates from the field: a plate confirmed on its pole with a GPS fix offers its position
to the editor of a place that has none (or whose coordinates are far off), in one click; a
street with plates at both ends gets its two ends and is drawn as a line."""

import pytest
from django.urls import reverse
from django.utils import translation

from qrplates.models import Plate
from qrplates.selectors import field_position
from qrplates.services import plate_mint, plate_transition
from sites.models import Status, Street
from tests.workflow.conftest import client_for

pytestmark = pytest.mark.django_db
S = Plate.Status

# Two points on Tam Thanh street's line, about 330 m apart (test positions, not data).
NEAR_END = (21.8521, 106.7490)
FAR_END = (21.8540, 106.7465)


def installed(street, at, label="") -> Plate:
    plate = plate_mint(target=street, label=label)
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    plate_transition(plate=plate, status=S.INSTALLED, lat=at[0], lon=at[1])
    return plate


def change_url(street) -> str:
    return reverse("admin:sites_street_change", args=[street.pk])


def use_url(street) -> str:
    return reverse("admin:sites_street_use_plate_position", args=[street.pk])


def test_a_place_without_coordinates_is_offered_its_plate_position(own_street, reviewer):
    plate = installed(own_street, NEAR_END)
    client = client_for(reviewer)
    page = client.get(change_url(own_street)).content.decode()
    assert "Dùng vị trí của biển đã gắn" in page
    assert plate.code in page and "chưa có tọa độ" in page

    response = client.post(use_url(own_street))
    assert response.status_code == 302
    street = Street.objects.get(pk=own_street.pk)
    assert (street.lat, street.lon) == NEAR_END
    assert street.end_lat is None
    assert street.history.first().history_change_reason.endswith(plate.code)
    assert "Dùng vị trí của biển đã gắn" not in client.get(change_url(street)).content.decode()


def test_coordinates_close_to_the_plate_are_left_alone(own_street):
    own_street.lat, own_street.lon = 21.85215, 106.74905  # a few metres away
    own_street.save()
    installed(own_street, NEAR_END)
    assert field_position(own_street) is None


def test_coordinates_far_from_the_plate_are_offered_a_correction(own_street, reviewer):
    own_street.lat, own_street.lon = 21.8600, 106.7490  # about 880 m north
    own_street.save()
    installed(own_street, NEAR_END)
    offer = field_position(own_street)
    assert offer is not None and 850 < offer.distance_m < 910
    page = client_for(reviewer).get(change_url(own_street)).content.decode()
    assert "cách vị trí đó" in page


def test_plates_at_both_ends_give_a_street_its_two_ends_drawn_as_a_line(own_street, reviewer):
    installed(own_street, NEAR_END, "Đầu phố")
    installed(own_street, FAR_END, "Cuối phố")
    installed(own_street, (21.8530, 106.7478), "Giữa phố")  # half-way: not an end
    offer = field_position(own_street)
    assert {(offer.lat, offer.lon), (offer.end_lat, offer.end_lon)} == {NEAR_END, FAR_END}

    client_for(reviewer).post(use_url(own_street))
    street = Street.objects.get(pk=own_street.pk)
    assert street.has_ends
    assert field_position(street) is None
    with translation.override("vi"):
        html = client_for(reviewer).get(street.get_absolute_url()).content.decode()
    svg = html.split("<svg ", 1)[1].split("</svg>", 1)[0]
    assert 'stroke-width="3"' in svg  # the street's line between its two ends


def test_plates_not_installed_offer_nothing(own_street):
    plate = plate_mint(target=own_street)
    plate_transition(plate=plate, status=S.ARTWORK_APPROVED)
    plate_transition(plate=plate, status=S.PRINTED)
    assert field_position(own_street) is None
    plate = installed(own_street, NEAR_END)
    plate_transition(plate=plate, status=S.DAMAGED)  # taken down: its fix no longer counts
    assert field_position(own_street) is None


def test_only_who_may_change_the_place_may_use_it(own_street, installer):
    installed(own_street, NEAR_END)
    response = client_for(installer).post(use_url(own_street))
    assert response.status_code in (302, 403)
    assert Street.objects.get(pk=own_street.pk).lat is None


def test_a_get_changes_nothing(own_street, reviewer):
    installed(own_street, NEAR_END)
    assert client_for(reviewer).get(use_url(own_street)).status_code == 302
    assert Street.objects.get(pk=own_street.pk).lat is None
    assert own_street.status == Status.PUBLISHED
