from django.db import migrations


def seed(apps, schema_editor):
    from territoires.tenancy.roles import seed_roles

    seed_roles(apps.get_model("tenancy", "Role"))


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
