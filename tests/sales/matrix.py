"""The permission matrix of the sales API: every sales route × every default role.

`SALES_ROUTE_EXPECTATIONS` says how each route is checked; `tests/sales/test_permissions.py`
runs it, and the API's meta-test (`tests/api/test_permissions.py`) counts these routes as
covered. Records are tried in the five buckets of the API matrix, seen from a viewer in the
Berlin office of Perpetuum GmbH, team "Berlin sales":

    own · team · office (another team, same office) · legal_entity (Munich) ·
    other_legal_entity (Perpetuum OOO, Moscow)

Deals, orders and invoices follow the role's scopes on "deal", "order" and "invoice"; the
account routes follow "account". Outside the read scope a route answers 404 with the same
body as a missing id; visible but not writable, 403. The catalogue, price lists, rates,
pipelines and the guard's setting are read by everyone and changed by administrators only.
A refused request changes nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from perpetuum.core import access
from perpetuum.core.models import AuditEvent
from perpetuum.core.services import api_token_create, record_delete
from perpetuum.sales import services
from perpetuum.sales.models import (
    CurrencyRate,
    Deal,
    DealStageChange,
    Invoice,
    Order,
    Payment,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    ProductOption,
    SalesSettings,
    Stage,
)
from perpetuum.timeline.models import Interaction
from tests.api.conftest import PROBLEM_JSON, ApiClient
from tests.conftest import Org
from tests.factories import (
    AccountFactory,
    LegalEntityFactory,
    OfficeFactory,
    TeamFactory,
    UserFactory,
    factory_actor,
)

ROLES = list(access.ROLE_CODES)
BUCKETS = ["own", "team", "office", "legal_entity", "other_legal_entity"]
MISSING_ID = 10**9

NONE: set[str] = set()
OWN = {"own"}
TEAM = OWN | {"team"}
OFFICE = TEAM | {"office"}
LEGAL_ENTITY = OFFICE | {"legal_entity"}
ALL = LEGAL_ENTITY | {"other_legal_entity"}


def _rw(read: set[str], write: set[str]) -> dict[str, set[str]]:
    return {"read": read, "write": write}


def _same(read: set[str], write: set[str], **others: dict[str, set[str]]) -> dict:
    scopes = {entity: _rw(read, write) for entity in ("account", "deal", "order", "invoice")}
    scopes.update(others)
    return scopes


# The buckets each default role reads and writes, written out by hand so that a change to
# the default roles is a deliberate one. "interaction" is there for the reminders, which
# create a task.
SCOPES: dict[str, dict[str, dict[str, set[str]]]] = {
    "administrator": _same(ALL, ALL, interaction=_rw(ALL, ALL)),
    "executive": _same(ALL, OWN, interaction=_rw(ALL, OWN)),
    "sales_manager": _same(OFFICE, TEAM, interaction=_rw(OFFICE, TEAM)),
    "sales_representative": _same(TEAM, OWN, interaction=_rw(TEAM, OWN)),
    "support_agent": _same(LEGAL_ENTITY, NONE, interaction=_rw(LEGAL_ENTITY, OWN)),
    "marketer": {
        "account": _rw(LEGAL_ENTITY, NONE),
        "deal": _rw(LEGAL_ENTITY, NONE),
        "order": _rw(LEGAL_ENTITY, NONE),
        "invoice": _rw(NONE, NONE),
        "interaction": _rw(OWN, OWN),
    },
    "read_only": _same(OFFICE, NONE, interaction=_rw(OFFICE, NONE)),
}
LINE = {"description": "Service", "unit_price": "100.00", "tax_rate": "19"}
TODAY = timezone.localdate


# --- The world ---------------------------------------------------------------------------


class SalesWorld:
    """Viewers of every role with API tokens; per bucket an account with a deal, an order,
    a draft and an issued invoice with a payment (and deleted ones for the restores); the
    catalogue's records. Built once per module, inside a transaction rolled back at its end.
    """

    KINDS = ("account", "deal", "order", "draft", "issued", "payment")

    def __init__(self) -> None:
        gmbh = LegalEntityFactory(name="Perpetuum GmbH", country="DE", base_currency="EUR")
        ooo = LegalEntityFactory(name="Perpetuum OOO", country="RU", base_currency="RUB")
        berlin = OfficeFactory(name="Berlin", legal_entity=gmbh)
        munich = OfficeFactory(name="Munich", legal_entity=gmbh)
        moscow = OfficeFactory(name="Moscow", legal_entity=ooo)
        self.org = Org(
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
        org = self.org
        self.actor = factory_actor()
        placements = {
            "team": (org.berlin, [org.berlin_sales]),
            "office": (org.berlin, [org.berlin_key_accounts]),
            "legal_entity": (org.munich, [org.munich_sales]),
            "other_legal_entity": (org.moscow, [org.moscow_sales]),
        }
        self.owners = {
            bucket: self._user("sales_representative", f"sales-owner-{bucket}", office, teams)
            for bucket, (office, teams) in placements.items()
        }
        self.viewers = {
            role: self._user(role, f"sales-viewer-{role}", org.berlin, [org.berlin_sales])
            for role in ROLES
        }
        self.clients: dict[str, ApiClient] = {}
        for role, viewer in self.viewers.items():
            token, key = api_token_create(actor=viewer, user=viewer, name="matrix")
            self.clients[role] = ApiClient(viewer, key, token)
        self._catalogue()
        self.records: dict[tuple[str, str, str, bool], Any] = {}
        for bucket, owner in self.owners.items():
            self._records("*", bucket, owner)
        for role, viewer in self.viewers.items():
            self._records(role, "own", viewer)

    def _user(self, role: str, username: str, office: Any, teams: list[Any]) -> Any:
        return UserFactory(
            role=role,
            username=username,
            office=office,
            legal_entity=office.legal_entity,
            teams=teams,
        )

    def _catalogue(self) -> None:
        actor = self.actor
        self.pipeline = services.pipeline_create(
            actor=actor,
            data={
                "name": "Matrix",
                "is_default": True,
                "stages": [
                    {"name": "Lead", "probability": 10},
                    {"name": "Proposal", "probability": 50},
                    {"name": "Won", "probability": 100, "is_won": True},
                ],
            },
        )
        self.spare_pipeline = services.pipeline_create(
            actor=actor, data={"name": "Spare", "stages": [{"name": "Only"}]}
        )
        self.stage = Stage.objects.get(pipeline=self.pipeline, name="Proposal")
        self.category = services.category_create(actor=actor, data={"name": "Tools"})
        self.product = services.product_create(
            actor=actor, data={"sku": "M-1", "name": "Drill", "tax_rate": Decimal("19")}
        )
        self.part = services.product_create(actor=actor, data={"sku": "M-2", "name": "Bit"})
        self.deleted_product = services.product_create(
            actor=actor, data={"sku": "M-3", "name": "Old"}
        )
        record_delete(actor=actor, instance=self.deleted_product)
        self.option = services.option_create(
            actor=actor, product=self.product, data={"name": "Case", "price_delta": Decimal("5")}
        )
        self.price_list = services.price_list_create(
            actor=actor,
            data={"name": "All", "currency": "EUR", "valid_from": datetime.date(2000, 1, 1)},
        )
        services.price_set(
            actor=actor, price_list=self.price_list, product=self.product, price=Decimal("100")
        )
        self.rate = services.rate_create(
            actor=actor,
            data={
                "base_currency": "EUR",
                "quote_currency": "RUB",
                "rate": Decimal("100"),
                "valid_on": datetime.date(2000, 1, 1),
            },
        )

    def _records(self, role: str, bucket: str, owner: Any) -> None:
        actor = self.actor
        today = TODAY()
        for deleted in (False, True):
            account = AccountFactory(owner=owner)
            deal, _guard = services.deal_create(
                actor=actor,
                data={"name": "Deal", "account_id": account.pk, "owner_id": owner.pk},
            )
            order = services.order_create_from_lines(
                actor=actor, account=account, currency="EUR", lines=[LINE], owner_id=owner.pk
            )
            draft = services.invoice_create(
                actor=actor,
                data={
                    "account_id": account.pk,
                    "currency": "EUR",
                    "lines": [LINE],
                    "owner_id": owner.pk,
                },
            )
            issued = services.invoice_issue(
                actor=actor,
                invoice=services.invoice_create(
                    actor=actor,
                    data={
                        "account_id": account.pk,
                        "currency": "EUR",
                        "lines": [LINE],
                        "owner_id": owner.pk,
                    },
                ),
                issue_date=today,
            )
            payment = services.payment_record(
                actor=actor, invoice=issued, data={"amount": Decimal("1.00")}
            )
            made = {
                "account": account,
                "deal": deal,
                "order": order,
                "draft": draft,
                "issued": issued,
                "payment": payment,
            }
            if deleted:
                for kind in ("deal", "order", "draft"):
                    record_delete(actor=actor, instance=made[kind])
            for kind, record in made.items():
                self.records[kind, role, bucket, deleted] = type(record).all_objects.get(
                    pk=record.pk
                )

    def view(self, role: str) -> SalesView:
        return SalesView(self, role)


class SalesView:
    """The world as the viewer of one role sees it."""

    def __init__(self, world: SalesWorld, role: str) -> None:
        self.world = world
        self.role = role
        self.viewer = world.viewers[role]
        self.api = world.clients[role]

    def record(self, kind: str, bucket: str, *, deleted: bool = False) -> Any:
        role = self.role if bucket == "own" else "*"
        return self.world.records[kind, role, bucket, deleted]

    def bucket_of(self, owner_id: int) -> str:
        if owner_id == self.viewer.pk:
            return "own"
        owners = {owner.pk: bucket for bucket, owner in self.world.owners.items()}
        return owners.get(owner_id, "team")


# --- What a request may change -----------------------------------------------------------

STATE_MODELS = [
    Deal,
    DealStageChange,
    Order,
    Invoice,
    Payment,
    Product,
    ProductCategory,
    ProductOption,
    PriceList,
    PriceListItem,
    CurrencyRate,
    Pipeline,
    Stage,
    Interaction,
]


def sales_state() -> dict[str, Any]:
    """Rows, versions and recycle bins of every sales table, the settings and the audit
    trail, in one query: a refused request leaves all of it as it was."""
    selects = []
    labels = []
    for model in STATE_MODELS:
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ["COUNT(*)"]
        if any(f.name == "version" for f in model._meta.fields):
            columns += ["SUM(version)", "COUNT(deleted_at)"]
        for column in columns:
            labels.append(f"{model._meta.label_lower}: {column}")
            selects.append(f"(SELECT {column} FROM {table})")  # noqa: S608 (model names)
    for label, sql in (
        ("settings", f"(SELECT MAX(guard_mode) FROM {SalesSettings._meta.db_table})"),  # noqa: S608
        ("audit", f"(SELECT COUNT(*) FROM {AuditEvent._meta.db_table})"),  # noqa: S608
    ):
        labels.append(label)
        selects.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}")
        values = cursor.fetchone()
    return dict(zip(labels, values, strict=True))


def _send(view: SalesView, method: str, path: str, body: Any, headers: dict, params: Any) -> Any:
    if method == "GET":
        return view.api.get(path, params=params, headers=headers)
    return view.api.request(method, path, body, headers=headers, params=params)


def assert_refused(view: SalesView, method: str, path: str, body: Any, headers: dict,
                   status: int, params: Any = None) -> Any:  # fmt: skip
    before = sales_state()
    response = _send(view, method, path, body, headers, params)
    assert response.status_code == status, (view.role, method, path, response.content)
    assert response["Content-Type"] == PROBLEM_JSON
    assert sales_state() == before
    return response


def assert_answered(view: SalesView, method: str, path: str, body: Any, headers: dict,
                    status: int, events: int, params: Any = None) -> Any:  # fmt: skip
    count = AuditEvent.objects.count()
    response = _send(view, method, path, body, headers, params)
    assert response.status_code == status, (view.role, method, path, response.content)
    assert AuditEvent.objects.count() == count + events, (view.role, method, path)
    return response


def fill(path: str, *ids: int) -> str:
    """The path with its {parameters} replaced by `ids`, in order."""
    values = iter(ids)
    return re.sub(r"\{\w+\}", lambda _match: str(next(values)), path)


def _etag(record: Any) -> str:
    return type(record).all_objects.get(pk=record.pk).etag


Body = Callable[[SalesView, Any], Any] | Any


def _body(body: Body, view: SalesView, target: Any = None) -> Any:
    return body(view, target) if callable(body) else body


# --- How routes are checked --------------------------------------------------------------


@dataclass(frozen=True)
class ScopedRoute:
    """A route on one deal, order, invoice, payment or account, tried in every bucket and
    on a missing id. `scope` names whose scope decides ("deal", "order", "invoice",
    "account"); `kind` the record the path names. A "write" answers `status` where the
    role writes the bucket, else 403; `also_creates` names an entity the role must be
    allowed to create too (else 403) — its `refused` status then says what an allowed
    role gets (a reminder for an account without overdue invoices: 409)."""

    scope: str
    kind: str
    action: str
    status: int
    events: int = 0
    body: Body = None
    if_match: bool = False
    deleted: bool = False
    also_creates: str | None = None

    def expected(self, role: str, bucket: str) -> int:
        scopes = SCOPES[role][self.scope]
        if bucket not in scopes["read"]:
            return 404
        if self.action == "write" and bucket not in scopes["write"]:
            return 403
        if self.also_creates and not SCOPES[role][self.also_creates]["write"]:
            return 403
        return self.status

    def check(self, view: SalesView, method: str, path: str) -> None:
        sample = view.record(self.kind, "own", deleted=self.deleted)
        headers = {"If-Match": f'"{MISSING_ID}-1"'} if self.if_match else {}
        missing = assert_refused(
            view, method, fill(path, MISSING_ID), _body(self.body, view, sample), headers, 404
        ).json()
        for bucket in BUCKETS:
            target = view.record(self.kind, bucket, deleted=self.deleted)
            body = _body(self.body, view, target)
            headers = {"If-Match": _etag(target)} if self.if_match else {}
            target_path = fill(path, target.pk)
            expected = self.expected(view.role, bucket)
            if expected == 404:
                response = assert_refused(view, method, target_path, body, headers, 404)
                assert response.json() == missing
            elif expected >= 400:
                response = assert_refused(view, method, target_path, body, headers, expected)
            else:
                assert_answered(view, method, target_path, body, headers, expected, self.events)


@dataclass(frozen=True)
class ScopedList:
    """A list of deals, orders or invoices: exactly the records the role may read."""

    scope: str
    model: type

    def check(self, view: SalesView, method: str, path: str) -> None:
        response = view.api.get(path, params={"limit": 200})
        assert response.status_code == 200
        page = response.json()
        assert page["next_cursor"] is None
        visible = SCOPES[view.role][self.scope]["read"]
        records = self.model.objects.values_list("pk", "owner_id")
        assert {item["id"] for item in page["items"]} == {
            pk for pk, owner_id in records if view.bucket_of(owner_id) in visible
        }


@dataclass(frozen=True)
class ScopedCreate:
    """A create of a deal, order or invoice of the viewer's own account: 201 and `events`
    with a write scope on the entity, else 403 and nothing changed."""

    scope: str
    body: Body
    events: int

    def check(self, view: SalesView, method: str, path: str) -> None:
        body = _body(self.body, view)
        if SCOPES[view.role][self.scope]["write"]:
            response = assert_answered(view, method, path, body, {}, 201, self.events)
            assert response.json()["owner_id"] == view.viewer.pk
        else:
            assert_refused(view, method, path, body, {}, 403)


@dataclass(frozen=True)
class SharedRoute:
    """A route outside record scopes: the administrator gets `administrator`, every other
    role `others`. With a `target`, the route is tried on it and on a missing id (404 for
    every role)."""

    administrator: int
    others: int
    target: Callable[[SalesWorld], list[int]] | None = None
    body: Body = None
    if_match: bool = False
    events: int = 0
    params: dict[str, Any] | None = field(default=None, hash=False)

    def check(self, view: SalesView, method: str, path: str) -> None:
        status = self.administrator if view.role == "administrator" else self.others
        headers: dict[str, str] = {}
        params = _body(self.params, view)
        body = _body(self.body, view)
        if self.target is not None:
            ids = self.target(view.world)
            if self.if_match:
                headers = {"If-Match": f'"{MISSING_ID}-1"'}
            missing_ids = [*ids[:-1], MISSING_ID]
            assert_refused(view, method, fill(path, *missing_ids), body, headers, 404, params)
            if self.if_match:
                record = _etag_of(view.world, path, ids)
                headers = {"If-Match": record}
            path = fill(path, *ids)
        if status >= 400:
            assert_refused(view, method, path, body, headers, status, params)
        else:
            assert_answered(view, method, path, body, headers, status, self.events, params)


def _etag_of(world: SalesWorld, path: str, ids: list[int]) -> str:
    model = next(model for prefix, model in ETAG_MODELS if path.startswith(prefix))
    return model.all_objects.get(pk=ids[-1]).etag


ETAG_MODELS = [
    ("/api/v1/product-categories", ProductCategory),
    ("/api/v1/products", Product),
    ("/api/v1/price-lists", PriceList),
    ("/api/v1/currency-rates", CurrencyRate),
    ("/api/v1/pipelines", Pipeline),
    ("/api/v1/stages", Stage),
]


# --- The routes --------------------------------------------------------------------------


def _own_account(view: SalesView, target: Any = None) -> int:
    return view.record("account", "own").pk


def _deal_body(view: SalesView, target: Any = None) -> dict[str, Any]:
    return {"name": "New deal", "account_id": _own_account(view), "amount": "10.00"}


def _document_body(view: SalesView, target: Any = None) -> dict[str, Any]:
    return {"account_id": _own_account(view), "currency": "EUR", "lines": [LINE]}


def _move_body(view: SalesView, target: Any) -> dict[str, Any]:
    return {"stage_id": view.world.stage.pk}


def _catalogue(name: str) -> Callable[[SalesWorld], list[int]]:
    def ids(world: SalesWorld) -> list[int]:
        return {
            "category": lambda: [world.category.pk],
            "product": lambda: [world.product.pk],
            "deleted_product": lambda: [world.deleted_product.pk],
            "option": lambda: [world.product.pk, world.option.pk],
            "price_list": lambda: [world.price_list.pk],
            "price_item": lambda: [world.price_list.pk, world.product.pk],
            "rate": lambda: [world.rate.pk],
            "pipeline": lambda: [world.pipeline.pk],
            "spare_pipeline": lambda: [world.spare_pipeline.pk],
            "stage": lambda: [world.stage.pk],
            "won_stage": lambda: [Stage.objects.get(pipeline=world.pipeline, name="Won").pk],
        }[name]()

    return ids


def _admin_crud(plural: str, target: str, create: Any, patch: Any, created_events: int = 1):
    base = f"/api/v1/{plural}"
    one = f"{base}/{{id}}"
    return {
        ("GET", base): SharedRoute(200, 200),
        ("POST", base): SharedRoute(201, 403, body=create, events=created_events),
        ("GET", one): SharedRoute(200, 200, target=_catalogue(target)),
        ("PATCH", one): SharedRoute(
            200, 403, target=_catalogue(target), body=patch, if_match=True, events=1
        ),
    }


def _named(routes: dict[tuple[str, str], Any], names: dict[str, str]) -> dict:
    """Rename the generic {id} of `_admin_crud` to the route's own parameter name."""
    renamed = {}
    for (method, path), expectation in routes.items():
        for generic, name in names.items():
            path = path.replace(generic, name)
        renamed[method, path] = expectation
    return renamed


def _record_routes(scope: str, plural: str, param: str, kind: str, patch: Any) -> dict:
    one = f"/api/v1/{plural}/{{{param}}}"
    return {
        ("GET", one): ScopedRoute(scope, kind, "read", 200),
        ("PATCH", one): ScopedRoute(scope, kind, "write", 200, events=1, body=patch, if_match=True),
        ("DELETE", one): ScopedRoute(scope, kind, "write", 204, events=1),
        ("POST", f"{one}/restore"): ScopedRoute(scope, kind, "write", 200, events=1, deleted=True),
    }


SALES_ROUTE_EXPECTATIONS: dict[tuple[str, str], Any] = {
    # The catalogue: everyone reads, administrators change.
    **_named(
        _admin_crud("product-categories", "category", {"name": "Saws"}, {"name": "Hand tools"}),
        {"{id}": "{category_id}"},
    ),
    ("DELETE", "/api/v1/product-categories/{category_id}"): SharedRoute(
        204, 403, target=_catalogue("category"), events=1
    ),
    **_named(
        _admin_crud("products", "product", {"sku": "NEW-1", "name": "New"}, {"name": "Renamed"}),
        {"{id}": "{product_id}"},
    ),
    ("DELETE", "/api/v1/products/{product_id}"): SharedRoute(
        204, 403, target=_catalogue("product"), events=1
    ),
    ("POST", "/api/v1/products/{product_id}/restore"): SharedRoute(
        200, 403, target=_catalogue("deleted_product"), events=1
    ),
    ("GET", "/api/v1/products/compare"): SharedRoute(
        200, 200, params=lambda view, target=None: {"ids": [view.world.product.pk]}
    ),
    ("PUT", "/api/v1/products/{product_id}/components"): SharedRoute(
        200,
        403,
        target=_catalogue("product"),
        body=lambda view, target=None: {
            "components": [{"component_id": view.world.part.pk, "quantity": 2}]
        },
        events=1,
    ),
    ("POST", "/api/v1/products/{product_id}/options"): SharedRoute(
        201, 403, target=_catalogue("product"), body={"name": "Belt clip"}, events=1
    ),
    ("PATCH", "/api/v1/products/{product_id}/options/{option_id}"): SharedRoute(
        200, 403, target=_catalogue("option"), body={"name": "Hard case"}, events=1
    ),
    ("DELETE", "/api/v1/products/{product_id}/options/{option_id}"): SharedRoute(
        204, 403, target=_catalogue("option"), events=1
    ),
    ("GET", "/api/v1/products/{product_id}/price"): SharedRoute(
        200, 200, target=_catalogue("product")
    ),
    ("POST", "/api/v1/products/{product_id}/configure"): SharedRoute(
        200, 200, target=_catalogue("product"), body={"option_ids": []}
    ),
    **_named(
        _admin_crud(
            "price-lists",
            "price_list",
            {"name": "New", "currency": "EUR", "valid_from": "2025-01-01"},
            {"name": "Renamed"},
        ),
        {"{id}": "{price_list_id}"},
    ),
    ("DELETE", "/api/v1/price-lists/{price_list_id}"): SharedRoute(
        204, 403, target=_catalogue("price_list"), events=1
    ),
    ("GET", "/api/v1/price-lists/{price_list_id}/items"): SharedRoute(
        200, 200, target=_catalogue("price_list")
    ),
    ("PUT", "/api/v1/price-lists/{price_list_id}/items/{product_id}"): SharedRoute(
        200, 403, target=_catalogue("price_item"), body={"price": "120.00"}, events=1
    ),
    ("DELETE", "/api/v1/price-lists/{price_list_id}/items/{product_id}"): SharedRoute(
        204, 403, target=_catalogue("price_item"), events=1
    ),
    **_named(
        _admin_crud(
            "currency-rates",
            "rate",
            {
                "base_currency": "USD",
                "quote_currency": "EUR",
                "rate": "0.9",
                "valid_on": "2025-01-01",
            },
            {"rate": "101"},
        ),
        {"{id}": "{rate_id}"},
    ),
    ("DELETE", "/api/v1/currency-rates/{rate_id}"): SharedRoute(
        204, 403, target=_catalogue("rate"), events=1
    ),
    **_named(
        _admin_crud(
            "pipelines",
            "pipeline",
            {"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Done", "is_won": True}]},
            {"name": "Renamed"},
            created_events=3,
        ),
        {"{id}": "{pipeline_id}"},
    ),
    ("DELETE", "/api/v1/pipelines/{pipeline_id}"): SharedRoute(
        204, 403, target=_catalogue("spare_pipeline"), events=1
    ),
    ("GET", "/api/v1/pipelines/{pipeline_id}/board"): SharedRoute(
        200, 200, target=_catalogue("pipeline")
    ),
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages"): SharedRoute(
        201, 403, target=_catalogue("pipeline"), body={"name": "Negotiation"}, events=1
    ),
    ("PATCH", "/api/v1/stages/{stage_id}"): SharedRoute(
        200, 403, target=_catalogue("stage"), body={"probability": 60}, if_match=True, events=1
    ),
    ("DELETE", "/api/v1/stages/{stage_id}"): SharedRoute(
        204, 403, target=_catalogue("won_stage"), events=1
    ),
    ("GET", "/api/v1/sales-settings"): SharedRoute(200, 200),
    ("PATCH", "/api/v1/sales-settings"): SharedRoute(
        200, 403, body={"guard_mode": "block"}, events=1
    ),
    ("GET", "/api/v1/debts"): SharedRoute(200, 200),
    ("GET", "/api/v1/stats/users"): SharedRoute(200, 200),
    ("GET", "/api/v1/stats/products"): SharedRoute(200, 200),
    # Deals: the "deal" scopes. A new deal writes itself and its timeline note; a move its
    # change and a note.
    ("GET", "/api/v1/deals"): ScopedList("deal", Deal),
    ("POST", "/api/v1/deals"): ScopedCreate("deal", _deal_body, events=2),
    **_record_routes("deal", "deals", "deal_id", "deal", {"name": "Renamed"}),
    ("GET", "/api/v1/deals/{deal_id}/history"): ScopedRoute("deal", "deal", "read", 200),
    ("GET", "/api/v1/deals/{deal_id}/timeline"): ScopedRoute("deal", "deal", "read", 200),
    ("POST", "/api/v1/deals/{deal_id}/move"): ScopedRoute(
        "deal", "deal", "write", 200, events=2, body=_move_body
    ),
    # Orders: the "order" scopes; invoicing one needs the right to create invoices.
    ("GET", "/api/v1/orders"): ScopedList("order", Order),
    ("POST", "/api/v1/orders"): ScopedCreate("order", _document_body, events=2),
    **_record_routes("order", "orders", "order_id", "order", {"notes": "Call first"}),
    ("POST", "/api/v1/orders/{order_id}/invoice"): ScopedRoute(
        "order", "order", "read", 201, events=1, body={}, also_creates="invoice"
    ),
    # Invoices: drafts are changed, deleted and issued; issued ones take payments.
    ("GET", "/api/v1/invoices"): ScopedList("invoice", Invoice),
    ("POST", "/api/v1/invoices"): ScopedCreate("invoice", _document_body, events=1),
    **_record_routes("invoice", "invoices", "invoice_id", "draft", {"notes": "Thanks"}),
    ("POST", "/api/v1/invoices/{invoice_id}/issue"): ScopedRoute(
        "invoice", "draft", "write", 200, events=2, body={}
    ),
    ("POST", "/api/v1/invoices/{invoice_id}/cancel"): ScopedRoute(
        "invoice", "draft", "write", 200, events=1, body={}
    ),
    ("GET", "/api/v1/invoices/{invoice_id}/payments"): ScopedRoute(
        "invoice", "issued", "read", 200
    ),
    ("POST", "/api/v1/invoices/{invoice_id}/payments"): ScopedRoute(
        "invoice", "issued", "write", 201, events=3, body={"amount": "10.00"}
    ),
    ("DELETE", "/api/v1/payments/{payment_id}"): ScopedRoute(
        "invoice", "payment", "write", 204, events=2
    ),
    # The account's sales panel and the guard follow the account; a reminder creates a
    # task, refused (409) for an account without overdue invoices.
    ("GET", "/api/v1/accounts/{account_id}/guard"): ScopedRoute("account", "account", "read", 200),
    ("GET", "/api/v1/accounts/{account_id}/sales-summary"): ScopedRoute(
        "account", "account", "read", 200
    ),
    ("POST", "/api/v1/accounts/{account_id}/payment-reminders"): ScopedRoute(
        "account", "account", "read", 409, body={}, also_creates="interaction"
    ),
}
