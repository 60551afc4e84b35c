"""Giving a leaving user's clients to someone else."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.errors import PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.timeline.models import Interaction
from tests.conftest import Org
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory


@pytest.fixture
def book(org: Org, make_user: Callable[..., Any]) -> dict[str, Any]:
    """A leaving sales representative's clients, and a colleague's that must not move."""
    leaving = make_user("sales_representative", username="leaving")
    colleague = make_user("sales_representative", username="colleague")
    successor = make_user(
        "sales_representative",
        username="successor",
        office=org.munich,
        teams=[org.munich_sales],
    )
    accounts = [AccountFactory(owner=leaving), AccountFactory(owner=leaving)]
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    records = {
        "leaving": leaving,
        "colleague": colleague,
        "successor": successor,
        "accounts": accounts,
        "contact": ContactFactory(owner=leaving, account=accounts[0]),
        "lead": LeadFactory(owner=leaving),
        "planned": InteractionFactory(
            owner=leaving, account=accounts[0], status="planned", occurred_at=None, due_at=tomorrow
        ),
        "done": InteractionFactory(owner=leaving, account=accounts[0]),
        "cancelled": InteractionFactory(
            owner=leaving, account=accounts[1], status="cancelled", due_at=tomorrow
        ),
        "colleagues_account": AccountFactory(owner=colleague),
        "colleagues_task": InteractionFactory(
            owner=colleague,
            account=accounts[0],
            status="planned",
            occurred_at=None,
            due_at=tomorrow,
        ),
    }
    return records


def owner_and_version(record: Any) -> tuple[int | None, int]:
    record.refresh_from_db()
    return record.owner_id, record.version


@pytest.mark.django_db
def test_reassign_moves_records_and_only_planned_interactions(
    org: Org, administrator: Any, book: dict[str, Any], request_id: str
) -> None:
    leaving, successor = book["leaving"], book["successor"]
    events_before = AuditEvent.objects.count()

    counts = clients.owner_reassign(
        actor=administrator, from_user_id=leaving.pk, to_user_id=successor.pk
    )

    assert counts == {"accounts": 2, "contacts": 1, "leads": 1, "planned_interactions": 1}
    for record in [*book["accounts"], book["contact"], book["lead"], book["planned"]]:
        assert owner_and_version(record) == (successor.pk, 2)
        assert (record.team_id, record.office_id, record.legal_entity_id) == (
            org.munich_sales.pk,
            org.munich.pk,
            org.gmbh.pk,
        )
    for record in (book["done"], book["cancelled"]):
        assert owner_and_version(record) == (leaving.pk, 1)
    assert owner_and_version(book["colleagues_account"]) == (book["colleague"].pk, 1)
    assert owner_and_version(book["colleagues_task"]) == (book["colleague"].pk, 1)

    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action="reassign")
    assert (event.actor, event.request_id, event.object_type, event.object_id) == (
        administrator,
        request_id,
        "org.user",
        str(leaving.pk),
    )
    assert event.changes == {
        "owner": [leaving.pk, successor.pk],
        "accounts": [0, 2],
        "contacts": [0, 1],
        "leads": [0, 1],
        "planned_interactions": [0, 1],
    }


@pytest.mark.django_db
def test_reassign_is_refused_for_a_sales_representative(book: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        clients.owner_reassign(
            actor=book["colleague"],
            from_user_id=book["leaving"].pk,
            to_user_id=book["colleague"].pk,
        )

    leaving = book["leaving"]
    assert Account.objects.filter(owner=leaving).count() == 2
    assert Contact.objects.filter(owner=leaving).count() == 1
    assert Lead.objects.filter(owner=leaving).count() == 1
    assert Interaction.objects.filter(owner=leaving).count() == 3
    assert AuditEvent.objects.filter(action="reassign").count() == 0


@pytest.mark.django_db
def test_reassign_needs_an_active_other_user(
    make_user: Callable[..., Any], administrator: Any, book: dict[str, Any]
) -> None:
    leaving = book["leaving"]
    gone = make_user("sales_representative", is_active=False)

    for to_user_id, message_key in ((gone.pk, "to_user_id"), (leaving.pk, "to_user_id")):
        with pytest.raises(ValidationError) as error:
            clients.owner_reassign(
                actor=administrator, from_user_id=leaving.pk, to_user_id=to_user_id
            )
        assert list(error.value.message_dict) == [message_key]
    with pytest.raises(ValidationError) as error:
        clients.owner_reassign(actor=administrator, from_user_id=999999, to_user_id=gone.pk)
    assert list(error.value.message_dict) == ["from_user_id"]

    assert Account.objects.filter(owner=leaving).count() == 2
    assert AuditEvent.objects.filter(action="reassign").count() == 0


@pytest.mark.django_db
def test_reassigning_an_inactive_users_records(administrator: Any, book: dict[str, Any]) -> None:
    leaving = book["leaving"]
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])

    counts = clients.owner_reassign(
        actor=administrator, from_user_id=leaving.pk, to_user_id=book["successor"].pk
    )

    assert sum(counts.values()) == 5
    assert Account.objects.filter(owner=leaving).count() == 0
