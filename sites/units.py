"""Loads Lạng Sơn's administrative units (the province and its 65 communes and wards of 2025,
with boundaries) from `sites/data/langson_units.geojson`.

Used by a data migration, so it works on historical models: it sets every derived column itself
instead of relying on `AdminUnit.save()`.
"""

import datetime
import json
from pathlib import Path

from lib import geo
from lib.text import nfc, slugify_vi

UNITS_FILE = Path(__file__).resolve().parent / "data" / "langson_units.geojson"
REORGANISED_ON = datetime.date(2025, 7, 1)  # two-tier local government in force (NQ 1672)

LEVELS = {"tỉnh": "province", "phường": "ward", "xã": "commune", "thị trấn": "township"}
ENGLISH_SUFFIX = {
    "province": "Province",
    "ward": "Ward",
    "commune": "Commune",
    "township": "Township",
}


def english_name(name_vi: str, unit_type: str, level: str) -> str:
    """ "Phường Tam Thanh" -> "Tam Thanh Ward"."""
    bare = name_vi[len(unit_type) :].strip() if name_vi.lower().startswith(unit_type) else name_vi
    return f"{bare} {ENGLISH_SUFFIX[level]}"


def load_units(unit_model: type, path: Path = UNITS_FILE) -> int:
    """Creates or updates the units by official code; returns how many were written."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    province = None
    count = 0
    # The province comes first in the file; every commune and ward hangs under it.
    for feature in sorted(features, key=lambda f: f["properties"]["type"] != "tỉnh"):
        props = feature["properties"]
        unit_type = props["type"]
        level = LEVELS[unit_type]
        name_vi = nfc(props["name_vi"])
        name_en = english_name(name_vi, unit_type, level)
        label = props.get("representative_point") or [None, None]
        geometry = feature["geometry"]
        unit, _created = unit_model.objects.update_or_create(
            code=props["code"],
            defaults={
                "name": name_vi,
                "name_vi": name_vi,
                "name_en": name_en,
                "slug": slugify_vi(name_vi),
                "level": level,
                "parent": None if level == "province" else province,
                "valid_from": None if level == "province" else REORGANISED_ON,
                "formed_from": nfc(props.get("formed_from", "")),
                "boundary": geometry,
                "bbox": geo.geometry_bbox(geometry),
                "label_lon": label[0],
                "label_lat": label[1],
            },
        )
        if level == "province":
            province = unit
        count += 1
    return count
