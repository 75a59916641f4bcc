"""The artwork over the whole demo database: the typeface draws every name, and every demo
plate scans to exactly its address in every format."""

from __future__ import annotations

import pytest

from qrplates import batches, rendering
from qrplates.artwork import FORMATS, render_plate
from qrplates.artwork.fonts import missing_characters
from sites.models import AdminUnit, Person, Place
from tests.qrplates.decoding import decode_artwork


def every_name() -> list[str]:
    names = []
    for place in Place.objects.select_related("unit"):
        names += [place.name_vi, place.name_en or ""]
    for person in Person.objects.all():
        names += [person.name_vi, person.name_en or "", person.alt_names]
    names += list(AdminUnit.objects.values_list("name", flat=True))
    return [name for name in names if name]


def test_the_typeface_draws_every_character_of_every_name_in_the_database(demo):
    names = every_name()

    assert len(names) > 100
    assert {name: missing_characters(name) for name in names if missing_characters(name)} == {}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_demo_plate_scans_to_exactly_its_address_in_every_format(demo_plates, fmt):
    assert len(demo_plates) > 30
    for plate in demo_plates:
        artwork = render_plate(batches.plate_data(plate), fmt=fmt, dpi=72)

        assert decode_artwork(artwork.content, artwork.mime, dpi=72) == [
            rendering.payload(plate.code)
        ], plate.code
