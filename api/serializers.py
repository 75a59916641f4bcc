"""What the open-data API says about each record, and what staff systems may send.

Output serializers name every field and say which language each one is in. A translated text,
a label or a public page address is given in the request's language (`?lang=` a code of the
language registry, else Accept-Language), falling back along the language's chain as the public
pages do (zh-hans: English, then Vietnamese); with `?lang=all` it becomes
an object with one value per language, null where that translation is not written yet.

Input serializers only check shapes and types. Whether a record may be saved is decided by the
content's one write path (`sites.services`), the same validation and roles as the admin's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings

from lib.languages import split_field
from lib.text import web_url
from qrplates.models import Plate
from qrplates.rendering import payload
from sites import roles, services
from sites.models import (
    AdminUnit,
    HeritageFields,
    Narration,
    Person,
    PersonLink,
    Photo,
    Place,
    PublishableModel,
    Route,
    Status,
    Street,
)

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


# --- values that depend on the language ----------------------------------------------------------


class InLanguage(serializers.Field):
    """A read-only value that depends on the language: one value in the active language, or with
    `?lang=all` (`all_languages` in the context) an object keyed by language code."""

    inner_schema: dict = {"type": "string"}

    def __init__(self, *, nullable: bool = False, **kwargs: Any) -> None:
        self.nullable = nullable
        super().__init__(source="*", read_only=True, **kwargs)

    def applies_to(self, instance: Any) -> bool:
        return True

    def value(self, instance: Any, language: str) -> Any:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> Any:
        if not self.applies_to(instance):
            return None
        if self.context.get("all_languages"):
            return {code: self.value(instance, code) for code in LANGUAGE_CODES}
        return self.value(instance, "")


class TranslatedText(InLanguage):
    """A modeltranslation field. In one language, the text with the Vietnamese fallback; with
    `?lang=all`, what is written in each language (null when nothing is)."""

    def __init__(self, field: str = "", **kwargs: Any) -> None:
        self.model_field = field
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent: serializers.Serializer) -> None:
        super().bind(field_name, parent)
        self.model_field = self.model_field or field_name

    def applies_to(self, instance: Any) -> bool:
        # Kind-specific texts (a street's start point, a relic's fees) are null on other kinds.
        return hasattr(instance, self.model_field)

    def value(self, instance: Any, language: str) -> str | None:
        if not language:
            return getattr(instance, self.model_field) or ""
        return getattr(instance, f"{self.model_field}_{language.replace('-', '_')}") or None


class ChoiceLabel(InLanguage):
    """The human label of a choice field ("Relic" / "Di tích"), null when the value is empty."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        self.model_field = field
        super().__init__(**kwargs)

    def applies_to(self, instance: Any) -> bool:
        return bool(getattr(instance, self.model_field, ""))

    def value(self, instance: Any, language: str) -> str:
        with translation.override(language or translation.get_language()):
            return str(getattr(instance, f"get_{self.model_field}_display")())


class PublicUrl(InLanguage):
    """The absolute address of the record's public page, in the language asked for."""

    inner_schema = {"type": "string", "format": "uri"}

    def value(self, instance: Any, language: str) -> str:
        with translation.override(language or translation.get_language()):
            return settings.PUBLIC_BASE_URL + instance.get_absolute_url()


class YearsText(InLanguage):
    """A person's life years as the public pages print them: "c. 1030 – 1077"."""

    def value(self, instance: Person, language: str) -> str:
        with translation.override(language or translation.get_language()):
            return str(instance.years)


class InLanguageSchema(OpenApiSerializerFieldExtension):
    """Documents both shapes: a plain value, or one value per language with `?lang=all`."""

    target_class = InLanguage
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        inner = dict(self.target.inner_schema)
        one = {**inner, "nullable": True} if self.target.nullable else inner
        every = {
            "type": "object",
            "description": "With lang=all: one value per language, null where not written.",
            "properties": {code: {**inner, "nullable": True} for code in LANGUAGE_CODES},
            "required": list(LANGUAGE_CODES),
            "additionalProperties": False,
        }
        return {"oneOf": [one, every]}


class ApiUrl(serializers.HyperlinkedIdentityField):
    """The record's address in this API. Unlike DRF's field it drops the request's query
    (`?format=csv` would otherwise follow every link out of an export)."""

    def __init__(self, view_name: str, lookup_field: str = "pk", **kwargs: Any) -> None:
        super().__init__(view_name=f"api:{view_name}", lookup_field=lookup_field, **kwargs)

    def get_url(self, obj: Any, view_name: str, request: Any, format: str | None) -> str:
        return absolute(
            request, view_name, **{self.lookup_url_kwarg: getattr(obj, self.lookup_field)}
        )


def absolute(request: Any, view_name: str, **kwargs: Any) -> str:
    path = reverse(view_name, kwargs=kwargs)
    return request.build_absolute_uri(path) if request else path


def media_url(file: models.fields.files.FieldFile) -> str | None:
    """Absolute address of an uploaded file (MEDIA_URL may itself be absolute, e.g. a CDN of
    the Department's own)."""
    if not file:
        return None
    return urljoin(settings.PUBLIC_BASE_URL + "/", file.url)


# --- brief forms, nested in other records --------------------------------------------------------


class UnitBriefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Official national code.")
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    level = serializers.ChoiceField(choices=AdminUnit.Level.choices, read_only=True)
    api_url = ApiUrl("unit-detail", "code")


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    url = PublicUrl()
    api_url = ApiUrl("person-detail")


class PublishedPersonBriefSerializer(PersonBriefSerializer):
    """A person named from another record: null unless the person is published."""

    def get_attribute(self, instance: Any) -> Person | None:
        person = super().get_attribute(instance)
        return person if person is not None and person.is_published else None


class PlaceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Place.Kind.choices, read_only=True)
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    url = PublicUrl()
    api_url = ApiUrl("place-detail")


class WebUrlField(serializers.CharField):
    """An http(s) address, or "" (never a javascript: or data: address: lib.text.web_url)."""

    def to_representation(self, value: str) -> str:
        return web_url(value)


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    url = WebUrlField(read_only=True, help_text="Empty when the source is not online.")
    note = TranslatedText()
    citable = serializers.BooleanField(
        read_only=True,
        help_text="Fit to list on a public page. Only staff see the others, kept for provenance.",
    )


class PhotoSerializer(serializers.Serializer):
    image = serializers.SerializerMethodField()
    caption = TranslatedText()
    credit = serializers.CharField(read_only=True)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_image(self, photo: Photo) -> str | None:
        return media_url(photo.image)


class NarrationSerializer(serializers.Serializer):
    language = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The recording; answered only while the record is published."
    )
    content_type = serializers.CharField(read_only=True)
    seconds = serializers.FloatField(read_only=True)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, narration: Narration) -> str:
        return urljoin(settings.PUBLIC_BASE_URL + "/", narration.url)


def narration_field() -> NarrationSerializer:
    """A record's recordings, as places, people and walking routes list them."""
    return NarrationSerializer(
        many=True,
        read_only=True,
        source="narrations",
        help_text="Recordings of the record's text read aloud, one per language at most: the "
        "text in that language is the transcript.",
    )


class FormerNameSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    until_year = serializers.IntegerField(read_only=True, allow_null=True)
    note = TranslatedText()


class LinkSerializer(serializers.Serializer):
    """How a person and a place are tied; the two below add the other end."""

    role = serializers.ChoiceField(choices=PersonLink.Role.choices, read_only=True)
    role_label = ChoiceLabel("role")
    year_from = serializers.IntegerField(read_only=True, allow_null=True)
    year_to = serializers.IntegerField(read_only=True, allow_null=True)
    note = TranslatedText()


class PersonLinkSerializer(LinkSerializer):
    """A link seen from the place."""

    person = PersonBriefSerializer(read_only=True)


class PlaceLinkSerializer(LinkSerializer):
    """A link seen from the person."""

    place = PlaceBriefSerializer(read_only=True)


# --- places --------------------------------------------------------------------------------------

STREET_FIELDS = (
    "street_type",
    "named_after",
    "start_point",
    "end_point",
    "length_m",
    "naming_resolution",
    "naming_resolution_date",
    "namesake_wikidata",
)
HERITAGE_FIELDS = (
    "ranking",
    "ranking_year",
    "decision_number",
    "decision_date",
    "category",
    "address",
    "opening_hours",
    "fees",
    "visiting_notes",
)
KIND_FIELDS = {
    Place.Kind.STREET: STREET_FIELDS,
    Place.Kind.RELIC: HERITAGE_FIELDS,
    Place.Kind.SCENIC: HERITAGE_FIELDS,
}


def only_for(kinds: str) -> str:
    return f"Only for {kinds}; null for other kinds."


def kind_field(field_class: type[serializers.Field], kinds: str) -> serializers.Field:
    """A read-only value that only places of `kinds` have (null on the others)."""
    return field_class(read_only=True, allow_null=True, help_text=only_for(kinds))


class PlaceSerializer(serializers.Serializer):
    """A street, relic or scenic spot. Fields of one kind are null on the others."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Place.Kind.choices, read_only=True)
    kind_label = ChoiceLabel("kind")
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True, help_text="Unique within a kind.")
    summary = TranslatedText()
    body = TranslatedText(help_text="Plain text; paragraphs are separated by an empty line.")
    status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text="Always published for anonymous clients."
    )
    url = PublicUrl(help_text="The public page (the address a plate's QR code leads to).")
    api_url = ApiUrl("place-detail")
    lat = serializers.FloatField(read_only=True, allow_null=True, help_text="WGS 84 latitude.")
    lon = serializers.FloatField(read_only=True, allow_null=True, help_text="WGS 84 longitude.")
    unit = UnitBriefSerializer(read_only=True, allow_null=True)
    wikidata = serializers.CharField(
        read_only=True, help_text="The place's Wikidata item (Q…), empty when none is known."
    )

    street_type = serializers.ChoiceField(
        choices=Street.StreetType.choices,
        read_only=True,
        allow_null=True,
        help_text=only_for("streets"),
    )
    named_after = PublishedPersonBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text=only_for("streets") + " Null too when the namesake is not published.",
    )
    start_point = TranslatedText(nullable=True, help_text=only_for("streets"))
    end_point = TranslatedText(nullable=True, help_text=only_for("streets"))
    length_m = kind_field(serializers.IntegerField, "streets")
    naming_resolution = kind_field(serializers.CharField, "streets")
    naming_resolution_date = kind_field(serializers.DateField, "streets")
    namesake_wikidata = serializers.CharField(
        source="etymology_wikidata",
        read_only=True,
        allow_null=True,
        help_text=only_for("streets")
        + " The Wikidata item the street is named after (OpenStreetMap's "
        "`name:etymology:wikidata`): the published namesake's, else one entered for a namesake "
        "not recorded as a person; empty when none is known.",
    )

    ranking = serializers.ChoiceField(
        choices=HeritageFields.Ranking.choices,
        read_only=True,
        allow_null=True,
        allow_blank=True,
        help_text=only_for("relics and scenic spots") + " Empty when no source states it.",
    )
    ranking_label = ChoiceLabel("ranking", nullable=True)
    ranking_year = kind_field(serializers.IntegerField, "relics and scenic spots")
    decision_number = kind_field(serializers.CharField, "relics and scenic spots")
    decision_date = kind_field(serializers.DateField, "relics and scenic spots")
    category = TranslatedText(nullable=True, help_text=only_for("relics and scenic spots"))
    address = TranslatedText(nullable=True, help_text=only_for("relics and scenic spots"))
    opening_hours = TranslatedText(nullable=True, help_text=only_for("relics and scenic spots"))
    fees = TranslatedText(nullable=True, help_text=only_for("relics and scenic spots"))
    visiting_notes = TranslatedText(nullable=True, help_text=only_for("relics and scenic spots"))

    missing_translations = serializers.ListField(
        child=serializers.CharField(),
        source="missing_languages",
        read_only=True,
        help_text="Languages whose text is not written yet (meanwhile the text of the next "
        "language of its fallback chain is shown, Vietnamese last).",
    )
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    distance_m = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Metres from the `near` point; null without `near`.",
    )

    # Set by the view on the queried row: a distance, prefetched links, warnings after a save.
    CARRIED = ("distance_m", "public_person_links", "warnings")

    def to_representation(self, place: Place) -> dict:
        # The kind-specific columns live on the child row, joined in by `with_details()`.
        specific = place.specific
        for name in self.CARRIED:
            if name in place.__dict__:
                specific.__dict__[name] = place.__dict__[name]
        # So are the lists prefetched on the row (the sources the account may read, its photos).
        prefetched = getattr(place, "_prefetched_objects_cache", None)
        if prefetched and specific is not place:
            specific._prefetched_objects_cache = {
                **getattr(specific, "_prefetched_objects_cache", {}),
                **prefetched,
            }
        return super().to_representation(specific)


class PlaceDetailSerializer(PlaceSerializer):
    """A place with the people linked to it, its sources, photos and (streets) former names."""

    people = PersonLinkSerializer(
        many=True,
        read_only=True,
        source="public_person_links",
        help_text="Published people linked to the place. A street's namesake is `named_after`.",
    )
    former_names = FormerNameSerializer(
        many=True, read_only=True, allow_null=True, help_text=only_for("streets")
    )
    sources = SourceSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    narration = narration_field()


class PlaceSavedSerializer(PlaceDetailSerializer):
    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What an editor should check, e.g. coordinates in another commune.",
    )


# --- people --------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    alt_names = serializers.CharField(
        read_only=True, help_text="Other names, pen names or titles, comma-separated."
    )
    birth_year = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Negative for years BCE."
    )
    birth_year_approx = serializers.BooleanField(read_only=True)
    death_year = serializers.IntegerField(read_only=True, allow_null=True)
    death_year_approx = serializers.BooleanField(read_only=True)
    years = YearsText(help_text='As printed on the pages, e.g. "c. 1030 – 1077"; may be empty.')
    role = TranslatedText(help_text="One line: who they were.")
    biography = TranslatedText()
    portrait = serializers.SerializerMethodField()
    wikidata = serializers.CharField(
        read_only=True, help_text="The person's Wikidata item (Q…), empty when none is known."
    )
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    url = PublicUrl()
    api_url = ApiUrl("person-detail")
    missing_translations = serializers.ListField(
        child=serializers.CharField(), source="missing_languages", read_only=True
    )
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_portrait(self, person: Person) -> str | None:
        return media_url(person.portrait)


class PersonDetailSerializer(PersonSerializer):
    places = serializers.SerializerMethodField(
        help_text="Published places linked to the person, streets named after them first."
    )
    sources = SourceSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    narration = narration_field()

    @extend_schema_field(PlaceLinkSerializer(many=True))
    def get_places(self, person: Person) -> list[dict]:
        # A street's namesake is a field of the street, not a PersonLink; to a reader both are
        # "places tied to this person", so the streets are given as unsaved "named after" links.
        named = [
            PersonLink(person=person, place=street, role=PersonLink.Role.NAMED_AFTER)
            for street in person.public_streets
        ]
        return PlaceLinkSerializer(
            [*named, *person.public_place_links], many=True, context=self.context
        ).data


# --- communes and wards --------------------------------------------------------------------------


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Official national code.")
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    level = serializers.ChoiceField(choices=AdminUnit.Level.choices, read_only=True)
    level_label = ChoiceLabel("level")
    parent = serializers.CharField(
        source="parent.code", read_only=True, allow_null=True, help_text="Code of the parent unit."
    )
    valid_from = serializers.DateField(read_only=True, allow_null=True)
    valid_until = serializers.DateField(
        read_only=True, allow_null=True, help_text="Set when the unit was abolished or merged."
    )
    successor = serializers.CharField(
        source="successor.code",
        read_only=True,
        allow_null=True,
        help_text="Code of the unit it was merged into.",
    )
    formed_from = serializers.CharField(read_only=True, help_text="Older units merged into it.")
    label_lat = serializers.FloatField(read_only=True, allow_null=True)
    label_lon = serializers.FloatField(read_only=True, allow_null=True)
    bbox = serializers.ListField(
        child=serializers.FloatField(),
        read_only=True,
        allow_null=True,
        min_length=4,
        max_length=4,
        help_text="[min lon, min lat, max lon, max lat] of the boundary.",
    )
    place_count = serializers.IntegerField(read_only=True, help_text="Published places in it.")
    url = PublicUrl()
    api_url = ApiUrl("unit-detail", "code")


# --- plates -------------------------------------------------------------------------------------


class RouteStopSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True, help_text="1 for the first stop.")
    place = PlaceBriefSerializer(read_only=True)
    lat = serializers.FloatField(source="place.lat", read_only=True, allow_null=True)
    lon = serializers.FloatField(source="place.lon", read_only=True, allow_null=True)


class RouteSerializer(serializers.Serializer):
    """A walking route: its published stops in walking order, and the length and walking time
    computed from them (null when a stop has no coordinates)."""

    slug = serializers.SlugField(read_only=True)
    title = TranslatedText()
    summary = TranslatedText()
    body = TranslatedText(help_text="Plain text; paragraphs are separated by an empty line.")
    url = PublicUrl(help_text="The route's public page.")
    api_url = ApiUrl("route-detail", "slug")
    length_m = serializers.SerializerMethodField(
        help_text="Metres along straight lines between the stops."
    )
    walking_minutes = serializers.SerializerMethodField(
        help_text="At 4.5 km/h, rounded up to 5 minutes, without visits."
    )
    stops = serializers.SerializerMethodField()
    narration = narration_field()

    def published(self, route: Route) -> list[Place]:
        return route.published_stops()

    def get_length_m(self, route: Route) -> int | None:
        return Route.length_of(self.published(route))

    def get_walking_minutes(self, route: Route) -> int | None:
        return Route.walking_minutes(self.get_length_m(route))

    @extend_schema_field(RouteStopSerializer(many=True))
    def get_stops(self, route: Route) -> list[dict]:
        stops = [
            {"position": number, "place": place}
            for number, place in enumerate(self.published(route), start=1)
        ]
        return RouteStopSerializer(stops, many=True, context=self.context).data


class RecordBriefSerializer(serializers.Serializer):
    """The record a plate leads to: a place or a person."""

    type = serializers.SerializerMethodField()
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        choices=Place.Kind.choices,
        read_only=True,
        allow_null=True,
        help_text="The kind of place; null for a person.",
    )
    name = TranslatedText()
    slug = serializers.SlugField(read_only=True)
    url = PublicUrl()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "enum": ["place", "person"]})
    def get_type(self, record: Place | Person) -> str:
        return "place" if isinstance(record, Place) else "person"

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_api_url(self, record: Place | Person) -> str:
        view = "api:place-detail" if isinstance(record, Place) else "api:person-detail"
        return absolute(self.context.get("request"), view, pk=record.pk)


class PlateSerializer(serializers.Serializer):
    """A plate's public side: its code, what its QR code says, where it leads, its stage."""

    code = serializers.CharField(read_only=True, help_text="Printed under the QR code.")
    url = serializers.SerializerMethodField(help_text="What the QR code says.")
    status = serializers.ChoiceField(choices=Plate.Status.choices, read_only=True)
    status_label = ChoiceLabel("status")
    record = RecordBriefSerializer(
        source="landing",
        read_only=True,
        help_text="The published record a scan shows (after merges of duplicate records).",
    )
    api_url = ApiUrl("plate-detail", "code")

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, plate: Plate) -> str:
        return payload(plate.code)


# --- input from staff systems --------------------------------------------------------------------


class TranslationsInput(serializers.Field):
    """A translated text as staff systems send it: {"vi": "…", "en": "…"}. Languages left out
    keep their text; null or "" clears one."""

    default_error_messages = {
        "not_object": _('Give an object with one text per language, e.g. {{"vi": "…"}}.'),
        "unknown_language": _("Unknown language “{code}”: use {codes}."),
        "not_text": _("The “{code}” text must be a string or null."),
        "null_character": _("Null characters are not allowed."),
    }

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if not isinstance(data, dict):
            self.fail("not_object")
        texts = {}
        for code, text in data.items():
            if code not in LANGUAGE_CODES:
                self.fail("unknown_language", code=code, codes=", ".join(LANGUAGE_CODES))
            if text is not None and not isinstance(text, str):
                self.fail("not_text", code=code)
            if text and "\x00" in text:
                self.fail("null_character")
            texts[code] = (text or "").strip()
        return texts

    def to_representation(self, value: Any) -> Any:
        return value


class TranslationsInputSchema(OpenApiSerializerFieldExtension):
    target_class = TranslationsInput

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        return {
            "type": "object",
            "properties": {code: {"type": "string", "nullable": True} for code in LANGUAGE_CODES},
            "additionalProperties": False,
        }


class UnitCodeField(serializers.SlugRelatedField):
    def to_internal_value(self, data: Any) -> AdminUnit:
        # Before the query: PostgreSQL refuses a NUL character in text.
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(
                TranslationsInput.default_error_messages["null_character"]
            )
        return super().to_internal_value(data)


class RecordInputSerializer(serializers.Serializer):
    """What every record accepts. Fields left out keep their value (create: their default)."""

    slug = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="ASCII address; empty makes it from the Vietnamese name.",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Your system's stable identifier for the record (unique).",
    )
    wikidata = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The record's Wikidata item, e.g. Q1858; only one a source gives.",
    )

    def new_record(self) -> PublishableModel:
        raise NotImplementedError


class PlaceInputSerializer(RecordInputSerializer):
    """A street, relic or scenic spot as staff systems send it. `kind` is required to create and
    cannot change; fields of another kind are refused."""

    kind = serializers.ChoiceField(choices=Place.Kind.choices, required=False)
    name = TranslationsInput(required=False, help_text="The Vietnamese name is required.")
    summary = TranslationsInput(required=False)
    body = TranslationsInput(required=False)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    unit = UnitCodeField(
        slug_field="code",
        queryset=AdminUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="Official code of the commune or ward; left empty, it is found from the "
        "coordinates.",
    )

    street_type = serializers.ChoiceField(choices=Street.StreetType.choices, required=False)
    named_after = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, help_text="A person's id."
    )
    start_point = TranslationsInput(required=False)
    end_point = TranslationsInput(required=False)
    length_m = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    naming_resolution = serializers.CharField(required=False, allow_blank=True)
    naming_resolution_date = serializers.DateField(required=False, allow_null=True)
    namesake_wikidata = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The Wikidata item of a namesake not recorded as a person (an event, a place).",
    )

    ranking = serializers.ChoiceField(
        choices=HeritageFields.Ranking.choices, required=False, allow_blank=True
    )
    ranking_year = serializers.IntegerField(required=False, allow_null=True)
    decision_number = serializers.CharField(required=False, allow_blank=True)
    decision_date = serializers.DateField(required=False, allow_null=True)
    category = TranslationsInput(required=False)
    address = TranslationsInput(required=False)
    opening_hours = TranslationsInput(required=False)
    fees = TranslationsInput(required=False)
    visiting_notes = TranslationsInput(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        # The people a street may be named after: those the account may read (sites.roles).
        named_after = self.fields["named_after"]
        named_after.queryset = roles.choices(
            user, Street._meta.get_field("named_after"), named_after.queryset
        )

    default_error_messages = {
        "kind_required": _("Say which kind of place to create: street, relic or scenic."),
        "kind_fixed": _("A place cannot change its kind. Create a new record instead."),
        "wrong_kind": _("This field does not apply to a %(kind)s."),
    }

    def validate(self, attrs: dict) -> dict:
        kind = self.instance.kind if self.instance else attrs.get("kind")
        if kind is None:
            raise serializers.ValidationError({"kind": self.error_messages["kind_required"]})
        if self.instance and attrs.get("kind", kind) != kind:
            raise serializers.ValidationError({"kind": self.error_messages["kind_fixed"]})
        foreign = set(STREET_FIELDS + HERITAGE_FIELDS) - set(KIND_FIELDS[kind])
        label = Place.Kind(kind).label
        errors = {
            name: self.error_messages["wrong_kind"] % {"kind": str(label).lower()}
            for name in attrs
            if name in foreign
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def new_record(self) -> Place:
        return Place.model_for_kind(self.validated_data["kind"])()


class PersonInputSerializer(RecordInputSerializer):
    name = TranslationsInput(required=False, help_text="The Vietnamese name is required.")
    role = TranslationsInput(required=False)
    biography = TranslationsInput(required=False)
    alt_names = serializers.CharField(required=False, allow_blank=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    birth_year_approx = serializers.BooleanField(required=False)
    death_year = serializers.IntegerField(required=False, allow_null=True)
    death_year_approx = serializers.BooleanField(required=False)

    def new_record(self) -> Person:
        return Person()


# --- saving: the values onto the record, then the content's one write path ------------------------


def save_from_input(
    *, record: PublishableModel, values: dict[str, Any], by: AbstractBaseUser
) -> PublishableModel:
    """Puts `values` (from an input serializer) on `record`, a translated text in each language
    sent, and saves it for `by` through the content's one write path (`sites.services`): the
    admin's validation and roles (an editor writes only in their communes and never publishes;
    their change to a published record sends it back to review), in one transaction. Raises
    DRF's ValidationError, naming fields as the API does ("name.vi"), or PermissionDenied, and
    saves nothing when anything is wrong."""
    translated = services.translated_fields(type(record))
    for name, value in values.items():
        if name == "kind":
            continue
        if name in translated:
            for code, text in value.items():
                setattr(record, f"{name}_{code.replace('-', '_')}", text)
        else:
            setattr(record, name, value)
    try:
        return services.record_save(record=record, by=by)
    except DjangoValidationError as invalid:
        errors: dict[str, list[str]] = {}
        for name, messages in invalid.message_dict.items():
            errors.setdefault(api_field_name(name, translated), []).extend(messages)
        raise serializers.ValidationError(errors) from invalid
    except DjangoPermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied)) from denied


def api_field_name(name: str, translated: set[str]) -> str:
    """The model's field name as the API spells it: "name_zh_hans" -> "name.zh-hans"."""
    if name == NON_FIELD_ERRORS:
        return api_settings.NON_FIELD_ERRORS_KEY
    split = split_field(name)
    if split and split[0] in translated:
        return ".".join(split)
    return name
