"""The data migration that gives roles made before the sales app their deal, order and
invoice scopes: it fills what is missing, keeps what is there, and can run twice."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from perpetuum.core.access import DEFAULT_ROLES
from perpetuum.org.models import Role

pytestmark = pytest.mark.django_db

migration = importlib.import_module("perpetuum.sales.migrations.0002_role_permissions")
SALES = ("deal", "order", "invoice")


def without_sales(permissions: dict) -> dict:
    return {entity: scopes for entity, scopes in permissions.items() if entity not in SALES}


def test_roles_from_before_the_sales_app_get_their_scopes_once() -> None:
    for role in Role.objects.all():
        role.permissions = without_sales(role.permissions)
        role.save()
    custom = Role.objects.create(
        code="key_account",
        name="Key account",
        permissions={"account": {"read": "team", "write": "own"}},
    )
    kept = Role.objects.get(code="marketer")
    kept.permissions["deal"] = {"read": "all", "write": "none"}
    kept.save()

    migration.add_permissions(apps, None)
    migration.add_permissions(apps, None)

    for code, spec in DEFAULT_ROLES.items():
        permissions = Role.objects.get(code=code).permissions
        expected = {entity: spec["permissions"][entity] for entity in SALES}
        if code == "marketer":
            expected["deal"] = {"read": "all", "write": "none"}
        assert {entity: permissions[entity] for entity in SALES} == expected, code
    custom.refresh_from_db()
    assert {entity: custom.permissions[entity] for entity in SALES} == {
        entity: {"read": "team", "write": "own"} for entity in SALES
    }
