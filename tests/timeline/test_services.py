"""The timeline: logging, planning, idempotent intake, links within the actor's scope."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from perpetuum.core.errors import Conflict, PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.timeline import services as timeline
from perpetuum.timeline.models import Interaction
from tests.conftest import Org
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def create(actor: Any, **data: Any) -> tuple[Interaction, bool]:
    return timeline.interaction_create(actor=actor, data=data)


def test_a_planned_interaction_needs_a_due_date(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)

    with pytest.raises(ValidationError) as error:
        create(sales_rep, kind="call", status="planned", account_id=account.pk)

    assert list(error.value.message_dict) == ["due_at"]
    assert Interaction.all_objects.count() == 0


def test_a_planned_interaction_sits_on_the_timeline_at_its_due_date(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    due = NOW + datetime.timedelta(days=2)

    interaction, created = create(
        sales_rep, kind="meeting", status="planned", due_at=due, account_id=account.pk
    )

    assert created is True
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.at, stored.occurred_at, stored.author, stored.owner) == (
        due,
        None,
        sales_rep,
        sales_rep,
    )


def test_a_done_interaction_without_a_time_happened_now(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    before = timezone.now()

    interaction, _ = create(sales_rep, kind="note", account_id=account.pk, body="Called back")

    assert interaction.occurred_at is not None
    assert before <= interaction.occurred_at <= timezone.now()
    assert interaction.at == interaction.occurred_at


def test_a_decision_records_its_reason(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)

    with pytest.raises(ValidationError) as error:
        create(sales_rep, kind="decision", account_id=account.pk, reason="  ")
    assert list(error.value.message_dict) == ["reason"]

    decision, _ = create(sales_rep, kind="decision", account_id=account.pk, reason="Too pricey")
    assert Interaction.objects.get().pk == decision.pk


def test_an_interaction_is_linked_to_something(sales_rep: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create(sales_rep, kind="note", occurred_at=NOW)

    assert list(error.value.message_dict) == ["account_id"]


def test_linking_a_contact_links_its_account(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, account=account)

    interaction, _ = create(sales_rep, kind="call", occurred_at=NOW, contact_id=contact.pk)

    assert (interaction.contact_id, interaction.account_id) == (contact.pk, account.pk)


def test_intake_with_an_external_id_is_idempotent(sales_rep: Any) -> None:
    lead = LeadFactory(owner=sales_rep)
    event = {
        "kind": "web_form",
        "direction": "inbound",
        "occurred_at": NOW,
        "lead_id": lead.pk,
        "source": "website",
        "external_id": "form-4711",
    }

    first, first_created = create(sales_rep, **event, subject="Demo request")
    again, again_created = create(sales_rep, **event, subject="Demo request, resent")

    assert (first_created, again_created) == (True, False)
    assert again.pk == first.pk
    assert again.subject == "Demo request"
    assert Interaction.all_objects.filter(external_id="form-4711").count() == 1
    assert AuditEvent.objects.filter(object_type="timeline.interaction").count() == 1


def test_the_same_external_id_from_another_source_is_another_event(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)

    create(sales_rep, kind="email", account_id=account.pk, source="imap", external_id="m-1")
    _, created = create(
        sales_rep, kind="chat", account_id=account.pk, source="chat", external_id="m-1"
    )

    assert created is True
    assert Interaction.objects.count() == 2


def test_an_event_in_the_recycle_bin_is_not_taken_in_again(sales_rep: Any) -> None:
    first = InteractionFactory(owner=sales_rep, source="imap", external_id="m-2")
    timeline.interaction_delete(actor=sales_rep, interaction=first)

    again, created = create(
        sales_rep, kind="email", account_id=first.account_id, source="imap", external_id="m-2"
    )

    assert (again.pk, created) == (first.pk, False)
    assert Interaction.all_objects.count() == 1


def test_an_event_taken_in_outside_the_scope_is_refused_not_handed_out(
    org: Org, make_user: Callable[..., Any], sales_rep: Any
) -> None:
    moscow_rep = make_user("sales_representative", office=org.moscow)
    InteractionFactory(owner=moscow_rep, source="imap", external_id="m-3", body="Confidential")
    account = AccountFactory(owner=sales_rep)

    with pytest.raises(Conflict):
        create(sales_rep, kind="email", account_id=account.pk, source="imap", external_id="m-3")

    assert Interaction.all_objects.count() == 1


@pytest.mark.parametrize("link", ["account_id", "contact_id", "lead_id"])
def test_linking_to_a_record_outside_the_scope_is_a_validation_error(
    org: Org, make_user: Callable[..., Any], sales_rep: Any, link: str
) -> None:
    moscow_rep = make_user("sales_representative", office=org.moscow)
    foreign = {
        "account_id": AccountFactory(owner=moscow_rep),
        "contact_id": ContactFactory(owner=moscow_rep),
        "lead_id": LeadFactory(owner=moscow_rep),
    }[link]
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        create(sales_rep, kind="note", occurred_at=NOW, **{link: foreign.pk})

    assert list(error.value.message_dict) == [link]
    assert Interaction.all_objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_a_role_without_write_scope_cannot_log(make_user: Callable[..., Any]) -> None:
    account = AccountFactory(owner=make_user("sales_representative"))

    with pytest.raises(PermissionDenied):
        create(make_user("read_only"), kind="note", account_id=account.pk)

    assert Interaction.all_objects.count() == 0


def test_completing_a_planned_interaction(sales_rep: Any) -> None:
    task = InteractionFactory(
        owner=sales_rep,
        kind="task",
        status="planned",
        occurred_at=None,
        due_at=NOW + datetime.timedelta(days=1),
    )

    done = timeline.interaction_update(
        actor=sales_rep, interaction=task, data={"status": "done"}, expected_version=1
    )

    assert (done.status, done.version) == ("done", 2)
    assert done.occurred_at is not None
    assert done.at == done.occurred_at
    event = AuditEvent.objects.get(action="update", object_id=str(task.pk))
    assert sorted(event.changes) == ["status"]


def test_relinking_an_interaction_to_another_account(sales_rep: Any) -> None:
    interaction = InteractionFactory(owner=sales_rep)
    other = AccountFactory(owner=sales_rep)
    old_account_id = interaction.account_id

    updated = timeline.interaction_update(
        actor=sales_rep, interaction=interaction, data={"account_id": other.pk}, expected_version=1
    )

    assert (updated.account_id, updated.version) == (other.pk, 2)
    assert Interaction.objects.get(pk=interaction.pk).account_id == other.pk
    event = AuditEvent.objects.get(action="update", object_id=str(interaction.pk))
    assert event.changes == {"account": [old_account_id, other.pk]}


def test_deleting_and_restoring_an_interaction(sales_rep: Any) -> None:
    interaction = InteractionFactory(owner=sales_rep)

    timeline.interaction_delete(actor=sales_rep, interaction=interaction, expected_version=1)
    assert Interaction.objects.count() == 0
    timeline.interaction_restore(actor=sales_rep, interaction=interaction)

    assert Interaction.objects.get().version == 3
    assert list(
        AuditEvent.objects.filter(object_id=str(interaction.pk), object_type="timeline.interaction")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "delete", "restore"]
