"""The tags a record would carry in OpenStreetMap, for every GeoJSON feature (`osm.*` properties),
so that a mapper can compare our data with the map and import it (docs/api.md has the table).

One table says it all: what each kind of place is (`KIND_TAGS`), what the generic word of its
category or name adds (`GENERIC_TAGS`, e.g. a "Chùa" is a Buddhist place of worship), and what a
ranking means in OpenStreetMap's `heritage=*` scale (`RANKING_HERITAGE`: 2 national, 4 the
province, Vietnam's admin_level of a province). Names follow OpenStreetMap Vietnam: `name` is the
Vietnamese name, `name:en` only an English name actually written (never the fallback), and
identifiers only those a source gave or an editor entered.
"""

from __future__ import annotations

from sites.models import AdminUnit, HeritageFields, Place

KIND_TAGS: dict[str, dict[str, str]] = {
    # A street's class (highway=primary, residential…) is not something we record: a mapper
    # matches on the name.
    Place.Kind.STREET: {},
    Place.Kind.RELIC: {"historic": "yes"},
    Place.Kind.SCENIC: {"tourism": "attraction"},
}

# The Vietnamese generic word (lower case, with its diacritics: "đồng" is not "động") found as a
# word of the category or among the first two words of the name, and the tags it adds. First
# match wins; tags here replace the kind's (a pagoda is more exactly tagged than historic=yes).
GENERIC_TAGS: tuple[tuple[str, dict[str, str]], ...] = (
    ("khảo cổ", {"historic": "archaeological_site"}),
    ("chùa", {"historic": "yes", "amenity": "place_of_worship", "religion": "buddhist"}),
    ("nhà thờ", {"historic": "yes", "amenity": "place_of_worship", "religion": "christian"}),
    ("đền", {"historic": "yes", "amenity": "place_of_worship"}),
    ("đình", {"historic": "yes", "amenity": "place_of_worship"}),
    ("miếu", {"historic": "yes", "amenity": "place_of_worship"}),
    ("tượng đài", {"historic": "memorial", "memorial": "statue"}),
    ("bia", {"historic": "memorial", "memorial": "stele"}),
    ("động", {"natural": "cave_entrance"}),
    ("hang", {"natural": "cave_entrance"}),
    ("núi", {"natural": "peak"}),
    ("thác", {"waterway": "waterfall"}),
)

RANKING_HERITAGE: dict[str, str] = {
    HeritageFields.Ranking.SPECIAL_NATIONAL: "2",
    HeritageFields.Ranking.NATIONAL: "2",
    HeritageFields.Ranking.PROVINCIAL: "4",
}

# Vietnam in OpenStreetMap: the province is admin_level 4, a commune or ward 8 (districts, 6,
# were abolished on 1 July 2025).
UNIT_ADMIN_LEVEL: dict[str, str] = {
    AdminUnit.Level.PROVINCE: "4",
    AdminUnit.Level.DISTRICT: "6",
    AdminUnit.Level.WARD: "8",
    AdminUnit.Level.COMMUNE: "8",
    AdminUnit.Level.TOWNSHIP: "8",
}


def names(record: Place | AdminUnit) -> dict[str, str]:
    vietnamese = record.name_vi or ""
    tags = {"name": vietnamese, "name:vi": vietnamese}
    if record.name_en:
        tags["name:en"] = record.name_en
    return tags


def generic_tags(place: Place) -> dict[str, str]:
    words = " ".join((place.name_vi or "").split()[:2])
    texts = [f" {text.casefold()} " for text in (getattr(place, "category_vi", "") or "", words)]
    for term, tags in GENERIC_TAGS:
        if any(f" {term} " in text.replace(",", " ").replace("–", " ") for text in texts):
            return tags
    return {}


def place_tags(place: Place) -> dict[str, str]:
    """`place` must be the Street, Relic or ScenicSpot (`Place.specific`)."""
    tags = dict(KIND_TAGS[place.kind])
    if place.kind != Place.Kind.STREET:  # "Phố Chùa Tiên" is a street, not a pagoda
        tags.update(generic_tags(place))
    if place.kind == Place.Kind.SCENIC:
        tags["tourism"] = "attraction"
    heritage = RANKING_HERITAGE.get(getattr(place, "ranking", ""))
    if heritage:
        tags["heritage"] = heritage
    tags.update(names(place))
    if place.wikidata:
        tags["wikidata"] = place.wikidata
    etymology = getattr(place, "etymology_wikidata", "")
    if etymology:
        tags["name:etymology:wikidata"] = etymology
    return tags


def unit_tags(unit: AdminUnit, *, current: bool) -> dict[str, str]:
    """A unit in force is an administrative boundary; a former one only has its names (it is no
    longer on the map)."""
    tags = {"boundary": "administrative", "admin_level": UNIT_ADMIN_LEVEL[unit.level]}
    return {**(tags if current else {}), **names(unit)}
