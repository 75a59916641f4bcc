"""Reads of plates that several pages share, each rule said once.

`plate_landing`: from a code to the plate and the record a scan of it shows. The scan path, the
visitors' forms about a plate and the installers' page start from it.

`public_plates`: the plates that are open data (the API lists them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qrplates.models import Plate
from sites.models import Person, Place, published_q


def plate_landing(code: str, plates: QuerySet[Plate] | None = None) -> tuple[Plate, Place | Person]:
    """The plate whose code is `code` (already read with `codes.normalize`), among `plates` (by
    default every plate), and the record a scan of it shows: the one it was made for, or the one
    that record was merged into, as a Street, Relic, ScenicSpot or Person.

    The record may be unpublished: what to show of it is the caller's decision (the scan path
    shows a "being updated" page). Raises Plate.DoesNotExist when no such plate exists. One
    query, and one more for each merge followed."""
    plates = Plate.objects.all() if plates is None else plates
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
