"""The roles every installation starts with (see `core.access.DEFAULT_ROLES`); can run twice."""

from django.db import migrations

from perpetuum.core.access import DEFAULT_ROLES


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, spec in DEFAULT_ROLES.items():
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": spec["name"],
                "permissions": spec["permissions"],
                "is_administrator": spec.get("is_administrator", False),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
