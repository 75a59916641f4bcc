from django.db import migrations


def forwards(apps, schema_editor):
    # The rebuilt langson_units.geojson: the 65 communes as one clean coverage (the old file left
    # 53 km² to no commune and had 122 overlapping pairs). Same codes, new boundaries.
    from sites.units import load_units

    load_units(apps.get_model("sites", "AdminUnit"))


class Migration(migrations.Migration):
    dependencies = [("sites", "0011_place_lat_lon_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
