from django.db import migrations


def seed(apps, schema_editor):
    """Roles gained the e-actes permissions (view, transmit, publish)."""
    from territoires.tenancy.roles import seed_roles

    seed_roles(apps.get_model("tenancy", "Role"))


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
