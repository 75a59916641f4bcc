"""The content vocabulary: administrative units, places (streets, relics, scenic spots), people,
the typed links between people and places, sources and photos.

Streets, relics and scenic spots share one concrete `Place` table (multi-table inheritance): a
mixed list of places, a search or a "nearby" list is one query on `sites_place`, and the
kind-specific columns are one join away (`Place.objects.with_details()`).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import time

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import Case, Count, Q, Value, When, Window
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib import audio as lib_audio
from lib import geo, images, languages
from lib.text import fold, nfc, slugify_vi, strip_markup
from lib.uploads import PhotoField
from sites.signals import content_changed

DEFAULT_SUFFIX = settings.MODELTRANSLATION_DEFAULT_LANGUAGE.replace("-", "_")


def translated_names(instance: models.Model, field: str) -> list[str]:
    """Every language's value of a modeltranslation field, default language first."""
    values = []
    for code, _name in settings.LANGUAGES:
        value = getattr(instance, f"{field}_{code.replace('-', '_')}", None)
        if value:
            values.append(value)
    return values


def is_free_text(field: models.Field) -> bool:
    """A field people write text into (not an address, a slug or a choice)."""
    return (
        isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.URLField | models.SlugField | models.EmailField)
        and not field.choices
    )


def coordinate_field(name: str, limit: int, help_text: str = "") -> models.FloatField:
    """A WGS 84 coordinate in decimal degrees, empty when unknown (places, plate installations):
    `coordinate_field(_("latitude"), 90)`, `coordinate_field(_("longitude"), 180)`."""
    return models.FloatField(
        name,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
        help_text=help_text,
    )


def wikidata_field(name: str, help_text: str) -> models.CharField:
    """A Wikidata item's ID ("Q" and digits, e.g. Q1858), empty unless a source gives it or an
    editor looked it up: never guessed. Shown as schema.org `sameAs` and given to OpenStreetMap
    mappers as `wikidata` or `name:etymology:wikidata`."""
    return models.CharField(
        name,
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                r"\AQ[1-9][0-9]{0,14}\Z",
                _("A Wikidata ID is Q followed by digits, e.g. Q1858 (not the item's address)."),
            )
        ],
        help_text=help_text,
    )


WIKIDATA_HELP = _(
    "The record's Wikidata item, e.g. Q1858, only when you found that very item on "
    "wikidata.org. Leave empty otherwise."
)


def trace_field(to: type[models.Model] | str, name: str) -> models.ForeignKey:
    """What did something to a row, or came of it (who minted a plate, handled a report; the
    photo a suggestion became): emptied when its target goes (the row stays), never edited,
    not followed back."""
    return models.ForeignKey(
        to,
        verbose_name=name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


def staff_field(name: str) -> models.ForeignKey:
    """The staff member who did something to a row (`trace_field`)."""
    return trace_field(settings.AUTH_USER_MODEL, name)


class NormalizedTextModel(models.Model):
    """Stores every text in Unicode NFC and without markup, whatever the editor's keyboard, a
    spreadsheet or another system's API call sent (lib.text: `nfc`, `strip_markup`)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.normalize_text()
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        for attname, free in _text_fields(type(self)):
            value = getattr(self, attname)
            if isinstance(value, str):
                value = nfc(value)
                setattr(self, attname, strip_markup(value) if free else value)


@functools.cache
def _text_fields(model: type[models.Model]) -> tuple[tuple[str, bool], ...]:
    """The text columns of `model`, each with whether people write free text into it (worked
    out once per model: every save normalises them)."""
    return tuple(
        (field.attname, is_free_text(field))
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    )


def stored_text(field: models.Field, value: str) -> str:
    """`value` as `field` stores it: NFC, and without markup where people write free text."""
    value = nfc(value)
    return strip_markup(value) if is_free_text(field) else value


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TextState(models.TextChoices):
    """How far the text of a record in one language has come. "Missing" is computed from the
    text itself; the other three are stored per language in `translation_states`."""

    MISSING = "missing", _("missing")
    MACHINE = "machine", _("machine-translated draft")
    DRAFT = "draft", _("draft")
    REVIEWED = "reviewed", _("reviewed")


def published_q(through: str = "") -> Q:
    """What visitors may see: the one place where "published" is decided. On the records
    themselves (`published()` below), or through a relation: `published_q("person")` keeps the
    links whose person is published, `published_q("places")` the units with a published place.
    `PublishableModel.is_published` asks the same of one record in hand."""
    return Q(**{f"{through}__status" if through else "status": Status.PUBLISHED})


def counted_q(through: str = "") -> Q:
    """The records that count in the plan's and the dashboard's totals: neither withdrawn nor
    merged into another record (a merged record lives on in the one it was merged into).
    `counted_q("place")` keeps the plates of such places."""
    prefix = f"{through}__" if through else ""
    return ~Q(**{f"{prefix}status": Status.WITHDRAWN}) & Q(**{f"{prefix}merged_into__isnull": True})


# Near spellings (PostgreSQL): at most this many are listed.
NEAR_SPELLINGS = 60
# How close a run of words must be to the query (pg_trgm word similarity, 0 to 1). pg_trgm's
# default (0.6) had "dong kinh" rechecked against 3,400 records of 100,000 (90 ms); 0.7 still
# forgives a missing or two swapped letters ("hoang van tu" is 0.85 from "hoang van thu",
# "dong tam thnah" 0.71 from "dong tam thanh") and leaves a few dozen to check.
NEAR_SPELLING_SIMILARITY = 0.7


def near_spelling_threshold(sender, connection, **kwargs) -> None:
    """Sets `NEAR_SPELLING_SIMILARITY` as pg_trgm's word similarity threshold (the `%>` of
    `search`) on each new PostgreSQL connection (connected in sites.apps): once per connection,
    not one more round trip per search."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(NEAR_SPELLING_SIMILARITY)],
            )


class PublishableQuerySet(models.QuerySet):
    def published(self) -> PublishableQuerySet:
        """Only what visitors may see (`published_q`)."""
        return self.filter(published_q())

    def counted(self) -> PublishableQuerySet:
        """Only what the plan's and the dashboard's totals count (`counted_q`)."""
        return self.filter(counted_q())

    def search(self, query: str) -> PublishableQuerySet:
        """Records whose names (in every language) match `query`, best match first, with the
        score as `rank`.

        Matching is diacritic- and case-insensitive the same way on SQLite and PostgreSQL,
        because both sides are folded in Python: the stored `search_text` and the query. A
        record matches when every word of the query is in its names (a trigram index serves
        this on PostgreSQL). When that finds nothing, on PostgreSQL the `NEAR_SPELLINGS`
        records whose names hold a run of words closest to the query (pg_trgm word similarity)
        match instead, so "hoang van tu" still finds "Hoàng Văn Thụ" (unless a "Hoàng Văn Tú"
        exists): the words' check and the near spellings are queries of their own, run here.

        Ranking puts a name that starts with the query first, then a name that contains it as
        a phrase, then one that has every word, then the closest spelling; names alike come in
        address order. Asking for near spellings in the same query as the words made PostgreSQL
        compute the similarity of every record (0.7 s for "đền" at 100,000 records)."""
        # Control characters can only be noise here, and PostgreSQL refuses NUL in a query.
        folded = "".join(ch for ch in fold(query) if ch.isprintable())[:200]
        words = folded.split()[:10]
        if not words:
            return self.none()
        phrase = " ".join(words)
        every_word = Q()
        for word in words:
            every_word &= Q(search_text__contains=word)
        # search_text is "every language's name | other names": a name starts at the start or after
        # a separator.
        fuzzy = connections[self.db].vendor == "postgresql"
        rank = Case(
            When(
                Q(search_text__startswith=phrase) | Q(search_text__contains=f"| {phrase}"), then=3
            ),
            When(search_text__contains=phrase, then=2),
            When(every_word, then=1),
            default=TrigramWordSimilarity(Value(phrase), "search_text") if fuzzy else Value(0.0),
            output_field=models.FloatField(),
        )
        condition = every_word
        if fuzzy and not self.filter(every_word).exists():
            near = (
                self.filter(search_text__trigram_word_similar=phrase)
                .annotate(closeness=TrigramWordSimilarity(Value(phrase), "search_text"))
                .order_by("-closeness", "pk")
                .values_list("pk", flat=True)[:NEAR_SPELLINGS]
            )
            # How close is close enough: `near_spelling_threshold`, set on each connection.
            condition |= Q(pk__in=list(near))
        return self.filter(condition).annotate(rank=rank).order_by("-rank", "slug")

    def is_ranked(self) -> bool:
        """True for a list ranked by `search`."""
        return "rank" in self.query.annotations

    def ranked_rows(self, start: int, stop: int) -> tuple[list, int | None]:
        """The records `start` to `stop` of a search, in its order, and how many records the
        whole search finds (None when that stretch is empty). Read in two steps: the keys of
        the stretch first, ranked and sorted with nothing else and counted in the same pass
        (a window count), then those records with every column and join the list asks for.
        Sorting the 6,264 records that hold "đền" (of 100,000) with all their columns, and
        the API's five joins, cost three to six times what sorting their keys costs; counting
        them in a query of its own read them all a second time."""
        keyed = list(
            self.annotate(search_total=Window(Count("*"))).values_list("pk", "search_total")[
                start:stop
            ]
        )
        if not keyed:
            return [], None
        keys = [key for key, _total in keyed]
        found = {record.pk: record for record in self.filter(pk__in=keys).order_by()}
        return [found[key] for key in keys if key in found], keyed[0][1]

    def missing_translation(self, language: str) -> PublishableQuerySet:
        """Records whose text in `language` is not written yet (any translated field empty)."""
        suffix = language.replace("-", "_")
        condition = Q()
        for field in self.model.required_translations:
            condition |= Q(**{f"{field}_{suffix}": ""}) | Q(**{f"{field}_{suffix}__isnull": True})
        return self.filter(condition)

    def with_text_state(self, language: str, state: str) -> PublishableQuerySet:
        """Records whose text in `language` is in `state` (a `TextState`). A language with text
        but no recorded state counts as a draft: nobody has reviewed it yet."""
        if state == TextState.MISSING:
            return self.missing_translation(language)
        written = self.exclude(pk__in=self.missing_translation(language).values("pk"))
        recorded = Q(**{f"translation_states__{language}": state})
        if state == TextState.DRAFT:
            recorded |= ~Q(translation_states__has_key=language)
        return written.filter(recorded)


class TextStatesModel(models.Model):
    """Text in each language of the registry with its state (`TextState`): a language whose
    text is a machine translation nobody has reviewed yet is labelled so on the public page."""

    # Fields whose translation must exist before a record counts as translated.
    required_translations: tuple[str, ...] = ()

    translation_states = models.JSONField(
        _("state of the text in each language"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Language code → draft, machine-translated draft or reviewed."),
    )

    class Meta:
        abstract = True

    def missing_languages(self) -> list[str]:
        """Language codes (other than the default) whose text is not written yet."""
        missing = []
        for code in languages.translations():
            suffix = code.replace("-", "_")
            if any(not getattr(self, f"{f}_{suffix}", "") for f in self.required_translations):
                missing.append(code)
        return missing

    def text_state(self, language: str) -> str:
        """The `TextState` of this record's text in `language`."""
        if language in self.missing_languages():
            return TextState.MISSING
        return self.translation_states.get(language) or TextState.DRAFT

    @property
    def machine_translated(self) -> bool:
        """True when the text in the active language is a machine translation nobody has
        reviewed yet: public pages must say so (template-ready: `record.machine_translated`)."""
        return self.text_state(translation.get_language() or "") == TextState.MACHINE

    @property
    def machine_translation_note(self) -> str:
        """The sentence a public page shows above machine-translated text, or ""."""
        if not self.machine_translated:
            return ""
        return str(
            _(
                "This text was translated by machine and has not been checked yet; it may "
                "contain mistakes."
            )
        )


class PublishableModel(TextStatesModel, NormalizedTextModel):
    """What every public record has: a slug, a status, timestamps and a folded search text."""

    required_translations = ("name",)

    slug = models.SlugField(
        _("address (slug)"),
        max_length=120,
        blank=True,
        allow_unicode=False,
        help_text=_(
            "The last part of the page address, in ASCII. Leave empty to make it from the "
            "Vietnamese name. Changing it later keeps the old address working."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    search_text = models.TextField(editable=False, default="")
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        help_text=_(
            "A stable identifier from the spreadsheet or system the record came from; "
            "re-importing the same row updates this record instead of adding a new one."
        ),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("duplicate record", "merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        help_text=_(
            "When this record duplicates another, choose the one that stays and withdraw this "
            "one: plates printed for this record then lead to the one that stays."
        ),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.normalize_text()
        previous = None
        if self.pk:
            previous = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("slug", f"name_{DEFAULT_SUFFIX}", "published_at")
                .first()
            )
        if previous and self.slug == previous["slug"]:
            # A rename re-derives the address when the editor never typed one of their own.
            old_name = previous[f"name_{DEFAULT_SUFFIX}"] or ""
            derived = self.derived_slug()
            if (
                self.slug == slugify_vi(old_name)[:120].strip("-")
                and derived
                and derived != self.slug
                and not self.slug_siblings().filter(slug=derived).exclude(pk=self.pk).exists()
            ):
                self.slug = derived
        if not self.slug:
            self.slug = self.derived_slug() or "x"
        self.search_text = " | ".join(fold(name) for name in self.search_names() if name)
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "slug",
                "search_text",
                "published_at",
            }
        super().save(*args, **kwargs)
        if previous and previous["slug"] != self.slug:
            self._remember_old_slug(previous["slug"], was_published=bool(previous["published_at"]))

    # Constraints whose rule the model's clean() already states, in the editor's words: the
    # database still enforces them, but validating them again costs a query each (Django asks
    # the database whether a condition holds), some 3 ms a record on every save.
    CONSTRAINTS_IN_CLEAN: frozenset[str] = frozenset()

    def validate_constraints(self, exclude=None) -> None:
        """Django's validation of the constraints, less CONSTRAINTS_IN_CLEAN (see above)."""
        using = router.db_for_write(type(self), instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if constraint.name in self.CONSTRAINTS_IN_CLEAN:
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as invalid:
                    if getattr(invalid, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(invalid)
                    else:
                        errors = invalid.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def external_id_constraint(cls, name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(
            fields=["external_id"], condition=~Q(external_id=""), name=name
        )

    @property
    def is_published(self) -> bool:
        """`published_q`'s rule, for this record."""
        return self.status == Status.PUBLISHED

    def survivor(self) -> PublishableModel:
        """The record this one was merged into, followed to the end of the chain; the record
        itself when it was never merged. A (mistaken) cycle stops where it closes."""
        record, seen = self, {self.pk}
        while record.merged_into_id is not None and record.merged_into_id not in seen:
            seen.add(record.merged_into_id)
            record = record.merged_into
        return record

    def check_merge(self) -> None:
        """A record is never merged into itself, directly or through records merged into it,
        and does not stay published once merged: merging a published record withdraws it."""
        if self.merged_into_id is None:
            return
        record, seen = self.merged_into, set()
        while record is not None and record.pk not in seen:
            if record.pk == self.pk:
                raise ValidationError(
                    {
                        "merged_into": _(
                            "A record cannot be merged into itself, even through others."
                        )
                    }
                )
            seen.add(record.pk)
            record = record.merged_into
        if self.is_published:
            # Merging is one step: a record merged into another is no longer shown, so choosing
            # the record it was merged into withdraws it (its plates lead to that record).
            self.status = Status.WITHDRAWN

    def search_names(self) -> list[str]:
        return translated_names(self, "name")

    @property
    def name_default(self) -> str:
        return getattr(self, f"name_{DEFAULT_SUFFIX}", "") or self.name

    @property
    def slug_scope(self) -> str:
        """Slugs are unique within a scope: one per kind of place, one for people."""
        raise NotImplementedError

    def slug_siblings(self) -> models.QuerySet:
        """The records whose slugs this record's slug must differ from."""
        raise NotImplementedError

    def derived_slug(self) -> str:
        return slugify_vi(self.name_default)[:120].strip("-")

    def check_slug_free(self) -> None:
        slug = self.slug or self.derived_slug()
        if slug and self.slug_siblings().filter(slug=slug).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "slug": _(
                        "Another record of this kind already uses the address “%(slug)s”. "
                        "Change the name or type a different address."
                    )
                    % {"slug": slug}
                }
            )

    def _remember_old_slug(self, old_slug: str, *, was_published: bool) -> None:
        remember_old_slug(self, old_slug, was_published=was_published)


def remember_old_slug(record: PublishableModel | Route, old_slug: str, *, was_published: bool):
    """After `record` (a place, a person or a walking route) moved from `old_slug` to its
    current address: the old one redirects to it (`OldSlug`), if it was ever published; its new
    address is no longer another record's old one."""
    # Only a published address can be in someone's bookmarks, a shared link or a printout.
    OldSlug.objects.filter(kind=record.slug_scope, slug=record.slug).delete()
    if was_published:
        OldSlug.objects.update_or_create(
            kind=record.slug_scope, slug=old_slug, defaults={"owner": record}
        )


class AdminUnitQuerySet(models.QuerySet):
    def current(self) -> AdminUnitQuerySet:
        """Units in force today (not abolished, not merged away)."""
        today = timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=today))

    def communes(self) -> AdminUnitQuerySet:
        return self.current().exclude(level=AdminUnit.Level.PROVINCE)

    def named(self, query: str) -> list[AdminUnit]:
        """Current communes and wards whose name, in any language, holds the words of `query`
        in a row (accents and case ignored, as in `PublishableQuerySet.search`): "dong kinh"
        finds Phường Đông Kinh. The one whose name is closest to exactly the query comes first.
        There are some sixty: they are matched here, in one query and no index."""
        words = fold(query).split()
        if not words:
            return []
        phrase = f" {' '.join(words)} "
        found = []
        for unit in self.communes().defer("boundary", "bbox"):
            names = [f" {fold(name)} " for name in translated_names(unit, "name")]
            closest = min((len(name) for name in names if phrase in name), default=None)
            if closest is not None:
                found.append((closest, unit.slug, unit))
        return [unit for _length, _slug, unit in sorted(found, key=lambda row: row[:2])]

    def containing(self, lat: float, lon: float) -> AdminUnit | None:
        """The current commune or ward whose boundary contains the point, if any. The
        boundaries are read and parsed once per process (`unit_boundaries`); the unit itself
        is one small query without its boundary."""
        found = [
            pk
            for pk, (bbox, boundary) in unit_boundaries().items()
            if geo.bbox_contains(bbox, lat, lon) and geo.geometry_contains(boundary, lat, lon)
        ]
        if not found:
            return None
        return self.communes().filter(pk__in=found).defer("boundary").first()


class AdminUnit(NormalizedTextModel):
    """A province, commune (xã) or ward (phường).

    Units form a tree through `parent`; a reorganisation (like the abolition of districts on
    1 July 2025) is recorded by setting `valid_until` and `successor` on the old units and
    adding the new ones: data edits, no code change.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        WARD = "ward", pgettext_lazy("administrative unit", "Ward (phường)")
        COMMUNE = "commune", _("Commune (xã)")
        TOWNSHIP = "township", _("Township (thị trấn)")

    code = models.CharField(
        _("official code"),
        max_length=10,
        unique=True,
        help_text=_("The national administrative unit code, e.g. 05986 for phường Tam Thanh."),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address (slug)"), max_length=120, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(
        _("abolished on"),
        null=True,
        blank=True,
        help_text=_("Set when the unit is abolished or merged; records keep pointing to it."),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    formed_from = models.TextField(
        _("formed from"), blank=True, help_text=_("Older units merged to form this one.")
    )
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon.")
    )
    bbox = models.JSONField(_("bounding box"), null=True, blank=True, editable=False)
    label_lat = models.FloatField(_("label point latitude"), null=True, blank=True)
    label_lon = models.FloatField(_("label point longitude"), null=True, blank=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        ordering = ["level", "slug"]
        verbose_name = _("commune or ward")
        verbose_name_plural = _("communes and wards")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify_vi(self.name)
        self.bbox = geo.geometry_bbox(self.boundary) if self.boundary else None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sites:unit", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.boundary:
            if self.boundary.get("type") not in {"Polygon", "MultiPolygon"}:
                raise ValidationError(
                    {"boundary": _("The boundary must be a GeoJSON Polygon or MultiPolygon.")}
                )
            try:
                geo.geometry_bbox(self.boundary)
            except (TypeError, ValueError, IndexError) as exc:
                raise ValidationError(
                    {"boundary": _("The boundary's coordinates are malformed.")}
                ) from exc


# Every unit's bounding box and boundary, parsed once per process: telling which commune holds a
# point is then a few microseconds instead of reading 65 polygons (11 ms) per lookup, which an
# import preview does for every row. A save or delete of a unit in this process empties it
# (`forget_unit_boundaries`, connected in sites.apps); other processes re-read it after
# UNIT_BOUNDARIES_TTL seconds, since boundaries change once in years, by a data migration.
UNIT_BOUNDARIES_TTL = 300
_unit_boundaries: tuple[float, dict[int, tuple[list[float], dict]]] | None = None


def unit_boundaries() -> dict[int, tuple[list[float], dict]]:
    """{unit id: (bbox, boundary)} of every unit that has a boundary."""
    global _unit_boundaries
    now = time.monotonic()
    if _unit_boundaries is None or now - _unit_boundaries[0] > UNIT_BOUNDARIES_TTL:
        rows = AdminUnit.objects.exclude(boundary=None).values_list("pk", "bbox", "boundary")
        _unit_boundaries = (now, {pk: (bbox, boundary) for pk, bbox, boundary in rows})
    return _unit_boundaries[1]


def forget_unit_boundaries(**kwargs) -> None:
    global _unit_boundaries
    _unit_boundaries = None


def province_bbox() -> list[float] | None:
    province = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE).only("bbox").first()
    return province.bbox if province else None


class PersonQuerySet(PublishableQuerySet):
    pass


class Person(PublishableModel):
    """A person linked to places: a namesake, a founder, a defender, a legendary figure."""

    required_translations = ("name", "role", "biography")

    name = models.CharField(_("name"), max_length=160)
    alt_names = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Other names, pen names or titles, separated by commas."),
    )
    birth_year = models.SmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2100)],
        help_text=_("Leave empty when no source gives it. Negative for years BCE."),
    )
    birth_year_approx = models.BooleanField(
        _("birth year approximate"), default=False, help_text=_('Shown as "c." (khoảng).')
    )
    death_year = models.SmallIntegerField(
        _("year of death"), null=True, blank=True, validators=[MaxValueValidator(2100)]
    )
    death_year_approx = models.BooleanField(_("death year approximate"), default=False)
    role = models.CharField(
        _("role"), max_length=200, blank=True, help_text=_("One line: who they were.")
    )
    biography = models.TextField(_("biography"), blank=True)
    portrait = PhotoField(_("portrait"), upload_to="people/", blank=True)
    wikidata = wikidata_field(_("Wikidata ID"), WIKIDATA_HELP)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="person_slug_unique"),
            PublishableModel.external_id_constraint("person_external_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:person", kwargs={"slug": self.slug})

    slug_scope = "person"

    def slug_siblings(self) -> models.QuerySet:
        return Person.objects.all()

    def search_names(self) -> list[str]:
        return [*translated_names(self, "name"), self.alt_names]

    @property
    def years(self) -> str:
        """ "1726 – 1780", "c. 1030 – 1077", "? – 1427" or "" when neither is known."""
        if self.birth_year is None and self.death_year is None:
            return ""

        def one(year: int | None, approx: bool) -> str:
            if year is None:
                return "?"
            text = str(year) if year > 0 else _("%(year)s BCE") % {"year": -year}
            return _("c. %(year)s") % {"year": text} if approx else text

        born = one(self.birth_year, self.birth_year_approx)
        died = one(self.death_year, self.death_year_approx)
        return f"{born} – {died}"

    def clean(self) -> None:
        errors = {}
        this_year = datetime.date.today().year
        for field in ("birth_year", "death_year"):
            year = getattr(self, field)
            if year is not None and year > this_year:
                errors[field] = _("A year in the future cannot be right.")
        if (
            self.birth_year is not None
            and self.death_year is not None
            and self.death_year < self.birth_year
        ):
            errors["death_year"] = _(
                "The year of death (%(death)s) is before the year of birth (%(birth)s)."
            ) % {"death": self.death_year, "birth": self.birth_year}
        if errors:
            raise ValidationError(errors)
        self.check_slug_free()
        self.check_merge()


class PlaceQuerySet(PublishableQuerySet):
    def of_kind(self, kind: str) -> PlaceQuerySet:
        return self.filter(kind=kind)

    def in_unit(self, unit: AdminUnit) -> PlaceQuerySet:
        return self.filter(unit=unit)

    def linked_to(self, people) -> PlaceQuerySet:
        """Places tied to any of `people` (persons or their ids): by a link, or as a street
        named after one of them. Each place once."""
        return self.filter(
            Q(person_links__person__in=people) | Q(street__named_after__in=people)
        ).distinct()

    def for_list(self) -> PlaceQuerySet:
        """What a list of places shows: the place row and its unit, one query (without the
        unit's boundary polygon: kilobytes per row that no list shows)."""
        return self.select_related("unit").defer("unit__boundary")

    def with_details(self) -> PlaceQuerySet:
        """Places with their kind-specific columns joined in (no query per row); the unit's
        boundary polygon is left out, as in `for_list`."""
        return self.select_related(
            "unit", "street", "relic", "scenicspot", "street__named_after"
        ).defer("unit__boundary")

    def with_coordinates(self) -> PlaceQuerySet:
        return self.exclude(lat=None).exclude(lon=None)

    def near(self, lat: float, lon: float, radius_m: float) -> list[tuple[Place, float]]:
        """Places within `radius_m` of the point, nearest first, with their distance in metres.
        One query: a bounding-box prefilter in SQL, the exact distance in Python."""
        min_lat, min_lon, max_lat, max_lon = geo.bbox_around(lat, lon, radius_m)
        candidates = self.filter(
            lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon
        )
        found = [(p, geo.distance_m(lat, lon, p.lat, p.lon)) for p in candidates]
        return sorted((pair for pair in found if pair[1] <= radius_m), key=lambda pair: pair[1])


class Place(PublishableModel):
    """What streets, relics and scenic spots share. Never created directly: create a Street,
    a Relic or a ScenicSpot."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street")
        RELIC = "relic", _("Relic")
        SCENIC = "scenic", _("Scenic spot")

    required_translations = ("name", "summary", "body")
    place_kind = ""  # set by each child class

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, editable=False)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown first on the page.")
    )
    body = models.TextField(
        _("history and description"),
        blank=True,
        help_text=_("Plain text; separate paragraphs with an empty line."),
    )
    lat = coordinate_field(
        _("latitude"),
        90,
        _("Decimal degrees, e.g. 21.851727. Leave empty when no source gives it."),
    )
    lon = coordinate_field(_("longitude"), 180, _("Decimal degrees, e.g. 106.752232."))
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune or ward"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        help_text=_("Left empty, it is filled from the coordinates when they fall in a unit."),
    )
    wikidata = wikidata_field(_("Wikidata ID"), WIKIDATA_HELP)

    objects = PlaceQuerySet.as_manager()

    CONSTRAINTS_IN_CLEAN = frozenset({"place_lat_lon_together", "street_end_lat_lon_together"})

    # The one-to-one accessor Django gives each child table, by kind.
    CHILD_ACCESSORS = {Kind.STREET: "street", Kind.RELIC: "relic", Kind.SCENIC: "scenicspot"}
    URL_SEGMENTS = {Kind.STREET: "streets", Kind.RELIC: "relics", Kind.SCENIC: "scenic-spots"}

    class Meta:
        ordering = ["kind", "slug"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        # Permissions of the Department's roles (sites/roles.py); they cover people too.
        permissions = [
            ("publish_record", _("Can publish, unpublish and withdraw records")),
            ("import_records", _("Can import records from spreadsheets")),
            ("view_dashboard", _("Can view the steering committee's dashboard")),
        ]
        # The API's `near` and `bbox` and the place page's neighbours filter on a box of both.
        indexes = [models.Index(fields=["lat", "lon"], name="place_lat_lon")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="place_slug_unique_per_kind"),
            PublishableModel.external_id_constraint("place_external_id_unique"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__isnull=False, lon__isnull=False),
                name="place_lat_lon_together",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.kind = self.slug_scope
        if not self.kind:
            raise TypeError("Create a Street, Relic or ScenicSpot, not a bare Place.")
        self.fill_unit()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "sites:place", kwargs={"kind": self.URL_SEGMENTS[self.kind], "slug": self.slug}
        )

    def fill_unit(self) -> None:
        """Files the place under the commune or ward containing its coordinates, when none is
        chosen (before saving, so that the editor's rights are checked against that unit)."""
        if self.unit_id is None and self.has_coordinates:
            self.unit = AdminUnit.objects.containing(self.lat, self.lon)

    @staticmethod
    def model_for_kind(kind: str) -> type[Place]:
        """The model of a kind of place, Street, Relic or ScenicSpot: the child table behind
        the kind's one-to-one accessor (KeyError for anything else)."""
        return Place._meta.get_field(Place.CHILD_ACCESSORS[kind]).related_model

    @property
    def specific(self) -> Place:
        """The Street, Relic or ScenicSpot behind this row (free after `with_details()`)."""
        if type(self) is not Place:
            return self
        return getattr(self, self.CHILD_ACCESSORS[self.kind])

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None

    def location_problems(self) -> list[str]:
        """Warnings an editor should see about the coordinates (not errors)."""
        if not self.has_coordinates:
            return []
        bbox = province_bbox()
        if bbox and not geo.bbox_contains(bbox, self.lat, self.lon):
            return [str(_("The coordinates lie outside Lạng Sơn province."))]
        contained = AdminUnit.objects.containing(self.lat, self.lon)
        if contained is None:
            return [str(_("The coordinates lie outside Lạng Sơn province."))]
        if self.unit_id and contained.pk != self.unit_id:
            return [
                str(
                    _("The coordinates fall in %(found)s, not in %(chosen)s.")
                    % {"found": contained.name, "chosen": self.unit.name}
                )
            ]
        return []

    def clean(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.has_coordinates and not geo.in_vietnam(self.lat, self.lon):
            raise ValidationError(
                {
                    "lat": _(
                        "These coordinates (%(lat)s, %(lon)s) are not in Vietnam. Check that "
                        "latitude and longitude are not swapped and use decimal degrees."
                    )
                    % {"lat": self.lat, "lon": self.lon}
                }
            )
        self.check_slug_free()
        self.check_merge()

    @property
    def slug_scope(self) -> str:
        return self.place_kind or self.kind

    def slug_siblings(self) -> models.QuerySet:
        return Place.objects.filter(kind=self.slug_scope)


class HeritageFields(models.Model):
    """What relics and scenic spots carry beyond a street: ranking and visiting information."""

    class Ranking(models.TextChoices):
        SPECIAL_NATIONAL = "special_national", _("Special national")
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        NOT_RANKED = "not_ranked", _("Not ranked")

    ranking = models.CharField(
        _("ranking"),
        max_length=20,
        choices=Ranking.choices,
        blank=True,
        db_index=True,
        help_text=_("Leave empty when no source states the level."),
    )
    ranking_year = models.PositiveSmallIntegerField(
        _("year ranked"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1945), MaxValueValidator(2100)],
        help_text=_("When the sources give the year but not the decision itself."),
    )
    decision_number = models.CharField(
        _("recognition decision number"),
        max_length=80,
        blank=True,
        help_text=_("e.g. 2082/QĐ-TTg. Leave empty unless a source gives it."),
    )
    decision_date = models.DateField(_("recognition decision date"), null=True, blank=True)
    category = models.CharField(
        _("category"), max_length=120, blank=True, help_text=_("e.g. Historic site, Temple, Cave.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    fees = models.CharField(_("entrance fees"), max_length=255, blank=True)
    visiting_notes = models.TextField(
        _("visiting information"),
        blank=True,
        help_text=_("Access, dress code, festivals: what a visitor should know."),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if (
            self.decision_date
            and self.ranking_year
            and self.decision_date.year != self.ranking_year
        ):
            raise ValidationError(
                {"ranking_year": _("The year ranked does not match the decision date.")}
            )
        if self.decision_date and self.decision_date > datetime.date.today():
            raise ValidationError({"decision_date": _("A date in the future cannot be right.")})


class Street(Place):
    class StreetType(models.TextChoices):
        DUONG = "duong", "Đường"
        PHO = "pho", "Phố"
        NGO = "ngo", "Ngõ"
        NGACH = "ngach", "Ngách"
        HEM = "hem", "Hẻm"
        DAI_LO = "dai_lo", "Đại lộ"

    street_type = models.CharField(
        _("street type"), max_length=10, choices=StreetType.choices, default=StreetType.DUONG
    )
    named_after = models.ForeignKey(
        Person,
        verbose_name=_("named after"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="streets_named_after",
        help_text=_(
            "Leave empty when the street is named after a place, or the namesake is unknown."
        ),
    )
    start_point = models.CharField(_("starts at"), max_length=255, blank=True)
    end_point = models.CharField(_("ends at"), max_length=255, blank=True)
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True)
    naming_resolution = models.CharField(
        _("naming resolution"),
        max_length=160,
        blank=True,
        help_text=_("The resolution that named the street, e.g. Nghị quyết 27/2002/NQ-HĐNDKXIII."),
    )
    naming_resolution_date = models.DateField(_("naming resolution date"), null=True, blank=True)
    # The place's latitude and longitude are one end of the street; these, the other. Filled
    # from the GPS fixes of plates installed at both ends (qrplates.selectors.field_position).
    end_lat = coordinate_field(
        _("other end's latitude"), 90, _("Where the street's other end is, in decimal degrees.")
    )
    end_lon = coordinate_field(_("other end's longitude"), 180)
    namesake_wikidata = wikidata_field(
        _("namesake's Wikidata ID"),
        _(
            "The Wikidata item of what the street is named after, when that is not a person "
            "recorded here (an event, a place). A recorded namesake's own ID is used otherwise."
        ),
    )

    place_kind = Place.Kind.STREET

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_lat__isnull=True, end_lon__isnull=True)
                | Q(end_lat__isnull=False, end_lon__isnull=False),
                name="street_end_lat_lon_together",
            )
        ]

    @property
    def has_ends(self) -> bool:
        """Both ends known: the street can be drawn as a line."""
        return self.has_coordinates and self.end_lat is not None and self.end_lon is not None

    @property
    def etymology_wikidata(self) -> str:
        """OpenStreetMap's `name:etymology:wikidata`: the published namesake's Wikidata ID, else
        the one entered for a namesake not recorded as a person."""
        person = self.named_after
        if person is not None and person.is_published and person.wikidata:
            return person.wikidata
        return self.namesake_wikidata

    def clean(self) -> None:
        super().clean()
        if (self.end_lat is None) != (self.end_lon is None):
            raise ValidationError(
                {"end_lat": _("Give both of the other end's latitude and longitude, or neither.")}
            )
        person = self.named_after
        if (
            self.namesake_wikidata
            and person is not None
            and person.wikidata
            and person.wikidata != self.namesake_wikidata
        ):
            raise ValidationError(
                {
                    "namesake_wikidata": _(
                        "The namesake %(person)s already has the Wikidata ID %(id)s: leave this "
                        "empty."
                    )
                    % {"person": person.name, "id": person.wikidata}
                }
            )


class FormerName(NormalizedTextModel):
    street = models.ForeignKey(
        Street, on_delete=models.CASCADE, related_name="former_names", verbose_name=_("street")
    )
    name = models.CharField(_("former name"), max_length=200)
    until_year = models.PositiveSmallIntegerField(_("used until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["until_year", "id"]
        verbose_name = _("former name")
        verbose_name_plural = _("former names")

    def __str__(self) -> str:
        return self.name


class Relic(HeritageFields, Place):
    """A di tích: a historic, religious or revolutionary site."""

    place_kind = Place.Kind.RELIC

    class Meta:
        verbose_name = _("relic")
        verbose_name_plural = _("relics")


class ScenicSpot(HeritageFields, Place):
    """A danh lam thắng cảnh: a cave, a mountain, a landscape."""

    place_kind = Place.Kind.SCENIC

    class Meta:
        verbose_name = _("scenic spot")
        verbose_name_plural = _("scenic spots")


class PersonLink(NormalizedTextModel):
    """A typed tie between a person and a place: "Ngô Thì Sĩ — discovered — Động Nhị Thanh —
    1779". A street's namesake is its `named_after` field, not a link."""

    class Role(models.TextChoices):
        NAMED_AFTER = "named_after", _("named after")
        BORN_HERE = "born_here", _("born here")
        LIVED_WORKED = "lived_worked", _("lived or worked here")
        FOUGHT_HERE = "fought_here", _("fought here")
        BUILT_RESTORED = "built_restored", _("built or restored")
        DISCOVERED = "discovered", _("discovered")
        HONOURED_HERE = "honoured_here", _("honoured here")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="links", verbose_name=_("person")
    )
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="person_links", verbose_name=_("place")
    )
    role = models.CharField(_("link"), max_length=20, choices=Role.choices)
    year_from = models.SmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.SmallIntegerField(_("to year"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["year_from", "id"]
        verbose_name = _("link to a person")
        verbose_name_plural = _("links to people")
        constraints = [
            models.UniqueConstraint(fields=["person", "place", "role"], name="personlink_unique")
        ]

    def __str__(self) -> str:
        years = self.years
        return " — ".join(
            part
            for part in (str(self.person), self.get_role_display(), str(self.place), years)
            if part
        )

    @property
    def years(self) -> str:
        if self.year_from and self.year_to and self.year_to != self.year_from:
            return f"{self.year_from}–{self.year_to}"
        return str(self.year_from or self.year_to or "")

    def clean(self) -> None:
        if self.year_from and self.year_to and self.year_to < self.year_from:
            raise ValidationError({"year_to": _("The end year is before the start year.")})
        if (
            self.role == self.Role.NAMED_AFTER
            and self.place_id
            and self.place.kind == Place.Kind.STREET
        ):
            raise ValidationError(
                {"role": _("For a street, choose the person in its “named after” field.")}
            )


# Belongs to a place or a person: plates, sources, photos, old addresses, visitors' reports and
# suggestions. One shape: the two foreign keys (`owner_fields`), the record they name (`owner`),
# and the database's refusal of a row naming both or neither (`one_owner_constraint`). Recorded
# narration and old addresses may belong to a walking route instead: their `OWNERS` add a third
# key, and the same constraint, over the three, refuses a row naming several or none.


def owner_fields(
    *, on_delete=models.CASCADE, related_name: str | None = None
) -> tuple[models.ForeignKey, models.ForeignKey]:
    """The `place` and `person` foreign keys of a row that belongs to one of them (a model
    declares `place, person = owner_fields(...)`, or inherits them from `BelongsToRecord`)."""
    return tuple(
        models.ForeignKey(
            model,
            verbose_name=label,
            on_delete=on_delete,
            null=True,
            blank=True,
            related_name=related_name,
        )
        for model, label in ((Place, _("place")), (Person, _("person")))
    )


def one_owner_constraint(
    name: str, message: str | None = None, owners: tuple[str, ...] = ("place", "person")
) -> models.CheckConstraint:
    """Exactly one of `owners` (the model's `OWNERS`: `place` and `person`, and for recorded
    narration `route` too): the database refuses a row naming several or none, and
    `full_clean()` (hence every ModelForm offering the fields) says `message`."""
    condition = Q()
    for owner in owners:
        condition |= Q(**{f"{other}__isnull": other != owner for other in owners})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


class BelongsToRecord(models.Model):
    """Belongs to exactly one place or one person, and goes when its record goes. A concrete
    model adds `one_owner_constraint(...)` to its Meta.constraints (tests/sites/test_owner.py
    checks every one does); one that must stop its record's deletion, or hide itself from the
    record, redeclares the keys with `owner_fields(...)`."""

    place, person = owner_fields()

    # The keys of the records a row may belong to, exactly one set (`one_owner_constraint`):
    # a model whose rows may also belong to a walking route adds "route" (recorded narration).
    OWNERS: tuple[str, ...] = ("place", "person")

    # For select_related(): the owner with its kind's own row, so that `owner` costs no query.
    OWNER_RELATED = (*(f"place__{name}" for name in Place.CHILD_ACCESSORS.values()), "person")

    class Meta:
        abstract = True

    @property
    def owner(self) -> Place | Person | Route:
        """The street, relic, scenic spot or person (or route) this row belongs to."""
        if self.place_id:
            return self.place.specific
        for key in self.OWNERS[1:]:
            if getattr(self, f"{key}_id") is not None:
                return getattr(self, key)
        return None

    @owner.setter
    def owner(self, record: Place | Person | Route) -> None:
        keys = [
            key
            for key in self.OWNERS
            if isinstance(record, self._meta.get_field(key).related_model)
        ]
        if not keys:
            raise TypeError(f"A {' or a '.join(self.OWNERS)}, not {type(record).__name__}.")
        for key in self.OWNERS:
            setattr(self, key, record if key == keys[0] else None)

    @property
    def unit(self) -> AdminUnit | None:
        """The commune or ward of a place's row; a person's belongs to none."""
        return self.place.unit if self.place_id else None


class RecordAttachment(BelongsToRecord, NormalizedTextModel):
    """A source or a photo of a place or a person."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class SourceQuerySet(models.QuerySet):
    def citable(self) -> SourceQuerySet:
        """The sources fit to list on a public page (`citable_q`)."""
        return self.filter(citable_q())


def citable_q() -> Q:
    """Which sources a public page, the public API and the exports list: the one place where
    "citable" is decided. The others (a blog, a travel agency, a web proxy, an unlicensed copy of
    a document) were read for the facts and stay in the data for provenance; staff see them."""
    return Q(citable=True)


class Source(RecordAttachment):
    """A citation the record's text rests on, shown on the public page when it is citable."""

    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address (URL)"), max_length=600, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    citable = models.BooleanField(
        _("fit to list on public pages"),
        default=True,
        help_text=_(
            "Untick for a source that was read for the facts but is not fit to cite on an "
            "official page (a blog, a travel agency, a forum, a web proxy, an unlicensed copy of "
            "a document): it stays here for provenance and only staff see it."
        ),
    )

    objects = SourceQuerySet.as_manager()

    class Meta(RecordAttachment.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        default_related_name = "sources"
        constraints = [one_owner_constraint("source_one_owner")]

    def __str__(self) -> str:
        return self.title


class Photo(RecordAttachment):
    image = PhotoField(_("image"), upload_to="photos/%Y/")
    caption = models.CharField(
        _("caption"), max_length=300, blank=True, help_text=_("Also read aloud to blind visitors.")
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    # What `lib.images.make_renditions` made from `image` (widths, size): pages read it instead
    # of opening files.
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)

    class Meta(RecordAttachment.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        default_related_name = "photos"
        constraints = [one_owner_constraint("photo_one_owner")]

    def __str__(self) -> str:
        return self.caption or self.image.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The file is in storage only after the first save; renditions follow it, once per file,
        # made by a task, never inside the save. The database backend stores the task in the
        # save's own transaction: the worker sees it once the save is committed, and never if
        # the save is rolled back. Until then pages show the original (`picture`).
        if self.image and self.renditions.get("source") != self.image.name:
            made = make_photo_renditions.enqueue(self.pk)
            if made.is_finished:  # run at once (TASKS_IMMEDIATE): this copy sees them too
                self.refresh_from_db(fields=["renditions"])

    def refresh_renditions(self) -> None:
        """Make this photo's renditions again (after an upload, or when the widths change)."""
        previous = self.renditions
        with self.image.open("rb") as source:
            self.renditions = images.make_renditions(source, self.image.name)
        type(self).objects.filter(pk=self.pk).update(renditions=self.renditions)
        # An update() sends no post_save: the pages showing the photo are told here.
        content_changed.send(sender=type(self), instance=self)
        if previous.get("folder") and previous.get("folder") != self.renditions.get("folder"):
            transaction.on_commit(lambda: images.delete_renditions(previous))

    @property
    def picture(self) -> images.Picture:
        return images.picture(self.renditions, self.image.url)


@task()
def make_photo_renditions(photo_pk: int) -> None:
    """The task: the photo's renditions, unless the photo is gone or they are current."""
    photo = Photo.objects.filter(pk=photo_pk).first()
    if photo is not None and photo.image and photo.renditions.get("source") != photo.image.name:
        photo.refresh_renditions()


class NarrationQuerySet(models.QuerySet):
    def published(self) -> NarrationQuerySet:
        """The narration of published records only: a withdrawn record's (or route's)
        recording goes with its page (`published_q` through the owner)."""
        return self.filter(published_q("place") | published_q("person") | published_q("route"))


class Narration(BelongsToRecord):
    """A recording of a record's (or a walking route's) text read aloud, in one language: the
    page's text is its transcript. Checked and stripped of its tags on upload (`lib.audio`),
    served only while its record is published (`public.views.narration`)."""

    OWNERS = ("place", "person", "route")

    route = models.ForeignKey(
        "Route",
        verbose_name=_("walking route"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=10, choices=languages.django_languages())
    audio = lib_audio.AudioField(
        _("recording"),
        upload_to="narration/",
        seconds_field="seconds",
        size_field="size",
        help_text=_(
            "The page's text in this language, read aloud: MP3 or M4A play on every phone. "
            "Tags (title, author, place of recording) are removed."
        ),
    )
    # Found in the file when it was stored (lib.audio.AudioFieldFile.save).
    seconds = models.FloatField(_("length (seconds)"), default=0, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)

    objects = NarrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recorded narration")
        verbose_name_plural = _("recorded narration")
        default_related_name = "narrations"
        ordering = ["language", "id"]
        constraints = [
            one_owner_constraint("narration_one_owner", owners=("place", "person", "route")),
            models.UniqueConstraint(
                fields=["place", "language"],
                condition=Q(place__isnull=False),
                name="narration_one_per_place_language",
                violation_error_message=_("This record already has a recording in this language."),
            ),
            models.UniqueConstraint(
                fields=["person", "language"],
                condition=Q(person__isnull=False),
                name="narration_one_per_person_language",
                violation_error_message=_("This record already has a recording in this language."),
            ),
            models.UniqueConstraint(
                fields=["route", "language"],
                condition=Q(route__isnull=False),
                name="narration_one_per_route_language",
                violation_error_message=_("This record already has a recording in this language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} ({self.duration})"

    @property
    def duration(self) -> str:
        """ "m:ss", as a player shows it."""
        minutes, seconds = divmod(round(self.seconds), 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def url(self) -> str:
        """Its public address, named after the stored file (a new recording gets a new
        address, so a copy may be kept for long) but not by it: the file under /media/ is
        never served."""
        digest = hashlib.sha1(self.audio.name.encode(), usedforsecurity=False).hexdigest()[:12]
        extension = self.audio.name.rsplit(".", 1)[-1]
        return reverse("narration", kwargs={"pk": self.pk, "digest": digest, "ext": extension})

    @property
    def content_type(self) -> str:
        return lib_audio.content_type(self.audio.name)


class OldSlug(BelongsToRecord):
    """An address a published record (or walking route) used to have: requests for it redirect
    to the current one, because links and shared URLs outlive renames."""

    OWNERS = ("place", "person", "route")

    kind = models.CharField(max_length=10)  # a Place.Kind value, "person" or "route"
    slug = models.SlugField(max_length=120)
    # No way back from a record to its old addresses: they are looked up by address.
    place, person = owner_fields(related_name="+")
    route = models.ForeignKey(
        "Route",
        verbose_name=_("walking route"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="oldslug_unique"),
            one_owner_constraint("oldslug_one_owner", owners=("place", "person", "route")),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.slug}"


# The Department's workflow: who edits where, and what the public sends in.


class EditorUnit(models.Model):
    """Gives an editor one commune or ward to work in (see sites/roles.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.CASCADE,
        related_name="editor_units",
    )
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune or ward"),
        on_delete=models.CASCADE,
        related_name="editor_assignments",
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        ordering = ["unit__name"]
        verbose_name = _("commune or ward of an editor")
        verbose_name_plural = _("communes and wards of the editor")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="editorunit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"


class PublicSubmission(BelongsToRecord):
    """What a visitor sends from a public page, without an account: it points at the record
    (and the plate, when they came by scanning one) and carries no personal data beyond an
    optional contact the visitor chose to give."""

    plate = models.ForeignKey(
        "qrplates.Plate",
        verbose_name=_("plate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The plate the visitor scanned, when they came from one."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("Optional: a phone number or e-mail the visitor gave to be answered."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True, editable=False)
    handled_by = staff_field(_("handled by"))
    staff_note = models.TextField(
        _("staff note"), blank=True, help_text=_("What was done; never shown to the public.")
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.owner}"

    def get_absolute_url(self) -> str:
        """Its page in the moderators' queue."""
        return reverse(
            f"admin:{self._meta.app_label}_{self._meta.model_name}_change", args=[self.pk]
        )


class ProblemReportQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None) -> ProblemReportQuerySet:
        """Open reports past their due date."""
        return self.filter(
            status=ProblemReport.State.OPEN, due_on__lt=today or timezone.localdate()
        )


class ProblemReport(PublicSubmission):
    """ "Report a problem" from a public page: a damaged or missing plate, wrong information."""

    class Kind(models.TextChoices):
        DAMAGED = "damaged", _("The plate is damaged")
        MISSING = "missing", _("The plate is missing")
        WRONG_INFO = "wrong_info", _("The information is wrong")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    # Who handles each kind: the plate's people for a damaged or missing plate, the record's
    # editors for wrong information (sites.roles.report_handlers).
    PLATE_KINDS = (Kind.DAMAGED, Kind.MISSING)

    kind = models.CharField(_("problem"), max_length=12, choices=Kind.choices)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True
    )
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent to"),
        blank=True,
        related_name="+",
        help_text=_("The staff the report was sent to by e-mail, chosen by its kind and commune."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)

    objects = ProblemReportQuerySet.as_manager()

    class Meta(PublicSubmission.Meta):
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        default_related_name = "problem_reports"
        constraints = [one_owner_constraint("problemreport_one_owner")]


class Suggestion(PublicSubmission):
    """A correction or a photo offered by a visitor or a community team member. It waits for a
    moderator and never changes a record by itself."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("A correction")
        PHOTO = "photo", _("A photo")

    class State(models.TextChoices):
        NEW = "new", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("suggestion"), max_length=12, choices=Kind.choices)
    text = models.TextField(
        _("text"),
        max_length=4000,
        blank=True,
        help_text=_("The correction, or what the photo shows."),
    )
    photo = PhotoField(_("photo"), upload_to="suggestions/%Y/", blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("The name to credit a photo to.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.NEW, db_index=True
    )
    accepted_photo = trace_field(Photo, _("photo added to the record"))

    class Meta(PublicSubmission.Meta):
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        default_related_name = "suggestions"
        constraints = [one_owner_constraint("suggestion_one_owner")]


# A walking route: an ordered list of places (a heritage walk). Its length and walking time are
# computed from the stops' coordinates, never typed.
WALKING_SPEED_M_PER_MIN = 75  # 4.5 km/h, an unhurried walk between sites


class RouteQuerySet(PublishableQuerySet):
    def through(self, places) -> RouteQuerySet:
        """Routes with a stop at any of `places` (places or their ids), each route once."""
        return self.filter(stops__place__in=places).distinct()


class Route(TextStatesModel, NormalizedTextModel):
    """A walking route through published places, in order, with its own title and texts in
    each language of the registry; published by the same rule as places (`published_q`),
    written as they are (`sites.services.record_save`: its history, its roles), and its old
    addresses redirect to the new one (`OldSlug`, kind "route")."""

    required_translations = ("title",)
    slug_scope = "route"

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown first on the page.")
    )
    body = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Plain text; separate paragraphs with an empty line."),
    )
    slug = models.SlugField(
        _("address (slug)"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("The last part of the page address. Leave empty to make it from the title."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RouteQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("walking route")
        verbose_name_plural = _("walking routes")
        constraints = [PublishableModel.external_id_constraint("route_external_id_unique")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        previous = (
            Route.objects.filter(pk=self.pk).values("slug", "status").first() if self.pk else None
        )
        if not self.slug:
            # From the Vietnamese title, made free with -2, -3… when another route has it.
            base = slugify_vi(getattr(self, f"title_{DEFAULT_SUFFIX}", "") or self.title)
            base = base[:110].strip("-") or "route"
            taken = set(
                Route.objects.filter(slug__startswith=base)
                .exclude(pk=self.pk)
                .values_list("slug", flat=True)
            )
            self.slug = next(
                slug
                for slug in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
                if slug not in taken
            )
        moved = previous is not None and previous["slug"] != self.slug
        # Published at its old address, now or before (its history).
        was_published = moved and (
            previous["status"] == Status.PUBLISHED
            or self.history.filter(id=self.pk, status=Status.PUBLISHED).exists()
        )
        super().save(*args, **kwargs)
        if moved:
            remember_old_slug(self, previous["slug"], was_published=was_published)

    def get_absolute_url(self) -> str:
        return reverse("sites:route", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def published_stops(self) -> list[Place]:
        """The route's published places in order (prefetch `stops__place` to make it free)."""
        stops = sorted(self.stops.all(), key=lambda stop: stop.position)
        return [stop.place for stop in stops if stop.place.is_published]

    @staticmethod
    def length_of(places: list[Place]) -> int | None:
        """Metres along the straight legs between consecutive stops; None when a stop has no
        coordinates (a length that leaves out a leg would mislead a walker)."""
        if len(places) < 2 or not all(place.has_coordinates for place in places):
            return None
        return round(geo.path_length_m([(place.lat, place.lon) for place in places]))

    @staticmethod
    def walking_minutes(length_m: int | None) -> int | None:
        """At WALKING_SPEED_M_PER_MIN, rounded up to 5 minutes: a visitor's order of magnitude."""
        if length_m is None:
            return None
        return max(5, -(-length_m // (WALKING_SPEED_M_PER_MIN * 5)) * 5)


class RouteStop(models.Model):
    route = models.ForeignKey(
        Route, verbose_name=_("walking route"), on_delete=models.CASCADE, related_name="stops"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="route_stops"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["route", "position", "pk"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.position}. {self.place}"
