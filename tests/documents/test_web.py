"""The document pages: the quote builder (htmx lines and totals, product search), sending,
the template editor's preview, downloads within the scope, CSRF on the forms."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from perpetuum.documents import services
from perpetuum.documents.models import Quote
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(sales_rep, make_product, make_price_list, org):
    pump = make_product(sku="P-200", name="Kreiselpumpe P-200", unit="Stk.", tax_rate="19")
    make_price_list(name="Liste DE", legal_entity=org.gmbh, prices={pump: "1250.00"})
    account = AccountFactory(owner=sales_rep, name="Groß & Söhne", country="DE")
    contact = ContactFactory(owner=sales_rep, account=account, emails=["j@example.com"])
    return services.quote_create(
        actor=sales_rep, data={"account_id": account.pk, "contact_id": contact.pk}
    )


def test_the_builder_adds_a_product_and_updates_totals_through_htmx(client, sales_rep, quote):
    client.force_login(sales_rep)
    page = client.get(f"/documents/quotes/{quote.pk}/")
    assert page.status_code == 200
    found = client.get(f"/documents/quotes/{quote.pk}/products/", {"q": "pumpe"})
    assert "Kreiselpumpe P-200" in found.content.decode()
    product_id = re.search(r'name="product_id" value="(\d+)"', found.content.decode())[1]

    added = client.post(
        f"/documents/quotes/{quote.pk}/lines/",
        {"product_id": product_id, "quantity": "2"},
        headers={"HX-Request": "true"},
    )

    assert added.status_code == 200
    fragment = added.content.decode()
    assert fragment.startswith('<section class="panel" id="quote-lines"')
    assert "2975.00 EUR" in fragment.replace(",", "")
    line = Quote.objects.get(pk=quote.pk).lines.get()
    changed = client.post(
        f"/documents/quotes/{quote.pk}/lines/{line.pk}/",
        {"quantity": "3", "unit_price": "1250.00", "discount_percent": "10", "tax_rate": "19"},
        headers={"HX-Request": "true"},
    )
    assert changed.status_code == 200
    assert Quote.objects.get(pk=quote.pk).gross_total == Decimal("4016.25")
    assert "4016.25" in changed.content.decode().replace(",", "")


def test_without_javascript_a_line_form_redirects_back(client, sales_rep, quote):
    client.force_login(sales_rep)

    added = client.post(
        f"/documents/quotes/{quote.pk}/lines/",
        {"description": "Fracht", "unit_price": "120,50", "quantity": "1"},
    )

    assert added.status_code == 302
    assert added["Location"] == f"/documents/quotes/{quote.pk}/"
    assert Quote.objects.get(pk=quote.pk).net_total == Decimal("120.50")


def test_the_forms_refuse_a_post_without_csrf(sales_rep, quote):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)

    refused = client.post(
        f"/documents/quotes/{quote.pk}/lines/", {"description": "X", "unit_price": "1"}
    )

    assert refused.status_code == 403
    assert Quote.objects.get(pk=quote.pk).lines.count() == 0


def test_pages_of_a_quote_outside_the_scope_are_missing(client, make_user, org, quote):
    outsider = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    client.force_login(outsider)

    assert client.get(f"/documents/quotes/{quote.pk}/").status_code == 404
    assert client.post(f"/documents/quotes/{quote.pk}/reject/").status_code == 404
    assert client.get(f"/documents/accounts/{quote.account_id}/").status_code == 404
    assert Quote.objects.get(pk=quote.pk).status == "draft"


def test_the_pdf_is_made_and_downloaded_and_hidden_from_others(
    client, sales_rep, quote, make_user, org, gmbh_letterhead
):
    client.force_login(sales_rep)
    client.post(
        f"/documents/quotes/{quote.pk}/lines/", {"description": "Wartung", "unit_price": "100"}
    )
    made = client.post(f"/documents/quotes/{quote.pk}/pdf/")
    assert made.status_code == 302
    page = client.get(f"/documents/quotes/{quote.pk}/").content.decode()
    download = re.search(r'href="(/documents/\d+/download/)"', page)[1]

    pdf = client.get(download)

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    outsider = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    client.force_login(outsider)
    assert client.get(download).status_code == 404


def test_the_template_editor_previews_in_a_sandboxed_frame(client, administrator, sales_rep):
    client.force_login(sales_rep)
    from perpetuum.documents.models import DocumentTemplate

    template = DocumentTemplate.objects.get(code="supply_agreement", language="de")
    assert client.get(f"/documents/templates/{template.pk}/").status_code == 200

    preview = client.post(
        "/documents/templates/preview/",
        {"body": template.body, "language": "de", "kind": "contract"},
        headers={"HX-Request": "true"},
    )

    html = preview.content.decode()
    assert "<iframe" in html and " sandbox " in html
    assert "Liefervertrag" in html
    refused = client.post(
        f"/documents/templates/{template.pk}/",
        {"name": "X", "code": "x", "kind": "quote", "language": "en", "body": "x"},
    )
    assert refused.status_code == 403
    bad = client.post("/documents/templates/preview/", {"body": "{% include 'web/base.html' %}"})
    assert "not valid here" in bad.content.decode()


def test_the_send_page_shows_the_guard_s_block_and_sends_with_a_reason(
    client, sales_rep, administrator, quote, make_invoice, mailoutbox, gmbh_letterhead
):
    import datetime

    from perpetuum.sales import services as sales_services

    make_invoice(
        sales_rep,
        quote.account,
        "500.00",
        issue_date=datetime.date(2020, 1, 1),
        due_date=datetime.date(2020, 1, 15),
    )
    sales_services.sales_settings_update(actor=administrator, data={"guard_mode": "block"})
    client.force_login(sales_rep)
    client.post(
        f"/documents/quotes/{quote.pk}/lines/", {"description": "Wartung", "unit_price": "100"}
    )

    blocked = client.post(f"/documents/quotes/{quote.pk}/send/", {"to": "j@example.com"})

    assert blocked.status_code == 200
    assert "overdue" in blocked.content.decode()
    assert mailoutbox == []
    sent = client.post(
        f"/documents/quotes/{quote.pk}/send/",
        {"to": "j@example.com", "override_reason": "Paid yesterday"},
    )
    assert sent.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0][2] == "application/pdf"
    assert Quote.objects.get(pk=quote.pk).status == "sent"
