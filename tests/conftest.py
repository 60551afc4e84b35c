"""Fixtures shared by the whole suite: our own organisation and users of every role.

The organisation (fixture `org`):

    Perpetuum GmbH (DE)                      Perpetuum OOO (RU)
    ├── Berlin office                        └── Moscow office
    │   ├── team "Berlin sales"                  └── team "Moscow sales"
    │   └── team "Berlin key accounts"
    └── Munich office
        └── team "Munich sales"

Users: `make_user(role_code, ...)` makes a user of any role (codes in
`perpetuum.core.access.DEFAULT_ROLES`, or None for a user without a role). By default the
user works in the Berlin office of Perpetuum GmbH, in the "Berlin sales" team.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from perpetuum.core.context import request_id_var
from perpetuum.org.models import LegalEntity, Office, Team
from tests.factories import LegalEntityFactory, OfficeFactory, TeamFactory, UserFactory

# The real browser's fixtures, defined once for every folder (see tests/browser.py).
pytest_plugins = ["tests.browser"]


@dataclass
class Org:
    """Our company's structure as the tests see it."""

    gmbh: LegalEntity
    ooo: LegalEntity
    berlin: Office
    munich: Office
    moscow: Office
    berlin_sales: Team
    berlin_key_accounts: Team
    munich_sales: Team
    moscow_sales: Team


@pytest.fixture
def org(db: None) -> Org:
    """Two legal entities, three offices, four teams (see the module docstring)."""
    gmbh = LegalEntityFactory(name="Perpetuum GmbH", country="DE", base_currency="EUR")
    ooo = LegalEntityFactory(
        name="Perpetuum OOO", legal_name="ООО Перпетуум", country="RU", base_currency="RUB"
    )
    berlin = OfficeFactory(name="Berlin", city="Berlin", legal_entity=gmbh)
    munich = OfficeFactory(name="Munich", city="München", legal_entity=gmbh)
    moscow = OfficeFactory(name="Moscow", city="Москва", legal_entity=ooo)
    return Org(
        gmbh=gmbh,
        ooo=ooo,
        berlin=berlin,
        munich=munich,
        moscow=moscow,
        berlin_sales=TeamFactory(name="Berlin sales", office=berlin),
        berlin_key_accounts=TeamFactory(name="Berlin key accounts", office=berlin),
        munich_sales=TeamFactory(name="Munich sales", office=munich),
        moscow_sales=TeamFactory(name="Moscow sales", office=moscow),
    )


_DEFAULT = object()


@pytest.fixture
def make_user(org: Org) -> Callable[..., Any]:
    """Make a user: `make_user("sales_manager")`, `make_user(None)` (no role),
    `make_user("support_agent", office=org.moscow, teams=[org.moscow_sales])`.

    Without `office` the user is in Berlin; without `teams` they are in the "Berlin sales"
    team when in Berlin and in no team elsewhere. `legal_entity` follows the office.
    Other keyword arguments go to `UserFactory` (`username=`, `is_active=`, ...).
    """

    def make(
        role: str | None = "sales_representative",
        *,
        office: Any = _DEFAULT,
        teams: Any = _DEFAULT,
        **kwargs: Any,
    ) -> Any:
        office = org.berlin if office is _DEFAULT else office
        if teams is _DEFAULT:
            teams = [org.berlin_sales] if office == org.berlin else []
        if "legal_entity" not in kwargs:
            kwargs["legal_entity"] = office.legal_entity if office else None
        return UserFactory(role=role, office=office, teams=teams, **kwargs)

    return make


@pytest.fixture
def administrator(make_user: Callable[..., Any]) -> Any:
    return make_user("administrator", username="admin")


@pytest.fixture
def sales_manager(make_user: Callable[..., Any]) -> Any:
    return make_user("sales_manager", username="manager")


@pytest.fixture
def sales_rep(make_user: Callable[..., Any]) -> Any:
    return make_user("sales_representative", username="rep")


@pytest.fixture
def request_id() -> Iterator[str]:
    """A fresh request id for the audit trail, as the request middleware would set it."""
    value = f"test-{uuid.uuid4().hex[:12]}"
    token = request_id_var.set(value)
    yield value
    request_id_var.reset(token)


@pytest.fixture(autouse=True)
def _as_after_migrate(request: pytest.FixtureRequest) -> None:
    """A transactional test (every browser test, for `live_server`; the demo's writer process)
    starts from a database flushed by the one before: without the roles the data migration
    made, and with the search index of records that are gone (its tables are not models,
    which flush empties). Put the roles back and empty the index."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from perpetuum.core import search

    for entity in search.ENTITIES:
        search.clear(entity)
    restore_default_roles()


def restore_default_roles() -> None:
    """The default roles, made by their own data migration's function (it may run twice)."""
    from django.apps import apps

    migration = importlib.import_module("perpetuum.org.migrations.0002_default_roles")
    migration.create_roles(apps, None)
