"""Converting a lead: matching what already exists, creating what does not, moving history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.errors import Conflict, PermissionDenied, VersionConflict
from perpetuum.core.models import AuditEvent
from perpetuum.timeline.models import Interaction
from tests.conftest import Org
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def test_a_lead_that_matches_nothing_becomes_a_new_contact_and_account(
    org: Org, sales_rep: Any, request_id: str
) -> None:
    tag = TagFactory()
    lead = LeadFactory(
        owner=sales_rep,
        first_name="Lena",
        last_name="Meyer",
        company_name="Meyer Logistik",
        job_title="COO",
        email="Lena@Meyer.example",
        phone="030 1234567",
        country="DE",
        tax_id="DE136695976",
        tags=[tag],
    )
    call = InteractionFactory(owner=sales_rep, account=None, lead=lead, kind="call")
    planned = InteractionFactory(
        owner=sales_rep,
        account=None,
        lead=lead,
        status="planned",
        occurred_at=None,
        due_at=call.occurred_at,
    )
    events_before = AuditEvent.objects.count()

    result = clients.lead_convert(actor=sales_rep, lead=lead, expected_version=1)

    assert (result.created_contact, result.created_account, result.moved_interactions) == (
        True,
        True,
        2,
    )
    account = Account.objects.get()
    contact = Contact.objects.get()
    assert (result.account, result.contact) == (account, contact)
    assert (account.name, account.country, account.tax_id, account.owner) == (
        "Meyer Logistik",
        "DE",
        "DE136695976",
        sales_rep,
    )
    assert (contact.full_name, contact.email, contact.phone, contact.account) == (
        "Lena Meyer",
        "lena@meyer.example",
        "+49301234567",
        account,
    )
    assert list(contact.roles.values_list("account_id", "title")) == [(account.pk, "COO")]
    assert list(contact.tags.all()) == [tag]
    assert contact.owner == sales_rep

    lead.refresh_from_db()
    assert (lead.status, lead.converted_contact, lead.converted_account, lead.version) == (
        Lead.Status.CONVERTED,
        contact,
        account,
        2,
    )
    assert lead.converted_at is not None

    for interaction in (call, planned):
        interaction.refresh_from_db()
        assert (interaction.lead, interaction.contact, interaction.account) == (
            lead,
            contact,
            account,
        )

    note = Interaction.objects.get(kind=Interaction.Kind.SYSTEM)
    assert (note.lead, note.contact, note.account, note.author) == (
        lead,
        contact,
        account,
        sales_rep,
    )
    assert note.subject == "Lead converted: Lena Meyer"

    new_events = AuditEvent.objects.order_by("id")[events_before:]
    assert sorted((event.action, event.object_type) for event in new_events) == [
        ("convert", "clients.lead"),
        ("create", "clients.account"),
        ("create", "clients.contact"),
        ("create", "timeline.interaction"),
    ]
    convert = AuditEvent.objects.get(action="convert")
    assert (convert.actor, convert.request_id, convert.object_id) == (
        sales_rep,
        request_id,
        str(lead.pk),
    )
    assert convert.changes == {
        "status": ["new", "converted"],
        "converted_contact": [None, contact.pk],
        "converted_account": [None, account.pk],
        "moved_interactions": [0, 2],
    }


def test_an_existing_contact_is_matched_by_email(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, emails=["lena@meyer.example"], account=account)
    lead = LeadFactory(owner=sales_rep, email="LENA@meyer.example", company_name="")

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert (result.contact, result.account) == (contact, account)
    assert (result.created_contact, result.created_account) == (False, False)
    assert (Contact.objects.count(), Account.objects.count()) == (1, 1)


def test_an_existing_contact_is_matched_by_phone(sales_rep: Any) -> None:
    contact = ContactFactory(owner=sales_rep, phones=["+49 30 1234567"])
    lead = LeadFactory(owner=sales_rep, phone="030 1234567", country="DE", company_name="")

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert (result.contact, result.account, result.created_contact) == (contact, None, False)
    assert Contact.objects.count() == 1
    assert Account.objects.count() == 0


def test_an_existing_account_is_matched_by_tax_id(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep, name="Rossiya", country="RU", tax_id="7707083893")
    lead = LeadFactory(
        owner=sales_rep,
        company_name="Another spelling",
        country="RU",
        tax_id="7707083893",
        job_title="CFO",
    )

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert (result.account, result.created_account, result.created_contact) == (
        account,
        False,
        True,
    )
    assert Account.objects.count() == 1
    assert list(result.contact.roles.values_list("account_id", "title")) == [(account.pk, "CFO")]


def test_a_matched_contact_gets_a_role_at_the_matched_account(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep, country="DE", tax_id="DE136695976")
    contact = ContactFactory(owner=sales_rep, emails=["lena@meyer.example"])
    lead = LeadFactory(
        owner=sales_rep,
        email="lena@meyer.example",
        country="DE",
        tax_id="DE136695976",
        job_title="Buyer",
    )

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert (result.contact, result.account) == (contact, account)
    assert list(contact.roles.values_list("account_id", "title")) == [(account.pk, "Buyer")]


def test_records_outside_the_scope_are_not_matched(
    org: Org, make_user: Callable[..., Any], sales_rep: Any
) -> None:
    moscow_rep = make_user("sales_representative", office=org.moscow)
    foreign = ContactFactory(owner=moscow_rep, emails=["lena@meyer.example"])
    lead = LeadFactory(owner=sales_rep, email="lena@meyer.example", company_name="")

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert result.created_contact is True
    assert result.contact != foreign
    assert Contact.objects.count() == 2


def test_converting_twice_is_a_conflict(sales_rep: Any) -> None:
    lead = LeadFactory(owner=sales_rep)
    clients.lead_convert(actor=sales_rep, lead=lead)
    counts = (Contact.objects.count(), Account.objects.count(), AuditEvent.objects.count())

    with pytest.raises(Conflict):
        clients.lead_convert(actor=sales_rep, lead=lead)
    with pytest.raises(Conflict):
        clients.lead_convert(actor=sales_rep, lead=Lead.objects.get(pk=lead.pk))

    assert (Contact.objects.count(), Account.objects.count(), AuditEvent.objects.count()) == counts


def test_converting_a_stale_copy_of_a_converted_lead_is_a_conflict(sales_rep: Any) -> None:
    lead = LeadFactory(owner=sales_rep)
    stale = Lead.objects.get(pk=lead.pk)
    clients.lead_convert(actor=sales_rep, lead=lead)

    with pytest.raises(Conflict):
        clients.lead_convert(actor=sales_rep, lead=stale)

    assert (Contact.objects.count(), Account.objects.count()) == (1, 1)
    assert AuditEvent.objects.filter(action="convert").count() == 1


def test_converting_with_a_stale_version_changes_nothing(sales_rep: Any) -> None:
    lead = LeadFactory(owner=sales_rep)
    clients.lead_update(actor=sales_rep, lead=lead, data={"job_title": "CEO"}, expected_version=1)

    with pytest.raises(VersionConflict):
        clients.lead_convert(actor=sales_rep, lead=lead, expected_version=1)

    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW
    assert Contact.objects.count() == 0


def test_conversion_into_named_records(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep)
    lead = LeadFactory(owner=sales_rep, email="someone@else.example")

    result = clients.lead_convert(
        actor=sales_rep, lead=lead, contact_id=contact.pk, account_id=account.pk
    )

    assert (result.contact, result.account) == (contact, account)
    assert (result.created_contact, result.created_account) == (False, False)


def test_a_named_record_outside_the_scope_is_a_validation_error(
    org: Org, make_user: Callable[..., Any], sales_rep: Any
) -> None:
    foreign = AccountFactory(owner=make_user("sales_representative", office=org.moscow))
    lead = LeadFactory(owner=sales_rep)

    with pytest.raises(ValidationError) as error:
        clients.lead_convert(actor=sales_rep, lead=lead, account_id=foreign.pk)

    assert list(error.value.message_dict) == ["account_id"]
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW


def test_a_lead_without_a_company_becomes_a_contact_only(sales_rep: Any) -> None:
    lead = LeadFactory(owner=sales_rep, company_name="", first_name="Lena", last_name="Meyer")

    result = clients.lead_convert(actor=sales_rep, lead=lead)

    assert (result.account, result.contact.full_name) == (None, "Lena Meyer")
    assert Account.objects.count() == 0


def test_a_role_that_may_not_write_the_lead_cannot_convert_it(
    make_user: Callable[..., Any], sales_rep: Any
) -> None:
    lead = LeadFactory(owner=sales_rep)
    teammate = make_user("sales_representative")

    with pytest.raises(PermissionDenied):
        clients.lead_convert(actor=teammate, lead=lead)

    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW
