"""A plate's "a place or a person" constraint is now built by sites.models.one_owner_constraint
and carries the message its form shows: no change in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qrplates", "0004_plate_photos_checked_and_stripped"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="plate",
            name="plate_one_target",
            constraint=models.CheckConstraint(
                condition=models.Q(place__isnull=False, person__isnull=True)
                | models.Q(place__isnull=True, person__isnull=False),
                name="plate_one_target",
                violation_error_message="Choose either a place or a person for the plate.",
            ),
        ),
    ]
