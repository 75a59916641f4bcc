"""The Department's roles as groups with their permissions (see sites/roles.py).

Idempotent (get_or_create, permissions added, never removed), so it coexists with other
migrations that create the same groups: the artwork work also creates "Printer". The list is
frozen here on purpose: a migration must keep meaning what it meant when it was written."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = ["street", "relic", "scenicspot", "person"]
ATTACHMENTS = ["source", "photo", "personlink", "formername"]

EDITOR = [
    *(f"sites.{action}_{model}" for model in CONTENT for action in ("view", "add", "change")),
    *(f"sites.{a}_{m}" for m in ATTACHMENTS for a in ("view", "add", "change", "delete")),
    "sites.view_place",
    "sites.view_adminunit",
    "sites.view_problemreport",
    "sites.change_problemreport",
    "sites.view_suggestion",
    "sites.change_suggestion",
    "sites.import_records",
    "qrplates.view_plate",
    "qrplates.add_plate",
    "qrplates.view_plateevent",
]
REVIEWER = [
    *EDITOR,
    "sites.publish_record",
    "sites.view_dashboard",
    "qrplates.change_plate",
    "qrplates.add_plateevent",
]
ROLES = {
    "Editor": EDITOR,
    "Reviewer": REVIEWER,
    "Printer": ["qrplates.view_plate"],
    "Installer": ["qrplates.view_plate", "qrplates.install_plate"],
    "Steering committee": ["sites.view_dashboard"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after the last migration; the groups need them now.
    for label in ("sites", "qrplates"):
        config = apps.get_app_config(label)
        # The migration state's app configs have no models module; create_permissions skips
        # such apps unless told otherwise.
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0004_workflow"),
        ("qrplates", "0002_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
