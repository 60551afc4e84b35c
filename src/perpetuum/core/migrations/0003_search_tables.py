"""The full-text search tables of the database in use (see `core.search`)."""

from django.db import migrations

from perpetuum.core import search


def create(apps, schema_editor):
    search.create_tables(schema_editor)


def drop(apps, schema_editor):
    search.drop_tables(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
