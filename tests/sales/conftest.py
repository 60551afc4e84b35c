"""Fixtures of the sales tests: records made through the sales services, as the factories
of `tests.factories` make client records.

- `make_product(...)`, `make_price_list(...)`, `make_rate(...)`: the catalogue and prices,
  written by the built-in superuser (`factory_actor`).
- `pipeline`: a pipeline "New business" with the stages Lead (10 %), Proposal (50 %),
  Won and Lost; `stage(name)` finds one.
- `make_deal(owner, account=..., **data)`: a deal made with `deal_create` as its owner.
- `make_order(owner, account, lines=...)`, `make_invoice(...)`: orders and issued invoices.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from perpetuum.sales import services
from perpetuum.sales.models import Invoice, Pipeline, Stage
from tests.api.conftest import api_client  # noqa: F401  (the API tests' token client)
from tests.conftest import restore_default_roles
from tests.factories import AccountFactory, factory_actor


@pytest.fixture
def default_roles(db: None) -> None:
    """The default roles, made again if a transactional test before this one flushed the
    rows their data migration wrote (ask for it before any user fixture)."""
    restore_default_roles()


@pytest.fixture
def admin_actor(db: None) -> Any:
    return factory_actor()


@pytest.fixture
def make_product(admin_actor: Any) -> Callable[..., Any]:
    counter = iter(range(1, 10_000))

    def make(**data: Any) -> Any:
        number = next(counter)
        data.setdefault("sku", f"SKU-{number:04d}")
        data.setdefault("name", f"Product {number}")
        data.setdefault("tax_rate", Decimal("19"))
        return services.product_create(actor=admin_actor, data=data)

    return make


@pytest.fixture
def make_price_list(admin_actor: Any) -> Callable[..., Any]:
    """`make_price_list(prices={product: "100.00"}, legal_entity=..., currency="EUR", ...)`."""

    def make(prices: dict[Any, str] | None = None, **data: Any) -> Any:
        legal_entity = data.pop("legal_entity", None)
        data["legal_entity_id"] = legal_entity.pk if legal_entity else None
        data.setdefault("name", f"List {data.get('currency', 'EUR')}")
        data.setdefault("currency", "EUR")
        data.setdefault("valid_from", datetime.date(2020, 1, 1))
        price_list = services.price_list_create(actor=admin_actor, data=data)
        for product, price in (prices or {}).items():
            services.price_set(
                actor=admin_actor, price_list=price_list, product=product, price=Decimal(price)
            )
        return price_list

    return make


@pytest.fixture
def make_rate(admin_actor: Any) -> Callable[..., Any]:
    def make(base: str, quote: str, rate: str, valid_on: datetime.date) -> Any:
        return services.rate_create(
            actor=admin_actor,
            data={
                "base_currency": base,
                "quote_currency": quote,
                "rate": Decimal(rate),
                "valid_on": valid_on,
            },
        )

    return make


@pytest.fixture
def pipeline(admin_actor: Any) -> Pipeline:
    return services.pipeline_create(
        actor=admin_actor,
        data={
            "name": "New business",
            "is_default": True,
            "stages": [
                {"name": "Lead", "probability": 10},
                {"name": "Proposal", "probability": 50},
                {"name": "Won", "probability": 100, "is_won": True},
                {"name": "Lost", "probability": 0, "is_lost": True},
            ],
        },
    )


@pytest.fixture
def stage(pipeline: Pipeline) -> Callable[[str], Stage]:
    def find(name: str) -> Stage:
        return Stage.objects.get(pipeline=pipeline, name=name)

    return find


@pytest.fixture
def make_deal(pipeline: Pipeline) -> Callable[..., Any]:
    """`make_deal(owner, account=None, **data)`: a deal the owner opens (a new account of
    theirs when none is given); returns the deal only."""

    def make(owner: Any, account: Any = None, **data: Any) -> Any:
        account = account or AccountFactory(owner=owner)
        data.setdefault("name", f"Deal with {account.name}")
        data.setdefault("amount", Decimal("1000.00"))
        data.setdefault("currency", "EUR")
        data.setdefault("pipeline_id", pipeline.pk)
        data["account_id"] = account.pk
        override = data.pop("override_reason", None)
        deal, _guard = services.deal_create(actor=owner, data=data, override_reason=override)
        return deal

    return make


@pytest.fixture
def make_order(org: Any) -> Callable[..., Any]:
    """`make_order(owner, account, lines=[...], **kwargs)`: a confirmed order."""

    def make(owner: Any, account: Any, lines: list[dict[str, Any]], **kwargs: Any) -> Any:
        kwargs.setdefault("currency", "EUR")
        return services.order_create_from_lines(actor=owner, account=account, lines=lines, **kwargs)

    return make


@pytest.fixture
def make_invoice(org: Any) -> Callable[..., Any]:
    """`make_invoice(owner, account, amount="100.00", issue_date=..., due_date=...)`: an
    issued invoice of one untaxed line (so its gross total is `amount`)."""

    def make(
        owner: Any,
        account: Any,
        amount: str = "100.00",
        *,
        issue_date: datetime.date | None = None,
        due_date: datetime.date | None = None,
        currency: str = "EUR",
        legal_entity: Any = None,
        office: Any = None,
    ) -> Invoice:
        data: dict[str, Any] = {
            "account_id": account.pk,
            "currency": currency,
            "lines": [{"description": "Services", "unit_price": Decimal(amount), "quantity": 1}],
        }
        if legal_entity is not None:
            data["legal_entity_id"] = legal_entity.pk
        if office is not None:
            data["office_id"] = office.pk
        if due_date is not None:
            data["due_date"] = due_date
        draft = services.invoice_create(actor=owner, data=data)
        return services.invoice_issue(actor=owner, invoice=draft, issue_date=issue_date)

    return make
