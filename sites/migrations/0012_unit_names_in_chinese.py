from django.db import migrations


def forwards(apps, schema_editor):
    from sites.units import name_units_in_every_language

    name_units_in_every_language(apps.get_model("sites", "AdminUnit"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0011_simplified_chinese_content")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
