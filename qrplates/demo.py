"""Plates for the demo data, so a fresh install has codes to scan."""

from __future__ import annotations

from django.db import transaction

from qrplates.models import Plate
from qrplates.services import plate_mint
from sites.models import Place

# One plate per demo place, except where a record needs more: a long street has one at each end.
DEMO_PLATE_LABELS: dict[str, list[str]] = {
    "demo:street:tran-hung-dao": ["Đầu đường thứ nhất", "Đầu đường thứ hai"],
}


def mint_demo_plates() -> list[Plate]:
    """Mints what the demo places are missing and returns the new plates. Idempotent: a place
    that already has its plates gets none, so a second run mints nothing."""
    minted = []
    with transaction.atomic():
        places = Place.objects.filter(external_id__startswith="demo:").order_by("external_id")
        for place in places:
            labels = DEMO_PLATE_LABELS.get(place.external_id, [""])
            for label in labels[place.plates.count() :]:
                minted.append(plate_mint(target=place, label=label))
    return minted
