"""Orders, invoices and payments: lines and totals, numbers without gaps per legal entity
and year (also under concurrency), payments and the statuses they lead to."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from perpetuum.core.errors import Conflict
from perpetuum.core.models import AuditEvent
from perpetuum.sales import selectors, services
from perpetuum.sales.models import Invoice, NumberSeries, Order
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 15)


@pytest.fixture
def account(sales_rep):
    return AccountFactory(owner=sales_rep, name="Buyer GmbH")


def test_an_order_from_lines_prices_taxes_and_totals_them(
    org, sales_rep, account, make_product, make_price_list, make_deal
):
    drill = make_product(name="Drill", tax_rate=Decimal("19"), cost_price=Decimal("60"))
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    deal = make_deal(sales_rep, account)
    order = services.order_create_from_lines(
        actor=sales_rep,
        account=account,
        deal=deal,
        currency="EUR",
        order_date=DAY,
        source="quote",
        reference="Q-7",
        lines=[
            {"product": drill, "quantity": Decimal("3"), "discount_percent": Decimal("10")},
            {"description": "Delivery", "unit_price": Decimal("25"), "tax_rate": Decimal("7")},
        ],
    )
    assert order.number == "ORD-2025-00001"
    assert (order.legal_entity, order.office, order.status) == (org.gmbh, org.berlin, "confirmed")
    lines = list(order.lines.order_by("position"))
    assert [(line.description, line.net_amount, line.tax_amount) for line in lines] == [
        ("Drill", Decimal("270.00"), Decimal("51.30")),
        ("Delivery", Decimal("25.00"), Decimal("1.75")),
    ]
    assert (lines[0].unit_price, lines[0].unit_cost, lines[0].unit) == (
        Decimal("100"),
        Decimal("60"),
        "pcs",
    )
    assert (order.net_total, order.tax_total, order.gross_total) == (
        Decimal("295.00"),
        Decimal("53.05"),
        Decimal("348.05"),
    )
    note = Interaction.objects.filter(account=account).order_by("-pk").first()
    assert (note.subject, note.deal) == ("Order ORD-2025-00001: 348.05 EUR", deal)


def test_a_line_without_a_price_is_refused(sales_rep, account, make_product):
    unpriced = make_product(name="Unpriced")
    with pytest.raises(ValidationError) as refused:
        services.order_create_from_lines(
            actor=sales_rep, account=account, currency="EUR", lines=[{"product": unpriced}]
        )
    assert "lines.0.unit_price" in refused.value.message_dict
    assert Order.objects.count() == 0


def test_an_invoice_from_an_order_copies_it_and_is_numbered_when_issued(org, sales_rep, account):
    order = services.order_create_from_lines(
        actor=sales_rep,
        account=account,
        currency="EUR",
        lines=[{"description": "Consulting", "unit_price": Decimal("1000"), "tax_rate": 19}],
    )
    draft = services.invoice_create_from_order(actor=sales_rep, order=order)
    assert (draft.number, draft.status, draft.gross_total) == ("", "draft", Decimal("1190.00"))
    assert [line.description for line in draft.lines.all()] == ["Consulting"]
    with pytest.raises(Conflict, match="invoiced already"):
        services.invoice_create_from_order(actor=sales_rep, order=order)
    issued = services.invoice_issue(actor=sales_rep, invoice=draft, issue_date=DAY)
    assert (issued.number, issued.status, issued.issue_date, issued.due_date) == (
        "INV-2025-00001",
        "issued",
        DAY,
        DAY + datetime.timedelta(days=14),
    )
    with pytest.raises(Conflict, match="Only a draft"):
        services.invoice_issue(actor=sales_rep, invoice=issued)


def test_numbers_run_per_legal_entity_and_year_without_gaps(
    org, sales_rep, make_user, account, make_invoice
):
    moscow_rep = make_user(office=org.moscow, teams=[org.moscow_sales])
    moscow_account = AccountFactory(owner=moscow_rep)

    def issue(owner, client, day):
        return make_invoice(owner, client, issue_date=day).number

    numbers = [
        issue(sales_rep, account, datetime.date(2024, 12, 30)),
        issue(sales_rep, account, datetime.date(2025, 1, 2)),
        issue(moscow_rep, moscow_account, datetime.date(2025, 1, 3)),
        issue(sales_rep, account, datetime.date(2025, 1, 4)),
    ]
    assert numbers == ["INV-2024-00001", "INV-2025-00001", "INV-2025-00001", "INV-2025-00002"]
    assert set(Invoice.objects.values_list("legal_entity", "number")) == {
        (org.gmbh.pk, "INV-2024-00001"),
        (org.gmbh.pk, "INV-2025-00001"),
        (org.ooo.pk, "INV-2025-00001"),
        (org.gmbh.pk, "INV-2025-00002"),
    }


def test_a_failed_issue_gives_its_number_back(org, sales_rep, account, make_invoice):
    make_invoice(sales_rep, account, issue_date=DAY)
    draft = services.invoice_create(
        actor=sales_rep,
        data={
            "account_id": account.pk,
            "currency": "EUR",
            "due_date": DAY - datetime.timedelta(days=1),
            "lines": [{"description": "x", "unit_price": Decimal("1")}],
        },
    )
    with pytest.raises(ValidationError, match="before the issue date"):
        services.invoice_issue(actor=sales_rep, invoice=draft, issue_date=DAY)
    series = NumberSeries.objects.get(legal_entity=org.gmbh, kind="invoice", year=2025)
    assert series.last_number == 1
    assert make_invoice(sales_rep, account, issue_date=DAY).number == "INV-2025-00002"


def test_a_series_keeps_its_prefix_into_the_next_year(org, sales_rep, account, make_invoice):
    make_invoice(sales_rep, account, issue_date=datetime.date(2024, 5, 1))
    NumberSeries.objects.filter(legal_entity=org.gmbh, kind="invoice").update(prefix="RE-")
    assert make_invoice(sales_rep, account, issue_date=DAY).number == "RE-2025-00001"


def test_partial_payments_move_the_invoice_to_partly_paid_then_paid(
    sales_rep, account, make_invoice
):
    invoice = make_invoice(sales_rep, account, "100.00", issue_date=DAY)
    first = services.payment_record(
        actor=sales_rep,
        invoice=invoice,
        data={"amount": Decimal("30.00"), "paid_on": DAY, "method": "card"},
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total, invoice.outstanding) == (
        "partly_paid",
        Decimal("30.00"),
        Decimal("70.00"),
    )
    with pytest.raises(ValidationError, match=r"Only 70\.00 EUR is due"):
        services.payment_record(actor=sales_rep, invoice=invoice, data={"amount": Decimal("70.01")})
    with pytest.raises(ValidationError, match="whole EUR"):
        services.payment_record(actor=sales_rep, invoice=invoice, data={"amount": Decimal("1.001")})
    services.payment_record(
        actor=sales_rep,
        invoice=invoice,
        data={"amount": Decimal("70.00"), "paid_on": DAY + datetime.timedelta(days=3)},
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total, invoice.paid_on) == (
        "paid",
        Decimal("100.00"),
        DAY + datetime.timedelta(days=3),
    )
    with pytest.raises(Conflict):
        services.payment_record(actor=sales_rep, invoice=invoice, data={"amount": Decimal("1")})
    services.payment_delete(actor=sales_rep, payment=first)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total, invoice.paid_on) == (
        "partly_paid",
        Decimal("70.00"),
        None,
    )


def test_a_payment_writes_its_record_the_invoice_and_the_timeline(sales_rep, account, make_invoice):
    invoice = make_invoice(sales_rep, account, "100.00", issue_date=DAY)
    count = AuditEvent.objects.count()
    services.payment_record(actor=sales_rep, invoice=invoice, data={"amount": Decimal("40")})
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_type")[count:]) == [
        ("create", "sales.payment"),
        ("update", "sales.invoice"),
        ("create", "timeline.interaction"),
    ]
    note = Interaction.objects.order_by("-pk").first()
    assert note.subject == f"Payment of 40.00 EUR for {invoice.number}; 60.00 EUR still due"


def test_cancel_and_delete_keep_the_series_whole(sales_rep, account, make_invoice):
    issued = make_invoice(sales_rep, account, issue_date=DAY)
    with pytest.raises(Conflict, match="cancelled, not deleted"):
        services.invoice_delete(actor=sales_rep, invoice=issued)
    cancelled = services.invoice_cancel(actor=sales_rep, invoice=issued, reason="Wrong address")
    assert (cancelled.status, cancelled.number) == ("cancelled", issued.number)
    paid = make_invoice(sales_rep, account, issue_date=DAY)
    services.payment_record(actor=sales_rep, invoice=paid, data={"amount": Decimal("1")})
    with pytest.raises(Conflict):
        services.invoice_cancel(actor=sales_rep, invoice=paid)


def test_order_statuses_follow_their_transitions(sales_rep, account):
    order = services.order_create_from_lines(
        actor=sales_rep,
        account=account,
        currency="EUR",
        lines=[{"description": "x", "unit_price": Decimal("10")}],
        status="draft",
    )
    with pytest.raises(Conflict):
        services.order_update(
            actor=sales_rep, order=order, data={"status": "fulfilled"}, expected_version=None
        )
    confirmed = services.order_update(
        actor=sales_rep, order=order, data={"status": "confirmed"}, expected_version=1
    )
    replaced = services.order_update(
        actor=sales_rep,
        order=confirmed,
        data={"lines": [{"description": "y", "unit_price": Decimal("20"), "quantity": 2}]},
        expected_version=confirmed.version,
    )
    assert (replaced.net_total, replaced.lines.get().description) == (Decimal("40.00"), "y")


def test_an_order_needs_a_legal_entity(account, sales_rep):
    nowhere = UserFactory(role="sales_representative", office=None, legal_entity=None)
    client = AccountFactory(owner=nowhere)
    with pytest.raises(ValidationError, match="legal entity"):
        services.order_create_from_lines(
            actor=nowhere,
            account=client,
            currency="EUR",
            lines=[{"description": "x", "unit_price": Decimal("1")}],
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_take_distinct_numbers_without_gaps(default_roles, org, sales_rep):
    """Eight threads issue eight drafts of one legal entity at once."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    account = AccountFactory(owner=sales_rep)
    drafts = [
        services.invoice_create(
            actor=sales_rep,
            data={
                "account_id": account.pk,
                "currency": "EUR",
                "lines": [{"description": "x", "unit_price": Decimal("1")}],
            },
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def issue(draft: Invoice) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.invoice_issue(actor=sales_rep, invoice=draft, issue_date=DAY)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2025-{n:05d}" for n in range(1, 9)]


def test_overdue_invoices_of_an_account(sales_rep, account, make_invoice):
    today = DAY
    late = make_invoice(
        sales_rep,
        account,
        issue_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=10),
    )
    make_invoice(sales_rep, account, issue_date=today, due_date=today)
    overdue = selectors.overdue_invoices(sales_rep, account=account, on_date=today)
    assert [(invoice.pk, invoice.days_overdue) for invoice in overdue] == [(late.pk, 10)]
