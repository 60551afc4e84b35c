"""Deals: creation, stage changes kept with their time, cycle length, the timeline, the audit
trail, access scope and the board."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from perpetuum.core.errors import NotFound, PermissionDenied, VersionConflict
from perpetuum.core.filters import ListFilters
from perpetuum.core.models import AuditEvent
from perpetuum.sales import selectors, services
from perpetuum.sales.models import Deal, DealStageChange
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def events_since(count: int) -> list[tuple[str, str]]:
    """The (action, object type) of the audit events written after the first `count`."""
    return list(AuditEvent.objects.order_by("id").values_list("action", "object_type"))[count:]


def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability(
    sales_rep, make_deal, stage
):
    account = AccountFactory(owner=sales_rep, name="ACME")
    contact = ContactFactory(owner=sales_rep, account=account)
    deal = make_deal(sales_rep, account, name="ACME drills", contact_ids=[contact.pk])
    assert deal.stage == stage("Lead")
    assert (deal.probability, deal.status, deal.closed_at) == (10, "open", None)
    assert (deal.owner, deal.office, deal.legal_entity) == (
        sales_rep,
        sales_rep.office,
        sales_rep.legal_entity,
    )
    assert list(deal.contacts.all()) == [contact]
    change = DealStageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.actor) == (None, stage("Lead"), sales_rep)
    note = Interaction.objects.get(deal=deal)
    assert (note.kind, note.account, note.subject) == (
        "system",
        account,
        "Deal opened: ACME drills, 1000.00 EUR, Lead",
    )


def test_creating_a_deal_writes_one_audit_event_per_record(sales_rep, pipeline):
    account = AccountFactory(owner=sales_rep)
    before = AuditEvent.objects.count()
    _deal, guard = services.deal_create(
        actor=sales_rep,
        data={"name": "One", "account_id": account.pk, "amount": Decimal("5"), "currency": "EUR"},
    )
    assert not guard
    assert events_since(before) == [("create", "sales.deal"), ("create", "timeline.interaction")]
    event = AuditEvent.objects.get(object_type="sales.deal")
    assert event.changes["amount"] == [None, "5.00"]
    assert event.actor == sales_rep


def test_a_probability_given_overrides_the_stage_default(sales_rep, make_deal):
    deal = make_deal(sales_rep, probability=35)
    assert deal.probability == 35


def test_amounts_are_rounded_to_the_currency(sales_rep, make_deal):
    assert make_deal(sales_rep, amount=Decimal("10.005")).amount == Decimal("10.01")
    assert make_deal(sales_rep, amount=Decimal("10.5"), currency="JPY").amount == Decimal("11")
    with pytest.raises(TypeError):
        make_deal(sales_rep, amount=10.5)


def test_the_account_must_be_in_the_actors_scope(sales_rep, make_user, org, make_deal):
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    hidden = AccountFactory(owner=stranger)
    with pytest.raises(ValidationError, match="no such account"):
        make_deal(sales_rep, hidden)
    assert Deal.objects.count() == 0


def test_every_stage_change_is_kept_and_gives_time_in_stage(sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    start = timezone.now()
    DealStageChange.objects.filter(deal=deal).update(at=start - datetime.timedelta(days=10))
    Deal.objects.filter(pk=deal.pk).update(created_at=start - datetime.timedelta(days=10))
    deal = services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Proposal").pk)
    DealStageChange.objects.filter(deal=deal, to_stage=stage("Proposal")).update(
        at=start - datetime.timedelta(days=4)
    )
    won = services.deal_move_stage(
        actor=sales_rep, deal=deal, stage_id=stage("Won").pk, expected_version=deal.version
    )
    assert (won.status, won.probability) == ("won", 100)
    assert won.closed_at is not None
    history = selectors.deal_stage_history(sales_rep, won)
    assert [span.stage_name for span in history] == ["Lead", "Proposal", "Won"]
    assert history[0].duration == datetime.timedelta(days=6)
    assert history[1].left_at == won.closed_at
    assert history[2].left_at is None
    cycle = selectors.deal_cycle_length(won)
    assert datetime.timedelta(days=10) <= cycle < datetime.timedelta(days=10, minutes=1)
    subjects = list(
        Interaction.objects.filter(deal=deal).order_by("pk").values_list("subject", flat=True)
    )
    name = f"Deal with {deal.account.name}"
    assert subjects == [
        f"Deal opened: {name}, 1000.00 EUR, Lead",
        f"Deal moved: {name}, Lead → Proposal",
        f"Deal won: {name}, 1000.00 EUR",
    ]


def test_a_lost_deal_keeps_its_reason_and_reopening_clears_the_close(sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    lost = services.deal_move_stage(
        actor=sales_rep, deal=deal, stage_id=stage("Lost").pk, lost_reason="Too expensive"
    )
    assert (lost.status, lost.lost_reason, lost.probability) == ("lost", "Too expensive", 0)
    note = Interaction.objects.filter(deal=deal).order_by("-pk").first()
    assert note.subject.startswith("Deal lost:")
    assert note.body == "Too expensive"
    reopened = services.deal_move_stage(actor=sales_rep, deal=lost, stage_id=stage("Lead").pk)
    assert (reopened.status, reopened.closed_at) == ("open", None)
    assert DealStageChange.objects.filter(deal=deal).count() == 3


def test_moving_to_the_same_stage_changes_nothing(sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    count = AuditEvent.objects.count()
    same = services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Lead").pk)
    assert same.version == deal.version
    assert AuditEvent.objects.count() == count
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_a_move_from_a_stale_version_is_refused(sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    services.deal_update(actor=sales_rep, deal=deal, data={"name": "Renamed"}, expected_version=1)
    with pytest.raises(VersionConflict):
        services.deal_move_stage(
            actor=sales_rep, deal=deal, stage_id=stage("Proposal").pk, expected_version=1
        )
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_a_move_audits_the_stage_once(sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    count = AuditEvent.objects.count()
    services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Proposal").pk)
    assert events_since(count) == [("update", "sales.deal"), ("create", "timeline.interaction")]
    event = AuditEvent.objects.filter(object_type="sales.deal").order_by("-id").first()
    assert event.changes["stage"] == [stage("Lead").pk, stage("Proposal").pk]
    assert event.changes["probability"] == [10, 50]


def test_update_allows_only_its_fields_and_rounds(sales_rep, make_deal):
    deal = make_deal(sales_rep)
    updated = services.deal_update(
        actor=sales_rep,
        deal=deal,
        data={"amount": Decimal("99.999"), "expected_close_date": datetime.date(2025, 6, 30)},
        expected_version=deal.version,
    )
    assert updated.amount == Decimal("100.00")
    assert updated.version == deal.version + 1
    with pytest.raises(ValueError, match="not allowed"):
        services.deal_update(
            actor=sales_rep, deal=updated, data={"status": "won"}, expected_version=None
        )


def test_delete_and_restore(sales_rep, make_deal):
    deal = make_deal(sales_rep)
    services.deal_delete(actor=sales_rep, deal=deal)
    with pytest.raises(NotFound):
        selectors.deal_get(sales_rep, deal.pk)
    restored = services.deal_restore(
        actor=sales_rep, deal=selectors.deal_get(sales_rep, deal.pk, deleted=True)
    )
    assert restored.deleted_at is None


def test_scope_a_teammate_reads_but_does_not_write(sales_rep, make_user, org, make_deal, stage):
    teammate = make_user(office=org.berlin, teams=[org.berlin_sales])
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    deal = make_deal(teammate)
    assert selectors.deal_get(sales_rep, deal.pk) == deal
    with pytest.raises(PermissionDenied):
        services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Proposal").pk)
    with pytest.raises(NotFound):
        selectors.deal_get(stranger, deal.pk)
    with pytest.raises(NotFound):
        services.deal_move_stage(actor=stranger, deal=deal, stage_id=stage("Proposal").pk)


def test_a_support_agent_may_not_open_deals(make_user):
    agent = make_user("support_agent")
    account = AccountFactory(owner=agent)
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=agent, data={"name": "No", "account_id": account.pk})


def test_the_serving_entity_and_office_may_differ_from_the_owners(sales_rep, org, make_deal):
    deal = make_deal(sales_rep, legal_entity_id=org.ooo.pk, office_id=org.moscow.pk)
    assert (deal.legal_entity, deal.office) == (org.ooo, org.moscow)
    with pytest.raises(ValidationError, match="another legal entity"):
        make_deal(sales_rep, legal_entity_id=org.gmbh.pk, office_id=org.moscow.pk)


def test_the_board_shows_every_stage_with_counts_and_sums(sales_rep, make_deal, stage, pipeline):
    for amount in ("100", "200"):
        make_deal(sales_rep, amount=Decimal(amount))
    make_deal(sales_rep, amount=Decimal("5000"), currency="RUB")
    proposal = make_deal(sales_rep, amount=Decimal("300"))
    services.deal_move_stage(actor=sales_rep, deal=proposal, stage_id=stage("Proposal").pk)
    board = selectors.deal_board(sales_rep, pipeline)
    columns = {column.stage.name: column for column in board.columns}
    assert list(columns) == ["Lead", "Proposal", "Won", "Lost"]
    assert columns["Lead"].count == 3
    assert columns["Lead"].totals == {"EUR": Decimal("300.00"), "RUB": Decimal("5000.00")}
    assert [deal.pk for deal in columns["Proposal"].deals] == [proposal.pk]
    assert columns["Won"].deals == []


def test_the_board_shows_a_bounded_number_of_cards(sales_rep, make_deal, pipeline):
    for _ in range(4):
        make_deal(sales_rep)
    board = selectors.deal_board(sales_rep, pipeline, per_stage=3)
    lead = board.columns[0]
    assert (lead.count, len(lead.deals), lead.hidden) == (4, 3, 1)


def test_the_list_filters_by_pipeline_stage_and_text(sales_rep, make_deal, stage):
    make_deal(sales_rep, name="Alpha drills")
    beta = make_deal(sales_rep, name="Beta saws")
    services.deal_move_stage(actor=sales_rep, deal=beta, stage_id=stage("Proposal").pk)
    page = selectors.deal_list(sales_rep, ListFilters(q="saws"))
    assert [deal.name for deal in page.items] == ["Beta saws"]
    page = selectors.deal_list(sales_rep, ListFilters(extra={"stage_id": stage("Lead").pk}))
    assert [deal.name for deal in page.items] == ["Alpha drills"]


def test_interactions_link_to_deals_in_scope(sales_rep, make_deal, make_user, org):
    from perpetuum.timeline import services as timeline_services

    deal = make_deal(sales_rep)
    interaction, _created = timeline_services.interaction_create(
        actor=sales_rep, data={"kind": "call", "subject": "Called", "deal_id": deal.pk}
    )
    assert (interaction.deal, interaction.account) == (deal, deal.account)
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    with pytest.raises(ValidationError, match="no such deal"):
        timeline_services.interaction_create(
            actor=stranger, data={"kind": "call", "subject": "x", "deal_id": deal.pk}
        )
    page = selectors.deal_timeline(sales_rep, deal)
    assert page.items[0].subject == "Called"
