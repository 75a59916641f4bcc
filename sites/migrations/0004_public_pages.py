"""Public pages: photo renditions, and trigram search on PostgreSQL.

The pg_trgm extension and the trigram indexes exist only on PostgreSQL (SQLite searches with
plain LIKE, which is enough for a development database): both steps do nothing elsewhere. The
indexes are not part of the model state because SQLite cannot build them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEXES = (
    ("sites_place", "sites_place_search_trgm"),
    ("sites_person", "sites_person_search_trgm"),
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("sites", "0003_merged_into"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="renditions",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="renditions"
            ),
        ),
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
