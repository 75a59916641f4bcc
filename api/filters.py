"""Query parameters of the open-data API's lists.

Every parameter is validated: a malformed value gives 400 with a message naming the parameter
and what is expected, never an empty list that looks like "nothing there" and never a 500. Text
search reuses `QuerySet.search()` (diacritic-insensitive), "near" reuses `Place.objects.near()`.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import django_filters as filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.fields import BaseCSVField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.request import Request

from lib.text import slugify_vi
from qrplates.models import Plate
from sites.models import AdminUnit, HeritageFields, Person, Place, Status

DEFAULT_RADIUS_M = 1000
MAX_QUERY_LENGTH = 200
NUMBER = r"[-+]?\d+(?:\.\d+)?"


def finite_floats(value: str, count: int) -> list[float] | None:
    parts = value.split(",")
    if len(parts) != count:
        return None
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    return numbers if all(math.isfinite(n) for n in numbers) else None


class BBoxField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "Give the box as four numbers min_lon,min_lat,max_lon,max_lat in decimal degrees, "
            "e.g. 106.70,21.80,106.80,21.90."
        ),
        "range": _(
            "Longitudes must lie between -180 and 180 and latitudes between -90 and 90, "
            "with each minimum not above its maximum."
        ),
    }

    def to_python(self, value: str) -> tuple[float, float, float, float] | None:
        value = super().to_python(value)
        if not value:
            return None
        numbers = finite_floats(value, 4)
        if numbers is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ValidationError(self.error_messages["range"], code="range")
        return min_lon, min_lat, max_lon, max_lat


class PointField(forms.CharField):
    default_error_messages = {
        "invalid": _("Give the point as lat,lon in decimal degrees, e.g. 21.853,106.761."),
        "range": _(
            "The latitude must lie between -90 and 90 and the longitude between -180 and 180."
        ),
    }

    def to_python(self, value: str) -> tuple[float, float] | None:
        value = super().to_python(value)
        if not value:
            return None
        numbers = finite_floats(value, 2)
        if numbers is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        lat, lon = numbers
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(self.error_messages["range"], code="range")
        return lat, lon


class RadiusField(forms.FloatField):
    default_error_messages = {
        "invalid": _("Give the radius in metres, e.g. 2000."),
        "min_value": _("The radius must be at least %(limit_value)s metre."),
        "max_value": _(
            "The radius may be at most %(limit_value)s metres; for a wider area use bbox."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=settings.API_MAX_RADIUS_M, **kwargs)


class SinceField(forms.CharField):
    """A date (midnight, Lạng Sơn time) or an ISO 8601 date-time (without an offset: Lạng Sơn
    time)."""

    default_error_messages = {
        "invalid": _(
            "Give a date such as 2025-07-01 or a date and time such as 2025-07-01T08:30:00+07:00."
        ),
    }

    def to_python(self, value: str) -> datetime.datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            moment = parse_datetime(value)
            if moment is None:
                day = parse_date(value)
                if day is None:
                    raise ValueError(value)
                moment = datetime.datetime.combine(day, datetime.time())
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # Near year 1 or 9999 an offset can push the moment out of range: reject it here.
            moment.astimezone(datetime.UTC)
        except (ValueError, OverflowError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return moment


class UnitField(forms.CharField):
    """A commune or ward by its official code or its address (slug)."""

    default_error_messages = {
        "unknown": _("No commune or ward has the code or address “%(value)s”."),
    }

    def to_python(self, value: str) -> AdminUnit | None:
        value = super().to_python(value)
        if not value:
            return None
        # Before the query: PostgreSQL refuses a NUL character in text.
        ProhibitNullCharactersValidator()(value)
        unit = AdminUnit.objects.filter(Q(code=value) | Q(slug=value)).first()
        if unit is None:
            value = value if len(value) <= 40 else value[:40] + "…"
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": value}
            )
        return unit


@extend_schema_field(
    {
        "type": "string",
        "pattern": rf"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$",
        "example": "106.70,21.80,106.80,21.90",
    }
)
class BBoxFilter(filters.Filter):
    field_class = BBoxField

    def filter(self, qs: QuerySet, value: tuple[float, float, float, float] | None) -> QuerySet:
        if value is None:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)


@extend_schema_field(
    {"type": "string", "pattern": rf"^{NUMBER},{NUMBER}$", "example": "21.853,106.761"}
)
class PointFilter(filters.Filter):
    """Validates `near`; the distance filter and order are applied by the view (`near()`)."""

    field_class = PointField

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        return qs


@extend_schema_field({"type": "string", "example": "05986"})
class InUnitFilter(filters.Filter):
    field_class = UnitField

    def filter(self, qs: QuerySet, value: AdminUnit | None) -> QuerySet:
        return qs if value is None else qs.in_unit(value)


@extend_schema_field(
    {"type": "number", "minimum": 1, "maximum": settings.API_MAX_RADIUS_M, "example": 2000}
)
class RadiusFilter(filters.Filter):
    field_class = RadiusField

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        return qs


@extend_schema_field({"type": "string", "example": "2025-07-01"})
class SinceFilter(filters.Filter):
    field_class = SinceField


class StableOrderingFilter(filters.OrderingFilter):
    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        qs = super().filter(qs, value)
        # Equal names or timestamps must not swap places between two page requests.
        return qs.order_by(*qs.query.order_by, "id") if value else qs


def ordering(**fields: str) -> filters.OrderingFilter:
    return StableOrderingFilter(
        fields=tuple((field, param) for param, field in fields.items()),
        help_text="Order of the results; the id breaks ties, so pages never overlap. Default: id.",
    )


# Free text, where an empty value is a value like any other (no words: no search).
FREE_TEXT = {"q", "slug"}


class FilterForm(forms.Form):
    """Refuses a parameter given empty (`bbox=`): it is a client's mistake, and answering the
    whole list instead would hide it."""

    def clean(self) -> dict:
        data = super().clean()
        for name, field in self.fields.items():
            if name in FREE_TEXT or name not in self.data or name in self.errors:
                continue
            values = self.data.getlist(name)
            if not any(value.strip() for value in values):
                self.add_error(name, _("This parameter is empty: give a value or leave it out."))
            elif isinstance(field, BaseCSVField) and not all(
                part.strip() for value in values for part in value.split(",")
            ):
                self.add_error(name, _("This list has an empty item: remove the extra comma."))
        if data.get("radius") is not None and data.get("near") is None:
            self.add_error("radius", _("A radius needs a point: add near=lat,lon."))
        return data


class RecordFilter(filters.FilterSet):
    """What every list of records accepts."""

    q = filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        help_text="Words to find in the names, in any language, ignoring diacritics and case: "
        "`hoang van thu` finds “Hoàng Văn Thụ”.",
    )
    slug = filters.CharFilter(help_text="The record with this address (slug).")
    updated_since = SinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records changed at or after this moment: a date (midnight, Lạng Sơn "
        "time, UTC+7) or an ISO 8601 date-time. Use it to fetch only what changed since your "
        "last harvest.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices,
        method="filter_status",
        help_text="Records in these statuses (repeat the parameter for several), among those "
        "the account may read: an editor's own communes, every record for a reviewer. Without "
        "it, and always for anonymous clients, only published records are listed.",
    )

    class Meta:
        form = FilterForm
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.search(value) if value.strip() else qs

    def filter_status(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        return qs.filter(status__in=value) if value else qs

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            # Whatever a token may read, a list is open data unless asked otherwise.
            queryset = queryset.published()
        return queryset


class PlaceFilter(RecordFilter):
    kind = filters.MultipleChoiceFilter(
        choices=Place.Kind.choices,
        help_text="Only places of these kinds (repeat the parameter for several: "
        "`kind=relic&kind=scenic`).",
        error_messages={
            "invalid_choice": _("Unknown kind “%(value)s”: use street, relic or scenic.")
        },
    )
    ranking = filters.MultipleChoiceFilter(
        choices=HeritageFields.Ranking.choices,
        method="filter_ranking",
        help_text="Only relics and scenic spots with these rankings (repeat for several).",
        error_messages={
            "invalid_choice": _(
                "Unknown ranking “%(value)s”: use special_national, national, "
                "provincial or not_ranked."
            )
        },
    )
    unit = InUnitFilter(
        help_text="Only places in this commune or ward: its official code (`05986`) or its "
        "address (`phuong-tam-thanh`). See /api/v1/units/.",
    )
    bbox = BBoxFilter(
        help_text="Only places inside this box: `min_lon,min_lat,max_lon,max_lat` (WGS 84, the "
        "GeoJSON order). Places without coordinates are left out."
    )
    near = PointFilter(
        help_text="Only places within `radius` metres of this point, `lat,lon`, nearest first, "
        "each with its `distance_m`. Places without coordinates are left out."
    )
    radius = RadiusFilter(
        help_text=f"Metres around `near` (default {DEFAULT_RADIUS_M}, at most "
        f"{settings.API_MAX_RADIUS_M})."
    )
    ordering = ordering(id="id", name="slug", updated_at="updated_at")

    class Meta(RecordFilter.Meta):
        model = Place

    def filter_ranking(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return qs
        return qs.filter(Q(relic__ranking__in=value) | Q(scenicspot__ranking__in=value))

    def near_point(self) -> tuple[float, float, float] | None:
        """(lat, lon, radius in metres) when the list is asked for around a point."""
        point = self.form.cleaned_data.get("near")
        if point is None:
            return None
        radius = self.form.cleaned_data.get("radius") or DEFAULT_RADIUS_M
        return point[0], point[1], radius


class PersonFilter(RecordFilter):
    ordering = ordering(id="id", name="slug", updated_at="updated_at")

    class Meta(RecordFilter.Meta):
        model = Person


class UnitFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        help_text="Words of the name, ignoring diacritics: `ky lua` finds “Phường Kỳ Lừa”.",
    )
    level = filters.MultipleChoiceFilter(
        choices=AdminUnit.Level.choices, help_text="Only units of these levels."
    )
    current = filters.BooleanFilter(
        method="filter_current",
        help_text="true: only units in force today; false: only abolished or merged ones.",
    )

    class Meta:
        model = AdminUnit
        form = FilterForm
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        words = slugify_vi(value).split("-")
        for word in filter(None, words):
            qs = qs.filter(slug__contains=word)
        return qs

    def filter_current(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        current = AdminUnit.objects.current().values("pk")
        return qs.filter(pk__in=current) if value else qs.exclude(pk__in=current)


# The largest id a record can have (a BigAutoField, on every database). A larger number passed
# on to a related lookup overflowed SQLite's integers: a 500 instead of a 400 naming the parameter.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(filters.Filter):
    field_class = IdField


class PlateFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Plate.Status.choices,
        help_text="Only plates at these stages (repeat for several): `installed` plates hang "
        "on their poles.",
    )
    place = IdFilter(field_name="place", help_text="Only plates made for this place (its id).")
    person = IdFilter(field_name="person", help_text="Only plates made for this person (its id).")

    class Meta:
        model = Plate
        form = FilterForm
        fields: list[str] = []


class ListFilterBackend(DjangoFilterBackend):
    """django-filter on lists only (a detail is found by its id alone), plus the distance order
    of `near`, which is a list computed in Python rather than a queryset."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        if getattr(view, "action", None) != "list":
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {name: [str(e) for e in errors] for name, errors in filterset.errors.items()}
            )
        results = filterset.qs
        near = getattr(filterset, "near_point", lambda: None)()
        if near is None:
            return results
        lat, lon, radius = near
        places = []
        for place, distance in results.near(lat, lon, radius):
            place.distance_m = round(distance, 1)
            places.append(place)
        return places
