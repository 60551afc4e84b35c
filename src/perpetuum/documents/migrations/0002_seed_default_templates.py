"""Seed the default document templates (quote, supply agreement, invoice) in English,
German, Russian and French. Idempotent: a template that already exists is left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    from perpetuum.documents.defaults import seed_default_templates

    seed_default_templates(apps.get_model("documents", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
