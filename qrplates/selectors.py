"""Reads of plates that several pages share, each rule said once.

`plate_landing`: from a code to the plate and the record a scan of it shows. The scan path, the
visitors' forms about a plate and the installers' page start from it.

`public_plates`: the plates that are open data (the API lists them).

`field_position`: where a place's installed plates say it is, for the editor's "use the
installed plate's position" (a street with plates at both ends: its two ends).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from lib import geo
from qrplates.models import Plate, PlateEvent
from sites.models import Person, Place, Street, published_q

# Plates of one street closer than this are at the same end (two plates on one corner).
STREET_ENDS_MIN_M = 50


# What a scan needs of the records to find its landing and decide what to show (published?
# merged? its page's address): `plate_landing(..., lean=True)` reads only these. The query with
# every column of the five joined tables (each in every language) took three times as long,
# nearly all of it in building the SQL.
LEAN_RECORD_FIELDS = ("slug", "status", "merged_into")


def lean_fields() -> list[str]:
    fields = [field.name for field in Plate._meta.concrete_fields]
    fields += [f"{owner}__{name}" for owner in ("place", "person") for name in LEAN_RECORD_FIELDS]
    return [*fields, "place__kind"]


def plate_landing(
    code: str, plates: QuerySet[Plate] | None = None, *, lean: bool = False
) -> tuple[Plate, Place | Person]:
    """The plate whose code is `code` (already read with `codes.normalize`), among `plates` (by
    default every plate), and the record a scan of it shows: the one it was made for, or the one
    that record was merged into, as a Street, Relic, ScenicSpot or Person.

    The record may be unpublished: what to show of it is the caller's decision (the scan path
    shows a "being updated" page). Raises Plate.DoesNotExist when no such plate exists. One
    query, and one more for each merge followed.

    `lean`: only what decides the landing and names the record's page is read (its kind and
    LEAN_RECORD_FIELDS), and a place comes as a Place: the scan path, whose record page reads
    the record itself."""
    plates = Plate.objects.all() if plates is None else plates
    if lean:
        plate = plates.select_related("place", "person").only(*lean_fields()).get(code=code)
        return plate, plate.landing()
    plate = plates.select_related(*Plate.OWNER_RELATED).get(code=code)
    record = plate.landing()
    return plate, record.specific if isinstance(record, Place) else record


def public_plates() -> QuerySet[Plate]:
    """Plates whose scan shows a published record: made for a published record, or for one
    merged into a record that is published. A plate leading to a draft or withdrawn record is
    not open data (its code would announce the record). Merged records are few and withdrawn,
    so their chains are followed in Python."""
    published = published_q("place") | published_q("person")
    merged = Plate.objects.filter(
        Q(place__merged_into__isnull=False) | Q(person__merged_into__isnull=False)
    ).select_related("place", "person")
    leading_on = [plate.pk for plate in merged if plate.landing().is_published]
    return Plate.objects.filter(published | Q(pk__in=leading_on))


@dataclass(frozen=True)
class FieldPosition:
    """Coordinates for a place read from its installed plates' GPS fixes: `lat`, `lon`, and for
    a street with plates at both ends, the other end (`end_lat`, `end_lon`). `plates` are the
    plates whose fixes were used; `distance_m`, how far the place's own coordinates are from
    the nearest fix (None when it has none)."""

    lat: float
    lon: float
    plates: tuple[Plate, ...]
    end_lat: float | None = None
    end_lon: float | None = None
    distance_m: float | None = None


def installed_fixes(place: Place) -> list[tuple[Plate, float, float]]:
    """(plate, lat, lon) for each installed plate of `place` whose installation recorded a
    position: the latest installation of each. One query."""
    events = (
        PlateEvent.objects.filter(
            plate__place=place,
            plate__status=Plate.Status.INSTALLED,
            to_status=Plate.Status.INSTALLED,
            lat__isnull=False,
        )
        .select_related("plate")
        .order_by("plate_id", "-on", "-pk")
    )
    latest: dict[int, tuple[Plate, float, float]] = {}
    for event in events:
        latest.setdefault(event.plate_id, (event.plate, event.lat, event.lon))
    return list(latest.values())


def field_position(place: Place) -> FieldPosition | None:
    """What the installed plates say about where `place` is, when it is worth offering to the
    editor: the place has no coordinates, or they lie farther than INSTALL_MAX_DISTANCE_M from
    every plate installed there, or (a street) plates at least STREET_ENDS_MIN_M apart give two
    ends the street does not have yet. None otherwise."""
    fixes = installed_fixes(place)
    if not fixes:
        return None
    distance = None
    if place.has_coordinates:
        distance = min(geo.distance_m(place.lat, place.lon, lat, lon) for _p, lat, lon in fixes)
    if isinstance(place, Street) and len(fixes) > 1:
        # The two fixes farthest apart are the street's two ends.
        a, b = max(
            itertools.combinations(fixes, 2),
            key=lambda pair: geo.distance_m(pair[0][1], pair[0][2], pair[1][1], pair[1][2]),
        )
        if geo.distance_m(a[1], a[2], b[1], b[2]) >= STREET_ENDS_MIN_M:
            ends = FieldPosition(
                lat=a[1],
                lon=a[2],
                end_lat=b[1],
                end_lon=b[2],
                plates=(a[0], b[0]),
                distance_m=distance,
            )
            same = (place.lat, place.lon, place.end_lat, place.end_lon) in (
                (a[1], a[2], b[1], b[2]),
                (b[1], b[2], a[1], a[2]),
            )
            return None if same else ends
    if distance is not None and distance <= settings.INSTALL_MAX_DISTANCE_M:
        return None
    plate, lat, lon = fixes[0]
    return FieldPosition(lat=lat, lon=lon, plates=(plate,), distance_m=distance)
