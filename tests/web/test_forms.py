"""Create and edit forms of accounts, contacts and leads: custom fields by type, inline
errors from the services, owners a user may assign, edit conflicts, scopes, CSRF, XSS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from perpetuum.clients import services
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core import access
from perpetuum.core.access import ROLE_CODES
from perpetuum.core.models import CustomFieldDefinition
from perpetuum.web.views import forms as form_views
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    LeadFactory,
    TagFactory,
)
from tests.web.test_cards import XSS, database_state, moscow_owner

pytestmark = pytest.mark.django_db

FieldType = CustomFieldDefinition.FieldType

MINIMAL = {
    "account": {"name": "Neue Firma AG", "stage": "prospect"},
    "contact": {"last_name": "Neumann"},
    "lead": {"company_name": "Anfrage GmbH", "status": "new", "source_channel": "web_form"},
}
MODELS = {"account": Account, "contact": Contact, "lead": Lead}


def _client(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def form_data(entity: str, user: Any, **extra: Any) -> dict[str, Any]:
    return {**MINIMAL[entity], "owner": user.pk, **extra}


def edit_data(record: Any, entity: str, **changes: Any) -> dict[str, Any]:
    """What the edit form posts back unchanged, with `changes` applied."""
    form = form_views.ENTITIES[entity].form(user=record.owner, record=record)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value
    data.update(changes)
    return data


# --- Every route × every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_CODES)
def test_create_pages_follow_the_roles_write_scope(role, make_user):
    user = make_user(role)
    client = _client(user)
    for entity in ("account", "contact", "lead"):
        allowed = access.may_create(user, entity)
        assert client.get(f"/{entity}s/new/").status_code == (200 if allowed else 403)
        before = database_state()
        response = client.post(f"/{entity}s/new/", form_data(entity, user))
        if allowed:
            assert response.status_code == 302, (role, entity)
            created = MODELS[entity].objects.order_by("-pk").first()
            assert response["Location"] == f"/{entity}s/{created.pk}/"
            assert created.owner_id == user.pk
        else:
            assert response.status_code == 403
            assert database_state() == before


@pytest.mark.parametrize("role", ROLE_CODES)
def test_edit_pages_of_records_out_of_scope_are_404_and_change_nothing(role, make_user, org):
    user = make_user(role)
    outsider = moscow_owner(make_user, org)
    records = {
        "account": AccountFactory(owner=outsider),
        "contact": ContactFactory(owner=outsider),
        "lead": LeadFactory(owner=outsider),
    }
    client = _client(user)
    for entity, record in records.items():
        url = f"/{entity}s/{record.pk}/edit/"
        readable = access.scope_of(user, entity, "read") == access.Scope.ALL
        writable = access.can(user, "write", record)
        expected = 200 if writable else (403 if readable else 404)
        assert client.get(url).status_code == expected, (role, url)
        before = database_state()
        response = client.post(url, {**form_data(entity, user), "version": record.version})
        assert response.status_code == (302 if writable else expected), (role, url)
        if not writable:
            assert database_state() == before


def test_every_form_route_is_tested():
    assert {str(pattern.pattern) for pattern in form_views.urlpatterns} == {
        f"{entity}s/{suffix}"
        for entity in ("account", "contact", "lead")
        for suffix in ("new/", "<int:pk>/edit/")
    }


def test_form_posts_enforce_csrf(administrator):
    account = AccountFactory(owner=administrator)
    client = _client(administrator, enforce_csrf_checks=True)
    before = database_state()
    assert client.post("/accounts/new/", form_data("account", administrator)).status_code == 403
    response = client.post(f"/accounts/{account.pk}/edit/", edit_data(account, "account"))
    assert response.status_code == 403
    assert database_state() == before


def test_form_pages_change_nothing_on_get(administrator):
    account = AccountFactory(owner=administrator)
    client = _client(administrator)
    before = database_state()
    for url in ("/accounts/new/", f"/accounts/{account.pk}/edit/", "/leads/new/"):
        assert client.get(url).status_code == 200
    assert database_state() == before


# --- Custom fields, tags, owners ---------------------------------------------------------


def _definitions() -> None:
    CustomFieldDefinitionFactory(key="note", label="Note", field_type=FieldType.TEXT, max_length=10)
    CustomFieldDefinitionFactory(
        key="employees",
        label="Employees",
        field_type=FieldType.NUMBER,
        min_value=1,
        max_value=100000,
    )
    CustomFieldDefinitionFactory(key="founded", label="Founded", field_type=FieldType.DATE)
    CustomFieldDefinitionFactory(
        key="tier",
        label="Tier",
        field_type=FieldType.CHOICE,
        choices=["A", "B", "C"],
        is_required=True,
    )
    CustomFieldDefinitionFactory(
        key="regions",
        label="Regions",
        field_type=FieldType.MULTI_CHOICE,
        choices=["North", "South", "East"],
    )
    CustomFieldDefinitionFactory(key="audited", label="Audited", field_type=FieldType.BOOLEAN)
    CustomFieldDefinitionFactory(key="budget", label="Budget", field_type=FieldType.MONEY)


def test_custom_fields_are_rendered_by_type_and_saved(sales_rep):
    _definitions()
    tag = TagFactory(name="key-account")
    client = _client(sales_rep)
    html = client.get("/accounts/new/").content.decode()
    assert re.search(r'<input type="text" name="custom__note"[^>]*maxlength="10"', html)
    assert re.search(r'<input type="number" name="custom__employees"', html)
    assert re.search(r'<input type="date" name="custom__founded"', html)
    assert re.search(r'<select name="custom__tier"[^>]*required', html)
    assert re.search(r'<input type="checkbox" name="custom__regions" value="South"', html)
    assert re.search(r'<select name="custom__audited"', html)
    assert re.search(r'<input type="number" name="custom__budget"[^>]*step="0.01"', html)
    assert f'name="tags" value="{tag.pk}"' in html
    response = client.post(
        "/accounts/new/",
        form_data(
            "account",
            sales_rep,
            custom__note="short",
            custom__employees="250",
            custom__founded="1999-04-01",
            custom__tier="B",
            custom__regions=["South", "North"],
            custom__audited="true",
            custom__budget="1200.5",
            tags=[tag.pk],
            emails="INFO@Neue.example\nsales@neue.example",
            phones="+49 30 1234567",
        ),
    )
    assert response.status_code == 302
    account = Account.objects.get(name="Neue Firma AG")
    assert account.custom == {
        "note": "short",
        "employees": 250,
        "founded": "1999-04-01",
        "tier": "B",
        "regions": ["North", "South"],
        "audited": True,
        "budget": "1200.50",
    }
    assert account.emails == ["info@neue.example", "sales@neue.example"]
    assert account.phones == ["+49301234567"]
    assert list(account.tags.values_list("name", flat=True)) == ["key-account"]
    card = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "North, South" in card and "1200.50" in card and "key-account" in card


def test_service_errors_are_shown_on_their_fields_and_input_is_kept(sales_rep):
    _definitions()
    client = _client(sales_rep)
    response = client.post(
        "/accounts/new/",
        form_data(
            "account",
            sales_rep,
            name="Fehler GmbH",
            country="DE",
            tax_id="DE000000000",
            custom__employees="0",
            emails="not-an-address",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    fields_with_errors = set(
        re.findall(
            r'<div class="field has-error[^"]*">\s*<(?:label for="id_|fieldset)([a-z_]*)', html
        )
    )
    assert fields_with_errors == {"custom__employees", "custom__tier"}
    assert "This field is required." in html
    assert "Fehler GmbH" in html and "not-an-address" in html
    assert Account.objects.count() == 0
    # E-mails and the tax id are checked by the service once the form itself is valid.
    response = client.post(
        "/accounts/new/",
        form_data("account", sales_rep, custom__tier="A", emails="not-an-address"),
    )
    html = response.content.decode()
    assert re.search(r'class="field has-error[^"]*">\s*<label for="id_emails"', html)
    assert "is not a valid e-mail address" in html
    response = client.post(
        "/accounts/new/",
        form_data("account", sales_rep, country="DE", tax_id="DE000000000", custom__tier="A"),
    )
    html = response.content.decode()
    assert re.search(r'class="field has-error[^"]*">\s*<label for="id_tax_id"', html)
    assert "is not a valid tax id for DE" in html
    assert Account.objects.count() == 0


def test_a_lead_needs_something_to_go_by(sales_rep):
    client = _client(sales_rep)
    response = client.post("/leads/new/", form_data("lead", sales_rep, company_name=""))
    assert response.status_code == 200
    assert "A lead needs at least a name, a company, an e-mail or a phone." in (
        response.content.decode()
    )
    assert Lead.objects.count() == 0


def test_owner_choices_are_limited_to_what_the_user_may_assign(make_user, org):
    manager = make_user("sales_manager", username="berlin-manager")
    make_user("sales_representative", username="berlin-rep")
    make_user("sales_representative", office=org.munich, username="munich-rep")
    rep = make_user("sales_representative", username="only-me")
    html = _client(manager).get("/accounts/new/").content.decode()
    owners = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert "First" in owners  # names of the team
    usernames = {user.username for user in manager.__class__.objects.all() if str(user) in owners}
    assert "berlin-rep" in usernames and "munich-rep" not in usernames
    rep_html = _client(rep).get("/accounts/new/").content.decode()
    rep_owners = re.search(r'<select name="owner".*?</select>', rep_html, re.S).group(0)
    assert rep_owners.count("<option") == 1
    # Posting someone else's id anyway is refused by the service, nothing is created.
    other = manager.__class__.objects.get(username="berlin-rep")
    response = _client(rep).post("/accounts/new/", form_data("account", rep, owner=other.pk))
    assert response.status_code == 200
    assert Account.objects.count() == 0


def test_a_new_contact_from_an_account_card_gets_a_role_there(sales_rep):
    account = AccountFactory(owner=sales_rep)
    client = _client(sales_rep)
    html = client.get(f"/contacts/new/?account={account.pk}").content.decode()
    assert f'name="account_id" value="{account.pk}"' in html
    response = client.post(
        "/contacts/new/",
        form_data("contact", sales_rep, account_id=account.pk, title="Einkauf", first_name="Eva"),
    )
    contact = Contact.objects.get(last_name="Neumann")
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.account_id == account.pk
    assert contact.roles.get().title == "Einkauf"


@pytest.mark.parametrize(
    "entity, existing, posted",
    [
        ("account", {"name": "Müller Maschinenbau GmbH"}, {"name": "Mueller Maschinenbau AG"}),
        (
            "contact",
            {"first_name": "Иван", "last_name": "Иванов"},
            {"first_name": "Ivan", "last_name": "Ivanov"},
        ),
    ],
)
def test_a_new_record_like_one_already_there_is_shown_before_it_is_created(
    sales_rep, entity, existing, posted
):
    """Duplicate detection on create: the form names the look-alike the user may see (with
    a link to its card) and creates nothing until "Create anyway"."""
    factory = AccountFactory if entity == "account" else ContactFactory
    record = factory(owner=sales_rep, **existing)
    model = MODELS[entity]
    client = _client(sales_rep)
    before = model.objects.count()
    data = form_data(entity, sales_rep, **posted)
    html = client.post(f"/{entity}s/new/", data).content.decode()
    assert "data-duplicates" in html
    assert f'href="/{entity}s/{record.pk}/"' in html
    assert model.objects.count() == before
    response = client.post(f"/{entity}s/new/", {**data, "create_anyway": "1"})
    assert response.status_code == 302
    assert model.objects.count() == before + 1


def test_a_look_alike_out_of_the_users_scope_is_not_shown(sales_rep, make_user, org):
    AccountFactory(owner=moscow_owner(make_user, org), name="Müller Maschinenbau GmbH")
    client = _client(sales_rep)
    response = client.post(
        "/accounts/new/", form_data("account", sales_rep, name="Mueller Maschinenbau AG")
    )
    assert response.status_code == 302


# --- Edit and conflicts ------------------------------------------------------------------


def test_editing_an_account_saves_the_allowed_fields(sales_rep):
    account = AccountFactory(owner=sales_rep, name="Alt AG", industry="Chemie")
    client = _client(sales_rep)
    response = client.post(
        f"/accounts/{account.pk}/edit/", edit_data(account, "account", name="Neu AG")
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.industry, account.version) == ("Neu AG", "Chemie", 2)


def test_an_edit_that_collides_shows_the_other_change_and_keeps_the_input(sales_rep, make_user):
    manager = make_user("sales_manager", username="kollegin", first_name="Greta", last_name="Kühn")
    account = AccountFactory(owner=sales_rep, name="Alt AG", industry="Chemie")
    opened = edit_data(account, "account", name="Mein Name", city="Dresden")
    services.account_update(
        actor=manager, account=account, data={"industry": "Pharma"}, expected_version=1
    )
    client = _client(sales_rep)
    response = client.post(f"/accounts/{account.pk}/edit/", opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed since you opened it" in html
    change = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    assert "Chemie" in change and "Pharma" in change and "kollegin" in change
    assert 'value="Mein Name"' in html and 'value="Dresden"' in html
    assert 'name="version" value="2"' in html
    account.refresh_from_db()
    assert (account.name, account.industry, account.version) == ("Alt AG", "Pharma", 2)
    # Saving again, knowingly, goes over the other change.
    again = {**opened, "version": 2, "industry": "Pharma"}
    assert client.post(f"/accounts/{account.pk}/edit/", again).status_code == 302
    account.refresh_from_db()
    assert (account.name, account.city, account.industry) == ("Mein Name", "Dresden", "Pharma")


def test_editing_contacts_and_leads(sales_rep):
    contact = ContactFactory(owner=sales_rep, last_name="Alt")
    lead = LeadFactory(owner=sales_rep, company_name="Alt KG")
    client = _client(sales_rep)
    assert (
        client.post(
            f"/contacts/{contact.pk}/edit/", edit_data(contact, "contact", last_name="Neu")
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/leads/{lead.pk}/edit/", edit_data(lead, "lead", status="qualified")
        ).status_code
        == 302
    )
    contact.refresh_from_db()
    lead.refresh_from_db()
    assert contact.last_name == "Neu" and lead.status == "qualified"


def test_the_edit_form_shows_stored_script_escaped(sales_rep):
    CustomFieldDefinitionFactory(key="remark", label=XSS[0], help_text=XSS[1])
    account = AccountFactory(
        owner=sales_rep, name=XSS[0], legal_name=XSS[1], custom={"remark": XSS[1]}
    )
    lead = LeadFactory(owner=sales_rep, company_name=XSS[0], description=XSS[1])
    client = _client(sales_rep)
    for url in (f"/accounts/{account.pk}/edit/", f"/leads/{lead.pk}/edit/", "/accounts/new/"):
        html = client.get(url).content.decode()
        for payload in XSS:
            assert payload not in html, url
