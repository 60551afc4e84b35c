"""My day, the global search, the recycle bin and a record's history."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from perpetuum.clients import services as client_services
from perpetuum.clients.models import Account
from perpetuum.core.models import AuditEvent
from perpetuum.web.recent import RECENT_SIZE, SESSION_KEY
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_my_day_shows_todays_plans_overdue_tasks_and_waiting_leads(client, sales_rep, make_user):
    someone_else = make_user("sales_representative", username="else")
    now = timezone.now()
    today_noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
    account = AccountFactory(owner=sales_rep, name="Acme")
    planned = {"status": "planned", "occurred_at": None}
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="meeting",
        subject="Demo today",
        due_at=today_noon,
        **planned,
    )
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="task",
        subject="Old task",
        due_at=now - datetime.timedelta(days=3),
        **planned,
    )
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="call",
        subject="Next week",
        due_at=now + datetime.timedelta(days=7),
        **planned,
    )
    InteractionFactory(
        owner=someone_else,
        kind="task",
        subject="Not mine",
        due_at=now - datetime.timedelta(days=3),
        **planned,
    )
    LeadFactory(owner=sales_rep, first_name="Waiting", last_name="Lead", status="new")
    LeadFactory(owner=sales_rep, first_name="Working", last_name="Lead", status="working")
    LeadFactory(owner=sales_rep, first_name="Done", last_name="Lead", status="qualified")
    LeadFactory(owner=someone_else, first_name="Their", last_name="Lead", status="new")
    client.force_login(sales_rep)
    response = client.get("/")
    assert response.status_code == 200
    assert [str(item) for item in response.context["today"].items] == ["Demo today"]
    assert [str(item) for item in response.context["overdue"].items] == ["Old task"]
    assert [str(lead) for lead in response.context["leads"].items] == [
        "Waiting Lead",
        "Working Lead",
    ]
    assert f'href="/accounts/{account.pk}/"'.encode() in response.content


def test_recently_viewed_clients_are_bounded_and_drop_what_is_gone(client, sales_rep):
    accounts = [
        AccountFactory(owner=sales_rep, name=f"Seen {number}") for number in range(RECENT_SIZE + 2)
    ]
    contact = ContactFactory(owner=sales_rep, first_name="Vera", last_name="Seen")
    client.force_login(sales_rep)
    session = client.session
    session[SESSION_KEY] = [["contact", contact.pk]] + [
        ["account", a.pk] for a in accounts[: RECENT_SIZE - 1]
    ]
    session.save()
    client_services.account_delete(actor=sales_rep, account=accounts[0])
    response = client.get("/")
    names = [str(record) for _entity, record in response.context["recent"]]
    assert names == ["Vera Seen", *[f"Seen {n}" for n in range(1, RECENT_SIZE - 1)]]


def test_remember_keeps_the_latest_first_without_repeats(rf, sales_rep):
    from django.contrib.sessions.backends.db import SessionStore

    from perpetuum.web.recent import recent_entries, remember

    request = rf.get("/")
    request.session = SessionStore()
    accounts = [AccountFactory.build(pk=number) for number in range(1, RECENT_SIZE + 5)]
    for account in accounts:
        remember(request, account)
    remember(request, accounts[3])
    entries = recent_entries(request)
    assert len(entries) == RECENT_SIZE
    assert entries[0] == ("account", 4)
    assert entries.count(("account", 4)) == 1


def test_search_suggests_while_typing_and_has_a_full_page(client, sales_rep, make_user, org):
    AccountFactory(owner=sales_rep, name="Zebra Works")
    ContactFactory(owner=sales_rep, first_name="Zoe", last_name="Zebrowski")
    LeadFactory(owner=sales_rep, first_name="Zeno", last_name="Lead", company_name="Zebra Leads")
    stranger = make_user("sales_representative", office=org.moscow, username="stranger")
    AccountFactory(owner=stranger, name="Zebra Hidden")
    client.force_login(sales_rep)
    fragment = client.get("/search/?q=zebr", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    groups = {
        group.list_name: [str(r) for r in group.items] for group in fragment.context["groups"]
    }
    assert groups == {
        "accounts": ["Zebra Works"],
        "contacts": ["Zoe Zebrowski"],
        "leads": ["Zeno Lead"],
    }
    assert b"Zebra Hidden" not in fragment.content
    assert b'role="option"' in fragment.content
    page = client.get("/search/?q=zebr")
    assert b"<html" in page.content
    assert b"Zebra Works" in page.content
    assert client.get("/search/?q=z", HTTP_HX_REQUEST="true").context["groups"] == []


def test_recycle_bin_lists_deleted_records_and_restores_them(client, sales_rep):
    account = AccountFactory(owner=sales_rep, name="Binned")
    AccountFactory(owner=sales_rep, name="Alive")
    client_services.account_delete(actor=sales_rep, account=account)
    client.force_login(sales_rep)
    response = client.get("/recycle-bin/?type=account")
    assert [str(record) for record in response.context["items"]] == ["Binned"]
    response = client.post("/recycle-bin/restore/", {"type": "account", "id": account.pk})
    assert response.status_code == 302
    assert Account.objects.filter(pk=account.pk).exists()
    assert AuditEvent.objects.filter(action="restore", object_id=str(account.pk)).count() == 1
    assert client.get("/recycle-bin/?type=account").context["items"] == []
    assert client.get("/recycle-bin/?type=unknown").status_code == 404


def test_history_shows_the_audit_trail_of_a_record(client, sales_rep):
    account = AccountFactory(owner=sales_rep, name="Before")
    client_services.account_update(
        actor=sales_rep, account=account, data={"name": "After"}, expected_version=1
    )
    client.force_login(sales_rep)
    response = client.get(f"/history/account/{account.pk}/")
    assert response.status_code == 200
    assert [event.action for event in response.context["events"]] == ["update", "create"]
    assert b"Before" in response.content and b"After" in response.content
    deleted = client_services.account_delete(actor=sales_rep, account=account)
    response = client.get(f"/history/account/{deleted.pk}/")
    assert response.status_code == 200
    assert [event.action for event in response.context["events"]] == ["delete", "update", "create"]
    assert client.get("/history/account/999999/").status_code == 404
    assert client.get(f"/history/organisation/{account.pk}/").status_code == 404


def test_opening_a_card_puts_the_client_on_my_day(client, sales_rep):
    account = AccountFactory(owner=sales_rep, name="Opened today")
    client.force_login(sales_rep)
    assert client.get(f"/accounts/{account.pk}/").status_code == 200
    recent = client.get("/").context["recent"]
    assert [(entity, str(record)) for entity, record in recent] == [("account", "Opened today")]


@pytest.mark.parametrize(
    ("role", "sees_admin"), [("administrator", True), ("sales_manager", False)]
)
def test_the_navigation_offers_administration_to_administrators_only(
    client, make_user, role, sees_admin
):
    client.force_login(make_user(role, username=f"nav-{role}"))
    labels = {str(item.label): item.url for item in client.get("/").context["navigation"]}
    assert ("Admin" in labels) is sees_admin
    assert labels["My day"] == "/"
    if sees_admin:
        assert labels["Admin"] == "/administration/"


def test_the_navigation_leaves_out_lists_the_role_cannot_read(client, make_user):
    client.force_login(make_user("support_agent", username="agent"))
    labels = [str(item.label) for item in client.get("/").context["navigation"]]
    assert "Leads" not in labels
    assert "Accounts" in labels
