"""A fresh install has plates to scan: the demo loader mints them, once."""

import io

import pytest
from django.core.management import call_command

from qrplates.models import Plate
from sites.models import Place, Street

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--no-user", stdout=out)
    return out.getvalue()


def test_load_demo_mints_one_plate_per_place_and_two_for_the_long_street():
    output = load_demo()
    places = Place.objects.count()
    assert f"Demo plates: {places + 1} minted." in output
    assert Plate.objects.filter(status=Plate.Status.PLANNED).count() == places + 1
    for place in Place.objects.all():
        expected = 2 if place.name_vi == "Đường Trần Hưng Đạo" else 1
        assert place.plates.count() == expected, place
    ends = Place.objects.get(name_vi="Đường Trần Hưng Đạo").plates.values_list("label", flat=True)
    assert sorted(ends) == ["Đầu đường thứ hai", "Đầu đường thứ nhất"]


def test_running_load_demo_twice_mints_nothing_new():
    load_demo()
    before = sorted(Plate.objects.values_list("code", "place_id"))
    assert "Demo plates: 0 minted." in load_demo()
    assert sorted(Plate.objects.values_list("code", "place_id")) == before


def test_only_places_without_their_plates_get_new_ones():
    load_demo()
    kept = set(Plate.objects.values_list("code", flat=True))
    newcomer = Street.objects.create(name_vi="Phố Mới", external_id="demo:street:pho-moi")
    from qrplates.demo import mint_demo_plates

    minted = mint_demo_plates()
    assert [plate.place_id for plate in minted] == [newcomer.pk]
    assert kept < set(Plate.objects.values_list("code", flat=True))
