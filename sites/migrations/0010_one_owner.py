"""Reports, suggestions and old addresses belong to exactly one place or one person, as plates,
sources and photos already did: the database now refuses a row naming both or neither
(sites.models.one_owner_constraint).

No row written by the portal breaks the rule (the public forms always name the record, an old
address is written for its record). Should one exist all the same, the migration stops and names
it rather than guess which record it was about."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

ONE_OWNER = Q(place__isnull=False, person__isnull=True) | Q(place__isnull=True, person__isnull=False)


def refuse_rows_without_one_owner(apps, schema_editor):
    found = []
    for name in ("ProblemReport", "Suggestion", "OldSlug"):
        model = apps.get_model("sites", name)
        ids = list(model.objects.exclude(ONE_OWNER).order_by("pk").values_list("pk", flat=True))
        if ids:
            found.append(f"{model._meta.db_table} id {', '.join(map(str, ids))}")
    if found:
        raise RuntimeError(
            "These rows belong to both a place and a person, or to neither: "
            + "; ".join(found)
            + ". Set exactly one of place_id and person_id on each (or delete the row), then "
            "migrate again."
        )


def one_owner(name):
    return models.CheckConstraint(condition=ONE_OWNER, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0009_reviewers_prepare_print_batches"),
    ]

    operations = [
        migrations.RunPython(refuse_rows_without_one_owner, migrations.RunPython.noop),
        # The old addresses' keys are now declared like every other owner's (labels, may be
        # left empty in a form): no change in the database.
        migrations.AlterField(
            model_name="oldslug",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sites.person",
                verbose_name="person",
            ),
        ),
        migrations.AlterField(
            model_name="oldslug",
            name="place",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sites.place",
                verbose_name="place",
            ),
        ),
        migrations.AddConstraint(model_name="oldslug", constraint=one_owner("oldslug_one_owner")),
        migrations.AddConstraint(
            model_name="problemreport", constraint=one_owner("problemreport_one_owner")
        ),
        migrations.AddConstraint(
            model_name="suggestion", constraint=one_owner("suggestion_one_owner")
        ),
    ]
