"""The documents API: every route × every role, generated, with a meta-test that fails on a
route of the documents router without an expectation; then the quote flow end to end.

Each viewer works in the Berlin office of Perpetuum GmbH. A record is tried in two
buckets: "own" (on an account the viewer owns, the quote theirs) and "hidden" (on an
account of the other legal entity, Perpetuum OOO). Outside the read scope a route answers
404 with the same body as a missing id; visible but outside the write scope, 403. A refused
request changes nothing (audit events, documents, quotes, lines).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from ninja.utils import normalize_path

import perpetuum.urls  # noqa: F401  (mounts the API's routers)
from perpetuum.api import api
from perpetuum.core.models import AuditEvent
from perpetuum.documents import services
from perpetuum.documents.api import router as documents_router
from perpetuum.documents.models import Document, DocumentFile, DocumentTemplate, Quote, QuoteLine
from tests.factories import AccountFactory, UserFactory, factory_actor

ROLES = [
    "administrator",
    "executive",
    "sales_manager",
    "sales_representative",
    "support_agent",
    "marketer",
    "read_only",
]
READ_ALL = {"administrator", "executive"}
SELLERS = {"administrator", "executive", "sales_manager", "sales_representative"}
MISSING_ID = 10**9
FAKE_PDF = b"%PDF-1.7\n%%EOF\n"


class World:
    """The viewer of one role with an account, a document and a draft quote of their own;
    and the same in the other legal entity."""

    def __init__(self, org: Any, role: str) -> None:
        self.role = role
        self.viewer = UserFactory(
            role=role,
            username=f"viewer-{role}",
            office=org.berlin,
            legal_entity=org.gmbh,
            teams=[org.berlin_sales],
        )
        stranger = UserFactory(
            role="sales_manager",
            username="moscow",
            office=org.moscow,
            legal_entity=org.ooo,
            teams=[org.moscow_sales],
        )
        self.records = {"own": self._records(self.viewer), "hidden": self._records(stranger)}
        self.template = DocumentTemplate.objects.get(code="quote", language="en")
        self.gmbh = org.gmbh

    def _records(self, owner: Any) -> dict[str, Any]:
        account = AccountFactory(owner=owner)
        quote = services.quote_create(actor=factory_actor(), data={"account_id": account.pk})
        Quote.objects.filter(pk=quote.pk).update(
            owner=owner,
            team=owner.teams.first(),
            office=owner.office,
            legal_entity=owner.legal_entity,
        )
        line = services.quote_line_add(
            actor=factory_actor(),
            quote=quote,
            data={"description": "Consulting", "unit_price": "100", "quantity": "2"},
        )
        document = Document.objects.create(
            kind="contract",
            title="Contract",
            language="en",
            account=account,
            source_type="clients.account",
            source_id=account.pk,
            version=1,
            filename="contract-v1.pdf",
            size=len(FAKE_PDF),
            sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
        )
        DocumentFile.objects.create(document=document, content=FAKE_PDF)
        return {
            "account": account,
            "quote": Quote.objects.get(pk=quote.pk),
            "line": line,
            "document": document,
        }


def state() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        Document.objects.count(),
        Quote.objects.count(),
        QuoteLine.objects.count(),
        sum(Quote.objects.values_list("version", flat=True)),
    )


@dataclass(frozen=True)
class Expect:
    """How a route answers: `ok` is the success status, `allowed` the roles that get it on
    their own record; `hidden` whether the route is tried on the other entity's record
    (404 unless the role reads everything, then `ok` for writers of everything and 403
    for the others). `target` names the record whose id fills the path; `body` builds the
    request body. `renders` marks a success that makes a PDF: only refusals are tried."""

    ok: int
    allowed: frozenset[str] | None = None
    target: str | None = None
    body: Any = None
    if_match: bool = False
    hidden: bool = True
    renders: bool = False
    writes_everything: frozenset[str] = frozenset({"administrator"})


def _expect(ok: int, allowed: set[str] | None = None, **kwargs: Any) -> Expect:
    return Expect(ok, frozenset(allowed) if allowed is not None else None, **kwargs)


def _quote_body(records: dict[str, Any]) -> dict[str, Any]:
    return {"account_id": records["account"].pk, "title": "Matrix"}


def _contract_body(records: dict[str, Any]) -> dict[str, Any]:
    return {"account_id": records["account"].pk, "terms": {"price": "100 EUR"}}


WRITE = {"administrator", "executive", "sales_manager", "sales_representative"}
Q = "/api/v1/quotes/{quote_id}"
ROUTES: dict[tuple[str, str], Expect] = {
    ("GET", "/api/v1/document-templates"): _expect(200, hidden=False),
    ("POST", "/api/v1/document-templates"): _expect(
        201,
        {"administrator"},
        hidden=False,
        body=lambda r: {
            "kind": "quote",
            "code": "matrix",
            "name": "Matrix",
            "language": "en",
            "body": "<p>{{ document.number }}</p>",
        },
    ),
    ("POST", "/api/v1/document-templates/preview"): _expect(
        200, hidden=False, body=lambda r: {"body": "<p>{{ account.name }}</p>"}
    ),
    ("GET", "/api/v1/document-templates/{template_id}"): _expect(
        200, target="template", hidden=False
    ),
    ("PATCH", "/api/v1/document-templates/{template_id}"): _expect(
        200,
        {"administrator"},
        target="template",
        hidden=False,
        if_match=True,
        body=lambda r: {"name": "Renamed"},
    ),
    ("DELETE", "/api/v1/document-templates/{template_id}"): _expect(
        204, {"administrator"}, target="template", hidden=False
    ),
    ("GET", "/api/v1/letterheads"): _expect(200, hidden=False),
    ("PUT", "/api/v1/letterheads/{legal_entity_id}"): _expect(
        200,
        {"administrator"},
        target="legal_entity",
        hidden=False,
        body=lambda r: {"letterhead": "Große Straße 1", "signatory_name": "Jörg"},
    ),
    ("GET", "/api/v1/documents"): _expect(200, hidden=False),
    ("GET", "/api/v1/documents/{document_id}"): _expect(200, target="document"),
    ("GET", "/api/v1/documents/{document_id}/content"): _expect(200, target="document"),
    ("POST", "/api/v1/contracts"): _expect(
        201, WRITE, body=_contract_body, renders=True, writes_everything=frozenset(READ_ALL)
    ),
    ("POST", "/api/v1/documents/invoice"): _expect(
        404, set(), hidden=False, body=lambda r: {"invoice_id": MISSING_ID}
    ),
    ("GET", "/api/v1/quotes"): _expect(200, hidden=False),
    ("POST", "/api/v1/quotes"): _expect(
        201, WRITE, body=_quote_body, writes_everything=frozenset(READ_ALL)
    ),
    ("GET", Q): _expect(200, target="quote"),
    ("PATCH", Q): _expect(
        200, WRITE, target="quote", if_match=True, body=lambda r: {"title": "Renamed"}
    ),
    ("POST", f"{Q}/lines"): _expect(
        201, WRITE, target="quote", body=lambda r: {"description": "Extra", "unit_price": "5"}
    ),
    ("PATCH", f"{Q}/lines/{{line_id}}"): _expect(
        200, WRITE, target="quote", body=lambda r: {"quantity": "3"}
    ),
    ("DELETE", f"{Q}/lines/{{line_id}}"): _expect(200, WRITE, target="quote"),
    ("POST", f"{Q}/revisions"): _expect(201, WRITE, target="quote"),
    ("POST", f"{Q}/pdf"): _expect(201, WRITE, target="quote", renders=True),
    ("POST", f"{Q}/send"): _expect(200, WRITE, target="quote", body=lambda r: {}, renders=True),
    ("POST", f"{Q}/accept"): _expect(200, WRITE, target="quote"),
    ("POST", f"{Q}/reject"): _expect(200, WRITE, target="quote"),
    ("POST", f"{Q}/expire"): _expect(200, WRITE, target="quote"),
}


def live_routes() -> set[tuple[str, str]]:
    """(method, path template) of every operation of the documents router."""
    routes = set()
    for prefix, router in api._routers:
        if router is not documents_router:
            continue
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add((method, normalize_path(f"/api/{prefix}/{path}")))
    return routes


def test_every_documents_route_has_an_expectation() -> None:
    assert sorted(live_routes() ^ set(ROUTES)) == []


def _path(path: str, world: World, records: dict[str, Any], target: str | None) -> str:
    ids = {
        "template_id": world.template.pk,
        "legal_entity_id": world.gmbh.pk,
        "document_id": records["document"].pk,
        "quote_id": records["quote"].pk,
        "line_id": records["line"].pk,
    }
    return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), path)


def _request(client: Client, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    data = "" if body is None else json.dumps(body)
    return client.generic(method, path, data, content_type="application/json", headers=headers)


def _etag(target: str | None, world: World, records: dict[str, Any]) -> str:
    if target == "template":
        return DocumentTemplate.objects.get(pk=world.template.pk).etag
    return Quote.objects.get(pk=records["quote"].pk).etag


def _check(world: World, client: Client, route: tuple[str, str], bucket: str) -> None:
    method, template = route
    role = world.role
    expect = ROUTES[route]
    records = world.records[bucket]
    if bucket == "own":
        allowed = expect.allowed is None or role in expect.allowed
        status = expect.ok if allowed else (404 if expect.ok == 404 else 403)
    else:
        if role not in READ_ALL:
            status = 404
        elif expect.allowed is None or role in expect.writes_everything:
            status = expect.ok
        else:
            status = 403
    if status == expect.ok and expect.renders:
        return
    headers = {"If-Match": _etag(expect.target, world, records)} if expect.if_match else {}
    body = expect.body(records) if expect.body else None
    path = _path(template, world, records, expect.target)
    before = state()
    response = _request(client, method, path, body, headers)
    assert response.status_code == status, (role, bucket, path, response.content[:500])
    if status >= 400:
        assert state() == before
        if status == 404 and expect.target is not None:
            missing = _request(
                client,
                method,
                path.replace(str(_own_id(expect.target, world, records)), str(MISSING_ID), 1),
                body,
                headers,
            )
            assert missing.status_code == 404
            assert missing.json() == response.json()


def _own_id(target: str, world: World, records: dict[str, Any]) -> int:
    return {
        "template": world.template.pk,
        "legal_entity": world.gmbh.pk,
        "document": records["document"].pk,
        "quote": records["quote"].pk,
    }[target]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_the_role_as_its_scope_says(org: Any, role: str) -> None:
    """Each route is tried in a savepoint that is rolled back, so every one starts from the
    same world."""
    world = World(org, role)
    client = Client()
    client.force_login(world.viewer)
    for route in sorted(ROUTES):
        for bucket in ("own", "hidden") if ROUTES[route].hidden else ("own",):
            with transaction.atomic():
                _check(world, client, route, bucket)
                transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_quote_through_the_api_from_draft_to_pdf_download_and_new_version(
    sales_rep: Any, gmbh_letterhead: Any
) -> None:
    account = AccountFactory(owner=sales_rep, name="Groß & Söhne", country="DE")
    client = Client()
    client.force_login(sales_rep)

    created = _request(
        client, "POST", "/api/v1/quotes", {"account_id": account.pk, "currency": "EUR"}, {}
    )
    assert created.status_code == 201, created.content
    quote = created.json()
    assert (quote["status"], quote["language"], quote["lines"]) == ("draft", "de", [])
    path = f"/api/v1/quotes/{quote['id']}"
    first_etag = client.get(path)["ETag"]
    added = _request(
        client,
        "POST",
        f"{path}/lines",
        {"description": "Wartung", "unit_price": "1200.50", "quantity": "2", "tax_rate": "19"},
        {},
    )
    assert added.status_code == 201
    assert added.json()["gross_total"] == "2857.1900"
    stale = _request(client, "PATCH", path, {"title": "Wartungsvertrag"}, {"If-Match": first_etag})
    assert stale.status_code == 412
    renamed = _request(
        client, "PATCH", path, {"title": "Wartungsvertrag"}, {"If-Match": added["ETag"]}
    )
    assert renamed.status_code == 200

    made = _request(client, "POST", f"{path}/pdf", None, {})
    assert made.status_code == 201
    download = client.get(made.json()["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    listed = client.get(f"/api/v1/documents?account_id={account.pk}").json()["items"]
    assert [item["id"] for item in listed] == [made.json()["id"]]

    revised = _request(client, "POST", f"{path}/revisions", None, {})
    assert revised.status_code == 201
    assert (revised.json()["revision"], revised.json()["display_number"]) == (
        2,
        f"{quote['number']}-2",
    )
    assert len(revised.json()["lines"]) == 1
    rejected = _request(client, "POST", f"{path}/reject", None, {})
    assert rejected.json()["status"] == "rejected"
    refused = _request(client, "POST", f"{path}/lines", {"description": "x", "unit_price": "1"}, {})
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
