"""The sales routes × every default role, as `tests/sales/matrix.py` expects them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from ninja.utils import normalize_path

import perpetuum.urls  # noqa: F401  (mounts the API's routers)
from perpetuum.core import access
from perpetuum.sales.api import router
from tests.sales.matrix import ROLES, SALES_ROUTE_EXPECTATIONS, SCOPES, SalesWorld


def sales_routes() -> set[tuple[str, str]]:
    """(method, path template) of every operation of the sales router."""
    return {
        (method, normalize_path(f"/api/v1/{path}"))
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    }


def test_every_sales_route_has_an_expectation() -> None:
    assert sorted(sales_routes() - set(SALES_ROUTE_EXPECTATIONS)) == []


def test_every_expectation_names_a_live_route() -> None:
    assert sorted(set(SALES_ROUTE_EXPECTATIONS) - sales_routes()) == []


def test_the_matrix_follows_the_default_roles() -> None:
    assert set(SCOPES) == set(access.ROLE_CODES)
    buckets = {"none": 0, "own": 1, "team": 2, "office": 3, "legal_entity": 4, "all": 5}
    for role, spec in access.DEFAULT_ROLES.items():
        for entity in ("deal", "order", "invoice"):
            for action in ("read", "write"):
                assert (
                    len(SCOPES[role][entity][action])
                    == buckets[spec["permissions"][entity][action]]
                ), (role, entity, action)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SalesWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield SalesWorld()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", sorted(SALES_ROUTE_EXPECTATIONS), ids=lambda route: f"{route[0]} {route[1]}"
)
def test_sales_route_answers_each_role_as_its_scope_says(
    route: tuple[str, str], role: str, world: SalesWorld
) -> None:
    method, path = route
    SALES_ROUTE_EXPECTATIONS[route].check(world.view(role), method, path)
