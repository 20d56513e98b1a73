from django.db import migrations


def load_regions(apps, schema_editor):
    from guardians.regions import load_region_rows

    Region = apps.get_model("guardians", "Region")
    rows = sorted(load_region_rows(), key=lambda r: r.level)
    Region.objects.bulk_create(
        [Region(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code) for r in rows],
        batch_size=500,
    )


def unload_regions(apps, schema_editor):
    Region = apps.get_model("guardians", "Region")
    Region.objects.filter(level=3).delete()
    Region.objects.filter(level=2).delete()
    Region.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("guardians", "0001_initial")]
    operations = [migrations.RunPython(load_regions, unload_regions)]
