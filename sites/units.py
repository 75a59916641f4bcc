"""Loads Lạng Sơn's administrative units (the province and its 65 communes and wards of 2025,
with boundaries) from `sites/data/langson_units.geojson`.

Used by a data migration, so it works on historical models: it sets every derived column itself
instead of relying on `AdminUnit.save()`.
"""

import datetime
import json
from pathlib import Path

from django.db import transaction

from lib import geo
from lib.text import nfc, slugify_vi

UNITS_FILE = Path(__file__).resolve().parent / "data" / "langson_units.geojson"
REORGANISED_ON = datetime.date(2025, 7, 1)  # two-tier local government in force (NQ 1672)

LEVELS = {"tỉnh": "province", "phường": "ward", "xã": "commune", "thị trấn": "township"}
# A unit's name in the site's other languages: its Vietnamese name without the type word, then
# the level's word (local names keep their Vietnamese spelling, as on the plates and maps).
NAMES = {
    "en": {
        "province": "{name} Province",
        "ward": "{name} Ward",
        "commune": "{name} Commune",
        "township": "{name} Township",
    },
    "zh_hans": {
        "province": "{name} 省",
        "ward": "{name} 坊",
        "commune": "{name} 社",
        "township": "{name} 市镇",
    },
}
TYPES = {level: unit_type for unit_type, level in LEVELS.items()}


def translated_names(name_vi: str, level: str) -> dict[str, str]:
    """ "Phường Tam Thanh" -> {"name_en": "Tam Thanh Ward", "name_zh_hans": "Tam Thanh 坊"}."""
    unit_type = TYPES[level]
    bare = name_vi[len(unit_type) :].strip() if name_vi.lower().startswith(unit_type) else name_vi
    return {f"name_{suffix}": names[level].format(name=bare) for suffix, names in NAMES.items()}


def name_columns(unit_model: type) -> set[str]:
    """The columns of `translated_names` that `unit_model` has (a migration's model may predate
    a language)."""
    columns = {field.name for field in unit_model._meta.get_fields()}
    return {column for column in (f"name_{suffix}" for suffix in NAMES) if column in columns}


@transaction.atomic
def load_units(unit_model: type, path: Path = UNITS_FILE) -> int:
    """Creates or updates the units by official code, all or none (one commit: what follows a
    change, such as the bulk files' rebuild, runs once); returns how many were written."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    province = None
    count = 0
    # The province comes first in the file; every commune and ward hangs under it.
    for feature in sorted(features, key=lambda f: f["properties"]["type"] != "tỉnh"):
        props = feature["properties"]
        unit_type = props["type"]
        level = LEVELS[unit_type]
        name_vi = nfc(props["name_vi"])
        names = translated_names(name_vi, level)
        label = props.get("representative_point") or [None, None]
        geometry = feature["geometry"]
        unit, _created = unit_model.objects.update_or_create(
            code=props["code"],
            defaults={
                "name": name_vi,
                "name_vi": name_vi,
                **{column: names[column] for column in name_columns(unit_model)},
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


def name_units_in_every_language(unit_model: type) -> None:
    """Fills each unit's name in a language added since the units were loaded, where empty."""
    columns = name_columns(unit_model)
    for unit in unit_model.objects.all():
        names = translated_names(unit.name_vi, unit.level)
        empty = [column for column in columns if not getattr(unit, column)]
        for column in empty:
            setattr(unit, column, names[column])
        if empty:
            unit.save(update_fields=empty)
