"""Reviewers prepare print batches (sites/roles.py): "put into a print batch" on the plate list
now asks for the print batch permissions, which no group held, so that editors no longer create
batches; the Department's reviewers, who approve the artwork, are given them here.

Frozen on purpose, like 0005_roles: a migration keeps meaning what it meant when written."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_BATCHES = ["view_printbatch", "add_printbatch", "change_printbatch", "delete_printbatch"]


def _permissions(apps):
    # Permissions are normally created after the last migration; the group needs them now.
    config = apps.get_app_config("qrplates")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="qrplates", codename__in=REVIEWER_BATCHES
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name="Reviewer")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Reviewer").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0008_photos_checked_and_stripped"),
        ("qrplates", "0003_print_batches"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
