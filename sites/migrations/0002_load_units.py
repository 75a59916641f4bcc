from django.db import migrations


def forwards(apps, schema_editor):
    from sites.units import load_units

    load_units(apps.get_model("sites", "AdminUnit"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
