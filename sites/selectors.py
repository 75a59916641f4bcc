"""Reads of the content that several pages share, each rule said once (the services/selectors
habit: writes in services, reads here).

`nearby`: what a place's page lists under "Nearby", and what a plate on a withdrawn place offers
instead of it. `edge.dependents` reads the same constants to know which pages list a place.

`RowsPaginator`: pages of a list of records read with `PublishableQuerySet.rows` (a search's
page: its keys first, then its records), for the search page and the API's lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from sites.models import Place, PublishableQuerySet

# A visitor on foot: places within this distance count as nearby, at most this many of them.
NEARBY_RADIUS_M = 3000
NEARBY_LIMIT = 6


@dataclass(frozen=True)
class Nearby:
    """`near`: published places within NEARBY_RADIUS_M of the place, nearest first, with their
    distance in whole metres. When there are none (or the place has no coordinates), `in_unit`:
    other published places of its commune or ward, by kind and name."""

    near: list[tuple[Place, int]] = field(default_factory=list)
    in_unit: list[Place] = field(default_factory=list)

    @property
    def places(self) -> list[Place]:
        """The places either list holds, for a page that shows no distances."""
        return [place for place, _distance in self.near] or self.in_unit


def nearby(place: Place) -> Nearby:
    """Published places a visitor standing at `place` can go and read about, at most
    NEARBY_LIMIT. One query either way (two when nothing lies within the radius)."""
    others = Place.objects.published().exclude(pk=place.pk).for_list()
    if place.has_coordinates:
        found = others.with_coordinates().near(place.lat, place.lon, NEARBY_RADIUS_M)
        near = [(other, round(distance)) for other, distance in found[:NEARBY_LIMIT]]
        if near:
            return Nearby(near=near)
    if place.unit_id:
        return Nearby(
            in_unit=list(others.in_unit(place.unit).order_by("kind", "slug")[:NEARBY_LIMIT])
        )
    return Nearby()


class RowsPaginator(Paginator):
    """Django's paginator, except for a search (`PublishableQuerySet.ranked_rows`): a page
    reads its keys first, and counts the whole search in the same query. `cap`, when set, is
    the most results a list counts and shows."""

    cap: int | None = None

    def page(self, number: int | str) -> Page:
        records = self.object_list
        wanted = number if isinstance(number, int) else None
        if isinstance(number, str) and number.isascii() and number.isdigit():
            wanted = int(number)
        ranked = isinstance(records, PublishableQuerySet) and records.is_ranked()
        if not ranked or not wanted or "count" in self.__dict__:
            return super().page(number)
        bottom = (wanted - 1) * self.per_page
        rows, total = records.ranked_rows(bottom, bottom + self.per_page + self.orphans)
        if total is None:
            # Past the last page, or nothing found: Django's count and its answer.
            return super().page(number)
        self.__dict__["count"] = total if self.cap is None else min(total, self.cap)
        number = self.validate_number(wanted)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows[: top - bottom], number, self)
