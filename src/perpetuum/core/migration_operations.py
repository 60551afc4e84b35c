"""Migration operations of our own."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class AlterForeignKeyIndex(migrations.AlterField):
    """An `AlterField` of a foreign key whose only change is `db_index`: it drops or creates
    the column's own index. SQLite carries out a plain `AlterField` by copying the whole
    table, which at ten million interactions takes minutes; this takes a moment."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._follow(app_label, schema_editor, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._follow(app_label, schema_editor, to_state)

    def _follow(self, app_label: str, schema_editor: Any, state: Any) -> None:
        """Give the column an index or none, as the field in `state` asks."""
        model = state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
        own = [
            name
            for name, info in constraints.items()
            if info["columns"] == [field.column]
            and info["index"]
            and not info["unique"]
            and not info["primary_key"]
        ]
        if field.db_index and not own:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        elif not field.db_index:
            for name in own:
                schema_editor.execute(schema_editor._delete_index_sql(model, name))
