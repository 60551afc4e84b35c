"""A first pipeline, so that a new installation can take deals at once; can run twice.

Administrators rename, reorder or replace its stages later; nothing is made when any
pipeline exists already.
"""

from django.db import migrations

STAGES = [
    ("Qualification", 10, False, False),
    ("Needs analysis", 25, False, False),
    ("Proposal", 50, False, False),
    ("Negotiation", 75, False, False),
    ("Won", 100, True, False),
    ("Lost", 0, False, True),
]


def create_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", is_default=True, position=0)
    for position, (name, probability, is_won, is_lost) in enumerate(STAGES):
        Stage.objects.create(
            pipeline=pipeline,
            name=name,
            position=position,
            probability=probability,
            is_won=is_won,
            is_lost=is_lost,
        )


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_role_permissions")]
    operations = [migrations.RunPython(create_pipeline, migrations.RunPython.noop)]
