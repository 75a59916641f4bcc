""" "Belongs to a place or a person" is one shape (sites.models.BelongsToRecord): plates, sources,
photos, recorded narration, old addresses, reports and suggestions each name exactly one
record, and the database refuses a row that names both or neither."""

import contextlib
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from qrplates.admin import PlateForm
from qrplates.models import Plate
from sites.models import (
    BelongsToRecord,
    Narration,
    OldSlug,
    Person,
    Photo,
    ProblemReport,
    Source,
    Status,
    Street,
    Suggestion,
    one_owner_constraint,
)

pytestmark = pytest.mark.django_db

one_owner_migration = importlib.import_module("sites.migrations.0010_one_owner")


@pytest.fixture
def street() -> Street:
    return Street.objects.create(name_vi="Phố Tông Đản", status=Status.PUBLISHED)


@pytest.fixture
def person() -> Person:
    return Person.objects.create(name_vi="Tông Đản", status=Status.PUBLISHED)


# One row of each model, short of its owner.
ROWS = {
    Plate: lambda n: {"code": f"TEST{n:03d}"},
    Source: lambda n: {"title": "Địa chí Lạng Sơn"},
    Photo: lambda n: {"image": ""},
    Narration: lambda n: {"language": "vi", "audio": ""},
    OldSlug: lambda n: {"kind": "street", "slug": f"pho-cu-{n}"},
    ProblemReport: lambda n: {"kind": ProblemReport.Kind.OTHER},
    Suggestion: lambda n: {"kind": Suggestion.Kind.CORRECTION},
}


def owned_models() -> list[type[BelongsToRecord]]:
    return [model for model in apps.get_models() if issubclass(model, BelongsToRecord)]


def test_every_model_of_the_shape_is_tested_here():
    assert set(owned_models()) == set(ROWS)


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model.__name__)
def test_every_model_of_the_shape_has_the_one_owner_constraint(model):
    shape = one_owner_constraint("any", owners=model.OWNERS).condition
    assert [c for c in model._meta.constraints if getattr(c, "condition", None) == shape]


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model.__name__)
def test_the_database_refuses_a_row_of_both_or_neither(model, street, person):
    for n, owners in enumerate([{"place": street, "person": person}, {}]):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(**ROWS[model](n), **owners)


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model.__name__)
def test_a_row_of_either_is_stored_and_names_its_record(model, street, person):
    for n, record in enumerate([street, person]):
        row = model.objects.create(**ROWS[model](n), owner=record)
        row = model.objects.get(pk=row.pk)
        assert row.owner == record  # a place's row names the street, not the bare place
        assert (row.place_id, row.person_id) == (
            (street.pk, None) if record is street else (None, person.pk)
        )


def test_setting_the_owner_forgets_the_other_record(street, person):
    report = ProblemReport(kind=ProblemReport.Kind.OTHER, owner=street)
    report.owner = person
    assert (report.place, report.person, report.unit) == (None, person, None)
    with pytest.raises(TypeError):
        report.owner = report


def test_the_plate_form_says_once_what_the_constraint_says(street, person):
    for data in ({"label": "x"}, {"label": "x", "place": street.pk, "person": person.pk}):
        form = PlateForm(data=data)
        with translation.override("en"):
            assert not form.is_valid()
            assert form.non_field_errors() == ["Choose either a place or a person for the plate."]


@contextlib.contextmanager
def constraint_off(model: type, name: str):
    """A row the constraint would refuse, as one written before it existed (inside the test's
    transaction: PostgreSQL's DROP CONSTRAINT is rolled back with it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = 0")
        else:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            yield


def test_the_migration_passes_rows_that_name_one_record(street, person):
    ProblemReport.objects.create(kind=ProblemReport.Kind.OTHER, owner=street)
    OldSlug.objects.create(kind="person", slug="ten-cu", owner=person)
    one_owner_migration.refuse_rows_without_one_owner(apps, None)


def test_the_migration_stops_and_names_a_row_it_cannot_place(street):
    with constraint_off(Suggestion, "suggestion_one_owner"):
        orphan = Suggestion.objects.create(kind=Suggestion.Kind.CORRECTION)
        with pytest.raises(RuntimeError, match=f"sites_suggestion id {orphan.pk}\\b"):
            one_owner_migration.refuse_rows_without_one_owner(apps, None)
