"""Receivables (ageing buckets, reminders), statistics per user and per product, and the
account's sales summary with cross-sell suggestions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from perpetuum.core.errors import Conflict
from perpetuum.sales import selectors, services
from perpetuum.sales.models import Deal, DealStageChange
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, InteractionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)


def overdue_by(make_invoice, owner, account, days: int, amount: str, **kwargs):
    """An invoice `days` past its due date on TODAY."""
    due = TODAY - datetime.timedelta(days=days)
    return make_invoice(
        owner, account, amount, issue_date=due - datetime.timedelta(days=14), due_date=due, **kwargs
    )


def test_ageing_buckets_have_exact_edges(sales_rep, make_invoice):
    account = AccountFactory(owner=sales_rep, name="Late AG")
    for days, amount in [
        (0, "1000"),  # due today: not overdue
        (1, "1"),
        (30, "2"),
        (31, "4"),
        (60, "8"),
        (61, "16"),
        (90, "32"),
        (91, "64"),
        (400, "128"),
    ]:
        overdue_by(make_invoice, sales_rep, account, days, amount)
    report = selectors.debt_collection(sales_rep, on_date=TODAY)
    assert len(report.rows) == 1
    row = report.rows[0]
    assert row.buckets == {
        "0-30": Decimal("3.00"),
        "31-60": Decimal("12.00"),
        "61-90": Decimal("48.00"),
        "90+": Decimal("192.00"),
    }
    assert (row.total, row.invoices, row.days_overdue) == (Decimal("255.00"), 8, 400)
    assert (row.legal_entity_name, row.office_name, row.currency) == (
        "Perpetuum GmbH",
        "Berlin",
        "EUR",
    )
    assert report.totals == {
        "EUR": {
            "0-30": Decimal("3.00"),
            "31-60": Decimal("12.00"),
            "61-90": Decimal("48.00"),
            "90+": Decimal("192.00"),
            "total": Decimal("255.00"),
        }
    }


def test_debts_count_what_is_still_due_per_entity_office_and_currency(
    org, sales_rep, make_user, make_invoice
):
    account = AccountFactory(owner=sales_rep, name="Payer")
    partly = overdue_by(make_invoice, sales_rep, account, 10, "100")
    services.payment_record(actor=sales_rep, invoice=partly, data={"amount": Decimal("40")})
    overdue_by(make_invoice, sales_rep, account, 10, "5000", currency="RUB")
    overdue_by(make_invoice, sales_rep, account, 10, "7", legal_entity=org.gmbh, office=org.munich)
    report = selectors.debt_collection(sales_rep, on_date=TODAY)
    assert sorted((row.office_name, row.currency, row.total) for row in report.rows) == [
        ("Berlin", "EUR", Decimal("60.00")),
        ("Berlin", "RUB", Decimal("5000.00")),
        ("Munich", "EUR", Decimal("7.00")),
    ]
    munich = selectors.debt_collection(sales_rep, on_date=TODAY, office_id=org.munich.pk)
    assert [row.total for row in munich.rows] == [Decimal("7.00")]
    other = selectors.debt_collection(sales_rep, on_date=TODAY, legal_entity_id=org.ooo.pk)
    assert other.rows == []


def test_debts_follow_the_invoice_scope(org, sales_rep, make_user, make_invoice):
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    overdue_by(make_invoice, stranger, AccountFactory(owner=stranger), 5, "10")
    assert selectors.debt_collection(sales_rep, on_date=TODAY).rows == []
    assert len(selectors.debt_collection(stranger, on_date=TODAY).rows) == 1
    marketer = make_user("marketer")
    assert selectors.debt_collection(marketer, on_date=TODAY).rows == []


def test_a_reminder_task_is_created_in_one_step(sales_rep, make_invoice):
    account = AccountFactory(owner=sales_rep, name="Slow KG")
    invoice = make_invoice(
        sales_rep,
        account,
        "120.00",
        issue_date=timezone.localdate() - datetime.timedelta(days=30),
        due_date=timezone.localdate() - datetime.timedelta(days=12),
    )
    task = services.debt_reminder_create(actor=sales_rep, account=account)
    assert (task.kind, task.status, task.owner, task.account) == (
        "task",
        "planned",
        sales_rep,
        account,
    )
    assert task.subject == "Collect overdue payment: 120.00 EUR"
    assert task.body == (
        f"{invoice.number}: 120.00 EUR, due {invoice.due_date.isoformat()}, 12 days overdue"
    )
    assert task.due_at > timezone.now()
    clean = AccountFactory(owner=sales_rep)
    with pytest.raises(Conflict):
        services.debt_reminder_create(actor=sales_rep, account=clean)


def close(deal, stage, days_open: int) -> None:
    """Move `deal` to `stage` and date its history `days_open` days back from its close."""
    closed = timezone.now()
    started = closed - datetime.timedelta(days=days_open)
    Deal.objects.filter(pk=deal.pk).update(created_at=started)
    DealStageChange.objects.filter(deal=deal).update(at=started)


def test_user_statistics(org, sales_rep, make_user, make_deal, stage):
    colleague = make_user(office=org.berlin, teams=[org.berlin_sales])
    for owner, amount, days, outcome in [
        (sales_rep, "100", 10, "Won"),
        (sales_rep, "300", 20, "Won"),
        (sales_rep, "50", 5, "Lost"),
        (colleague, "70", 3, "Lost"),
    ]:
        deal = make_deal(owner, amount=Decimal(amount))
        close(deal, stage, days)
        services.deal_move_stage(actor=owner, deal=deal, stage_id=stage(outcome).pk)
    make_deal(sales_rep, amount=Decimal("999"))  # still open
    make_deal(sales_rep, amount=Decimal("5000"), currency="RUB")
    InteractionFactory(owner=sales_rep, actor=sales_rep, kind="call")
    stats = {row.user_id: row for row in selectors.user_stats(sales_rep)}
    mine = stats[sales_rep.pk]
    assert (mine.won, mine.lost, mine.win_rate) == (2, 1, Decimal("66.7"))
    assert mine.won_amounts == {"EUR": Decimal("400.00")}
    assert mine.lost_amounts == {"EUR": Decimal("50.00")}
    assert mine.average_cycle_days == Decimal("15.0")
    # The call; the system's own notes of the rep's deals are not interactions logged.
    assert Interaction.objects.filter(author=sales_rep, kind="system").count() == 8
    assert mine.interactions == 1
    theirs = stats[colleague.pk]
    assert (theirs.won, theirs.lost, theirs.win_rate, theirs.average_cycle) == (
        0,
        1,
        Decimal("0.0"),
        None,
    )


def test_user_statistics_filter_by_period_and_office(org, sales_rep, make_deal, stage):
    deal = make_deal(sales_rep)
    services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Won").pk)
    today = timezone.localdate()
    later = selectors.Period(since=today + datetime.timedelta(days=1))
    assert selectors.user_stats(sales_rep, period=later) == []
    now = selectors.Period(since=today, until=today + datetime.timedelta(days=1))
    assert [row.won for row in selectors.user_stats(sales_rep, period=now)] == [1]
    munich = selectors.user_stats(sales_rep, office_id=org.munich.pk)
    assert munich == []


def test_product_statistics(org, sales_rep, make_product, make_order):
    drill = make_product(name="Drill", cost_price=Decimal("60"))
    saw = make_product(name="Saw")
    first, second = AccountFactory(owner=sales_rep), AccountFactory(owner=sales_rep)
    make_order(
        sales_rep,
        first,
        [
            {"product": drill, "unit_price": Decimal("100"), "quantity": 2},
            {"product": saw, "unit_price": Decimal("40"), "quantity": 1},
        ],
    )
    make_order(sales_rep, second, [{"product": drill, "unit_price": Decimal("90"), "quantity": 1}])
    cancelled = make_order(
        sales_rep, second, [{"product": saw, "unit_price": Decimal("40"), "quantity": 9}]
    )
    services.order_update(
        actor=sales_rep, order=cancelled, data={"status": "cancelled"}, expected_version=None
    )
    rows = selectors.product_stats(sales_rep)
    assert [
        (row.product_name, row.quantity, row.revenue, row.margin, row.clients) for row in rows
    ] == [
        ("Drill", Decimal("3"), Decimal("290.00"), Decimal("110.00"), 2),
        ("Saw", Decimal("1"), Decimal("40.00"), None, 1),
    ]


def test_account_sales_summary(org, sales_rep, make_product, make_order, make_deal, make_invoice):
    drill, battery, case = (
        make_product(name="Drill", cost_price=Decimal("50")),
        make_product(name="Battery"),
        make_product(name="Case"),
    )
    account = AccountFactory(owner=sales_rep, name="Us")
    peers = [AccountFactory(owner=sales_rep) for _ in range(3)]
    make_order(
        sales_rep, account, [{"product": drill, "unit_price": Decimal("100"), "quantity": 1}]
    )
    for index, peer in enumerate(peers):
        lines = [{"product": drill, "unit_price": Decimal("100")}]
        lines.append({"product": battery, "unit_price": Decimal("20")})
        if index == 0:
            lines.append({"product": case, "unit_price": Decimal("10")})
        make_order(sales_rep, peer, lines)
    make_deal(sales_rep, account, amount=Decimal("500"))
    today = timezone.localdate()
    make_invoice(
        sales_rep,
        account,
        "80.00",
        issue_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=20),
    )
    paid = make_invoice(
        sales_rep,
        account,
        "10.00",
        issue_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=30),
    )
    services.payment_record(
        actor=sales_rep,
        invoice=paid,
        data={"amount": Decimal("10"), "paid_on": today - datetime.timedelta(days=26)},
    )
    summary = selectors.account_sales_summary(sales_rep, account)
    assert (summary.orders, summary.revenue, summary.margin) == (
        1,
        {"EUR": Decimal("100.00")},
        {"EUR": Decimal("50.00")},
    )
    assert summary.open_deals_count == 1
    assert summary.open_amounts == {"EUR": Decimal("500.00")}
    assert [invoice.days_overdue for invoice in summary.overdue_invoices] == [20]
    assert summary.overdue_amounts == {"EUR": Decimal("80.00")}
    assert summary.max_days_overdue == 20
    assert summary.average_payment_delay_days == Decimal("4.0")
    assert [
        (item.product_name, item.because_name, item.clients) for item in summary.cross_sell
    ] == [
        ("Battery", "Drill", 3),
        ("Case", "Drill", 1),
    ]


def test_cross_sell_leaves_out_inactive_products_and_own_purchases(
    sales_rep, make_product, make_order, admin_actor
):
    drill, retired = make_product(name="Drill"), make_product(name="Retired")
    account, peer = AccountFactory(owner=sales_rep), AccountFactory(owner=sales_rep)
    make_order(sales_rep, account, [{"product": drill, "unit_price": Decimal("1")}])
    make_order(
        sales_rep,
        peer,
        [
            {"product": drill, "unit_price": Decimal("1")},
            {"product": retired, "unit_price": Decimal("1")},
        ],
    )
    assert [item.product_name for item in selectors.cross_sell(account)] == ["Retired"]
    services.product_update(
        actor=admin_actor, product=retired, data={"is_active": False}, expected_version=None
    )
    assert selectors.cross_sell(account) == []
