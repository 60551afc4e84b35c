"""Accounts, contacts and leads: ownership and mass assignment, holdings, contact roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.errors import NotFound, PermissionDenied
from perpetuum.core.models import AuditEvent
from tests.conftest import Org
from tests.factories import AccountFactory, ContactFactory, LeadFactory, TagFactory

pytestmark = pytest.mark.django_db


def ownership(record: Any) -> tuple[Any, Any, Any, Any]:
    record.refresh_from_db()
    return (record.owner_id, record.team_id, record.office_id, record.legal_entity_id)


# --- Ownership and mass assignment ---------------------------------------------------------


def test_a_new_record_belongs_to_its_creator_with_their_team_office_and_entity(
    org: Org, sales_rep: Any
) -> None:
    account = clients.account_create(actor=sales_rep, data={"name": "ACME"})
    contact = clients.contact_create(actor=sales_rep, data={"last_name": "Schmidt"})
    lead = clients.lead_create(actor=sales_rep, data={"company_name": "ACME"})

    expected = (sales_rep.pk, org.berlin_sales.pk, org.berlin.pk, org.gmbh.pk)
    assert ownership(account) == expected
    assert ownership(contact) == expected
    assert ownership(lead) == expected


@pytest.mark.parametrize(
    "create",
    [
        lambda actor, data: clients.account_create(actor=actor, data={"name": "A", **data}),
        lambda actor, data: clients.contact_create(actor=actor, data={"last_name": "B", **data}),
        lambda actor, data: clients.lead_create(actor=actor, data={"company_name": "C", **data}),
    ],
    ids=["account", "contact", "lead"],
)
def test_a_sales_representative_cannot_create_for_someone_else(
    make_user: Callable[..., Any], sales_rep: Any, create: Callable[..., Any]
) -> None:
    teammate = make_user("sales_representative")

    with pytest.raises(PermissionDenied):
        create(sales_rep, {"owner_id": teammate.pk})

    assert Account.all_objects.count() + Contact.all_objects.count() == 0
    assert Lead.all_objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_naming_oneself_as_owner_is_allowed(sales_rep: Any) -> None:
    account = clients.account_create(actor=sales_rep, data={"name": "A", "owner_id": sales_rep.pk})

    assert account.owner == sales_rep


UPDATES = {
    "account": (
        AccountFactory,
        lambda actor, record, data: clients.account_update(
            actor=actor, account=record, data=data, expected_version=None
        ),
    ),
    "contact": (
        ContactFactory,
        lambda actor, record, data: clients.contact_update(
            actor=actor, contact=record, data=data, expected_version=None
        ),
    ),
    "lead": (
        LeadFactory,
        lambda actor, record, data: clients.lead_update(
            actor=actor, lead=record, data=data, expected_version=None
        ),
    ),
}


@pytest.mark.parametrize("entity", sorted(UPDATES))
def test_a_sales_representative_cannot_give_their_record_away(
    make_user: Callable[..., Any], sales_rep: Any, entity: str
) -> None:
    factory, update = UPDATES[entity]
    record = factory(owner=sales_rep)
    teammate = make_user("sales_representative")
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        update(sales_rep, record, {"owner_id": teammate.pk})

    assert ownership(record)[0] == sales_rep.pk
    assert record.version == 1
    assert AuditEvent.objects.count() == events


def test_a_manager_assigns_records_to_someone_else(
    org: Org, make_user: Callable[..., Any], sales_manager: Any
) -> None:
    munich_rep = make_user("sales_representative", office=org.munich, teams=[org.munich_sales])

    account = clients.account_create(
        actor=sales_manager, data={"name": "ACME", "owner_id": munich_rep.pk}
    )

    assert ownership(account) == (munich_rep.pk, org.munich_sales.pk, org.munich.pk, org.gmbh.pk)
    (event,) = AuditEvent.objects.filter(action="create")
    assert event.actor == sales_manager
    assert event.changes["owner"] == [None, munich_rep.pk]


def test_a_manager_reassigns_a_record_with_its_scope_columns(
    org: Org, make_user: Callable[..., Any], sales_manager: Any, sales_rep: Any
) -> None:
    lead = LeadFactory(owner=sales_rep)
    key_accounts_rep = make_user(
        "sales_representative", office=org.berlin, teams=[org.berlin_key_accounts]
    )

    updated = clients.lead_update(
        actor=sales_manager, lead=lead, data={"owner_id": key_accounts_rep.pk}, expected_version=1
    )

    assert updated.version == 2
    assert ownership(lead) == (
        key_accounts_rep.pk,
        org.berlin_key_accounts.pk,
        org.berlin.pk,
        org.gmbh.pk,
    )
    event = AuditEvent.objects.get(action="update", object_id=str(lead.pk))
    assert event.changes == {
        "owner": [sales_rep.pk, key_accounts_rep.pk],
        "team": [org.berlin_sales.pk, org.berlin_key_accounts.pk],
    }


def test_assigning_to_an_inactive_user_is_a_validation_error(
    make_user: Callable[..., Any], sales_manager: Any
) -> None:
    gone = make_user("sales_representative", is_active=False)

    with pytest.raises(ValidationError) as error:
        clients.account_create(actor=sales_manager, data={"name": "A", "owner_id": gone.pk})

    assert list(error.value.message_dict) == ["owner_id"]
    assert Account.all_objects.count() == 0


def test_updating_someone_elses_record_without_write_scope(
    org: Org, make_user: Callable[..., Any], sales_rep: Any
) -> None:
    teammate_account = AccountFactory(owner=make_user("sales_representative"))
    foreign_account = AccountFactory(owner=make_user("sales_representative", office=org.moscow))

    with pytest.raises(PermissionDenied):
        clients.account_update(
            actor=sales_rep, account=teammate_account, data={"name": "X"}, expected_version=1
        )
    with pytest.raises(NotFound):
        clients.account_update(
            actor=sales_rep, account=foreign_account, data={"name": "X"}, expected_version=1
        )

    assert Account.objects.filter(name="X").count() == 0


def test_roles_that_may_not_create_are_refused(make_user: Callable[..., Any]) -> None:
    with pytest.raises(PermissionDenied):
        clients.account_create(actor=make_user("read_only"), data={"name": "A"})
    with pytest.raises(PermissionDenied):
        clients.account_create(actor=make_user("support_agent"), data={"name": "A"})
    with pytest.raises(PermissionDenied):
        clients.lead_create(actor=make_user("support_agent"), data={"company_name": "A"})

    assert Account.all_objects.count() + Lead.all_objects.count() == 0


# --- Holdings ------------------------------------------------------------------------------


def roots(*accounts: Account) -> list[int | None]:
    by_pk = dict(Account.all_objects.values_list("pk", "root_id"))
    return [by_pk[account.pk] for account in accounts]


def test_a_top_level_account_is_its_own_root(sales_rep: Any) -> None:
    account = clients.account_create(actor=sales_rep, data={"name": "Holding"})

    assert account.root_id == account.pk
    assert roots(account) == [account.pk]


def test_subsidiaries_take_the_root_of_their_holding(sales_rep: Any) -> None:
    holding = AccountFactory(owner=sales_rep)
    subsidiary = clients.account_create(
        actor=sales_rep, data={"name": "Sub", "parent_id": holding.pk}
    )
    grandchild = clients.account_create(
        actor=sales_rep, data={"name": "Sub-sub", "parent_id": subsidiary.pk}
    )

    assert roots(holding, subsidiary, grandchild) == [holding.pk, holding.pk, holding.pk]
    assert (subsidiary.parent_id, grandchild.parent_id) == (holding.pk, subsidiary.pk)


def test_moving_a_subsidiary_re_roots_everything_below_it(sales_rep: Any) -> None:
    old_holding = AccountFactory(owner=sales_rep)
    new_holding = AccountFactory(owner=sales_rep)
    sibling = AccountFactory(owner=sales_rep, parent=old_holding)
    moved = AccountFactory(owner=sales_rep, parent=old_holding)
    child = AccountFactory(owner=sales_rep, parent=moved)
    grandchild = AccountFactory(owner=sales_rep, parent=child)

    updated = clients.account_update(
        actor=sales_rep, account=moved, data={"parent_id": new_holding.pk}, expected_version=1
    )

    assert (updated.parent_id, updated.root_id, updated.version) == (
        new_holding.pk,
        new_holding.pk,
        2,
    )
    assert roots(moved, child, grandchild) == [new_holding.pk] * 3
    assert roots(old_holding, sibling, new_holding) == [
        old_holding.pk,
        old_holding.pk,
        new_holding.pk,
    ]
    event = AuditEvent.objects.get(action="update", object_id=str(moved.pk))
    assert event.changes == {"parent": [old_holding.pk, new_holding.pk]}


def test_detaching_a_subsidiary_makes_it_a_holding(sales_rep: Any) -> None:
    holding = AccountFactory(owner=sales_rep)
    subsidiary = AccountFactory(owner=sales_rep, parent=holding)
    child = AccountFactory(owner=sales_rep, parent=subsidiary)

    clients.account_update(
        actor=sales_rep, account=subsidiary, data={"parent_id": None}, expected_version=1
    )

    assert roots(holding, subsidiary, child) == [holding.pk, subsidiary.pk, subsidiary.pk]


def test_a_holding_cycle_is_refused(sales_rep: Any) -> None:
    top = AccountFactory(owner=sales_rep)
    middle = AccountFactory(owner=sales_rep, parent=top)
    bottom = AccountFactory(owner=sales_rep, parent=middle)

    for parent in (bottom, middle, top):
        with pytest.raises(ValidationError) as error:
            clients.account_update(
                actor=sales_rep, account=top, data={"parent_id": parent.pk}, expected_version=1
            )
        assert list(error.value.message_dict) == ["parent_id"]

    top.refresh_from_db()
    assert (top.parent_id, top.version) == (None, 1)
    assert roots(top, middle, bottom) == [top.pk] * 3


def test_a_parent_outside_the_scope_does_not_exist(
    org: Org, make_user: Callable[..., Any], sales_rep: Any
) -> None:
    foreign = AccountFactory(owner=make_user("sales_representative", office=org.moscow))

    with pytest.raises(ValidationError) as error:
        clients.account_create(actor=sales_rep, data={"name": "Sub", "parent_id": foreign.pk})

    assert list(error.value.message_dict) == ["parent_id"]
    assert Account.objects.filter(name="Sub").count() == 0


# --- Contacts, tags ------------------------------------------------------------------------


def test_contact_roles_set_the_primary_account(sales_rep: Any) -> None:
    former = AccountFactory(owner=sales_rep)
    current = AccountFactory(owner=sales_rep)

    contact = clients.contact_create(
        actor=sales_rep,
        data={
            "last_name": "Schmidt",
            "roles": [
                {"account_id": former.pk, "title": "Buyer", "until": "2020-01-01"},
                {"account_id": current.pk, "title": "CTO"},
            ],
        },
    )

    assert contact.account_id == current.pk
    assert Contact.objects.get(pk=contact.pk).account_id == current.pk
    assert sorted(contact.roles.values_list("account_id", "title", "is_primary")) == sorted(
        [(former.pk, "Buyer", False), (current.pk, "CTO", True)]
    )


def test_changing_contact_roles_is_one_audited_update(sales_rep: Any) -> None:
    first = AccountFactory(owner=sales_rep)
    second = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, account=first)

    updated = clients.contact_update(
        actor=sales_rep,
        contact=contact,
        data={"roles": [{"account_id": second.pk, "title": "CEO"}]},
        expected_version=1,
    )

    assert (updated.account_id, updated.version) == (second.pk, 2)
    event = AuditEvent.objects.get(action="update", object_id=str(contact.pk))
    assert event.changes == {"account": [first.pk, second.pk]}


def test_unknown_tags_are_refused(sales_rep: Any) -> None:
    tag = TagFactory()

    with pytest.raises(ValidationError) as error:
        clients.account_create(actor=sales_rep, data={"name": "A", "tag_ids": [tag.pk, 999999]})

    assert list(error.value.message_dict) == ["tag_ids"]
    account = clients.account_create(actor=sales_rep, data={"name": "A", "tag_ids": [tag.pk]})
    assert list(account.tags.all()) == [tag]


def test_a_lead_cannot_be_set_to_converted_by_hand(sales_rep: Any) -> None:
    with pytest.raises(ValidationError):
        clients.lead_create(actor=sales_rep, data={"company_name": "A", "status": "converted"})
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(ValidationError):
        clients.lead_update(
            actor=sales_rep, lead=lead, data={"status": "converted"}, expected_version=1
        )

    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW
