"""Every workspace page × every role: out-of-scope records answer 404 and never show up;
CSRF guards every state-changing route; no GET changes anything.

ROUTES lists every route of the page modules this file covers; a meta-test fails when a
route is added without an entry here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from perpetuum.clients import services as client_services
from perpetuum.core.access import ROLE_CODES, Scope, scope_of
from perpetuum.core.models import AuditEvent
from perpetuum.timeline import services as timeline_services
from perpetuum.web.models import SavedView
from perpetuum.web.views import auth, basics, lists, records, search
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory

pytestmark = pytest.mark.django_db

ENTITIES = ("account", "contact", "lead", "interaction")
LIST_OF = {
    "account": "accounts",
    "contact": "contacts",
    "lead": "leads",
    "interaction": "interactions",
}

# Route name → (method, what the test needs to call it).
ROUTES = {
    "home": "GET",
    "healthz": "GET",
    "login": "GET+POST",
    "logout": "POST",
    "password_change": "GET+POST",
    "language": "POST",
    "search": "GET",
    "list": "GET",
    "list_bulk": "POST",
    "list_export": "POST",
    "saved_view_create": "POST",
    "saved_view_delete": "POST",
    "recycle_bin": "GET",
    "restore": "POST",
    "history": "GET",
}


def test_every_route_of_these_pages_is_in_the_matrix():
    names = {
        pattern.name
        for module in (basics, auth, search, lists, records)
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    }
    assert names == set(ROUTES)


def _records(owner: Any) -> dict[str, Any]:
    account = AccountFactory(owner=owner, name=f"Matrix account {owner.username}")
    return {
        "account": account,
        "contact": ContactFactory(
            owner=owner, first_name="Matrix", last_name=f"Contact {owner.username}"
        ),
        "lead": LeadFactory(owner=owner, first_name="Matrix", last_name=f"Lead {owner.username}"),
        "interaction": InteractionFactory(
            owner=owner, account=account, subject=f"Matrix interaction {owner.username}"
        ),
    }


@pytest.fixture
def outsider(make_user, org):
    """A user of the other legal entity; their records are outside every scope but "all"."""
    return make_user(
        "sales_representative", office=org.moscow, teams=[org.moscow_sales], username="outsider"
    )


@pytest.mark.parametrize("role", ROLE_CODES)
def test_every_page_answers_every_role(client, make_user, outsider, role):
    user = make_user(role, username=f"user-{role}")
    foreign = _records(outsider)
    client.force_login(user)
    for url in ("/", "/password/", "/search/?q=matrix", "/recycle-bin/", "/healthz"):
        assert client.get(url).status_code == 200, url
    for entity in ENTITIES:
        response = client.get(f"/{LIST_OF[entity]}/")
        assert response.status_code == 200
        listed = {record.pk for record in response.context["items"]}
        sees_all = scope_of(user, entity, "read") == Scope.ALL
        assert (foreign[entity].pk in listed) is sees_all, (role, entity)
        assert client.get(f"/recycle-bin/?type={entity}").status_code == 200


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("entity", ENTITIES)
def test_history_of_a_record_outside_the_scope_is_a_404(client, make_user, outsider, role, entity):
    user = make_user(role, username=f"user-{role}")
    own = _records(user)[entity]
    foreign = _records(outsider)[entity]
    client.force_login(user)
    read = scope_of(user, entity, "read")
    foreign_status = client.get(f"/history/{entity}/{foreign.pk}/").status_code
    own_status = client.get(f"/history/{entity}/{own.pk}/").status_code
    assert foreign_status == (200 if read == Scope.ALL else 404)
    assert own_status == (404 if read == Scope.NONE else 200)


def _delete(entity: str, record: Any) -> Any:
    actor = record.owner
    deleters = {
        "account": lambda: client_services.account_delete(actor=actor, account=record),
        "contact": lambda: client_services.contact_delete(actor=actor, contact=record),
        "lead": lambda: client_services.lead_delete(actor=actor, lead=record),
        "interaction": lambda: timeline_services.interaction_delete(
            actor=actor, interaction=record
        ),
    }
    return deleters[entity]()


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("entity", ENTITIES)
def test_restore_outside_the_write_scope_is_a_404(client, make_user, outsider, role, entity):
    user = make_user(role, username=f"user-{role}")
    foreign = _records(outsider)[entity]
    _delete(entity, foreign)
    client.force_login(user)
    bin_page = client.get(f"/recycle-bin/?type={entity}")
    listed = {record.pk for record in bin_page.context["items"]}
    may_write_all = scope_of(user, entity, "write") == Scope.ALL
    assert (foreign.pk in listed) is may_write_all
    response = client.post("/recycle-bin/restore/", {"type": entity, "id": foreign.pk})
    assert response.status_code == (302 if may_write_all else 404)
    foreign.refresh_from_db()
    assert (foreign.deleted_at is None) is may_write_all


@pytest.mark.parametrize("role", ROLE_CODES)
def test_bulk_actions_never_reach_records_outside_the_scope(client, make_user, outsider, role):
    user = make_user(role, username=f"user-{role}")
    foreign = _records(outsider)
    client.force_login(user)
    for entity, record in foreign.items():
        response = client.post(
            f"/{LIST_OF[entity]}/bulk/",
            {
                "ids": [record.pk],
                f"version_{record.pk}": record.version,
                "action": "delete",
                "query": "",
            },
        )
        assert response.status_code == 302
        record.refresh_from_db()
        may_write_all = scope_of(user, entity, "write") == Scope.ALL
        assert (record.deleted_at is not None) is may_write_all, (role, entity)


def _state() -> tuple[Any, ...]:
    """What a request could change: the audit trail, saved views and records' versions."""
    from perpetuum.clients.models import Account, Contact, Lead
    from perpetuum.timeline.models import Interaction

    versions = tuple(
        tuple(
            model.all_objects.order_by("pk").values_list("pk", "version", "deleted_at", "owner_id")
        )
        for model in (Account, Contact, Lead, Interaction)
    )
    return (AuditEvent.objects.count(), SavedView.objects.count(), versions)


def _post_routes(records: dict[str, Any], view: SavedView) -> list[tuple[str, dict[str, Any]]]:
    account = records["account"]
    return [
        ("/login/", {"username": "admin", "password": "password"}),
        ("/logout/", {}),
        (
            "/password/",
            {
                "old_password": "password",
                "new_password1": "Neu-Passwort-42",
                "new_password2": "Neu-Passwort-42",
            },
        ),
        ("/language/", {"language": "de"}),
        ("/accounts/bulk/", {"ids": [account.pk], "action": "delete", "query": ""}),
        ("/accounts/export/", {"format": "csv", "query": ""}),
        ("/accounts/views/", {"name": "Mine", "query": "stage=customer"}),
        (f"/accounts/views/{view.pk}/delete/", {}),
        ("/recycle-bin/restore/", {"type": "account", "id": account.pk}),
    ]


def test_every_state_changing_route_enforces_csrf(administrator):
    records = _records(administrator)
    view = SavedView.objects.create(user=administrator, list_name="accounts", name="Kept", query="")
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    before = _state()
    routes = _post_routes(records, view)
    assert {url.split("/")[1] for url, _data in routes} >= {
        "login",
        "logout",
        "password",
        "language",
        "accounts",
        "recycle-bin",
    }
    for url, data in routes:
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert _state() == before
    administrator.refresh_from_db()
    assert administrator.language == "en"
    assert administrator.check_password("password")


def test_no_get_changes_anything(client, administrator):
    records = _records(administrator)
    _delete("lead", records["lead"])
    view = SavedView.objects.create(user=administrator, list_name="accounts", name="Kept", query="")
    client.force_login(administrator)
    before = _state()
    pages = [
        "/",
        "/password/",
        "/search/?q=matrix",
        "/recycle-bin/?type=lead",
        "/login/",
        f"/history/account/{records['account'].pk}/",
        *(f"/{name}/" for name in LIST_OF.values()),
    ]
    for url in pages:
        assert client.get(url).status_code in (200, 302), url
    for url, data in _post_routes(records, view):
        if url == "/login/" or url == "/password/":
            continue
        response = client.get(url, data)
        assert response.status_code == 405, url
    assert _state() == before
