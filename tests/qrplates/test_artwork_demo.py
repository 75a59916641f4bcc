"""The artwork over the whole demo database: the typeface draws every name, and every record's
plate scans in every format."""

from __future__ import annotations

import pytest

from qrplates.artwork import FORMATS, PlateData, render_plate
from qrplates.artwork.fonts import missing_characters
from sites.models import AdminUnit, Person, Place
from tests.qrplates.decoding import decode_artwork

BASE = "HTTPS://QR.LANGSON.GOV.VN/Q/"


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
def test_every_demo_record_gets_a_plate_that_scans(demo, fmt):
    records = [*Place.objects.published().select_related("unit"), *Person.objects.published()]
    assert len(records) > 40
    for index, record in enumerate(records):
        code = f"D{index:05d}X"
        plate = PlateData(
            code=code,
            payload=BASE + code,
            name_vi=record.name_vi,
            name_en=record.name_en or "",
            unit_name=record.unit.name if getattr(record, "unit", None) else "",
            kind=getattr(record, "kind", "person"),
        )

        artwork = render_plate(plate, fmt=fmt, dpi=72)

        assert decode_artwork(artwork.content, artwork.mime, dpi=72) == [plate.payload], (
            record.name_vi
        )
