"""The guard: warnings, the block, and an override recorded as a decision."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from perpetuum.core.errors import PermissionDenied
from perpetuum.sales import guard as guard_registry
from perpetuum.sales import selectors, services
from perpetuum.sales.guard import GuardBlocked, Problem
from perpetuum.sales.models import Deal
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def troubled(sales_rep, make_invoice):
    """An account with an invoice 45 days overdue and an open complaint."""
    account = AccountFactory(owner=sales_rep, name="Troubled AG")
    today = timezone.localdate()
    make_invoice(
        sales_rep,
        account,
        "250.00",
        issue_date=today - datetime.timedelta(days=59),
        due_date=today - datetime.timedelta(days=45),
    )
    InteractionFactory(
        owner=sales_rep, account=account, kind="call", subject="Broken delivery", is_complaint=True
    )
    return account


def block(administrator) -> None:
    services.sales_settings_update(actor=administrator, data={"guard_mode": "block"})


def test_a_clean_account_has_no_problems(sales_rep, make_deal):
    account = AccountFactory(owner=sales_rep)
    assert not services.guard_check(sales_rep, account)


def test_warn_mode_returns_each_problem_with_a_link(sales_rep, troubled, pipeline):
    deal, guard = services.deal_create(
        actor=sales_rep, data={"name": "More", "account_id": troubled.pk}
    )
    assert deal.pk is not None
    assert guard.mode == "warn"
    assert not guard.overridden
    invoice = troubled.invoices.get()
    complaint = Interaction.objects.get(is_complaint=True)
    assert [(p.provider, p.reason, p.link, p.severity) for p in guard.problems] == [
        (
            "overdue_invoices",
            f"Invoice {invoice.number} is 45 days overdue: 250.00 EUR unpaid since "
            f"{invoice.due_date.isoformat()}.",
            f"/sales/invoices/{invoice.pk}/",
            "warning",
        ),
        (
            "open_complaints",
            f"Open complaint of {timezone.localtime(complaint.at).date().isoformat()}: "
            "Broken delivery",
            f"/accounts/{troubled.pk}/#interaction-{complaint.pk}",
            "warning",
        ),
    ]


def test_resolved_or_cancelled_complaints_and_paid_invoices_are_no_problem(sales_rep, troubled):
    from perpetuum.timeline import services as timeline_services

    complaint = Interaction.objects.get(is_complaint=True)
    timeline_services.interaction_update(
        actor=sales_rep,
        interaction=complaint,
        data={"is_resolved": True},
        expected_version=complaint.version,
    )
    invoice = troubled.invoices.get()
    services.payment_record(actor=sales_rep, invoice=invoice, data={"amount": Decimal("250.00")})
    InteractionFactory(
        owner=sales_rep, account=troubled, status="cancelled", subject="x", is_complaint=True
    )
    assert list(services.guard_check(sales_rep, troubled)) == []


def test_block_mode_refuses_without_a_reason_and_changes_nothing(
    sales_rep, administrator, troubled, pipeline
):
    block(administrator)
    deals, interactions = Deal.objects.count(), Interaction.objects.count()
    with pytest.raises(GuardBlocked) as refused:
        services.deal_create(
            actor=sales_rep,
            data={"name": "More", "account_id": troubled.pk},
            override_reason="   ",
        )
    assert refused.value.status == 409
    assert [problem["provider"] for problem in refused.value.extra["problems"]] == [
        "overdue_invoices",
        "open_complaints",
    ]
    assert (Deal.objects.count(), Interaction.objects.count()) == (deals, interactions)


def test_an_override_is_recorded_as_a_decision_with_its_reason(
    sales_rep, administrator, troubled, pipeline
):
    block(administrator)
    deal, guard = services.deal_create(
        actor=sales_rep,
        data={"name": "Service renewal", "account_id": troubled.pk},
        override_reason="The director agreed: payment plan signed",
    )
    assert guard.overridden
    decision = guard.decision
    assert (decision.kind, decision.account, decision.author, decision.reason) == (
        "decision",
        troubled,
        sales_rep,
        "The director agreed: payment plan signed",
    )
    assert decision.subject == "Guard overridden: new deal “Service renewal”"
    assert "days overdue" in decision.body
    assert "Broken delivery" in decision.body
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_a_failed_write_takes_its_override_decision_along(
    sales_rep, administrator, troubled, pipeline
):
    block(administrator)
    decisions = Interaction.objects.filter(kind="decision").count()
    with pytest.raises(ValidationError, match="at most 200 characters"):
        services.deal_create(
            actor=sales_rep,
            data={"name": "x" * 201, "account_id": troubled.pk},
            override_reason="ok",
        )
    assert Interaction.objects.filter(kind="decision").count() == decisions


def test_only_administrators_set_the_mode(sales_manager, administrator):
    with pytest.raises(PermissionDenied):
        services.sales_settings_update(actor=sales_manager, data={"guard_mode": "block"})
    assert selectors.sales_settings().guard_mode == "warn"
    block(administrator)
    assert selectors.sales_settings().guard_mode == "block"


def test_providers_are_pluggable(sales_rep):
    account = AccountFactory(owner=sales_rep)

    def tickets(checked):
        return [Problem(reason=f"Ticket open for {checked.name}", link="/t/1", severity="critical")]

    guard_registry.register_provider("tickets", tickets)
    try:
        problems = list(services.guard_check(sales_rep, account))
    finally:
        guard_registry.unregister_provider("tickets")
    assert problems == [
        Problem(
            reason=f"Ticket open for {account.name}",
            link="/t/1",
            severity="critical",
            provider="tickets",
        )
    ]
    assert "tickets" not in guard_registry.provider_names()
