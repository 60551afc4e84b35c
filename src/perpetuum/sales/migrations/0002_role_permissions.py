"""Give every existing role its scopes on deals, orders and invoices; can run twice.

`org.0002_default_roles` seeds the roles only at the first migrate, so installations made
before the sales app need this. The default roles get the scopes `core.access.DEFAULT_ROLES`
gives them today (written out here, so the migration does not change when the defaults do);
a role an administrator made gets, for each of the three, the scopes it has on accounts.
A role that already has a scope for an entity keeps it.
"""

from django.db import migrations

ENTITIES = ("deal", "order", "invoice")


def _rw(read, write):
    return {"read": read, "write": write}


def _same(read, write):
    return {entity: _rw(read, write) for entity in ENTITIES}


DEFAULTS = {
    "administrator": _same("all", "all"),
    "executive": _same("all", "own"),
    "sales_manager": _same("office", "team"),
    "sales_representative": _same("team", "own"),
    "support_agent": _same("legal_entity", "none"),
    "marketer": {
        "deal": _rw("legal_entity", "none"),
        "order": _rw("legal_entity", "none"),
        "invoice": _rw("none", "none"),
    },
    "read_only": _same("office", "none"),
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.order_by("pk").iterator(chunk_size=200):
        permissions = dict(role.permissions or {})
        account = permissions.get("account") or _rw("none", "none")
        wanted = DEFAULTS.get(role.code) or {entity: dict(account) for entity in ENTITIES}
        missing = {entity: scopes for entity, scopes in wanted.items() if entity not in permissions}
        if missing:
            permissions.update(missing)
            role.permissions = permissions
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0002_default_roles"), ("sales", "0001_initial")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
