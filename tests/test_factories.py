"""The factories store what the services would: derived columns and ownership are right."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from perpetuum.core.models import AuditEvent
from tests.conftest import Org
from tests.factories import (
    FACTORY_ACTOR_USERNAME,
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_user_factory_sets_role_office_entity_and_teams(org: Org) -> None:
    user = UserFactory(role="marketer", office=org.moscow, teams=[org.moscow_sales])

    assert (user.role.code, user.office, user.legal_entity) == ("marketer", org.moscow, org.ooo)
    assert list(user.teams.all()) == [org.moscow_sales]
    assert user.check_password("password") is True
    assert UserFactory(role=None).role is None


def test_make_user_defaults_to_berlin_sales(org: Org, make_user: Any) -> None:
    user = make_user("executive")

    assert (user.role.code, user.office, user.legal_entity) == ("executive", org.berlin, org.gmbh)
    assert list(user.teams.all()) == [org.berlin_sales]
    assert list(make_user(office=org.munich).teams.all()) == []


def test_client_factories_derive_columns_like_the_services(org: Org, sales_rep: Any) -> None:
    tag = TagFactory()
    holding = AccountFactory(owner=sales_rep, emails=["Info@Holding.example"], tags=[tag])
    subsidiary = AccountFactory(owner=sales_rep, parent=holding)
    contact = ContactFactory(
        owner=sales_rep,
        first_name="Anna",
        last_name="Schmidt",
        phones=["030 1234567"],
        account=subsidiary,
    )
    lead = LeadFactory(owner=sales_rep, first_name="Lena", last_name="Meyer")
    due = timezone.now() + datetime.timedelta(days=1)
    task = InteractionFactory(
        owner=sales_rep,
        contact=contact,
        account=None,
        status="planned",
        occurred_at=None,
        due_at=due,
    )

    assert (holding.root_id, subsidiary.root_id) == (holding.pk, holding.pk)
    assert (holding.email, list(holding.tags.all())) == ("info@holding.example", [tag])
    assert (contact.full_name, contact.phone, contact.account) == (
        "Anna Schmidt",
        "+49301234567",
        subsidiary,
    )
    assert lead.full_name == "Lena Meyer"
    assert (task.at, task.account_id, task.author.username) == (
        due,
        subsidiary.pk,
        FACTORY_ACTOR_USERNAME,
    )
    for record in (holding, subsidiary, contact, lead, task):
        assert (record.owner, record.team, record.office, record.legal_entity) == (
            sales_rep,
            org.berlin_sales,
            org.berlin,
            org.gmbh,
        )
    assert AuditEvent.objects.filter(action="create").count() == 5


def test_client_factories_create_as_the_given_actor(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep, actor=sales_rep)

    event = AuditEvent.objects.get(object_id=str(account.pk))
    assert event.actor == sales_rep


def test_interaction_factory_makes_an_account_of_the_same_owner(sales_rep: Any) -> None:
    interaction = InteractionFactory(owner=sales_rep)

    assert interaction.account.owner == sales_rep
