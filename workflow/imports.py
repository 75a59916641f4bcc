"""Spreadsheet import and export of streets, relics, scenic spots and people (CSV and XLSX),
on django-import-export's resources, and of the links between people and places and the
sources, in a workbook of one sheet per kind (`SHEET_NAMES`, `read_sheets`, `workbook_import`).

The promises, each tested:
- a workbook's sheets are imported in one transaction, people first, so that a street, a link
  or a source names a person of the same workbook; links and sources name records by external
  ID or page address (`RecordKeys`) and are written through the content's write path for what
  hangs on a record (`sites.services.attached_check`/`attached_write`);
- the sample workbook imports as downloaded and changes nothing (its examples are in the
  "Hướng dẫn" sheet, never read);
- every row carries a stable `external_id`: re-importing the same file changes nothing, an edited
  file updates the same records in place;
- a dry run (the preview) comes first; any row that fails means nothing is saved, and each error
  names its row and column in the editor's language;
- an editor imports into their own communes and wards only, and cannot publish by importing
  (sites/roles.py); plate codes are never touched (no plate column exists, and other columns
  are ignored);
- the export has exactly the columns of the import, so an export is a valid import file;
- a text that a spreadsheet would run as a formula is written with a quote in front, and the
  import takes exactly that quote off again (lib.text.spreadsheet_cell), so an export imports
  back to the same text.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import openpyxl
import openpyxl.comments
import openpyxl.styles
import tablib
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.tasks import task
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import instance_loaders, resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from lib.files import write_atomically
from lib.text import fold, from_spreadsheet_cell, nfc, slugify_vi, spreadsheet_cell
from sites import roles, services
from sites.models import (
    AdminUnit,
    HeritageFields,
    Person,
    PersonLink,
    Place,
    PublishableModel,
    Relic,
    ScenicSpot,
    Source,
    Street,
    TextState,
)
from sites.signals import many_changes

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A sheet may hold the header and MAX_ROWS rows, MAX_COLUMNS wide (the widest import has 24
# columns; the rest is room for columns of the commune's own, which are ignored).
MAX_COLUMNS = 50
# An .xlsx is a ZIP of XML: 287 KB held two million rows and cost 72 s of CPU and 663 MiB before
# the row limit could see them. So a workbook is refused from what it declares before any of it
# is parsed: its entries' unpacked sizes (memory), its number of XML tags (reading costs some
# 2.5 µs a tag, whatever the tags are: rows, cells, shared strings or styles) and its sheet's
# dimension. A full sheet of text (MAX_ROWS rows of long texts in 24 columns, 4.7 MB) unpacks to
# 28 MB in 0.7 million tags.
MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES
MAX_XML_TAGS = 1_500_000
EXCEL_COLUMNS = 16_384  # A to XFD
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LANGUAGE_SUFFIXES = [code.replace("-", "_") for code, _name in settings.LANGUAGES]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (its message is shown to the editor)."""


# Widgets: each reads what a commune's spreadsheet may hold and says, in the editor's language,
# what is wrong with a value it cannot read. Exports write what they read back.


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet turns "1945" into 1945.0
        return nfc(str(value)).strip()

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        try:
            number = float(text)
            if not number.is_integer():
                raise ValueError
            return int(number)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class DegreesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> float | None:
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        try:
            # A Vietnamese spreadsheet writes the decimal comma: 21,851727.
            return float(text.replace(",", ".")) if text.count(",") <= 1 else float("x")
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a coordinate: write decimal degrees, e.g. 21.851727.")
                % {"value": text}
            ) from None

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else repr(float(value))


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> datetime.date | None:
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date: write it as day/month/year, e.g. 27/03/2002.")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return value.strftime("%d/%m/%Y") if value else ""


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "x", "yes", "true", "co", "dung", "y"}
    FALSE = {"", "0", "no", "false", "khong", "sai", "n"}

    def clean(self, value, row=None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        text = fold(str(value if value is not None else "")).strip()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is not yes (có) or no (không).") % {"value": value})

    def render(self, value, obj=None, **kwargs) -> str:
        return "1" if value else "0"


class ChoiceWidget(widgets.Widget):
    """A value from a field's choices, given by its code or its label in any language."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, value, row=None, **kwargs) -> str:
        text = str(value if value is not None else "").strip()
        if not text:
            return ""
        wanted = slugify_vi(text)
        for code, label in self.choices.choices:
            if wanted in {slugify_vi(code), slugify_vi(str(label))}:
                return code
        allowed = ", ".join(str(label) for _code, label in self.choices.choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class UnitWidget(widgets.Widget):
    """A commune or ward by its official code (05986) or its name, diacritics optional. Each
    value is looked up once per import (`forget` starts an import afresh): a file names the same
    few communes on thousands of rows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[str, AdminUnit | None] = {}

    def forget(self) -> None:
        self.found = {}

    def clean(self, value, row=None, **kwargs) -> AdminUnit | None:
        text = TextWidget().clean(value)
        if not text:
            return None
        if text not in self.found:
            self.found[text] = (
                AdminUnit.objects.communes()
                .filter(models.Q(code=text.zfill(5)) | models.Q(slug=slugify_vi(text)))
                .first()
            )
        unit = self.found[text]
        if unit is None:
            raise ValueError(
                _(
                    "There is no commune or ward “%(value)s”: give its official code "
                    "(e.g. 05986) or its exact name (e.g. Phường Tam Thanh)."
                )
                % {"value": text}
            )
        return unit

    def render(self, value, obj=None, **kwargs) -> str:
        return value.code if value else ""


class PersonWidget(widgets.Widget):
    """A person by their external ID (import the people first), looked up once per import
    (`forget` starts an import afresh)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[str, Person | None] = {}

    def forget(self) -> None:
        self.found = {}

    def clean(self, value, row=None, **kwargs) -> Person | None:
        text = TextWidget().clean(value)
        if not text:
            return None
        if text not in self.found:
            self.found[text] = Person.objects.filter(external_id=text).first()
        person = self.found[text]
        if person is None:
            raise ValueError(self.unknown(text))
        return person

    @staticmethod
    def unknown(value: object) -> str:
        return _(
            "No person has the external ID “%(value)s”: import the people first, "
            "or leave the column empty."
        ) % {"value": TextWidget().clean(value)}

    def render(self, value, obj=None, **kwargs) -> str:
        return value.external_id if value else ""


# Columns. A translated text has one column per language: name_vi, name_en, …


def column(name: str, widget: widgets.Widget | None = None) -> Field:
    return Field(attribute=name, column_name=name, widget=widget or TextWidget())


def translated(*names: str) -> dict[str, Field]:
    return {
        f"{name}_{suffix}": column(f"{name}_{suffix}")
        for name in names
        for suffix in LANGUAGE_SUFFIXES
    }


class RecordResource(resources.ModelResource):
    """What every kind shares: the external ID as the row's identity, the roles, the history,
    and a per-language text state that an import resets to "draft" where the text changed."""

    def __init__(
        self,
        user: AbstractBaseUser | None = None,
        progress: Callable[[int], None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.seen_ids: set[str] = set()
        self.progress = progress
        self.rows_done = 0
        # External IDs of the file held by records of another kind (read once, before the rows).
        self.elsewhere: set[str] = set()

    class Meta:
        import_id_fields = ["external_id"]
        # The file's records are read in one query before the rows, not one query a row.
        instance_loader_class = instance_loaders.CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        # Each row is validated by the content's write path (`import_instance`), not again.
        clean_model_instances = False
        use_transactions = True
        skip_html_diff = True

    def get_instance(self, instance_loader, row: dict):
        external_id = TextWidget().clean(row.get("external_id"))
        if not external_id:
            raise ValidationError(
                {"external_id": _("Every row needs an external ID (a code that never changes).")}
            )
        if external_id in self.seen_ids:
            raise ValidationError(
                {"external_id": _("This external ID is on an earlier row of the file too.")}
            )
        self.seen_ids.add(external_id)
        if external_id in self.elsewhere:
            raise ValidationError(
                {
                    "external_id": _(
                        "This external ID belongs to a record of another kind; use the import "
                        "of that kind."
                    )
                }
            )
        return super().get_instance(instance_loader, row)

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        super().before_import(dataset, **kwargs)
        for each in self.fields.values():
            if isinstance(each.widget, UnitWidget | PersonWidget):
                each.widget.forget()
        model = self._meta.model
        owner = Place if issubclass(model, Place) else model
        ids = {TextWidget().clean(value) for value in dataset["external_id"]} - {""}
        self.elsewhere = set(
            owner.objects.filter(external_id__in=ids)
            .exclude(pk__in=model.objects.filter(external_id__in=ids).values("pk"))
            .values_list("external_id", flat=True)
        )

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        self.rows_done += 1
        if self.progress is not None:
            self.progress(self.rows_done)
        return result

    def import_instance(self, instance: PublishableModel, row: dict, **kwargs) -> None:
        languages = {
            suffix: [getattr(instance, f"{n}_{suffix}", "") or "" for n in self.translated_names]
            for suffix in LANGUAGE_SUFFIXES
        }
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as invalid:
            errors = invalid.update_error_dict(errors)
        named_after = getattr(instance, "named_after", None)
        if named_after is not None and "named_after" not in errors:
            field = type(instance)._meta.get_field("named_after")
            if not roles.may_choose(self.user, field, named_after):
                # As for an unknown ID: the file learns nothing of a record it may not read.
                errors["named_after"] = [PersonWidget.unknown(row.get("named_after"))]
        # The content's write path checks the row here, before `skip_row`: a row about a record
        # the editor may not touch is refused, never reported "unchanged" (which would tell
        # what the record holds). The cells already found wrong are left out of its validation.
        try:
            services.record_check(
                instance, by=self.user, exclude=errors, checked=self.checked_at_once
            )
        except ValidationError as invalid:
            errors = invalid.update_error_dict(errors)
        except PermissionDenied as denied:
            if "unit" not in errors:
                errors["unit" if isinstance(instance, Place) else "external_id"] = [str(denied)]
        if errors:
            raise ValidationError(errors)
        changed = {
            code
            for code, suffix in zip(
                [c for c, _n in settings.LANGUAGES], LANGUAGE_SUFFIXES, strict=True
            )
            if languages[suffix]
            != [getattr(instance, f"{n}_{suffix}", "") or "" for n in self.translated_names]
        }
        if changed:
            # Imported text is nobody's reviewed text, whoever imports it.
            instance.translation_states = {
                **instance.translation_states,
                **dict.fromkeys(changed, TextState.DRAFT),
            }

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Unchanged when every column of the file holds what the record holds (an empty
        cell equals an empty or null translation: modeltranslation stores either)."""
        if import_validation_errors:
            return False

        def value(record, field: Field) -> object:
            found = field.get_value(record)
            return "" if found is None else found

        return all(
            value(instance, f) == value(original, f)
            for f in self.get_import_fields()
            if f.column_name in row
        )

    @property
    def checked_at_once(self) -> list[str]:
        """The columns whose database look-ups the import makes once for the whole file: the
        external IDs (`before_import`, the instance loader), and the communes and a street's
        namesake, each read once by its widget (`UnitWidget`, `PersonWidget`; the namesake is
        then checked by `roles.may_choose`)."""
        return [
            name
            for name, each in self.fields.items()
            if name == "external_id" or isinstance(each.widget, UnitWidget | PersonWidget)
        ]

    @property
    def translated_names(self) -> list[str]:
        default = f"_{LANGUAGE_SUFFIXES[0]}"
        return sorted(
            {name.removesuffix(default) for name in self.fields if name.endswith(default)}
        )

    def do_instance_save(self, instance: PublishableModel, is_create: bool) -> None:
        """The second half of the write path, for the rows that change something (checked by
        `import_instance`); the whole import is one transaction, rolled back on any error."""
        services.record_write(instance, by=self.user, reason=_("Imported from a spreadsheet"))


PLACE_COLUMNS = {
    "external_id": column("external_id"),
    **translated("name", "summary", "body"),
    "lat": column("lat", DegreesWidget()),
    "lon": column("lon", DegreesWidget()),
    "unit": column("unit", UnitWidget()),
}
HERITAGE_COLUMNS = {
    "ranking": column("ranking", ChoiceWidget(HeritageFields.Ranking)),
    "ranking_year": column("ranking_year", IntegerWidget()),
    "decision_number": column("decision_number"),
    "decision_date": column("decision_date", DateWidget()),
    **translated("category", "address", "opening_hours", "fees", "visiting_notes"),
}


def resource_for(model: type[PublishableModel], columns: dict[str, Field]) -> type:
    meta = type("Meta", (RecordResource.Meta,), {"model": model, "fields": list(columns)})
    return type(f"{model.__name__}Resource", (RecordResource,), {**columns, "Meta": meta})


StreetResource = resource_for(
    Street,
    {
        **PLACE_COLUMNS,
        "street_type": column("street_type", ChoiceWidget(Street.StreetType)),
        "named_after": column("named_after", PersonWidget()),
        **translated("start_point", "end_point"),
        "length_m": column("length_m", IntegerWidget()),
        "naming_resolution": column("naming_resolution"),
        "naming_resolution_date": column("naming_resolution_date", DateWidget()),
    },
)
RelicResource = resource_for(Relic, {**PLACE_COLUMNS, **HERITAGE_COLUMNS})
ScenicSpotResource = resource_for(ScenicSpot, {**PLACE_COLUMNS, **HERITAGE_COLUMNS})
PersonResource = resource_for(
    Person,
    {
        "external_id": column("external_id"),
        **translated("name"),
        "alt_names": column("alt_names"),
        "birth_year": column("birth_year", IntegerWidget()),
        "birth_year_approx": column("birth_year_approx", BooleanWidget()),
        "death_year": column("death_year", IntegerWidget()),
        "death_year_approx": column("death_year_approx", BooleanWidget()),
        **translated("role", "biography"),
    },
)
RESOURCES: dict[type[PublishableModel], type[RecordResource]] = {
    Street: StreetResource,
    Relic: RelicResource,
    ScenicSpot: ScenicSpotResource,
    Person: PersonResource,
}

# One example row per kind for the downloadable template (the rest of the columns stay empty).
EXAMPLES: dict[type[PublishableModel], dict[str, str]] = {
    Street: {
        "external_id": "tamthanh:street:001",
        "name_vi": "Phố Ví Dụ",
        "name_en": "Vi Du Street",
        "summary_vi": "Một hai câu giới thiệu phố.",
        "lat": "21.851727",
        "lon": "106.752232",
        "unit": "05986",
        "street_type": "Phố",
        "naming_resolution_date": "27/03/2002",
    },
    Relic: {
        "external_id": "tamthanh:relic:001",
        "name_vi": "Đền Ví Dụ",
        "summary_vi": "Một hai câu giới thiệu di tích.",
        "unit": "Phường Tam Thanh",
        "ranking": "Cấp tỉnh",
        "ranking_year": "1994",
    },
    ScenicSpot: {
        "external_id": "tamthanh:scenic:001",
        "name_vi": "Động Ví Dụ",
        "summary_vi": "Một hai câu giới thiệu danh thắng.",
        "unit": "05986",
    },
    Person: {
        "external_id": "person:vi-du",
        "name_vi": "Nhân Vật Ví Dụ",
        "birth_year": "1726",
        "death_year": "1780",
        "role_vi": "Danh nhân",
    },
}


# The sheets of a workbook. Each kind of row has its sheet, named in Vietnamese (the names in
# English are known too); people come first, so that the other sheets can name them.

IMPORT_ORDER: list[type[models.Model]] = [Person, Street, Relic, ScenicSpot, PersonLink, Source]
SHEET_NAMES: dict[type[models.Model], str] = {
    Person: "Nhân vật",
    Street: "Đường phố",
    Relic: "Di tích",
    ScenicSpot: "Danh lam thắng cảnh",
    PersonLink: "Liên kết",
    Source: "Nguồn",
}
HELP_SHEET = "Hướng dẫn"
HELP = object()  # the kind of the help sheet: skipped
_SHEET_ALIASES: dict[str, object] = {
    **{slugify_vi(name): model for model, name in SHEET_NAMES.items()},
    "nguoi": Person,
    "people": Person,
    "persons": Person,
    "pho": Street,
    "duong": Street,
    "streets": Street,
    "relics": Relic,
    "danh-thang": ScenicSpot,
    "scenic-spots": ScenicSpot,
    "links": PersonLink,
    "lien-ket-nhan-vat-dia-diem": PersonLink,
    "sources": Source,
    slugify_vi(HELP_SHEET): HELP,
    "help": HELP,
}


def sheet_model(title: str) -> object:
    """The kind of rows a sheet named `title` holds (HELP for the help sheet), or None."""
    return _SHEET_ALIASES.get(slugify_vi(title or ""))


def csv_model(headers: list[str], default: type[models.Model]) -> type[models.Model]:
    """The kind of rows of a CSV file, by its columns (see `read_sheets`)."""
    names = set(headers)
    if {"person", "place", "role"} <= names:
        return PersonLink
    if "title" in names and names & {"place", "person"}:
        return Source
    return default


# Links and sources name their records by a key the Department can type: the record's external
# ID, or the last part of its page address (its slug: "den-ky-cung"), or the page address itself
# ("https://…/vi/relics/den-ky-cung/", or "relics/den-ky-cung" when two kinds of place share a
# slug). A record of the same workbook is named by its external ID.

KEY_HELP = gettext_lazy(
    "The external ID of the record (of this workbook or already in the portal), or the last "
    "part of its page address, e.g. den-ky-cung."
)


class RecordKeys:
    """The records the keys of a sheet's column name, read in one query per column for what
    `user` may read (a record they may not read is as unknown as one that does not exist)."""

    def __init__(self, user: AbstractBaseUser | None) -> None:
        self.user = user
        self.people: dict[str, Person | None] = {}
        self.places: dict[str, Place | None] = {}

    @staticmethod
    def split(key: str) -> tuple[str, str]:
        """A typed key → (the part of the page address naming the kind, the slug)."""
        path = re.sub(r"^[a-z]+://[^/]+", "", key.strip().lower()).strip("/")
        parts = [part for part in path.split("/") if part]
        if len(parts) >= 2:
            return parts[-2], parts[-1]
        return "", parts[-1] if parts else ""

    def load(self, column: str, keys: list[str]) -> None:
        keys = [k for k in dict.fromkeys(keys) if k]
        slugs = {key: self.split(key) for key in keys}
        wanted = models.Q(external_id__in=keys) | models.Q(
            slug__in=[slug for _seg, slug in slugs.values()]
        )
        if column == "person":
            found = list(roles.people_visible(self.user, Person.objects.filter(wanted)))
            by_id = {p.external_id: p for p in found if p.external_id}
            by_slug = {p.slug: p for p in found}
            for key in keys:
                self.people[key] = by_id.get(key) or by_slug.get(slugs[key][1])
        else:
            places = Place.objects.filter(wanted).select_related(*Place.CHILD_ACCESSORS.values())
            found = list(roles.places_visible(self.user, places))
            by_id = {p.external_id: p for p in found if p.external_id}
            by_slug: dict[str, list[Place]] = {}
            for place in found:
                by_slug.setdefault(place.slug, []).append(place)
            segments = {segment: kind for kind, segment in Place.URL_SEGMENTS.items()}
            for key in keys:
                place = by_id.get(key)
                if place is None:
                    segment, slug = slugs[key]
                    same = by_slug.get(slug, [])
                    if segment in segments:
                        same = [p for p in same if p.kind == segments[segment]]
                    place = same[0] if len(same) == 1 else None
                self.places[key] = place.specific if place is not None else None

    def get(self, column: str, key: str) -> Person | Place | None:
        return (self.people if column == "person" else self.places).get(key)


def unknown_record(column: str, key: str) -> str:
    if column == "person":
        return _(
            "No person “%(key)s”: give the external ID of a person (in the “%(sheet)s” sheet or "
            "already in the portal) or the last part of their page address."
        ) % {"key": key, "sheet": SHEET_NAMES[Person]}
    return _(
        "No place “%(key)s”: give the external ID of a place (in this workbook or already in "
        "the portal) or its page address, e.g. relics/den-ky-cung."
    ) % {"key": key}


class AttachedRows:
    """A sheet of rows that hang on records (links, sources), imported through the content's
    write path for them (`sites.services.attached_check` and `attached_write`, which put the
    record through the roles). Each row is found by `identity` (a link by its person, place and
    kind; a source by its record and title): the same file again changes nothing, an edited
    file updates in place. Nothing is ever deleted."""

    model: type[models.Model]
    columns: dict[str, widgets.Widget]  # column → the widget reading it
    required: tuple[str, ...]
    keys: tuple[str, ...] = ("person", "place")  # columns naming records

    def __init__(self, user: AbstractBaseUser | None) -> None:
        self.user = user

    @property
    def fields(self) -> list[str]:
        return list(self.columns)

    def find(self, values: dict) -> models.Model:
        raise NotImplementedError

    def record_of(self, row: models.Model) -> PublishableModel:
        raise NotImplementedError

    def import_sheet(self, sheet: Sheet, progress: Callable[[int], None] | None) -> SheetReport:
        dataset = sheet.dataset
        report = SheetReport(name=sheet.name, kind=self.model._meta.label)
        headers = [h for h in dataset.headers if h]
        report.ignored_columns = [h for h in headers if h not in self.columns]
        for required in self.required:
            if required not in headers:
                report.errors.append(
                    _("The sheet has no “%(column)s” column (see the sample file).")
                    % {"column": required}
                )
        if report.errors:
            return report
        labels = column_labels(self.model, self)
        found = RecordKeys(self.user)
        for column in self.keys:
            if column in headers:
                found.load(column, [TextWidget().clean(v) for v in dataset[column]])
        seen = set()
        for number, data in enumerate(dataset.dict, 2):
            row = RowReport(
                number=number, action=RowResult.IMPORT_TYPE_NEW, external_id="", name=""
            )
            errors: dict[str, list[str]] = {}
            values = {}
            for column, widget in self.columns.items():
                if column not in headers:
                    continue
                try:
                    values[column] = widget.clean(data.get(column))
                except ValueError as error:
                    errors[column] = [str(error)]
            for column in self.keys:
                key = values.get(column) or ""
                if key:
                    values[column] = found.get(column, key)
                    if values[column] is None:
                        errors[column] = [unknown_record(column, key)]
                else:
                    values[column] = None
            row.external_id = " → ".join(
                str(data.get(column) or "") for column in self.keys if data.get(column)
            )
            if not errors:
                errors = self.check_values(values)
            if not errors:
                identity = self.identity(values)
                if identity in seen:
                    errors["__all__"] = [_("This row repeats an earlier row of the sheet.")]
                seen.add(identity)
            if not errors:
                errors = self.write(values, row)
            for name, messages_ in errors.items():
                key = name if name in labels else "__all__"
                for message in messages_:
                    row.errors.append(CellError(key, labels.get(key, ""), str(message)))
            if row.errors:
                row.action = RowResult.IMPORT_TYPE_INVALID
            report.rows.append(row)
            if progress is not None:
                progress(number - 1)
        return report

    def check_values(self, values: dict) -> dict[str, list[str]]:
        return {}

    def identity(self, values: dict) -> tuple:
        raise NotImplementedError

    def write(self, values: dict, report_row: RowReport) -> dict[str, list[str]]:
        """Finds or makes the row, sets the sheet's values, checks it through the write path
        and saves it when it changed. Returns the errors by column."""
        row = self.find(values)
        before = self.snapshot(row) if row.pk else None
        for column, value in values.items():
            if column in self.stored and value is not None:
                setattr(row, column, value)
            elif column in self.stored and column in self.nullable:
                setattr(row, column, None)
        record = self.record_of(row)
        report_row.name = str(record)
        try:
            services.attached_check(row, record=record, by=self.user)
        except ValidationError as invalid:
            return invalid.message_dict
        except PermissionDenied as denied:
            return {self.record_column(row): [str(denied)]}
        after = self.snapshot(row)
        if before is not None and before == after:
            report_row.action = RowResult.IMPORT_TYPE_SKIP
            return {}
        report_row.action = (
            RowResult.IMPORT_TYPE_NEW if before is None else RowResult.IMPORT_TYPE_UPDATE
        )
        try:
            services.attached_write(
                row, record=record, by=self.user, reason=_("Imported from a spreadsheet")
            )
        except ValidationError as invalid:
            return invalid.message_dict
        return {}

    stored: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()

    def snapshot(self, row: models.Model) -> dict:
        """What the sheet sets on `row` (an empty translation stored as null equals "")."""
        return {
            name: "" if getattr(row, name) is None else getattr(row, name) for name in self.stored
        }

    def record_column(self, row: models.Model) -> str:
        return "place"


class CitableWidget(BooleanWidget):
    """Whether a source is fit to cite on public pages: an empty cell is yes, as in the admin."""

    def clean(self, value, row=None, **kwargs) -> bool:
        if value is None or str(value).strip() == "":
            return True
        return super().clean(value, row, **kwargs)


def _notes() -> dict[str, widgets.Widget]:
    return {f"note_{suffix}": TextWidget() for suffix in LANGUAGE_SUFFIXES}


class LinkRows(AttachedRows):
    """The "Liên kết" sheet: a person's link to a place (shown on the place's page, so the
    place is the record the roles judge, and the person one the importer may read, as the
    admin's link rows offer). A street's namesake is its `named_after` column instead."""

    model = PersonLink
    columns = {
        "person": TextWidget(),
        "place": TextWidget(),
        "role": ChoiceWidget(PersonLink.Role),
        "year_from": IntegerWidget(),
        "year_to": IntegerWidget(),
        **_notes(),
    }
    required = ("person", "place", "role")
    stored = ("year_from", "year_to", *(f"note_{s}" for s in LANGUAGE_SUFFIXES))
    nullable = ("year_from", "year_to")

    def check_values(self, values: dict) -> dict[str, list[str]]:
        for column in ("person", "place"):
            if values.get(column) is None:
                return {column: [str(PersonLink._meta.get_field(column).error_messages["blank"])]}
        if not values.get("role"):
            return {"role": [str(PersonLink._meta.get_field("role").error_messages["blank"])]}
        person = values["person"]
        if not roles.may_choose(self.user, PersonLink._meta.get_field("person"), person):
            return {"person": [unknown_record("person", str(person.external_id or person.slug))]}
        return {}

    def identity(self, values: dict) -> tuple:
        return (values["person"].pk, values["place"].pk, values["role"])

    def find(self, values: dict) -> PersonLink:
        person, place, role = values["person"], values["place"], values["role"]
        return PersonLink.objects.filter(person=person, place=place, role=role).first() or (
            PersonLink(person=person, place=place, role=role)
        )

    def record_of(self, row: PersonLink) -> PublishableModel:
        return row.place.specific


class SourceRows(AttachedRows):
    """The "Nguồn" sheet: a source of a place's or a person's text (one of the two columns),
    found again by its record and title."""

    model = Source
    columns = {
        "place": TextWidget(),
        "person": TextWidget(),
        "title": TextWidget(),
        "url": TextWidget(),
        **_notes(),
        "citable": CitableWidget(),
        "position": IntegerWidget(),
    }
    required = ("title",)
    stored = ("url", *(f"note_{s}" for s in LANGUAGE_SUFFIXES), "citable", "position")

    def check_values(self, values: dict) -> dict[str, list[str]]:
        if (values.get("place") is None) == (values.get("person") is None):
            return {
                "place": [
                    _("Give the place or the person the source is about, in one of the two "
                      "columns.")
                ]
            }  # fmt: skip
        if not values.get("title"):
            return {"title": [str(Source._meta.get_field("title").error_messages["blank"])]}
        return {}

    def identity(self, values: dict) -> tuple:
        owner = values.get("place") or values.get("person")
        return (type(owner).__name__, owner.pk, values["title"])

    def find(self, values: dict) -> Source:
        owner = values.get("place") or values.get("person")
        field = "place" if values.get("place") is not None else "person"
        found = Source.objects.filter(**{field: owner, "title": values["title"]}).first()
        return found or Source(**{field: owner, "title": values["title"]})

    def write(self, values: dict, report_row: RowReport) -> dict[str, list[str]]:
        if values.get("position") is None:
            values = {k: v for k, v in values.items() if k != "position"}
        return super().write(values, report_row)

    def record_of(self, row: Source) -> PublishableModel:
        return row.owner

    def record_column(self, row: Source) -> str:
        return "place" if row.place_id else "person"


ATTACHED: dict[type[models.Model], type[AttachedRows]] = {PersonLink: LinkRows, Source: SourceRows}


EXAMPLES[PersonLink] = {
    "person": "person:vi-du",
    "place": "tamthanh:relic:001",
    "role": PersonLink.Role.BUILT_RESTORED.label,
    "year_from": "1779",
}
EXAMPLES[Source] = {
    "place": "tamthanh:relic:001",
    "title": "Hồ sơ di tích Đền Ví Dụ",
    "url": "https://example.org/ho-so",
    "citable": "có",
}

# Reading a file, and the import itself.


def read_dataset(content: bytes, filename: str) -> tablib.Dataset:
    """The rows of an uploaded CSV (UTF-8, comma, semicolon or tab) or XLSX file (its active
    sheet) with its first row as column names. Raises ImportFileError with a message for the
    editor."""
    _check_size(content)
    if _extension(filename) == "xlsx":
        dataset = read_xlsx(content)
    else:
        dataset = _read_csv_file(content, filename)
    if not dataset.headers:
        raise ImportFileError(_("The file is empty."))
    dataset = _cleaned(dataset)
    if len(dataset) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s rows: split it into several files.")
            % {"limit": MAX_ROWS}
        )
    return dataset


@dataclass
class Sheet:
    """One kind of rows of an uploaded file: a sheet of a workbook, or a whole CSV file."""

    name: str  # the sheet's name in the workbook; "" for a CSV file
    model: type[models.Model]
    dataset: tablib.Dataset


def read_sheets(content: bytes, filename: str, default: type[models.Model]) -> list[Sheet]:
    """The sheets of an uploaded file, each with the kind of rows it holds, in the order they
    are imported (`IMPORT_ORDER`: people first, so that the other sheets can name them).

    A workbook's sheets are known by their names (`SHEET_NAMES`, diacritics and case optional,
    English names too); the "Hướng dẫn" sheet and empty sheets are skipped; a workbook with a
    single sheet of another name (an export, an older sample) holds `default`, the kind of the
    list the import was opened from. A CSV file is one kind: links or sources when it has their
    columns (`person`, `place` and `role`; `title` and `place` or `person`), else `default`.
    Raises ImportFileError with a message for the editor."""
    _check_size(content)
    if _extension(filename) == "xlsx":
        found = [(title, _cleaned(data)) for title, data in read_xlsx_sheets(content)]
        named = [(title, data) for title, data in found if sheet_model(title) is not HELP]
        filled = [(title, data) for title, data in named if data.headers]
        sheets, unknown = [], []
        for title, data in filled:
            model = sheet_model(title)
            if model is None and len(filled) == 1:
                model = default
            if model is None:
                unknown.append(title)
            else:
                sheets.append(Sheet(title, model, data))
        if unknown:
            raise ImportFileError(
                _(
                    "The workbook has sheets the import does not know: %(sheets)s. Name each "
                    "sheet as in the sample file (%(names)s), or delete it."
                )
                % {
                    "sheets": ", ".join(f"“{title}”" for title in unknown),
                    "names": ", ".join(f"“{name}”" for name in SHEET_NAMES.values()),
                }
            )
        kinds = [sheet.model for sheet in sheets]
        doubled = sorted({SHEET_NAMES[m] for m in kinds if kinds.count(m) > 1})
        if doubled:
            raise ImportFileError(
                _("The workbook has more than one sheet of %(sheets)s: put their rows in one.")
                % {"sheets": ", ".join(f"“{name}”" for name in doubled)}
            )
    else:
        data = _cleaned(_read_csv_file(content, filename))
        sheets = [Sheet("", csv_model(data.headers or [], default), data)] if data.headers else []
    if not sheets:
        raise ImportFileError(_("The file is empty."))
    if sum(len(sheet.dataset) for sheet in sheets) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s rows: split it into several files.")
            % {"limit": MAX_ROWS}
        )
    return sorted(sheets, key=lambda sheet: IMPORT_ORDER.index(sheet.model))


def _check_size(content: bytes) -> None:
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB: split it into several files.")
            % {"limit": MAX_FILE_BYTES >> 20}
        )


def _extension(filename: str) -> str:
    extension = Path(filename).suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    return extension


def _read_csv_file(content: bytes, filename: str) -> tablib.Dataset:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not in UTF-8: in Excel, save it as “CSV UTF-8”, or upload "
                "the .xlsx file itself."
            )
        ) from error
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return read_csv(text, delimiter)


def _cleaned(dataset: tablib.Dataset) -> tablib.Dataset:
    """The header's names as text; rows left empty (at the end of a sheet) dropped; each cell
    as a spreadsheet's text (`from_spreadsheet_cell`)."""
    if not dataset.headers:
        return tablib.Dataset()
    cleaned = tablib.Dataset(headers=[TextWidget().clean(h) for h in dataset.headers])
    for row in dataset:
        if any(str(v or "").strip() for v in row):
            cleaned.append([from_spreadsheet_cell(value) for value in row])
    return cleaned


def read_csv(text: str, delimiter: str) -> tablib.Dataset:
    """The rows of a CSV text, read one at a time and no further than the row limit: 5 MB of
    one-letter lines are 2.6 million rows, which took tablib 12 s and 780 MiB to load before
    the limit could count them. Empty lines are not rows; a short row is padded."""
    unreadable = ImportFileError(_("The file could not be read as CSV."))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        dataset = tablib.Dataset(headers=header)
        for row in reader:
            if not "".join(row).strip():
                continue
            if len(dataset) == MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(limit)s rows: split it into several files.")
                    % {"limit": MAX_ROWS}
                )
            if len(row) > len(header):
                raise unreadable
            dataset.append(row + [""] * (len(header) - len(row)))
    except csv.Error as error:
        raise unreadable from error
    return dataset


def read_xlsx(content: bytes) -> tablib.Dataset:
    """The active sheet of a workbook (`read_xlsx_sheets`)."""
    return read_xlsx_sheets(content, active_only=True)[0][1]


def read_xlsx_sheets(
    content: bytes, *, active_only: bool = False
) -> list[tuple[str, tablib.Dataset]]:
    """The sheets of a workbook (name, rows), refused (ImportFileError) before they are parsed
    when the workbook declares more than a file may hold: see MAX_UNPACKED_BYTES. Reading stops
    at the limits whatever a sheet declared, so a sheet whose dimension lies costs no more; the
    rows of all the sheets together are at most MAX_ROWS."""
    unreadable = ImportFileError(_("The file could not be read as an Excel workbook (.xlsx)."))
    too_big = _("split it into several files, or save it as CSV UTF-8.")
    found = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError(
                _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB: %(advice)s")
                % {
                    "size": round(unpacked / 1024 / 1024),
                    "limit": MAX_UNPACKED_BYTES >> 20,
                    "advice": too_big,
                }
            )
        # Counting tags unpacks (zipfile stops at each entry's declared size) but parses
        # nothing: some 5 ms a megabyte.
        tags = 0
        for member in members:
            if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(member) as stream:
                while tags <= MAX_XML_TAGS and (chunk := stream.read(1 << 20)):
                    tags += chunk.count(b"<")
            if tags > MAX_XML_TAGS:
                raise ImportFileError(
                    _(
                        "The workbook holds more cells than a file may have (%(rows)s rows of "
                        "%(columns)s columns): %(advice)s"
                    )
                    % {"rows": MAX_ROWS, "columns": MAX_COLUMNS, "advice": too_big}
                )
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows_left = MAX_ROWS
        for sheet in [book.active] if active_only else book.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet
            declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
            if declared_rows > MAX_ROWS + 1 or declared_columns > MAX_COLUMNS:
                raise _sheet_too_big(rows=declared_rows > MAX_ROWS + 1, advice=too_big)
            # Whatever the dimension said, reading stops one row past the limit; a column name
            # past the limit is found in the header row, so no column is left out without a
            # word.
            header = list(
                next(sheet.iter_rows(max_row=1, max_col=EXCEL_COLUMNS, values_only=True), ())
            )
            rows = [
                list(row)
                for row in sheet.iter_rows(
                    min_row=2, max_row=rows_left + 2, max_col=MAX_COLUMNS, values_only=True
                )
            ]
            if len(rows) > rows_left:
                # Rows left empty below the data count here; `_cleaned` drops them later.
                rows = [row for row in rows if any(v not in (None, "") for v in row)]
                if len(rows) > rows_left:
                    raise _sheet_too_big(rows=True, advice=too_big)
            if any(cell not in (None, "") for cell in header[MAX_COLUMNS:]):
                raise _sheet_too_big(rows=False, advice=too_big)
            header = header[:MAX_COLUMNS]
            while header and header[-1] in (None, ""):
                header.pop()
            dataset = tablib.Dataset(headers=header) if header else tablib.Dataset()
            for row in rows if header else []:
                dataset.append((row + [None] * len(header))[: len(header)])
            rows_left -= len(dataset)
            found.append((str(sheet.title), dataset))
        book.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise unreadable from error
    return found


def _sheet_too_big(*, rows: bool, advice: str) -> ImportFileError:
    if rows:
        message = _(
            "The sheet has more than %(limit)s rows below its header (empty rows left below "
            "the data count too: delete them): %(advice)s"
        ) % {"limit": MAX_ROWS, "advice": advice}
    else:
        message = _("The sheet has more than %(limit)s columns: %(advice)s") % {
            "limit": MAX_COLUMNS,
            "advice": advice,
        }
    return ImportFileError(message)


@dataclass
class CellError:
    column: str
    label: str
    message: str


@dataclass
class RowReport:
    number: int  # the row in the spreadsheet, the header being row 1
    action: str  # "new", "update", "skip", "invalid", "error"
    external_id: str
    name: str
    errors: list[CellError] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


ACTION_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("new"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("updated"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("error"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("error"),
}


@dataclass
class SheetReport:
    """What the import does with one sheet (or a CSV file): its rows, and what is wrong with
    the sheet as a whole."""

    name: str  # as in the workbook; "" for a CSV file
    kind: str  # the model's label, e.g. "sites.Person"
    rows: list[RowReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def title(self) -> str:
        """“Nhân vật” (people), or the kind's name for a CSV file."""
        plural = str(apps.get_model(self.kind)._meta.verbose_name_plural)
        return f"“{self.name}” ({plural})" if self.name else plural.capitalize()

    @property
    def summary(self) -> str:
        return _(
            "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(errors)s with errors"
        ) % {
            "new": self.count(RowResult.IMPORT_TYPE_NEW),
            "updated": self.count(RowResult.IMPORT_TYPE_UPDATE),
            "unchanged": self.count(RowResult.IMPORT_TYPE_SKIP),
            "errors": sum(1 for row in self.rows if row.errors),
        }


@dataclass
class ImportReport:
    sheets: list[SheetReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def rows(self) -> list[RowReport]:
        return [row for sheet in self.sheets for row in sheet.rows]

    @property
    def ignored_columns(self) -> list[str]:
        return [name for sheet in self.sheets for name in sheet.ignored_columns]

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(sheet.ok for sheet in self.sheets)

    def count(self, action: str) -> int:
        return sum(sheet.count(action) for sheet in self.sheets)

    @property
    def error_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.errors]

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        sheets = [
            SheetReport(
                **{
                    **sheet,
                    "rows": [
                        RowReport(**{**row, "errors": [CellError(**e) for e in row["errors"]]})
                        for row in sheet["rows"]
                    ],
                }
            )
            for sheet in data.get("sheets", [])
        ]
        if "rows" in data:  # a report written before workbooks: one sheet
            sheets.append(
                SheetReport(
                    name="",
                    kind=Street._meta.label,
                    rows=[
                        RowReport(**{**row, "errors": [CellError(**e) for e in row["errors"]]})
                        for row in data["rows"]
                    ],
                    ignored_columns=data.get("ignored_columns", []),
                )
            )
        return cls(sheets=sheets, file_errors=data["file_errors"], saved=data["saved"])


def records_import(
    *,
    model: type[PublishableModel],
    dataset: tablib.Dataset,
    user: AbstractBaseUser | None,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Imports `dataset` into `model` as `user` (a workbook of one sheet: `workbook_import`)."""
    return workbook_import(
        sheets=[Sheet("", model, dataset)], user=user, dry_run=dry_run, progress=progress
    )


def workbook_import(
    *,
    sheets: list[Sheet],
    user: AbstractBaseUser | None,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Imports the `sheets` (in `IMPORT_ORDER`) as `user`, all or nothing: the whole import is
    one transaction, rolled back when any row of any sheet fails, or when `dry_run` (the
    preview: every row is written as the confirmation would write it, so that a link can name
    a person of the same workbook, and then nothing is kept). `progress(n)` hears how many rows
    are done."""
    report = ImportReport()
    if not roles.can_import(user):
        report.file_errors.append(_("You are not allowed to import records."))
        return report
    done = 0
    with many_changes(), transaction.atomic():
        for sheet in sorted(sheets, key=lambda sheet: IMPORT_ORDER.index(sheet.model)):
            heard = None
            if progress is not None:
                heard = functools.partial(lambda offset, n: progress(offset + n), done)
            if sheet.model in ATTACHED:
                found = ATTACHED[sheet.model](user).import_sheet(sheet, heard)
            else:
                found = _records_sheet(sheet, user, heard)
            report.sheets.append(found)
            done += len(sheet.dataset)
        report.saved = not dry_run and report.ok
        if not report.saved:
            transaction.set_rollback(True)
    return report


def _records_sheet(
    sheet: Sheet, user: AbstractBaseUser | None, progress: Callable[[int], None] | None
) -> SheetReport:
    """A sheet of streets, relics, scenic spots or people, on django-import-export."""
    model, dataset = sheet.model, sheet.dataset
    report = SheetReport(name=sheet.name, kind=model._meta.label)
    resource = RESOURCES[model](user=user, progress=progress)
    known = set(resource.fields)
    for required in ("external_id", f"name_{LANGUAGE_SUFFIXES[0]}"):
        if required not in dataset.headers:
            report.errors.append(
                _("The sheet has no “%(column)s” column (see the sample file).")
                % {"column": required}
            )
    if report.errors:
        return report
    report.ignored_columns = [h for h in dataset.headers if h and h not in known]
    # The rows are written (a later sheet may name them), the rows with errors left out; the
    # workbook's transaction decides whether anything is kept.
    result = resource.import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=False
    )
    labels = column_labels(model, resource)
    for number, (data, row_result) in enumerate(zip(dataset.dict, result.rows, strict=False), 2):
        row = RowReport(
            number=number,
            action=row_result.import_type,
            external_id=str(data.get("external_id") or ""),
            name=str(data.get(f"name_{LANGUAGE_SUFFIXES[0]}") or ""),
        )
        if row_result.validation_error is not None:
            for name, problems in row_result.validation_error.message_dict.items():
                key = name if name in labels else "__all__"
                for message in problems:
                    row.errors.append(CellError(key, labels.get(key, ""), message))
        for error in row_result.errors:
            row.errors.append(
                CellError(
                    "__all__",
                    "",
                    _("This row could not be saved: %(error)s")
                    % {"error": type(error.error).__name__},
                )
            )
        report.rows.append(row)
    for error in result.base_errors:
        report.errors.append(str(error.error))
    return report


def column_labels(model: type[models.Model], resource: RecordResource) -> dict[str, str]:
    """Column → the field's label in the active language (and its language), for errors."""
    names = {code.replace("-", "_"): name for code, name in settings.LANGUAGES}
    labels = {}
    for name in resource.fields:
        # name_vi → the label of "name" and the language's own name: "tên (Tiếng Việt)".
        base, language = name, None
        for suffix in LANGUAGE_SUFFIXES:
            if name.endswith(f"_{suffix}") and name != "external_id":
                base, language = name.removesuffix(f"_{suffix}"), names[suffix]
                break
        try:
            label = str(model._meta.get_field(base).verbose_name)
        except Exception:
            label = name
        labels[name] = f"{label} ({language})" if language else label
    return labels


def records_export(
    *, model: type[PublishableModel], queryset: models.QuerySet, file_format: str
) -> bytes:
    """The records as a spreadsheet with exactly the import's columns (a workbook's sheet
    named as the import knows it)."""
    dataset = RESOURCES[model]().export(queryset)
    return _dump(dataset, file_format, title=SHEET_NAMES[model])


def importer_for(model: type[models.Model], user: AbstractBaseUser | None = None):
    """What reads a sheet of `model`: its resource, or its attached rows."""
    return RESOURCES[model](user=user) if model in RESOURCES else ATTACHED[model](user)


def template_file(*, model: type[PublishableModel], file_format: str) -> bytes:
    """The sample file: as a workbook, a sheet for every kind of row (`sample_workbook`); as
    CSV, the columns of `model`. No row to delete: importing the sample changes nothing."""
    if file_format == "xlsx":
        return sample_workbook()
    return _dump(tablib.Dataset(headers=list(importer_for(model).fields)), file_format)


def column_help(model: type[models.Model], name: str, importer) -> str:
    """What to write in the column `name` of a sheet of `model`, in the active language."""
    widget = importer.columns[name] if isinstance(importer, AttachedRows) else None
    if widget is None:
        widget = importer.fields[name].widget
    if name in AttachedRows.keys and isinstance(importer, AttachedRows):
        return str(KEY_HELP)
    if name == "external_id":
        return _("A code that never changes, e.g. tamthanh:relic:001; required.")
    if isinstance(widget, UnitWidget):
        return _("The commune's or ward's official code (e.g. 05986) or its exact name.")
    if isinstance(widget, PersonWidget):
        return _(
            "The person's external ID (in the “%(sheet)s” sheet or already in the portal)."
        ) % {"sheet": SHEET_NAMES[Person]}
    if isinstance(widget, ChoiceWidget):
        allowed = ", ".join(str(label) for _code, label in widget.choices.choices)
        return _("One of: %(allowed)s.") % {"allowed": allowed}
    if isinstance(widget, DateWidget):
        return _("Day/month/year, e.g. 27/03/2002.")
    if isinstance(widget, CitableWidget):
        return _("có (yes) or không (no); empty: yes.")
    if isinstance(widget, BooleanWidget):
        return _("có (yes) or không (no).")
    try:
        return str(model._meta.get_field(name).help_text)
    except Exception:
        return ""


def sample_workbook() -> bytes:
    """The sample workbook: the "Hướng dẫn" sheet first (how to fill the workbook in, every
    column with its meaning and an example), then an empty sheet for each kind of row, its
    column names in row 1, each with its help as a comment. It imports as it is, changing
    nothing."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = HELP_SHEET
    bold = openpyxl.styles.Font(bold=True)
    for line in (
        _("How to fill in this workbook"),
        _(
            "Each sheet holds one kind of row; a sheet left empty imports nothing. Keep the "
            "sheets' names and the column names of row 1 (point at a name to read its help); "
            "write from row 2 on. This sheet is never imported."
        ),
        _(
            "Every street, relic, scenic spot and person needs an external ID that never "
            "changes: the same file again changes nothing, and an edited file updates the same "
            "records."
        ),
        _(
            "Links and sources name their place or person by its external ID (of this workbook "
            "or already in the portal) or by the last part of its page address."
        ),
        _(
            "You see a preview before anything is saved; if any row has a problem, nothing is "
            "saved."
        ),
        "",
    ):
        guide.append([line])
    guide["A1"].font = bold
    guide.append([_("Sheet"), _("Column"), _("Meaning"), _("What to write"), _("Example")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for model in IMPORT_ORDER:
        sheet = book.create_sheet(SHEET_NAMES[model])
        importer = importer_for(model)
        labels = column_labels(model, importer)
        example = EXAMPLES.get(model, {})
        sheet.append(list(labels))
        for cell, (name, label) in zip(sheet[1], labels.items(), strict=True):
            help_text = column_help(model, name, importer)
            cell.font = bold
            cell.comment = openpyxl.comments.Comment(
                f"{label}\n{help_text}".strip(), "Streetinfo", width=300, height=120
            )
            sheet.column_dimensions[cell.column_letter].width = max(12, len(name) + 2)
            guide.append([SHEET_NAMES[model], name, label, help_text, str(example.get(name, ""))])
        sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (22, 22, 32, 60, 28), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _dump(dataset: tablib.Dataset, file_format: str, title: str = "") -> bytes:
    escaped = tablib.Dataset(headers=dataset.headers, title=title or None)
    for row in dataset:
        escaped.append([spreadsheet_cell(value) for value in row])
    dataset = escaped
    if file_format == "xlsx":
        return dataset.export("xlsx")
    # With a BOM, so Excel opens the Vietnamese text as UTF-8.
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")


# The admin pages: upload → preview → confirm; export; sample file.

PENDING_MAX_AGE = datetime.timedelta(days=1)
# The module's name before it moved to workflow/: a preview signed before an upgrade can still
# be confirmed after it.
PENDING_SALT = "sites.imports"


def pending_files() -> FileSystemStorage:
    """Where a previewed file waits for its confirmation: outside MEDIA_ROOT, never served."""
    return FileSystemStorage(location=settings.IMPORT_PENDING_DIR)


def _forget_stale_files() -> None:
    storage = pending_files()
    try:
        _dirs, names = storage.listdir("")
    except FileNotFoundError:
        return
    limit = timezone.now() - PENDING_MAX_AGE
    for name in names:
        if storage.get_modified_time(name) < limit:
            storage.delete(name)


# Import jobs: the preview and the confirmation of a file run as tasks (`run_import`, run by the
# worker), each reporting the rows done. The page follows a job through a small JSON file beside
# the waiting spreadsheet: the worker writes it while the import's transaction is still open, when
# nothing the import writes to the database can be seen from outside.

JOB_NAME = re.compile(r"[0-9a-f]{32}")
# Progress is written at most this often (seconds).
PROGRESS_EVERY = 1.0


@dataclass
class ImportJob:
    id: str
    user: int
    model: str  # app_label.ModelName
    file: str  # the waiting spreadsheet, in pending_files()
    name: str  # its name as uploaded
    language: str  # the editor's: the report's messages are written in it
    step: str  # "preview" or "confirm"
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    report: dict | None = None
    error: str = ""

    def save(self) -> None:
        path = Path(pending_files().path(f"{self.id}.json"))
        write_atomically(path, json.dumps(asdict(self)).encode())

    @classmethod
    def load(cls, job_id: str) -> ImportJob | None:
        if not JOB_NAME.fullmatch(job_id or ""):
            return None
        try:
            with pending_files().open(f"{job_id}.json") as handle:
                return cls(**json.load(handle))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def start_import(
    *, model: type[PublishableModel], user: AbstractBaseUser, file: str, name: str, step: str
) -> ImportJob:
    """Queues the preview or the confirmation of the waiting file `file`, as `user`."""
    job = ImportJob(
        id=uuid.uuid4().hex,
        user=user.pk,
        model=model._meta.label,
        file=file,
        name=name,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        step=step,
    )
    job.save()
    run_import.enqueue(job.id)
    return ImportJob.load(job.id) or job


@task()
def run_import(job_id: str) -> None:
    """The task: reads the waiting file and previews or imports it (`workbook_import`), writing
    the rows done as it goes and the report at the end. A confirmed import that saved removes
    the waiting file."""
    job = ImportJob.load(job_id)
    if job is None:
        return
    user = get_user_model().objects.filter(pk=job.user).first()
    model = apps.get_model(job.model)
    with translation.override(job.language):
        job.status = "running"
        job.save()
        try:
            with pending_files().open(job.file) as handle:
                content = handle.read()
            sheets = read_sheets(content, job.name, model)
        except FileNotFoundError:
            job.status, job.error = "failed", _("This preview has expired: upload the file again.")
            job.save()
            return
        except ImportFileError as error:
            job.status, job.error = "failed", str(error)
            job.save()
            return
        job.total = sum(len(sheet.dataset) for sheet in sheets)
        job.save()
        last = [time.monotonic()]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY:
                last[0] = time.monotonic()
                job.done = done
                job.save()

        try:
            report = workbook_import(
                sheets=sheets,
                user=user,
                dry_run=job.step == "preview",
                progress=progress,
            )
        except Exception:
            job.status = "failed"
            job.error = _(
                "The import stopped on an unexpected error and saved nothing. Try again; if it "
                "happens again, tell the portal's administrators."
            )
            job.save()
            raise
        job.status, job.done, job.report = "done", job.total, report.as_json()
        job.save()
    if report.saved:
        pending_files().delete(job.file)


class SpreadsheetAdminMixin:
    """Adds import, export and the sample file to a record admin (see RESOURCES)."""

    change_list_template = "admin/sites/spreadsheet_change_list.html"

    def get_urls(self) -> list:
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path("export.<str:file_format>", view(self.export_view), name=f"{name}_export"),
            path(
                "import-template.<str:file_format>",
                view(self.template_view),
                name=f"{name}_import_template",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        extra_context = {
            **(extra_context or {}),
            "can_import": roles.can_import(request.user),
            "import_url": reverse(f"{name}_import"),
            "export_urls": [
                (fmt.upper(), reverse(f"{name}_export", args=[fmt])) for fmt in FORMATS
            ],
        }
        return super().changelist_view(request, extra_context)

    def _file_response(self, content: bytes, file_format: str, stem: str) -> HttpResponse:
        response = HttpResponse(content, content_type=FORMATS[file_format])
        response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
        return response

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if file_format not in FORMATS or not self.has_view_permission(request):
            raise PermissionDenied
        try:
            # The list's filters and search apply: export what the editor is looking at.
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            queryset = self.get_queryset(request)
        content = records_export(model=self.model, queryset=queryset, file_format=file_format)
        stamp = timezone.localdate().isoformat()
        return self._file_response(content, file_format, f"{self.model._meta.model_name}-{stamp}")

    def template_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if file_format not in FORMATS or not self.has_view_permission(request):
            raise PermissionDenied
        content = template_file(model=self.model, file_format=file_format)
        return self._file_response(content, file_format, f"{self.model._meta.model_name}-mau")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not roles.can_import(request.user) or not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Import %(records)s from a spreadsheet")
            % {"records": opts.verbose_name_plural},
            "template_urls": [
                (
                    _("Excel workbook, every sheet") if fmt == "xlsx" else _("CSV, these columns"),
                    reverse(f"{name}_import_template", args=[fmt]),
                )
                for fmt in FORMATS
            ],
            "sheet_names": ", ".join(f"“{name}”" for name in SHEET_NAMES.values()),
            "records": opts.verbose_name_plural,
            "columns": list(column_labels(self.model, RESOURCES[self.model]()).items()),
            "max_mb": MAX_FILE_BYTES >> 20,
        }
        if request.method == "GET" and "job" in request.GET:
            job = ImportJob.load(request.GET["job"])
            if job is None or job.user != request.user.pk or job.model != opts.label:
                context["file_error"] = _("This preview has expired: upload the file again.")
                return TemplateResponse(request, "admin/sites/import.html", context)
            return self._job_page(request, context, job)
        if request.method == "POST" and "pending" in request.POST:
            return self._confirm_import(request, context)
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                context["file_error"] = _("Choose a file to import.")
            elif upload.size > MAX_FILE_BYTES:
                context["file_error"] = _(
                    "The file is larger than %(limit)s MB: split it into several files."
                ) % {"limit": MAX_FILE_BYTES >> 20}
            else:
                stored = self._keep_file(upload.read(), upload.name)
                job = start_import(
                    model=self.model, user=request.user, file=stored, name=upload.name,
                    step="preview",
                )  # fmt: skip
                return self._job_page(request, context, job)
        return TemplateResponse(request, "admin/sites/import.html", context)

    def _job_page(self, request: HttpRequest, context: dict, job: ImportJob) -> HttpResponse:
        """How far the job is (the page refreshes itself), why it failed, or its report: a
        preview's with the confirmation button, a confirmation's as the list's message."""
        context.update(job=job, filename=job.name)
        if job.running:
            context["refresh_url"] = f"{request.path}?job={job.id}"
        elif job.status == "failed":
            context["file_error"] = job.error
        else:
            report = ImportReport.from_json(job.report)
            if job.step == "confirm" and report.saved:
                messages.success(
                    request,
                    _("Import done: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                    % {
                        "new": report.count(RowResult.IMPORT_TYPE_NEW),
                        "updated": report.count(RowResult.IMPORT_TYPE_UPDATE),
                        "unchanged": report.count(RowResult.IMPORT_TYPE_SKIP),
                    },
                )
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                )
            # A confirmation that saved nothing: the records changed since the preview.
            context["report"] = report
            if job.step == "preview" and report.ok:
                context["pending"] = self._pending_token(request, job.file, job.name)
        return TemplateResponse(request, "admin/sites/import.html", context)

    def _keep_file(self, content: bytes, filename: str) -> str:
        """Keeps the uploaded file until its preview and confirmation are done."""
        _forget_stale_files()
        extension = Path(filename).suffix.lower()
        extension = extension if extension in (".csv", ".xlsx") else ""
        return pending_files().save(f"{uuid.uuid4().hex}{extension}", io.BytesIO(content))

    def _pending_token(self, request: HttpRequest, stored: str, filename: str) -> str:
        """The confirmation form carries a signed token naming the previewed file (for this
        user and this kind of record only)."""
        return signing.dumps(
            {
                "file": stored,
                "name": filename,
                "user": request.user.pk,
                "model": self.model._meta.label,
            },
            salt=PENDING_SALT,
        )

    def _confirm_import(self, request: HttpRequest, context: dict) -> HttpResponse:
        try:
            token = signing.loads(
                request.POST["pending"], salt=PENDING_SALT, max_age=PENDING_MAX_AGE
            )
            if token["user"] != request.user.pk or token["model"] != self.model._meta.label:
                raise signing.BadSignature
            stored = token["file"]
            if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", stored):
                raise signing.BadSignature
            if not pending_files().exists(stored):
                raise FileNotFoundError(stored)
        except (signing.BadSignature, KeyError, FileNotFoundError):
            context["file_error"] = _("This preview has expired: upload the file again.")
            return TemplateResponse(request, "admin/sites/import.html", context)
        job = start_import(
            model=self.model, user=request.user, file=stored, name=token["name"], step="confirm"
        )
        return self._job_page(request, context, job)
