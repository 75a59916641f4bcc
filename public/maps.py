"""The visitor site's maps: inline SVG drawn from the database by `lib.svgmap` (no tile server,
no script, no other host). Each map has a title and a description, and everything it shows is
also in the page's lists: a map is never the only way to reach a place.

- `place_map`: the place's commune or ward, the place, and its "Nearby" list as numbered dots
  (the numbers of the list);
- `unit_map`: a commune or ward with every place of it that has a position;
- `province_map`: the province's communes and wards, those with published places filled and
  linked to their page;
- `route_map`: a walking route's stops, numbered in order, and the path between them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from lib import svgmap
from sites.models import AdminUnit, Place, Route, unit_boundaries

# Colours: the commune's ground, communes with places (a link), the place itself, its neighbours.
GROUND = "#f1f5ee"
WITH_PLACES = "#cfe3c4"
HERE = "#b91c1c"
OTHERS = "#1d4ed8"


def _svg(**kwargs) -> SafeString:
    # svgmap escapes every text and attribute it writes.
    return mark_safe(svgmap.render(**kwargs))


def _dots(places: Iterable[Place], numbered: bool, fill: str = OTHERS) -> list[svgmap.Point]:
    return [
        svgmap.Point(
            place.lon,
            place.lat,
            label=str(number) if numbered else "",
            title=place.name,
            href=place.get_absolute_url(),
            fill=fill,
        )
        for number, place in enumerate(places, start=1)
        if place.has_coordinates
    ]


def place_map(place: Place, nearby: list[tuple[Place, int]]) -> SafeString:
    """The place in its commune or ward; `nearby` numbered 1, 2, … as on the page's list."""
    unit = place.unit
    # The process's copy of the boundary (the page's query leaves the column out): its path is
    # worked out once per framing, not on every page of the commune's places.
    _bbox, boundary = unit_boundaries().get(unit.pk, (None, None)) if unit else (None, None)
    outlines = [svgmap.Outline(boundary, fill=GROUND, kept=True)] if boundary else []
    if not outlines and not place.has_coordinates:
        return SafeString("")
    points = _dots((other for other, _distance in nearby), numbered=True)
    lines = []
    if getattr(place, "has_ends", False):
        # A street whose two ends are known (its plates at both ends): drawn as a line.
        ends = [(place.lon, place.lat), (place.end_lon, place.end_lat)]
        lines.append(svgmap.Line(ends, title=place.name, stroke=HERE))
    if place.has_coordinates:
        points.append(svgmap.Point(place.lon, place.lat, title=place.name, fill=HERE))
        if unit:
            desc = ngettext(
                "%(place)s in %(unit)s (red dot), and %(n)d place nearby, numbered as in the "
                "list below.",
                "%(place)s in %(unit)s (red dot), and %(n)d places nearby, numbered as in the "
                "list below.",
                len(nearby),
            ) % {"place": place.name, "unit": unit.name, "n": len(nearby)}
        else:
            desc = gettext("Where %(place)s is (red dot).") % {"place": place.name}
    else:
        desc = gettext(
            "The outline of %(unit)s. The position of %(place)s within it is not known yet."
        ) % {"place": place.name, "unit": unit.name}
    return _svg(
        title=gettext("Map of %(place)s") % {"place": place.name},
        desc=desc,
        outlines=outlines,
        lines=lines,
        points=points,
        id_prefix="place-map",
    )


def unit_map(unit: AdminUnit, places: list[Place]) -> SafeString:
    if not unit.boundary:
        return SafeString("")
    shown = [place for place in places if place.has_coordinates]
    return _svg(
        title=gettext("Map of %(unit)s") % {"unit": unit.name},
        desc=ngettext(
            "The outline of %(unit)s and %(n)d place whose position is known; every place is "
            "listed below.",
            "The outline of %(unit)s and %(n)d places whose position is known; every place is "
            "listed below.",
            len(shown),
        )
        % {"unit": unit.name, "n": len(shown)},
        outlines=[svgmap.Outline(unit.boundary, fill=GROUND)],
        points=_dots(shown, numbered=False),
        id_prefix="unit-map",
    )


def province_map(units: list[AdminUnit], with_places: set[int]) -> SafeString:
    """`units`: every commune and ward (their boundaries come from the process's copy,
    `unit_boundaries`, so the query may leave them out). Every border is drawn once; those in
    `with_places` are marked with a dot linked to their page."""
    boundaries = unit_boundaries()
    drawn = [unit for unit in units if unit.pk in boundaries]
    if not drawn:
        return SafeString("")
    # A linked dot at each of those units' label point (a point inside it, from the data):
    # a filled outline would draw its borders a second time.
    linked = [
        svgmap.Point(
            unit.label_lon,
            unit.label_lat,
            title=unit.name,
            href=unit.get_absolute_url(),
            fill=OTHERS,
        )
        for unit in drawn
        if unit.pk in with_places and unit.label_lat is not None
    ]
    return _svg(
        title=gettext("Map of Lạng Sơn province"),
        desc=ngettext(
            "The %(total)d communes and wards of the province; the %(n)d marked with a dot "
            "has published places and is listed below.",
            "The %(total)d communes and wards of the province; the %(n)d marked with a dot "
            "have published places and are listed below.",
            len(linked),
        )
        % {"total": len(drawn), "n": len(linked)},
        points=linked,
        borders=[boundaries[unit.pk][1] for unit in drawn],
        # A province 127 km wide in 260 units: 3 units (about 1.5 km) of simplification keeps
        # every commune's shape recognisable and the home page's map within 2 KB.
        tolerance=3,
        width=260,
        max_height=260,
        id_prefix="province-map",
    )


def route_map(route: Route, stops: list[Place]) -> SafeString:
    """The stops numbered in order, as in the page's list, and the path through them (the
    legs between stops with a position)."""
    placed = [place for place in stops if place.has_coordinates]
    if not placed:
        return SafeString("")
    points = [
        svgmap.Point(
            place.lon,
            place.lat,
            label=str(number),
            title=place.name,
            href=place.get_absolute_url(),
            fill=OTHERS,
        )
        for number, place in enumerate(stops, start=1)
        if place.has_coordinates
    ]
    line = svgmap.Line([(place.lon, place.lat) for place in placed], title=route.title)
    return _svg(
        title=gettext("Map of %(route)s") % {"route": route.title},
        desc=ngettext(
            "%(n)d stop, numbered in walking order as in the list below, and the way between "
            "them as straight lines.",
            "%(n)d stops, numbered in walking order as in the list below, and the way between "
            "them as straight lines.",
            len(points),
        )
        % {"n": len(points)},
        lines=[line] if len(placed) > 1 else [],
        points=points,
        id_prefix="route-map",
    )
