"""Which public pages and scan answers show which records, said once.

Static mode re-renders exactly these files when records change (`edge.static_mode.refresh_for`),
and the page cache can make exactly these copies stale: `Dependents.pages` are the addresses it
keys pages by, `Dependents.scans()` the plate codes and languages it keys scans by.

The rules follow the templates (`templates/sites/…`, `templates/qrplates/updating.html`):

- a **place** shows on its own page, the home page (highlights, counts by kind, communes and
  wards), the list of communes and wards (its count), its kind's list, its commune or ward's
  page and offline pack, the pages of its people (links and namesake), the pages that list it
  among "streets named after these people", and the "nearby" (or, without one, "also in
  <unit>") lists of other places;
- a **person** shows on their own page, the list of people, the pages of the places linked to
  them or named after them and those places' offline packs;
- a **link** between the two, a **photo**, **source**, **recorded narration** or **former name**
  shows on its records' pages (a place's photo and narration also in its area's offline pack;
  a route's narration where the route shows);
- a **commune or ward** shows on its page and pack, the home page, the list of communes and
  wards, the kind lists, its
  predecessors' pages and every page of its places and of the people its streets are named after;
- a **walking route** shows on its page, the home page, the list of routes, its stops' pages
  and their offline packs, and the scan answers of the plates that lead to it; a change to a
  stop (its name, position or status) shows on the routes through it;
- a **plate** is in the offline pack of its place's commune or ward (its scan address); its scan
  answer is the page of the record it lands on (merges followed), or for an
  unpublished record the "being updated" page listing places nearby: every record above brings
  the plates that land on it.

A change is seen after it is saved: what a place showed before (its old commune, namesake or
position) is read from its previous version in the history. The rules over-include rather than
miss: a page rendered again for nothing costs a few milliseconds; a page missed shows a withdrawn
person until the nightly full render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.urls import reverse, translate_url

from lib import geo
from qrplates.models import Plate
from sites.models import (
    AdminUnit,
    FormerName,
    Narration,
    OldSlug,
    Person,
    PersonLink,
    Photo,
    Place,
    RecordAttachment,
    Route,
    RouteStop,
    Street,
)
from sites.selectors import NEARBY_LIMIT, NEARBY_RADIUS_M


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def every_language(url: str) -> list[str]:
    """A public page's address in every language (the same record, as the switch links it)."""
    return [translate_url(url, language) for language in languages()]


@dataclass
class Dependents:
    """Public pages and plates that show a change: `pages` in every language, each once and in
    the order found; `plates` whose scan answers (in every language) show it."""

    pages: dict[str, None] = field(default_factory=dict)
    plates: dict[int, Plate] = field(default_factory=dict)
    # Records whose landing plates are still to be looked up: ("place" | "person", pk).
    records: set[tuple[str, int]] = field(default_factory=set)

    def add_page(self, url: str) -> None:
        self.pages.update(dict.fromkeys(every_language(url)))

    def add_record(self, record: Place | Person) -> None:
        """The record's own page, and the scan answers of the plates landing on it."""
        self.add_page(record.get_absolute_url())
        self.records.add(("person" if isinstance(record, Person) else "place", record.pk))

    def scans(self) -> list[tuple[str, str]]:
        """(plate code, language) of every scan answer that shows the change."""
        return [(plate.code, lang) for plate in self.plates.values() for lang in languages()]


def dependents(changed: Iterable[object]) -> Dependents:
    """The pages and plates that show any of the `changed` rows (as saved or deleted: a row
    that no longer exists still names the records it was attached to). Rows of a kind no public
    page shows add nothing."""
    found = Dependents()
    for row in changed:
        try:
            add_row(found, row)
        except ObjectDoesNotExist:  # from a transaction rolled back, or deleted since
            continue
    add_landing_plates(found)
    return found


def add_row(found: Dependents, row: object) -> None:
    if isinstance(row, Place):
        place_shown(found, row)
    elif isinstance(row, Person):
        person_shown(found, row)
    elif isinstance(row, PersonLink):
        for record in (row.place, row.person):
            found.add_record(record)
    elif isinstance(row, Narration) and row.route_id:
        # A route's recording: its page plays it, its areas' packs may hold it.
        route_shown(found, row.route)
    elif isinstance(row, RecordAttachment | Narration):
        owner = row.owner
        found.add_record(owner)
        if isinstance(row, Photo | Narration) and isinstance(owner, Place) and owner.unit_id:
            found.add_page(offline_pack(owner.unit.slug))
    elif isinstance(row, FormerName):
        found.add_record(row.street)
    elif isinstance(row, AdminUnit):
        unit_shown(found, row)
    elif isinstance(row, OldSlug):
        # A rename: the old address now redirects (static mode removes its file).
        owner = row.place or row.person or row.route
        found.add_page(owner.get_absolute_url().rsplit("/", 2)[0] + f"/{row.slug}/")
    elif isinstance(row, Plate):
        found.plates[row.pk] = row
        if row.place_id and row.place.unit_id:
            found.add_page(offline_pack(row.place.unit.slug))
    elif isinstance(row, Route):
        route_shown(found, row)
    elif isinstance(row, RouteStop):
        route_shown(found, row.route)
        found.add_record(row.place)


def route_shown(found: Dependents, route: Route) -> None:
    """A walking route: its page, the home page's list, the list of routes (its stops, length
    and time), its stops' pages (they link to it) and their areas' offline packs, and the
    plates that lead to it."""
    found.add_page(route.get_absolute_url())
    found.add_page(reverse("sites:home"))
    found.add_page(reverse("sites:routes"))
    for place in Place.objects.filter(route_stops__route=route).select_related("unit"):
        found.add_record(place)
        if place.unit_id:
            found.add_page(offline_pack(place.unit.slug))
    for plate in Plate.objects.filter(route=route):
        found.plates.setdefault(plate.pk, plate)


def offline_pack(unit_slug: str) -> str:
    return reverse("sites:unit_offline", kwargs={"slug": unit_slug})


def kind_list(kind: str) -> str:
    return reverse("sites:kind", kwargs={"kind": Place.URL_SEGMENTS[kind]})


def place_shown(found: Dependents, place: Place) -> None:
    found.add_record(place)
    found.add_page(reverse("sites:home"))
    found.add_page(reverse("sites:units"))
    found.add_page(kind_list(place.kind))
    before = previous_version(place)
    positions = {(place.lat, place.lon)} if place.has_coordinates else set()
    units = {place.unit_id}
    namesakes = set(
        Street.objects.filter(pk=place.pk)
        .exclude(named_after=None)
        .values_list("named_after_id", flat=True)
    )
    if before is not None:
        units.add(before.unit_id)
        if before.lat is not None and before.lon is not None:
            positions.add((before.lat, before.lon))
        if getattr(before, "named_after_id", None):
            namesakes.add(before.named_after_id)
    units.discard(None)
    for unit in AdminUnit.objects.filter(pk__in=units).only("slug"):
        found.add_page(unit.get_absolute_url())
        found.add_page(offline_pack(unit.slug))
    # Its people's pages list it; pages of places sharing its namesake list it among "streets
    # named after these people".
    linked = PersonLink.objects.filter(place=place).values_list("person_id", flat=True)
    for person in Person.objects.filter(Q(pk__in=linked) | Q(pk__in=namesakes)):
        found.add_record(person)
    if namesakes:
        for other in Place.objects.linked_to(namesakes).exclude(pk=place.pk):
            found.add_record(other)
    for other in places_listing(place, positions, units):
        found.add_record(other)
    # The walks through it list it, and draw it on their maps.
    for route in Route.objects.filter(stops__place=place).distinct():
        route_shown(found, route)


def person_shown(found: Dependents, person: Person) -> None:
    found.add_record(person)
    found.add_page(reverse("sites:people"))
    for place in Place.objects.linked_to([person]).select_related("unit"):
        found.add_record(place)
        if place.unit_id:
            found.add_page(offline_pack(place.unit.slug))


def unit_shown(found: Dependents, unit: AdminUnit) -> None:
    found.add_page(unit.get_absolute_url())
    found.add_page(offline_pack(unit.slug))
    found.add_page(reverse("sites:home"))
    found.add_page(reverse("sites:units"))
    for kind in Place.Kind:
        found.add_page(kind_list(kind))
    for predecessor in AdminUnit.objects.filter(successor=unit).only("slug"):
        found.add_page(predecessor.get_absolute_url())
    for place in Place.objects.filter(unit=unit):
        found.add_record(place)
    namesakes = Street.objects.filter(unit=unit).values_list("named_after_id", flat=True)
    for person in Person.objects.filter(pk__in=namesakes):
        found.add_record(person)


def previous_version(place: Place) -> object | None:
    """The place as it was before its latest save (its history's second newest row), or None."""
    model = type(place) if type(place) is not Place else type(place.specific)
    history = getattr(model, "history", None)
    if history is None:
        return None
    rows = list(history.filter(id=place.pk).order_by("-history_date", "-history_id")[:2])
    return rows[1] if len(rows) == 2 else None


def places_listing(
    place: Place, positions: set[tuple[float, float]], units: set[int]
) -> list[Place]:
    """Places (of any status: an unpublished one's plate shows its nearby places too) whose
    "nearby" list — the NEARBY_LIMIT nearest published places within NEARBY_RADIUS_M — or,
    when that is empty, whose "also in <unit>" list — the unit's first NEARBY_LIMIT published
    places by kind and name — shows `place`, at any of its `positions` (now and before) and
    in any of its `units`. `place` counts as published: the pages that listed it before its
    withdrawal list it no more."""
    columns = ("id", "kind", "slug", "status", "lat", "lon", "unit_id")
    listing: dict[int, Place] = {}
    located: dict[int, Place] = {}
    for lat, lon in positions:
        # Candidates: places within the radius, and every place within the radius of those.
        min_lat, min_lon, max_lat, max_lon = geo.bbox_around(lat, lon, 2 * NEARBY_RADIUS_M)
        near = Place.objects.with_coordinates().filter(
            lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon
        )
        located.update((p.pk, p) for p in near.exclude(pk=place.pk).only(*columns))
        for other in located.values():
            if geo.distance_m(lat, lon, other.lat, other.lon) > NEARBY_RADIUS_M:
                continue
            if place.pk in nearest_published(other, located, place, (lat, lon)):
                listing[other.pk] = other
    for unit in units:
        in_unit = list(Place.objects.filter(unit_id=unit).exclude(pk=place.pk).only(*columns))
        shown = sorted(
            [p for p in in_unit if p.is_published] + [place],
            key=lambda p: (p.kind, p.slug),
        )[: NEARBY_LIMIT + 1]
        if place not in shown:
            continue
        with_nearby = has_nearby(in_unit, place, positions)
        for other in in_unit:
            if other.pk in with_nearby or other.pk in listing:
                continue
            if place in [p for p in shown if p.pk != other.pk][:NEARBY_LIMIT]:
                listing[other.pk] = other
    return list(listing.values())


def nearest_published(
    other: Place, located: dict[int, Place], place: Place, position: tuple[float, float]
) -> list[int]:
    """The ids of `other`'s "nearby" list, with `place` at `position` counted as published."""
    around = [
        (geo.distance_m(other.lat, other.lon, p.lat, p.lon), p.pk)
        for p in located.values()
        if p.pk != other.pk and p.is_published
    ]
    around.append((geo.distance_m(other.lat, other.lon, *position), place.pk))
    within = sorted(pair for pair in around if pair[0] <= NEARBY_RADIUS_M)
    return [pk for _distance, pk in within[:NEARBY_LIMIT]]


def has_nearby(others: list[Place], place: Place, positions: set[tuple[float, float]]) -> set[int]:
    """The ids of the `others` whose "nearby" list is not empty (`place` counted published at
    each of its positions): their pages show it instead of the unit's list."""
    mine = [p for p in others if p.lat is not None and p.lon is not None]
    if not mine:
        return set()
    lats = [p.lat for p in mine]
    lons = [p.lon for p in mine]
    south, west, _n, _e = geo.bbox_around(min(lats), min(lons), NEARBY_RADIUS_M)
    _s, _w, north, east = geo.bbox_around(max(lats), max(lons), NEARBY_RADIUS_M)
    published = list(
        Place.objects.published()
        .with_coordinates()
        .filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
        .exclude(pk=place.pk)
        .values_list("pk", "lat", "lon")
    )
    published += [(place.pk, lat, lon) for lat, lon in positions]
    return {
        p.pk
        for p in mine
        if any(
            pk != p.pk and geo.distance_m(p.lat, p.lon, lat, lon) <= NEARBY_RADIUS_M
            for pk, lat, lon in published
        )
    }


def add_landing_plates(found: Dependents) -> None:
    """Adds the plates whose scans land on `found.records`: their own, and those of records
    merged into them (a scan follows the merge)."""
    places = {pk for kind, pk in found.records if kind == "place"}
    people = {pk for kind, pk in found.records if kind == "person"}
    for model, ids in ((Place, places), (Person, people)):
        frontier = set(ids)
        while frontier:
            merged = set(
                model.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)
            )
            frontier = merged - ids
            ids |= frontier
    plates = Plate.objects.filter(Q(place__in=places) | Q(person__in=people))
    for plate in plates.select_related("place", "person"):
        found.plates.setdefault(plate.pk, plate)
    found.records.clear()
