"""The permission matrix of the API: every route × every role, generated.

The routes come from the live API object; `ROUTE_EXPECTATIONS` says, for each one, how it
is checked. A meta-test fails when a route has no entry (and when an entry names a route
that no longer exists), so a new route cannot ship without its permissions being tested.

Routes on client records are tried on one record in each of five buckets, seen from a
viewer who works in the Berlin office of Perpetuum GmbH, in the "Berlin sales" team:

    own                 the viewer's own record
    team                a teammate's (Berlin sales)
    office              a colleague's in another team of the same office (Berlin key accounts)
    legal_entity        someone's in another office of the same legal entity (Munich)
    other_legal_entity  someone's in the other legal entity (Perpetuum OOO, Moscow)

The viewers of the seven roles all sit in that team, so each one's records are the
others' teammate records. Outside the role's read scope a route answers 404 with the same
body as for an id that does not exist; visible but outside the write scope, a write
answers 403. A refused request changes nothing: no record, version, token or audit event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from ninja.utils import normalize_path

import perpetuum.urls  # noqa: F401  (mounts the API's routers)
from perpetuum.api import api
from perpetuum.clients.models import Account, Contact, DuplicateCandidate, Lead
from perpetuum.core import access
from perpetuum.core.models import ApiToken, AuditEvent
from perpetuum.core.services import api_token_create, record_delete
from perpetuum.timeline.models import Interaction
from tests.api.conftest import PROBLEM_JSON, ApiClient, database_state
from tests.conftest import Org
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    InteractionFactory,
    LeadFactory,
    LegalEntityFactory,
    OfficeFactory,
    TagFactory,
    TeamFactory,
    UserFactory,
    factory_actor,
)

ROLES = [
    "administrator",
    "executive",
    "sales_manager",
    "sales_representative",
    "support_agent",
    "marketer",
    "read_only",
]
BUCKETS = ["own", "team", "office", "legal_entity", "other_legal_entity"]
MISSING_ID = 10**9

NONE: set[str] = set()
OWN = {"own"}
TEAM = OWN | {"team"}
OFFICE = TEAM | {"office"}
LEGAL_ENTITY = OFFICE | {"legal_entity"}
ALL = LEGAL_ENTITY | {"other_legal_entity"}


def _same(read: set[str], write: set[str]) -> dict[str, dict[str, set[str]]]:
    return {entity: {"read": read, "write": write} for entity in ENTITIES}


ENTITIES = ["account", "contact", "lead", "interaction"]
# The buckets each default role reads and writes, written out by hand so that a change to
# the default roles is a deliberate one.
SCOPES: dict[str, dict[str, dict[str, set[str]]]] = {
    "administrator": _same(ALL, ALL),
    "executive": _same(ALL, OWN),
    "sales_manager": _same(OFFICE, TEAM),
    "sales_representative": _same(TEAM, OWN),
    "support_agent": {
        "account": {"read": LEGAL_ENTITY, "write": NONE},
        "contact": {"read": LEGAL_ENTITY, "write": OWN},
        "lead": {"read": NONE, "write": NONE},
        "interaction": {"read": LEGAL_ENTITY, "write": OWN},
    },
    "marketer": {
        "account": {"read": LEGAL_ENTITY, "write": NONE},
        "contact": {"read": LEGAL_ENTITY, "write": NONE},
        "lead": {"read": LEGAL_ENTITY, "write": TEAM},
        "interaction": {"read": OWN, "write": OWN},
    },
    "read_only": _same(OFFICE, NONE),
}
MODELS: dict[str, type] = {
    "account": Account,
    "contact": Contact,
    "lead": Lead,
    "interaction": Interaction,
}
FACTORIES: dict[str, Callable[..., Any]] = {
    "account": AccountFactory,
    "contact": ContactFactory,
    "lead": LeadFactory,
    "interaction": InteractionFactory,
}


# --- The world every request is tried in --------------------------------------------------


class World:
    """One viewer per role, each with an API token, and every record the matrix needs.

    It is built once for the module, inside a transaction rolled back at its end; each test
    runs in a savepoint of its own, so a write a test makes is gone before the next one.
    """

    def __init__(self) -> None:
        self.org = Org(
            gmbh=(gmbh := LegalEntityFactory(name="Perpetuum GmbH", country="DE")),
            ooo=(ooo := LegalEntityFactory(name="Perpetuum OOO", country="RU")),
            berlin=(berlin := OfficeFactory(name="Berlin", legal_entity=gmbh)),
            munich=(munich := OfficeFactory(name="Munich", legal_entity=gmbh)),
            moscow=(moscow := OfficeFactory(name="Moscow", legal_entity=ooo)),
            berlin_sales=TeamFactory(name="Berlin sales", office=berlin),
            berlin_key_accounts=TeamFactory(name="Berlin key accounts", office=berlin),
            munich_sales=TeamFactory(name="Munich sales", office=munich),
            moscow_sales=TeamFactory(name="Moscow sales", office=moscow),
        )
        org = self.org
        placements = {
            "team": (org.berlin, [org.berlin_sales]),
            "office": (org.berlin, [org.berlin_key_accounts]),
            "legal_entity": (org.munich, [org.munich_sales]),
            "other_legal_entity": (org.moscow, [org.moscow_sales]),
        }
        self.owners = {
            bucket: self._user("sales_representative", f"owner-{bucket}", office, teams)
            for bucket, (office, teams) in placements.items()
        }
        self.viewers = {
            role: self._user(role, f"viewer-{role}", org.berlin, [org.berlin_sales])
            for role in ROLES
        }
        self.clients: dict[str, ApiClient] = {}
        self.tokens: dict[tuple[str, str], ApiToken] = {}
        for role, viewer in self.viewers.items():
            token, key = api_token_create(actor=viewer, user=viewer, name="matrix")
            self.clients[role] = ApiClient(viewer, key, token)
            self.tokens[role, "own"], _key = api_token_create(actor=viewer, user=viewer, name="own")
        teammate = self.owners["team"]
        self.tokens["*", "other"], _key = api_token_create(
            actor=teammate, user=teammate, name="other"
        )
        self.records: dict[tuple[str, str, str, bool], Any] = {}
        for entity in ENTITIES:
            for deleted in (False, True):
                for bucket, owner in self.owners.items():
                    self._record(entity, "*", bucket, owner, deleted=deleted)
                for role, viewer in self.viewers.items():
                    self._record(entity, role, "own", viewer, deleted=deleted)
        # Duplicates the viewers own, for merges: one per record a merge is tried on.
        for entity in ("account", "contact"):
            for role, viewer in self.viewers.items():
                for bucket in BUCKETS:
                    self._record(entity, role, f"duplicate-{bucket}", viewer, deleted=False)
        self.vocabulary = {}
        for kind, factory in (("tag", TagFactory), ("custom_field", CustomFieldDefinitionFactory)):
            for deleted in (False, True):
                made = factory()
                if deleted:
                    record_delete(actor=factory_actor(), instance=made)
                self.vocabulary[kind, deleted] = type(made).all_objects.get(pk=made.pk)

    def _user(self, role: str, username: str, office: Any, teams: list[Any]) -> Any:
        return UserFactory(
            role=role,
            username=username,
            office=office,
            legal_entity=office.legal_entity,
            teams=teams,
        )

    def _record(self, entity: str, role: str, bucket: str, owner: Any, *, deleted: bool) -> None:
        record = FACTORIES[entity](owner=owner)
        if deleted:
            record_delete(actor=factory_actor(), instance=record)
        self.records[entity, role, bucket, deleted] = MODELS[entity].all_objects.get(pk=record.pk)

    def as_role(self, role: str) -> View:
        return View(self, role)


class View:
    """The world as the viewer of one role sees it."""

    def __init__(self, world: View, role: str) -> None:
        self.world = world
        self.role = role
        self.viewer = world.viewers[role]
        self.api = world.clients[role]

    def owner(self, bucket: str) -> Any:
        return self.viewer if bucket == "own" else self.world.owners[bucket]

    def bucket_of(self, owner_id: int) -> str:
        """The bucket of a record owned by `owner_id`; the other viewers are teammates."""
        if owner_id == self.viewer.pk:
            return "own"
        buckets = {owner.pk: bucket for bucket, owner in self.world.owners.items()}
        return buckets.get(owner_id, "team")

    def record(self, entity: str, bucket: str, *, deleted: bool = False) -> Any:
        """The record of `entity` in `bucket` (in the recycle bin with `deleted`)."""
        role = self.role if bucket == "own" or bucket.startswith("duplicate-") else "*"
        return self.world.records[entity, role, bucket, deleted]

    def vocabulary(self, kind: str, *, deleted: bool = False) -> Any:
        """A tag or a custom field definition (in the recycle bin with `deleted`)."""
        return self.world.vocabulary[kind, deleted]

    def token(self, whose: str) -> ApiToken:
        """Another token of the viewer ("own") or a token of a teammate ("other")."""
        return self.world.tokens[(self.role if whose == "own" else "*"), whose]


def current_etag(record: Any) -> str:
    return type(record).all_objects.get(pk=record.pk).etag


def with_id(path: str, pk: int) -> str:
    return re.sub(r"\{\w+\}", str(pk), path)


def audit_events() -> int:
    return AuditEvent.objects.count()


class Unchanged:
    """A block of requests that must all leave the database as it was (one snapshot before
    and one after, compared)."""

    def __enter__(self) -> Unchanged:
        self.before = database_state()
        return self

    def __exit__(self, error_type: Any, *_args: Any) -> None:
        if error_type is None:
            assert database_state() == self.before


def refused(
    world: View, method: str, path: str, body: Any, headers: dict[str, str], status: int
) -> Any:
    """Send the request and check it is refused with `status` as a problem response."""
    response = world.api.request(method, path, body, headers=headers)
    assert response.status_code == status, (path, response.content)
    assert response["Content-Type"] == PROBLEM_JSON
    if status == 403:
        assert response.json()["title"] == "Forbidden"
    return response


def assert_refused(
    world: View, method: str, path: str, body: Any, headers: dict[str, str], status: int
) -> Any:
    """Send the request, check it is refused with `status` and that nothing changed."""
    with Unchanged():
        return refused(world, method, path, body, headers, status)


def assert_answered(
    world: View,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    status: int,
    events: int,
) -> Any:
    """Send the request, check it succeeds with `status` and writes `events` audit events."""
    count = audit_events()
    response = world.api.request(method, path, body, headers=headers)
    assert response.status_code == status, (path, response.content)
    assert audit_events() == count + events
    return response


class MissingId:
    """The answer for an id that does not exist, which out-of-scope ids must equal."""

    def __init__(self, world: View, method: str, path: str, body: Any, headers: dict[str, str]):
        headers = {**headers, "If-Match": f'"{MISSING_ID}-1"'} if "If-Match" in headers else headers
        response = refused(world, method, with_id(path, MISSING_ID), body, headers, 404)
        self.body = response.json()
        assert (self.body["title"], self.body["status"]) == ("Not found", 404)

    def assert_same(self, response: Any) -> None:
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM_JSON
        assert response.json() == self.body


# --- How each kind of route is checked -----------------------------------------------------

Body = Callable[[View, Any], Any] | None


def _body(body: Any, world: View, target: Any = None) -> Any:
    return body(world, target) if callable(body) else body


@dataclass(frozen=True)
class RecordRoute:
    """A route on one client record, tried on a record in every bucket and a missing id.

    Readable (`action="read"`) or writable (`action="write"`): answers `status` and writes
    `events` audit events; readable but not writable: 403; not readable: 404 as if missing.
    `refused_roles` answer 403 even on the records they may write (the reason is given
    where the entry is).
    """

    entity: str
    action: str
    status: int
    events: int = 0
    body: Body = None
    if_match: bool = False
    in_recycle_bin: bool = False
    refused_roles: frozenset[str] = frozenset()

    def expected(self, role: str, bucket: str) -> int:
        scopes = SCOPES[role][self.entity]
        if bucket not in scopes["read"]:
            return 404
        if self.action == "read":
            return self.status
        if bucket not in scopes["write"] or role in self.refused_roles:
            return 403
        return self.status

    def check(self, world: View, method: str, path: str) -> None:
        targets = {
            bucket: world.record(self.entity, bucket, deleted=self.in_recycle_bin)
            for bucket in BUCKETS
        }
        requests = {
            bucket: (
                with_id(path, target.pk),
                _body(self.body, world, target),
                {"If-Match": current_etag(target)} if self.if_match else {},
            )
            for bucket, target in targets.items()
        }
        expected = {bucket: self.expected(world.role, bucket) for bucket in BUCKETS}
        with Unchanged():
            missing = MissingId(world, method, path, *requests["own"][1:])
            for bucket, (target_path, body, headers) in requests.items():
                if expected[bucket] in (403, 404):
                    response = refused(world, method, target_path, body, headers, expected[bucket])
                    if expected[bucket] == 404:
                        missing.assert_same(response)
        for bucket, (target_path, body, headers) in requests.items():
            if expected[bucket] not in (403, 404):
                assert_answered(
                    world, method, target_path, body, headers, expected[bucket], self.events
                )


@dataclass(frozen=True)
class ListRoute:
    """A list of client records: every role gets 200 and exactly the records it may read."""

    entity: str

    def check(self, world: View, method: str, path: str) -> None:
        response = world.api.get(path, params={"limit": 200})
        assert response.status_code == 200
        page = response.json()
        assert page["next_cursor"] is None
        visible = SCOPES[world.role][self.entity]["read"]
        records = MODELS[self.entity].objects.values_list("pk", "owner_id")
        assert {item["id"] for item in page["items"]} == {
            pk for pk, owner_id in records if world.bucket_of(owner_id) in visible
        }


@dataclass(frozen=True)
class CreateRoute:
    """A create of a client record: 201 with any write scope on the entity, else 403."""

    entity: str
    body: Body

    def check(self, world: View, method: str, path: str) -> None:
        body = _body(self.body, world)
        model = MODELS[self.entity]
        if SCOPES[world.role][self.entity]["write"]:
            count = model.all_objects.count()
            response = assert_answered(world, method, path, body, {}, 201, 1)
            assert model.all_objects.count() == count + 1
            assert response.json()["owner_id"] == world.viewer.pk
        else:
            assert_refused(world, method, path, body, {}, 403)


@dataclass(frozen=True)
class SharedRoute:
    """A route outside record scopes: the administrator gets `administrator`, every other
    role gets `others`. With a `target` ("tag", "custom_field", "deleted_tag", ...), the
    route is tried on that record and on a missing id (404 for every role)."""

    administrator: int
    others: int
    target: str | None = None
    body: Body = None
    if_match: bool = False
    events: int = 0

    def check(self, world: View, method: str, path: str) -> None:
        status = self.administrator if world.role == "administrator" else self.others
        headers: dict[str, str] = {}
        target_path = path
        if self.target is None:
            body = _body(self.body, world)
        else:
            kind = self.target.removeprefix("deleted_")
            target = world.vocabulary(kind, deleted=self.target.startswith("deleted_"))
            headers = {"If-Match": target.etag} if self.if_match else {}
            body = _body(self.body, world, target)
            target_path = with_id(path, target.pk)
        with Unchanged():
            missing = None if self.target is None else MissingId(world, method, path, body, headers)
            if status >= 400:
                response = refused(world, method, target_path, body, headers, status)
                if status == 404:
                    assert missing is not None
                    missing.assert_same(response)
        if status < 400:
            assert_answered(world, method, target_path, body, headers, status, self.events)


@dataclass(frozen=True)
class TokenRoute:
    """Revoking a token: one's own → 204; someone else's → 404 as if missing."""

    status: int = 204
    events: int = 1

    def check(self, world: View, method: str, path: str) -> None:
        own, other = world.token("own"), world.token("other")
        with Unchanged():
            missing = MissingId(world, method, path, None, {})
            missing.assert_same(refused(world, method, with_id(path, other.pk), None, {}, 404))
        assert_answered(world, method, with_id(path, own.pk), None, {}, self.status, self.events)
        assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
        assert ApiToken.objects.get(pk=other.pk).revoked_at is None


@dataclass(frozen=True)
class DuplicatePairRoute:
    """Dismissing a suspected duplicate pair, tried on a pair in every bucket (the bucket's
    contact and a duplicate the viewer owns) and on a missing id. The bucket's record out of
    sight: 404 as if the pair were missing; both in sight and one of them writable: `status`
    with one audit event; neither writable: 403."""

    status: int = 200
    events: int = 1

    def expected(self, role: str, bucket: str) -> int:
        scopes = SCOPES[role]["contact"]
        if bucket not in scopes["read"]:
            return 404
        return self.status if scopes["write"] & {bucket, "own"} else 403

    def check(self, world: View, method: str, path: str) -> None:
        pairs = {}
        for bucket in BUCKETS:
            first = world.record("contact", bucket)
            second = world.record("contact", f"duplicate-{bucket}")
            left, right = sorted((first.pk, second.pk))
            pairs[bucket] = DuplicateCandidate.objects.create(
                entity="contact", left_id=left, right_id=right, score=95, reasons=["same_email"]
            )
        expected = {bucket: self.expected(world.role, bucket) for bucket in BUCKETS}
        with Unchanged():
            missing = MissingId(world, method, path, None, {})
            for bucket, pair in pairs.items():
                if expected[bucket] in (403, 404):
                    target = with_id(path, pair.pk)
                    response = refused(world, method, target, None, {}, expected[bucket])
                    if expected[bucket] == 404:
                        missing.assert_same(response)
        for bucket, pair in pairs.items():
            if expected[bucket] not in (403, 404):
                target = with_id(path, pair.pk)
                assert_answered(world, method, target, None, {}, expected[bucket], self.events)
            assert DuplicateCandidate.objects.get(pk=pair.pk).status == (
                "dismissed" if expected[bucket] == self.status else "open"
            )


# --- The routes ----------------------------------------------------------------------------


def _merge_body(entity: str) -> Body:
    """Merge into the target a fresh duplicate the viewer owns (so only the target's bucket
    decides the answer)."""

    def body(world: View, target: Any) -> dict[str, Any]:
        bucket = next(b for b in BUCKETS if world.record(entity, b).pk == target.pk)
        return {"other_id": world.record(entity, f"duplicate-{bucket}").pk}

    return body


def _interaction_body(world: View, target: Any = None) -> dict[str, Any]:
    return {"kind": "note", "subject": "Logged", "account_id": world.record("account", "own").pk}


def _reassign_body(world: View, target: Any = None) -> dict[str, Any]:
    return {"from_user_id": world.owner("team").pk, "to_user_id": world.viewer.pk}


def _crud(entity: str, plural: str, param: str, patch: dict[str, Any], create: Any) -> dict:
    base = f"/api/v1/{plural}"
    one = f"{base}/{{{param}}}"
    return {
        ("GET", base): ListRoute(entity),
        ("POST", base): CreateRoute(entity, create),
        ("GET", one): RecordRoute(entity, "read", 200),
        ("PATCH", one): RecordRoute(entity, "write", 200, events=1, body=patch, if_match=True),
        ("DELETE", one): RecordRoute(entity, "write", 204, events=1),
        ("POST", f"{one}/restore"): RecordRoute(
            entity, "write", 200, events=1, in_recycle_bin=True
        ),
    }


def _vocabulary_routes(kind: str, plural: str, param: str, create: Any, patch: Any) -> dict:
    base = f"/api/v1/{plural}"
    one = f"{base}/{{{param}}}"
    return {
        ("GET", base): SharedRoute(200, 200),
        ("POST", base): SharedRoute(201, 403, body=create, events=1),
        ("GET", one): SharedRoute(200, 200, target=kind),
        ("PATCH", one): SharedRoute(200, 403, target=kind, body=patch, if_match=True, events=1),
        ("DELETE", one): SharedRoute(204, 403, target=kind, events=1),
        # The recycle bin of the vocabulary is the administrators' alone: for everyone
        # else a deleted tag or field does not exist, so restoring one answers 404.
        ("POST", f"{one}/restore"): SharedRoute(200, 404, target=f"deleted_{kind}", events=1),
    }


ROUTE_EXPECTATIONS: dict[tuple[str, str], Any] = {
    **_vocabulary_routes("tag", "tags", "tag_id", {"name": "new-tag"}, {"color": "#000000"}),
    **_vocabulary_routes(
        "custom_field",
        "custom-fields",
        "field_id",
        {"entity": "account", "key": "new_field", "label": "New", "field_type": "text"},
        {"label": "Renamed"},
    ),
    ("GET", "/api/v1/audit"): SharedRoute(200, 403),
    ("GET", "/api/v1/me"): SharedRoute(200, 200),
    ("GET", "/api/v1/users"): SharedRoute(200, 200),
    ("GET", "/api/v1/tokens"): SharedRoute(200, 200),
    ("POST", "/api/v1/tokens"): SharedRoute(201, 201, body={"name": "Script"}, events=1),
    ("DELETE", "/api/v1/tokens/{token_id}"): TokenRoute(),
    **_crud("account", "accounts", "account_id", {"name": "Renamed"}, {"name": "New account"}),
    ("GET", "/api/v1/accounts/{account_id}/card"): RecordRoute("account", "read", 200),
    ("GET", "/api/v1/accounts/{account_id}/timeline"): RecordRoute("account", "read", 200),
    ("POST", "/api/v1/accounts/{account_id}/merge"): RecordRoute(
        "account", "write", 200, events=2, body=_merge_body("account")
    ),
    **_crud("contact", "contacts", "contact_id", {"first_name": "Renamed"}, {"last_name": "New"}),
    ("POST", "/api/v1/contacts/{contact_id}/merge"): RecordRoute(
        "contact", "write", 200, events=2, body=_merge_body("contact")
    ),
    **_crud("lead", "leads", "lead_id", {"description": "Called"}, {"company_name": "New Co"}),
    ("GET", "/api/v1/leads/{lead_id}/matches"): RecordRoute("lead", "read", 200),
    # A conversion creates an account and a contact (4 events with the lead's and the
    # timeline note's); a marketer may write leads but not create accounts, so is refused.
    ("POST", "/api/v1/leads/{lead_id}/convert"): RecordRoute(
        "lead", "write", 200, events=4, body={}, refused_roles=frozenset({"marketer"})
    ),
    # Only a role that writes every account of an office or wider may reassign; of the
    # default roles, that is the administrator alone.
    ("POST", "/api/v1/reassign"): SharedRoute(200, 403, body=_reassign_body, events=1),
    **_crud(
        "interaction", "interactions", "interaction_id", {"subject": "Renamed"}, _interaction_body
    ),
    # Duplicates: every role reads the pairs and create-time matches in its own scope; only
    # an administrator starts a scan.
    ("GET", "/api/v1/duplicates"): SharedRoute(200, 200),
    ("GET", "/api/v1/contacts/duplicates-of"): SharedRoute(200, 200),
    ("GET", "/api/v1/accounts/duplicates-of"): SharedRoute(200, 200),
    ("POST", "/api/v1/duplicates/scan"): SharedRoute(202, 403, body={"entity": "contact"}),
    ("POST", "/api/v1/duplicates/{candidate_id}/dismiss"): DuplicatePairRoute(),
}


# --- Meta-tests ----------------------------------------------------------------------------


def live_routes() -> set[tuple[str, str]]:
    """(method, path template) of every operation of the live API."""
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add((method, normalize_path(f"/api/{prefix}/{path}")))
    return routes


def routes_tested_elsewhere() -> set[tuple[str, str]]:
    """Routes whose role matrix lives beside their app's tests, each with its own meta-test
    that every route of its router has an expectation."""
    from tests.documents.test_api import ROUTES as DOCUMENT_ROUTES
    from tests.sales.matrix import SALES_ROUTE_EXPECTATIONS
    from tests.surveys.test_api import ROUTES as SURVEY_ROUTES

    return set(DOCUMENT_ROUTES) | set(SALES_ROUTE_EXPECTATIONS) | set(SURVEY_ROUTES)


def test_every_route_has_an_expectation() -> None:
    expected = set(ROUTE_EXPECTATIONS) | routes_tested_elsewhere()
    assert sorted(live_routes() - expected) == []


def test_every_expectation_names_a_live_route() -> None:
    assert sorted(set(ROUTE_EXPECTATIONS) - live_routes()) == []


@pytest.mark.django_db
def test_the_routes_are_those_of_the_openapi_document() -> None:
    paths = api.get_openapi_schema()["paths"]
    documented = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert documented == live_routes()


def test_the_matrix_covers_every_default_role() -> None:
    assert ROLES == access.ROLE_CODES
    assert set(SCOPES) == set(ROLES)


# --- The matrix ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world of the whole module, rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", sorted(ROUTE_EXPECTATIONS), ids=lambda route: f"{route[0]} {route[1]}"
)
def test_route_answers_each_role_as_its_scope_says(
    route: tuple[str, str], role: str, world: World
) -> None:
    method, path = route
    ROUTE_EXPECTATIONS[route].check(world.as_role(role), method, path)


@pytest.mark.django_db
@pytest.mark.parametrize("entity", ["account", "contact"])
@pytest.mark.parametrize(
    "role", [role for role in ROLES if role not in ("administrator", "executive")]
)
def test_merge_with_a_duplicate_outside_the_scope_answers_as_if_it_were_missing(
    entity: str, role: str, world: World
) -> None:
    view = world.as_role(role)
    path = f"/api/v1/{entity}s/{view.record(entity, 'own').pk}/merge"
    hidden = view.record(entity, "other_legal_entity")
    missing = assert_refused(view, "POST", path, {"other_id": MISSING_ID}, {}, 404)

    response = assert_refused(view, "POST", path, {"other_id": hidden.pk}, {}, 404)

    assert response.json() == missing.json()
