"""How the API behaves for its clients: versions and ETags, the audit trail, the recycle
bin, idempotent creates, problem responses, keyset pages, filters, the account card and
timeline, lead conversion, reassignment, custom fields in the OpenAPI document, tokens and
session authentication."""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import string
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.models import ApiToken, AuditEvent
from perpetuum.timeline.models import Interaction
from tests.api.conftest import PROBLEM_JSON, ApiClient, database_state
from tests.conftest import Org
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ApiClientMaker = Callable[[Any], ApiClient]


@pytest.fixture
def rep_api(sales_rep: Any, api_client: ApiClientMaker) -> ApiClient:
    return api_client(sales_rep)


@pytest.fixture
def admin_api(administrator: Any, api_client: ApiClientMaker) -> ApiClient:
    return api_client(administrator)


def events_of(record: Any, action: str | None = None) -> list[AuditEvent]:
    """The audit events of one record, oldest first."""
    queryset = AuditEvent.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk)
    )
    if action is not None:
        queryset = queryset.filter(action=action)
    return list(queryset.order_by("at", "id"))


def assert_problem(response: Any, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert (body["type"], body["status"], body["title"]) == ("about:blank", status, title)
    return body


# --- ETag and If-Match ---------------------------------------------------------------------


def test_a_read_gives_the_etag_of_the_version_read(sales_rep: Any, rep_api: ApiClient) -> None:
    account = AccountFactory(owner=sales_rep)

    response = rep_api.get(f"/api/v1/accounts/{account.pk}")

    assert response.status_code == 200
    assert response["ETag"] == f'"{account.pk}-1"'
    assert response.json()["version"] == 1


def test_an_update_without_if_match_is_refused_with_428(sales_rep: Any, rep_api: ApiClient) -> None:
    account = AccountFactory(owner=sales_rep, name="Kept")
    before = database_state()

    response = rep_api.patch(f"/api/v1/accounts/{account.pk}", {"name": "Lost"})

    body = assert_problem(response, 428, "Precondition required")
    assert body["detail"].startswith("Send the record's ETag in an If-Match header")
    assert database_state() == before
    assert Account.objects.get(pk=account.pk).name == "Kept"


def test_an_update_with_a_stale_etag_is_refused_with_412_and_changes_nothing(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    account = AccountFactory(owner=sales_rep, name="First")
    stale = rep_api.get(f"/api/v1/accounts/{account.pk}")["ETag"]
    first = rep_api.patch(
        f"/api/v1/accounts/{account.pk}", {"name": "Second"}, headers={"If-Match": stale}
    )
    assert first.status_code == 200
    before = database_state()

    response = rep_api.patch(
        f"/api/v1/accounts/{account.pk}", {"name": "Third"}, headers={"If-Match": stale}
    )

    body = assert_problem(response, 412, "Precondition failed")
    assert body["current_version"] == 2
    assert database_state() == before
    stored = Account.objects.get(pk=account.pk)
    assert (stored.name, stored.version) == ("Second", 2)


def test_an_update_with_the_current_etag_answers_200_and_the_next_etag(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    account = AccountFactory(owner=sales_rep, name="Before")
    etag = rep_api.get(f"/api/v1/accounts/{account.pk}")["ETag"]

    response = rep_api.patch(
        f"/api/v1/accounts/{account.pk}", {"name": "After"}, headers={"If-Match": etag}
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"{account.pk}-2"'
    assert (response.json()["name"], response.json()["version"]) == ("After", 2)
    assert rep_api.get(f"/api/v1/accounts/{account.pk}")["ETag"] == f'"{account.pk}-2"'


def test_of_two_clients_editing_the_same_version_the_second_is_refused(
    sales_rep: Any, sales_manager: Any, api_client: ApiClientMaker
) -> None:
    account = AccountFactory(owner=sales_rep, city="Berlin", industry="Retail")
    rep, manager = api_client(sales_rep), api_client(sales_manager)
    rep_etag = rep.get(f"/api/v1/accounts/{account.pk}")["ETag"]
    manager_etag = manager.get(f"/api/v1/accounts/{account.pk}")["ETag"]
    assert rep_etag == manager_etag

    first = manager.patch(
        f"/api/v1/accounts/{account.pk}", {"city": "Potsdam"}, headers={"If-Match": manager_etag}
    )
    second = rep.patch(
        f"/api/v1/accounts/{account.pk}", {"industry": "Logistics"}, headers={"If-Match": rep_etag}
    )

    assert first.status_code == 200
    assert_problem(second, 412, "Precondition failed")
    stored = Account.objects.get(pk=account.pk)
    assert (stored.city, stored.industry, stored.version) == ("Potsdam", "Retail", 2)
    assert len(events_of(account, "update")) == 1


# --- The audit trail -----------------------------------------------------------------------


def test_a_create_writes_one_event_with_the_request_id(rep_api: ApiClient) -> None:
    response = rep_api.post(
        "/api/v1/accounts",
        {"name": "Audited GmbH", "city": "Berlin"},
        headers={"X-Request-ID": "req-create-1"},
    )

    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-create-1"
    account = Account.objects.get(pk=response.json()["id"])
    [event] = events_of(account)
    assert (event.action, event.request_id, event.actor_id) == (
        "create",
        "req-create-1",
        rep_api.user.pk,
    )
    assert event.changes["name"] == [None, "Audited GmbH"]
    assert event.changes["city"] == [None, "Berlin"]
    assert AuditEvent.objects.filter(request_id="req-create-1").count() == 1


def test_an_update_writes_one_event_listing_each_field_old_and_new(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    account = AccountFactory(owner=sales_rep, name="Old name", city="Bonn", industry="Retail")

    response = rep_api.patch(
        f"/api/v1/accounts/{account.pk}",
        {"name": "New name", "city": "Köln", "industry": "Retail"},
        headers={"If-Match": account.etag, "X-Request-ID": "req-update-1"},
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-update-1"
    [event] = events_of(account, "update")
    assert event.request_id == "req-update-1"
    assert event.changes == {"name": ["Old name", "New name"], "city": ["Bonn", "Köln"]}
    assert AuditEvent.objects.filter(request_id="req-update-1").count() == 1


def test_delete_and_restore_write_one_event_each(sales_rep: Any, rep_api: ApiClient) -> None:
    account = AccountFactory(owner=sales_rep)

    deleted = rep_api.delete(
        f"/api/v1/accounts/{account.pk}", headers={"X-Request-ID": "req-delete-1"}
    )
    restored = rep_api.post(
        f"/api/v1/accounts/{account.pk}/restore", headers={"X-Request-ID": "req-restore-1"}
    )

    assert (deleted.status_code, restored.status_code) == (204, 200)
    assert [(event.action, event.request_id) for event in events_of(account)[1:]] == [
        ("delete", "req-delete-1"),
        ("restore", "req-restore-1"),
    ]
    assert AuditEvent.objects.filter(request_id__in=["req-delete-1", "req-restore-1"]).count() == 2


def test_a_conversion_writes_one_event_per_record_it_writes(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    lead = LeadFactory(owner=sales_rep, company_name="Converted AG", last_name="Weber")

    response = rep_api.post(
        f"/api/v1/leads/{lead.pk}/convert", {}, headers={"X-Request-ID": "req-convert-1"}
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-convert-1"
    result = response.json()
    [convert] = events_of(lead, "convert")
    assert convert.request_id == "req-convert-1"
    assert convert.changes == {
        "status": ["new", "converted"],
        "converted_contact": [None, result["contact_id"]],
        "converted_account": [None, result["account_id"]],
        "moved_interactions": [0, 0],
    }
    # The lead's conversion, the new account, the new contact, the note on the timeline.
    assert sorted(
        AuditEvent.objects.filter(request_id="req-convert-1").values_list("action", "object_type")
    ) == [
        ("convert", "clients.lead"),
        ("create", "clients.account"),
        ("create", "clients.contact"),
        ("create", "timeline.interaction"),
    ]


def test_a_well_formed_request_id_is_kept_and_a_malformed_one_replaced(
    rep_api: ApiClient,
) -> None:
    kept = rep_api.get("/api/v1/me", headers={"X-Request-ID": "abc.DEF-123:4_5"})
    replaced = rep_api.get("/api/v1/me", headers={"X-Request-ID": "no spaces <allowed>"})

    assert kept["X-Request-ID"] == "abc.DEF-123:4_5"
    assert len(replaced["X-Request-ID"]) == 32
    assert replaced["X-Request-ID"] != "no spaces <allowed>"


# --- The recycle bin -----------------------------------------------------------------------


def test_a_deleted_record_waits_in_the_recycle_bin_until_restored(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    kept = AccountFactory(owner=sales_rep, name="Kept")
    binned = AccountFactory(owner=sales_rep, name="Binned")

    assert rep_api.delete(f"/api/v1/accounts/{binned.pk}").status_code == 204

    assert_problem(rep_api.get(f"/api/v1/accounts/{binned.pk}"), 404, "Not found")
    listed = rep_api.get("/api/v1/accounts").json()["items"]
    assert [item["id"] for item in listed] == [kept.pk]
    in_bin = rep_api.get("/api/v1/accounts", {"deleted": "true"}).json()["items"]
    assert [item["id"] for item in in_bin] == [binned.pk]
    assert in_bin[0]["deleted_at"] is not None

    restored = rep_api.post(f"/api/v1/accounts/{binned.pk}/restore")

    assert restored.status_code == 200
    assert (restored.json()["deleted_at"], restored.json()["version"]) == (None, 3)
    assert rep_api.get(f"/api/v1/accounts/{binned.pk}").status_code == 200
    assert rep_api.get("/api/v1/accounts", {"deleted": "true"}).json()["items"] == []


def test_restoring_a_record_not_in_the_recycle_bin_answers_404(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    account = AccountFactory(owner=sales_rep)
    before = database_state()

    response = rep_api.post(f"/api/v1/accounts/{account.pk}/restore")

    assert_problem(response, 404, "Not found")
    assert database_state() == before


# --- Idempotency-Key -----------------------------------------------------------------------


def test_the_same_create_sent_twice_with_one_key_creates_one_record(rep_api: ApiClient) -> None:
    body = {"name": "Once Only GmbH", "emails": ["info@once.example"]}
    headers = {"Idempotency-Key": "create-once-1"}
    accounts, events = Account.objects.count(), AuditEvent.objects.count()

    first = rep_api.post("/api/v1/accounts", body, headers=headers)
    second = rep_api.post("/api/v1/accounts", body, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Account.objects.count() == accounts + 1
    assert AuditEvent.objects.count() == events + 1


def test_the_same_key_with_another_body_is_refused(rep_api: ApiClient) -> None:
    headers = {"Idempotency-Key": "create-once-2"}
    assert rep_api.post("/api/v1/accounts", {"name": "First"}, headers=headers).status_code == 201
    before = database_state()

    response = rep_api.post("/api/v1/accounts", {"name": "Second"}, headers=headers)

    body = assert_problem(response, 422, "Idempotency key reused")
    assert body["detail"] == "This Idempotency-Key was already used with another request body."
    assert database_state() == before
    assert list(Account.objects.values_list("name", flat=True)) == ["First"]


def test_one_key_used_by_two_users_creates_a_record_for_each(
    sales_rep: Any, sales_manager: Any, api_client: ApiClientMaker
) -> None:
    headers = {"Idempotency-Key": "shared-key"}

    first = api_client(sales_rep).post("/api/v1/accounts", {"name": "Same"}, headers=headers)
    second = api_client(sales_manager).post("/api/v1/accounts", {"name": "Same"}, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


# --- Problem responses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "Mail GmbH", "emails": ["not-an-email"]},
            [{"field": "emails", "message": "“not-an-email” is not a valid e-mail address."}],
        ),
        (
            {"name": "Steuer GmbH", "country": "DE", "tax_id": "DE123456789"},
            [{"field": "tax_id", "message": "“DE123456789” is not a valid tax id for DE."}],
        ),
        (
            {"name": "Extra GmbH", "colour": "red"},
            [{"field": "colour", "message": "Extra inputs are not permitted"}],
        ),
        ({"city": "Berlin"}, [{"field": "name", "message": "Field required"}]),
        (
            {"name": "Stage GmbH", "stage": "lost"},
            [
                {
                    "field": "stage",
                    "message": (
                        "Input should be 'prospect', 'customer', 'former_customer' or 'partner'"
                    ),
                }
            ],
        ),
    ],
    ids=["invalid-email", "invalid-tax-id-for-DE", "unknown-field", "missing-name", "bad-stage"],
)
def test_an_invalid_create_answers_422_with_the_fields_at_fault(
    rep_api: ApiClient, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    before = database_state()

    response = rep_api.post("/api/v1/accounts", body)

    problem = assert_problem(response, 422, "Invalid request")
    assert problem["errors"] == errors
    assert database_state() == before


def test_an_unknown_custom_field_answers_422(sales_rep: Any, rep_api: ApiClient) -> None:
    account = AccountFactory(owner=sales_rep)

    response = rep_api.patch(
        f"/api/v1/accounts/{account.pk}",
        {"custom": {"nonexistent": 1}},
        headers={"If-Match": account.etag},
    )

    problem = assert_problem(response, 422, "Invalid request")
    assert problem["errors"] == [
        {"field": "custom.nonexistent", "message": "There is no such custom field."}
    ]
    assert Account.objects.get(pk=account.pk).version == 1


def test_a_bad_cursor_answers_422(rep_api: ApiClient) -> None:
    response = rep_api.get("/api/v1/accounts", {"cursor": "not-a-cursor"})

    problem = assert_problem(response, 422, "Invalid request")
    assert problem["errors"] == [{"field": "cursor", "message": "The cursor is not valid."}]


# --- Keyset pagination ---------------------------------------------------------------------

SORT_COLUMNS = {"name": "name", "-name": "name", "created_at": "created_at"}


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-updated_at"])
def test_pages_walk_every_record_exactly_once_in_order(
    sort: str, sales_rep: Any, rep_api: ApiClient
) -> None:
    names = ["Beta", "Alpha", "Beta", "Gamma", "Alpha", "Beta", "Delta", "Alpha"]
    accounts = [AccountFactory(owner=sales_rep, name=name) for name in names]
    # Ties in the time columns too: three accounts share each instant.
    base = timezone.now() - datetime.timedelta(days=10)
    for index, account in enumerate(accounts):
        instant = base + datetime.timedelta(hours=index // 3)
        Account.objects.filter(pk=account.pk).update(created_at=instant, updated_at=instant)
    column = sort.lstrip("-")
    expected = [
        pk
        for _value, pk in sorted(
            Account.objects.values_list(column, "pk"), reverse=sort.startswith("-")
        )
    ]

    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
        response = rep_api.get("/api/v1/accounts", params)
        assert response.status_code == 200
        page = response.json()
        pages += 1
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == expected
    assert len(set(seen)) == 8
    assert pages == 3


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def filtered(org: Org, make_user: Callable[..., Any], sales_rep: Any) -> dict[str, Any]:
    """Three accounts in three places: Berlin (rep), Munich and Moscow."""
    CustomFieldDefinitionFactory(key="segment", field_type="choice", choices=["smb", "enterprise"])
    munich = make_user("sales_representative", office=org.munich, teams=[org.munich_sales])
    moscow = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    tag = TagFactory(name="vip")
    berlin_account = AccountFactory(
        owner=sales_rep,
        name="Acme Berlin",
        stage="customer",
        tags=[tag],
        emails=["sales@acme-berlin.example"],
        phones=["+49 30 1234567"],
        custom={"segment": "smb"},
    )
    munich_account = AccountFactory(
        owner=munich, name="Bolt Munich", stage="prospect", custom={"segment": "enterprise"}
    )
    moscow_account = AccountFactory(
        owner=moscow, name="Crane Moscow", country="RU", stage="partner"
    )
    for account, year in ((berlin_account, 2024), (munich_account, 2025), (moscow_account, 2026)):
        Account.objects.filter(pk=account.pk).update(
            created_at=datetime.datetime(year, 1, 1, tzinfo=datetime.UTC),
            updated_at=datetime.datetime(year, 7, 1, tzinfo=datetime.UTC),
        )
    return {"org": org, "rep": sales_rep, "tag": tag}


BERLIN, MOSCOW = "Acme Berlin", "Crane Moscow"
FILTERS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], set[str]]] = [
    ("owner_id", lambda w: {"owner_id": w["rep"].pk}, {"Acme Berlin"}),
    ("team_id", lambda w: {"team_id": w["org"].munich_sales.pk}, {"Bolt Munich"}),
    ("office_id", lambda w: {"office_id": w["org"].moscow.pk}, {"Crane Moscow"}),
    (
        "legal_entity_id",
        lambda w: {"legal_entity_id": w["org"].gmbh.pk},
        {"Acme Berlin", "Bolt Munich"},
    ),
    ("stage", lambda w: {"stage": "partner"}, {"Crane Moscow"}),
    ("tag_id", lambda w: {"tag_id": w["tag"].pk}, {"Acme Berlin"}),
    ("created_after", lambda w: {"created_after": "2024-06-01T00:00Z"}, {"Bolt Munich", MOSCOW}),
    ("created_before", lambda w: {"created_before": "2025-06-01T00:00Z"}, {BERLIN, "Bolt Munich"}),
    ("updated_after", lambda w: {"updated_after": "2026-01-01T00:00Z"}, {MOSCOW}),
    ("updated_before", lambda w: {"updated_before": "2024-12-31T00:00Z"}, {BERLIN}),
    (
        "created-range",
        lambda w: {
            "created_after": "2024-06-01T00:00:00Z",
            "created_before": "2025-06-01T00:00:00Z",
        },
        {"Bolt Munich"},
    ),
    ("custom", lambda w: {"custom.segment": "enterprise"}, {"Bolt Munich"}),
    ("q-name", lambda w: {"q": "crane"}, {"Crane Moscow"}),
    ("q-email", lambda w: {"q": "sales@acme-berlin.example"}, {"Acme Berlin"}),
    ("q-phone", lambda w: {"q": "030 1234567"}, {"Acme Berlin"}),
    ("combined", lambda w: {"legal_entity_id": w["org"].gmbh.pk, "stage": "customer"}, {BERLIN}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "names"),
    [(params, names) for _id, params, names in FILTERS],
    ids=[name for name, _params, _names in FILTERS],
)
def test_the_account_list_filters(
    params: Callable[[dict[str, Any]], dict[str, Any]],
    names: set[str],
    filtered: dict[str, Any],
    admin_api: ApiClient,
) -> None:
    response = admin_api.get("/api/v1/accounts", params(filtered))

    assert response.status_code == 200
    assert {item["name"] for item in response.json()["items"]} == names


def test_a_filter_on_an_unknown_custom_field_answers_422(
    filtered: dict[str, Any], admin_api: ApiClient
) -> None:
    response = admin_api.get("/api/v1/accounts", {"custom.unknown": "x"})

    problem = assert_problem(response, 422, "Invalid request")
    assert problem["errors"] == [
        {"field": "custom.unknown", "message": "There is no such custom field."}
    ]


# --- The account card and timeline ---------------------------------------------------------


def _interaction(owner: Any, account: Any, **data: Any) -> Interaction:
    return InteractionFactory(owner=owner, account=account, **data)


def test_the_card_sums_up_the_account(sales_rep: Any, rep_api: ApiClient) -> None:
    now = timezone.now()
    parent = AccountFactory(owner=sales_rep, name="Holding AG", stage="customer")
    account = AccountFactory(owner=sales_rep, name="Daughter GmbH", parent=parent)
    AccountFactory(owner=sales_rep, name="Zeta Branch", parent=account)
    AccountFactory(owner=sales_rep, name="Alpha Branch", parent=account, stage="partner")
    day = datetime.timedelta(days=1)
    _interaction(sales_rep, account, kind="call", occurred_at=now - 3 * day, subject="Old call")
    last = _interaction(sales_rep, account, kind="email", occurred_at=now - day, subject="Mail")
    _interaction(
        sales_rep, account, kind="task", status="planned", occurred_at=None, due_at=now - 2 * day
    )
    _interaction(
        sales_rep, account, kind="task", status="planned", occurred_at=None, due_at=now + 2 * day
    )
    upcoming = _interaction(
        sales_rep,
        account,
        kind="meeting",
        status="planned",
        occurred_at=None,
        due_at=now + day,
        subject="Visit",
    )
    _interaction(sales_rep, parent, kind="call", subject="On the parent")

    response = rep_api.get(f"/api/v1/accounts/{account.pk}/card")

    assert response.status_code == 200
    card = response.json()
    assert card["account"]["id"] == account.pk
    assert card["parent"] == {"id": parent.pk, "name": "Holding AG", "stage": "customer"}
    assert [(child["name"], child["stage"]) for child in card["children"]] == [
        ("Alpha Branch", "partner"),
        ("Zeta Branch", "prospect"),
    ]
    assert card["children_count"] == 2
    assert (card["open_tasks"], card["overdue_tasks"]) == (2, 1)
    assert (card["last_interaction"]["id"], card["last_interaction"]["subject"]) == (
        last.pk,
        "Mail",
    )
    assert (card["next_interaction"]["id"], card["next_interaction"]["kind"]) == (
        upcoming.pk,
        "meeting",
    )
    assert card["counts_by_kind"] == {"call": 1, "email": 1, "task": 2, "meeting": 1}


def test_the_consolidated_card_counts_the_whole_holding(sales_rep: Any, rep_api: ApiClient) -> None:
    parent = AccountFactory(owner=sales_rep)
    child = AccountFactory(owner=sales_rep, parent=parent)
    _interaction(sales_rep, parent, kind="call")
    _interaction(sales_rep, child, kind="call")
    _interaction(sales_rep, child, kind="email")

    alone = rep_api.get(f"/api/v1/accounts/{parent.pk}/card").json()
    consolidated = rep_api.get(
        f"/api/v1/accounts/{parent.pk}/card", {"consolidated": "true"}
    ).json()

    assert alone["counts_by_kind"] == {"call": 1}
    assert consolidated["counts_by_kind"] == {"call": 2, "email": 1}


def test_a_consolidated_view_leaves_out_holding_members_outside_the_scope(
    org: Org, make_user: Callable[..., Any], sales_rep: Any, rep_api: ApiClient
) -> None:
    moscow = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    parent = AccountFactory(owner=sales_rep, name="Visible holding")
    hidden = AccountFactory(owner=moscow, name="Hidden daughter", parent=parent)
    seen = _interaction(sales_rep, parent, kind="call", subject="On the parent")
    _interaction(moscow, hidden, kind="email", subject="Confidential")
    assert rep_api.get(f"/api/v1/accounts/{hidden.pk}").status_code == 404

    timeline = rep_api.get(f"/api/v1/accounts/{parent.pk}/timeline", {"consolidated": "true"})
    card = rep_api.get(f"/api/v1/accounts/{parent.pk}/card", {"consolidated": "true"})

    assert [item["id"] for item in timeline.json()["items"]] == [seen.pk]
    assert card.json()["counts_by_kind"] == {"call": 1}
    assert (card.json()["children"], card.json()["children_count"]) == ([], 0)


@pytest.fixture
def timeline(sales_rep: Any) -> dict[str, Any]:
    """A holding (parent and child) with interactions at known times."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    parent = AccountFactory(owner=sales_rep, name="Parent")
    child = AccountFactory(owner=sales_rep, name="Child", parent=parent)
    made = {
        "old_call": _interaction(
            sales_rep, parent, kind="call", channel="phone", occurred_at=now - 10 * day
        ),
        "email": _interaction(
            sales_rep, parent, kind="email", channel="email", occurred_at=now - 5 * day
        ),
        "chat": _interaction(
            sales_rep, parent, kind="chat", channel="whatsapp", occurred_at=now - 2 * day
        ),
        "planned_call": _interaction(
            sales_rep,
            parent,
            kind="call",
            channel="phone",
            status="planned",
            occurred_at=None,
            due_at=now + 3 * day,
        ),
        "child_meeting": _interaction(
            sales_rep, child, kind="meeting", channel="", occurred_at=now - 1 * day
        ),
    }
    return {"parent": parent, "child": child, "now": now, **made}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["planned_call", "chat", "email", "old_call"]),
        ({"kind": "call"}, ["planned_call", "old_call"]),
        ({"kind": ["email", "chat"]}, ["chat", "email"]),
        ({"channel": "phone"}, ["planned_call", "old_call"]),
        ({"since": -6, "until": 0}, ["chat", "email"]),
        ({"until": -3}, ["email", "old_call"]),
        ({"consolidated": "true"}, ["planned_call", "child_meeting", "chat", "email", "old_call"]),
        ({"consolidated": "true", "kind": "meeting"}, ["child_meeting"]),
    ],
    ids=["all", "kind", "kinds", "channel", "period", "until", "consolidated", "holding-kind"],
)
def test_the_timeline_is_newest_first_and_filters(
    params: dict[str, Any], expected: list[str], timeline: dict[str, Any], rep_api: ApiClient
) -> None:
    query = dict(params)
    for bound in ("since", "until"):
        if bound in query:
            query[bound] = (timeline["now"] + datetime.timedelta(days=query[bound])).isoformat()

    response = rep_api.get(f"/api/v1/accounts/{timeline['parent'].pk}/timeline", query)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [
        timeline[name].pk for name in expected
    ]


def test_the_timeline_pages_walk_every_interaction_once(sales_rep: Any, rep_api: ApiClient) -> None:
    account = AccountFactory(owner=sales_rep)
    instant = timezone.now() - datetime.timedelta(hours=1)
    made = [_interaction(sales_rep, account, occurred_at=instant) for _ in range(5)]

    first = rep_api.get(f"/api/v1/accounts/{account.pk}/timeline", {"limit": 2}).json()
    second = rep_api.get(
        f"/api/v1/accounts/{account.pk}/timeline", {"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    third = rep_api.get(
        f"/api/v1/accounts/{account.pk}/timeline", {"limit": 2, "cursor": second["next_cursor"]}
    ).json()

    walked = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert walked == sorted((interaction.pk for interaction in made), reverse=True)
    assert third["next_cursor"] is None


# --- Lead conversion -----------------------------------------------------------------------


def test_a_converted_lead_keeps_its_history_and_links_to_what_it_became(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    lead = LeadFactory(
        owner=sales_rep,
        first_name="Jana",
        last_name="Novak",
        company_name="Novak Logistik",
        email="jana@novak.example",
    )
    history = [
        InteractionFactory(owner=sales_rep, account=None, lead=lead, kind="web_form"),
        InteractionFactory(owner=sales_rep, account=None, lead=lead, kind="call"),
    ]

    response = rep_api.post(f"/api/v1/leads/{lead.pk}/convert", {})

    assert response.status_code == 200
    result = response.json()
    assert (result["created_contact"], result["created_account"]) == (True, True)
    assert result["moved_interactions"] == 2
    account = Account.objects.get(pk=result["account_id"])
    contact = Contact.objects.get(pk=result["contact_id"])
    assert (account.name, contact.full_name, contact.email) == (
        "Novak Logistik",
        "Jana Novak",
        "jana@novak.example",
    )
    assert result["lead"]["status"] == "converted"
    stored = rep_api.get(f"/api/v1/leads/{lead.pk}").json()
    assert (stored["converted_account_id"], stored["converted_contact_id"]) == (
        account.pk,
        contact.pk,
    )
    assert stored["converted_at"] is not None
    items = rep_api.get(f"/api/v1/accounts/{account.pk}/timeline").json()["items"]
    assert {item["id"] for item in items} >= {interaction.pk for interaction in history}
    assert len(items) == 3  # the history and the note of the conversion
    assert {item["lead_id"] for item in items} == {lead.pk}
    assert {item["contact_id"] for item in items} == {contact.pk}


def test_a_lead_converts_once(sales_rep: Any, rep_api: ApiClient) -> None:
    lead = LeadFactory(owner=sales_rep)
    assert rep_api.post(f"/api/v1/leads/{lead.pk}/convert", {}).status_code == 200
    before = database_state()

    response = rep_api.post(f"/api/v1/leads/{lead.pk}/convert", {})

    assert_problem(response, 409, "Conflict")
    assert database_state() == before


# --- Reassignment --------------------------------------------------------------------------


def test_reassignment_gives_every_record_of_a_user_to_another(
    org: Org, make_user: Callable[..., Any], sales_rep: Any, admin_api: ApiClient
) -> None:
    successor = make_user("sales_representative", office=org.munich, teams=[org.munich_sales])
    accounts = [AccountFactory(owner=sales_rep), AccountFactory(owner=sales_rep)]
    contact = ContactFactory(owner=sales_rep)
    lead = LeadFactory(owner=sales_rep)
    planned = _interaction(
        sales_rep,
        accounts[0],
        kind="task",
        status="planned",
        occurred_at=None,
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    done = _interaction(sales_rep, accounts[0], kind="call")
    untouched = AccountFactory(owner=successor)

    response = admin_api.post(
        "/api/v1/reassign",
        {"from_user_id": sales_rep.pk, "to_user_id": successor.pk},
        headers={"X-Request-ID": "req-reassign-1"},
    )

    assert response.status_code == 200
    assert response.json() == {"accounts": 2, "contacts": 1, "leads": 1, "planned_interactions": 1}
    moved = [*accounts, contact, lead, planned]
    for record in moved:
        stored = type(record).objects.get(pk=record.pk)
        assert (stored.owner_id, stored.team_id, stored.office_id, stored.legal_entity_id) == (
            successor.pk,
            org.munich_sales.pk,
            org.munich.pk,
            org.gmbh.pk,
        )
        assert stored.version == record.version + 1
    assert Interaction.objects.get(pk=done.pk).owner_id == sales_rep.pk
    assert Account.objects.get(pk=untouched.pk).version == 1
    [event] = AuditEvent.objects.filter(request_id="req-reassign-1")
    assert (event.action, event.object_type, event.object_id) == (
        "reassign",
        "org.user",
        str(sales_rep.pk),
    )


def test_reassignment_by_a_sales_manager_is_refused(
    sales_rep: Any, sales_manager: Any, api_client: ApiClientMaker, make_user: Callable[..., Any]
) -> None:
    AccountFactory(owner=sales_rep)
    successor = make_user("sales_representative")
    manager = api_client(sales_manager)
    before = database_state()

    response = manager.post(
        "/api/v1/reassign", {"from_user_id": sales_rep.pk, "to_user_id": successor.pk}
    )

    assert_problem(response, 403, "Forbidden")
    assert database_state() == before


# --- Custom fields in the OpenAPI document -------------------------------------------------


def test_custom_fields_defined_through_the_api_appear_in_the_openapi_document(
    admin_api: ApiClient,
) -> None:
    created = admin_api.post(
        "/api/v1/custom-fields",
        {
            "entity": "account",
            "key": "segment",
            "label": "Segment",
            "field_type": "choice",
            "choices": ["smb", "enterprise"],
            "is_required": True,
            "help_text": "Size of the client",
        },
    )
    assert created.status_code == 201
    assert (
        admin_api.post(
            "/api/v1/custom-fields",
            {"entity": "contact", "key": "birthday", "label": "Birthday", "field_type": "date"},
        ).status_code
        == 201
    )

    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    schemas = response.json()["components"]["schemas"]
    segment = {
        "type": "string",
        "enum": ["smb", "enterprise"],
        "title": "Segment",
        "description": "Size of the client",
    }
    for name in ("AccountOut", "AccountIn"):
        custom = schemas[name]["properties"]["custom"]
        assert custom["x-custom-fields"] == "account"
        assert custom["properties"] == {"segment": segment}
        assert custom["required"] == ["segment"]
        assert custom["additionalProperties"] is False
    patch = schemas["AccountPatch"]["properties"]["custom"]
    assert patch["anyOf"][0]["properties"] == {"segment": segment}
    assert schemas["ContactOut"]["properties"]["custom"]["properties"] == {
        "birthday": {"type": "string", "format": "date", "title": "Birthday"}
    }
    assert schemas["LeadOut"]["properties"]["custom"]["properties"] == {}


def test_an_account_takes_and_returns_its_custom_values(admin_api: ApiClient) -> None:
    CustomFieldDefinitionFactory(key="segment", field_type="choice", choices=["smb", "enterprise"])
    CustomFieldDefinitionFactory(key="revenue", field_type="money")

    response = admin_api.post(
        "/api/v1/accounts",
        {"name": "Custom GmbH", "custom": {"segment": "smb", "revenue": 1200.5}},
    )

    assert response.status_code == 201
    assert response.json()["custom"] == {"segment": "smb", "revenue": "1200.50"}


# --- Tokens --------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_stamped_when_used(sales_rep: Any, rep_api: ApiClient) -> None:
    created = rep_api.post("/api/v1/tokens", {"name": "Script"})

    assert created.status_code == 201
    key = created.json()["key"]
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    stored = json.dumps(
        [
            list(ApiToken.objects.values_list("name", "prefix", "key_hash")),
            list(AuditEvent.objects.values_list("changes", "object_repr")),
        ]
    )
    assert key not in stored
    assert token.last_used_at is None
    assert "key" not in rep_api.get("/api/v1/tokens").json()[0]

    used = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me")

    assert (used.status_code, used.json()["username"]) == (200, sales_rep.username)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_with_401(sales_rep: Any, rep_api: ApiClient) -> None:
    created = rep_api.post("/api/v1/tokens", {"name": "Short-lived"}).json()
    script = Client(headers={"Authorization": f"Bearer {created['key']}"})
    assert script.get("/api/v1/me").status_code == 200

    assert rep_api.delete(f"/api/v1/tokens/{created['id']}").status_code == 204

    body = assert_problem(script.get("/api/v1/me"), 401, "Unauthorized")
    assert body["detail"] == "Sign in or send a valid API token."
    assert rep_api.get("/api/v1/me").status_code == 200


def test_an_unknown_token_is_refused_with_401() -> None:
    client = Client(headers={"Authorization": "Bearer ppt_not-a-token"})

    assert_problem(client.get("/api/v1/accounts"), 401, "Unauthorized")


def test_a_token_of_a_deactivated_user_is_refused(sales_rep: Any, rep_api: ApiClient) -> None:
    sales_rep.is_active = False
    sales_rep.save(update_fields=["is_active"])

    assert_problem(rep_api.get("/api/v1/me"), 401, "Unauthorized")


# --- Session authentication ----------------------------------------------------------------


def test_an_unauthenticated_request_answers_401_and_changes_nothing(db: None) -> None:
    client = Client()
    before = database_state()

    listed = client.get("/api/v1/accounts")
    created = client.post(
        "/api/v1/accounts", {"name": "Anonymous"}, content_type="application/json"
    )

    assert_problem(listed, 401, "Unauthorized")
    assert_problem(created, 401, "Unauthorized")
    assert database_state() == before


def test_a_session_write_needs_the_csrf_token(sales_rep: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)
    before = database_state()

    refused = client.post("/api/v1/accounts", {"name": "No CSRF"}, content_type="application/json")

    assert_problem(refused, 403, "CSRF check Failed")
    assert database_state() == before

    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(
        "/api/v1/accounts",
        {"name": "With CSRF"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )

    assert accepted.status_code == 201
    assert accepted.json()["owner_id"] == sales_rep.pk
    assert list(Account.objects.values_list("name", flat=True)) == ["With CSRF"]


def test_a_session_read_needs_no_csrf_token(sales_rep: Any) -> None:
    AccountFactory(owner=sales_rep, name="Visible")
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)

    response = client.get("/api/v1/accounts")

    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Visible"]


def test_lead_matches_propose_the_existing_contact_and_account(
    sales_rep: Any, rep_api: ApiClient
) -> None:
    account = AccountFactory(owner=sales_rep, name="Match AG", country="DE", tax_id="DE136695976")
    contact = ContactFactory(owner=sales_rep, emails=["anna@match.example"], account=account)
    lead = LeadFactory(owner=sales_rep, email="Anna@Match.example", company_name="Other name")

    response = rep_api.get(f"/api/v1/leads/{lead.pk}/matches")

    assert response.status_code == 200
    assert response.json() == {
        "contact": {
            "id": contact.pk,
            "full_name": contact.full_name,
            "email": "anna@match.example",
        },
        "account": {"id": account.pk, "name": "Match AG", "tax_id": "DE136695976"},
    }
    assert Lead.objects.get(pk=lead.pk).status == "new"
