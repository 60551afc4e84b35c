"""An issued invoice of the sales app as a PDF from the invoice template."""

from __future__ import annotations

import datetime

import pytest

from perpetuum.core.errors import Conflict
from perpetuum.documents import services
from perpetuum.documents.tasks import expire_quotes
from perpetuum.sales import services as sales_services
from tests.documents.conftest import pdf_text
from tests.documents.pdf_checks import captured_contexts, filled_values
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_an_issued_invoice_prints_with_its_number_due_date_and_bank_details(
    sales_rep, make_invoice, gmbh_letterhead
):
    account = AccountFactory(owner=sales_rep, name="Groß & Söhne", country="DE")
    invoice = make_invoice(
        sales_rep,
        account,
        "1234.56",
        issue_date=datetime.date(2026, 3, 2),
        due_date=datetime.date(2026, 3, 16),
    )

    with captured_contexts() as rendered:
        document, pdf = services.invoice_render(actor=sales_rep, invoice_id=invoice.pk)

    ((body, context),) = rendered
    values = filled_values(body, context)
    assert {invoice.number, "16. März 2026", "1.234,56 EUR"} <= values
    text = pdf_text(pdf)
    assert sorted(value for value in values if value not in text) == []
    assert "IBAN: DE02100500000054540402" in text
    assert (document.kind, document.source_type, document.source_id) == (
        "invoice",
        "sales.invoice",
        invoice.pk,
    )


def test_a_draft_invoice_is_not_printed(sales_rep):
    account = AccountFactory(owner=sales_rep)
    draft = sales_services.invoice_create(
        actor=sales_rep,
        data={
            "account_id": account.pk,
            "currency": "EUR",
            "lines": [{"description": "Service", "unit_price": "10", "quantity": 1}],
        },
    )

    with pytest.raises(Conflict):
        services.invoice_render(actor=sales_rep, invoice_id=draft.pk)


def test_the_expiry_task_runs_twice_safely(sales_rep):
    account = AccountFactory(owner=sales_rep)
    services.quote_create(
        actor=sales_rep, data={"account_id": account.pk, "valid_until": datetime.date(2020, 1, 1)}
    )

    assert expire_quotes.call() == 1
    assert expire_quotes.call() == 0
