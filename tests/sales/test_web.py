"""The sales pages: each renders for a user, moves and payments go through the services,
the guard shows its reasons with links, out-of-scope deals are 404, POSTs need the CSRF
token, and the deal list and the board answer in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from perpetuum.sales import services
from perpetuum.sales.models import Deal, DealStageChange, Invoice
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, sales_rep):
    client.force_login(sales_rep)
    return client


def page_text(response) -> str:
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def test_every_sales_page_renders(
    org, sales_rep, rep_client, make_deal, make_product, make_price_list, make_invoice, admin_actor
):
    drill = make_product(name="Drill 800", attributes={"Power": "800 W"})
    saw = make_product(name="Saw 5", attributes={"Power": "1200 W"})
    services.option_create(
        actor=admin_actor, product=drill, data={"name": "Carry case", "price_delta": "15"}
    )
    make_price_list({drill: "100.00", saw: "80.00"}, legal_entity=org.gmbh)
    account = AccountFactory(owner=sales_rep, name="Kunde GmbH")
    deal = make_deal(sales_rep, account, name="Drills for Kunde")
    order = services.order_create_from_lines(
        actor=sales_rep, account=account, currency="EUR", lines=[{"product": drill}]
    )
    invoice = make_invoice(
        sales_rep,
        account,
        "50.00",
        issue_date=timezone.localdate() - datetime.timedelta(days=40),
        due_date=timezone.localdate() - datetime.timedelta(days=35),
    )
    pages = {
        "/sales/products/": "Drill 800",
        "/sales/products/?q=saw": "Saw 5",
        f"/sales/products/{drill.pk}/": "Carry case",
        f"/sales/products/compare/?ids={drill.pk}&ids={saw.pk}": "1200 W",
        "/sales/deals/": "Drills for Kunde",
        "/sales/board/": "Drills for Kunde",
        f"/sales/deals/{deal.pk}/": "Drills for Kunde",
        f"/sales/deals/{deal.pk}/edit/": "Drills for Kunde",
        f"/sales/deals/new/?account={account.pk}": "Kunde GmbH",
        "/sales/orders/": order.number,
        "/sales/orders/new/": "Lines",
        f"/sales/orders/{order.pk}/": "Make the invoice",
        "/sales/invoices/?overdue=1": invoice.number,
        f"/sales/invoices/{invoice.pk}/": "Record a payment",
        "/sales/debts/": "Kunde GmbH",
        "/sales/stats/": "Per salesperson",
        "/sales/settings/": "The guard",
        f"/sales/accounts/{account.pk}/panel/": invoice.number,
    }
    for url, expected in pages.items():
        assert expected in page_text(rep_client.get(url)), url


def test_the_product_page_prices_a_configuration(
    org, rep_client, make_product, make_price_list, admin_actor
):
    drill = make_product(name="Drill")
    case = services.option_create(
        actor=admin_actor, product=drill, data={"name": "Case", "price_delta": "15"}
    )
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    text = page_text(
        rep_client.get(
            f"/sales/products/{drill.pk}/",
            {"option": case.pk, "quantity": "2"},
            headers={"HX-Request": "true", "HX-Target": "configuration"},
        )
    )
    assert text.lstrip().startswith('<div id="configuration"')
    assert "230.00\u00a0EUR" in text
    assert "valid since" in text


def test_a_move_from_the_board_returns_the_board(sales_rep, rep_client, make_deal, stage, pipeline):
    deal = make_deal(sales_rep, name="Moving deal")
    response = rep_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"stage_id": stage("Proposal").pk, "version": deal.version, "board": "1"},
        headers={"HX-Request": "true"},
    )
    text = page_text(response)
    assert text.startswith('<div id="board"')
    assert "“Moving deal” is now in Proposal." in text
    deal.refresh_from_db()
    assert deal.stage == stage("Proposal")
    stale = rep_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"stage_id": stage("Won").pk, "version": 1, "board": "1"},
        headers={"HX-Request": "true"},
    )
    assert "was changed by someone else" in page_text(stale)
    deal.refresh_from_db()
    assert deal.stage == stage("Proposal")


def test_a_move_without_javascript_redirects(sales_rep, rep_client, make_deal, stage):
    deal = make_deal(sales_rep)
    response = rep_client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"stage_id": stage("Lost").pk, "version": deal.version, "lost_reason": "Budget"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/sales/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == ("lost", "Budget")


def test_new_deal_shows_the_guards_warning_with_links(
    sales_rep, rep_client, pipeline, make_invoice
):
    account = AccountFactory(owner=sales_rep, name="Slow AG")
    invoice = make_invoice(
        sales_rep,
        account,
        issue_date=timezone.localdate() - datetime.timedelta(days=30),
        due_date=timezone.localdate() - datetime.timedelta(days=5),
    )
    form = page_text(rep_client.get(f"/sales/deals/new/?account={account.pk}"))
    assert "Slow AG has unresolved problems" in form
    assert f'href="/sales/invoices/{invoice.pk}/"' in form
    fragment = page_text(rep_client.get(f"/sales/deals/guard/?account={account.pk}"))
    assert "5 days overdue" in fragment
    response = rep_client.post(
        "/sales/deals/new/",
        {"name": "Another", "account": account.pk, "amount": "100", "currency": "EUR"},
    )
    deal = Deal.objects.get(name="Another")
    assert response["Location"] == f"/sales/deals/{deal.pk}/?warned=1"
    card = page_text(rep_client.get(response["Location"]))
    assert "5 days overdue" in card


def test_a_blocked_deal_needs_a_reason_in_the_form(sales_rep, rep_client, administrator, pipeline):
    services.sales_settings_update(actor=administrator, data={"guard_mode": "block"})
    account = AccountFactory(owner=sales_rep, name="Angry GmbH")
    InteractionFactory(owner=sales_rep, account=account, subject="Late delivery", is_complaint=True)
    body = {"name": "Upsell", "account": account.pk, "amount": "10", "currency": "EUR"}
    refused = page_text(rep_client.post("/sales/deals/new/", body))
    assert "The guard blocks a new deal for this client" in refused
    assert "Late delivery" in refused
    assert Deal.objects.count() == 0
    passed = rep_client.post("/sales/deals/new/", {**body, "override_reason": "CEO approved"})
    assert passed.status_code == 302
    decision = Interaction.objects.get(kind="decision")
    assert (decision.reason, decision.account) == ("CEO approved", account)


def test_order_invoice_and_partial_payment_through_the_pages(
    org, sales_rep, rep_client, make_product, make_price_list
):
    drill = make_product(name="Drill", tax_rate=Decimal("19"))
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    account = AccountFactory(owner=sales_rep)
    created = rep_client.post(
        "/sales/orders/new/",
        {
            "account": account.pk,
            "currency": "EUR",
            "status": "confirmed",
            "line-0-product": drill.pk,
            "line-0-quantity": "2",
        },
    )
    assert created.status_code == 302, created.content[:3000]
    order_url = created["Location"]
    invoiced = rep_client.post(order_url + "invoice/")
    invoice = Invoice.objects.get()
    assert invoiced["Location"] == f"/sales/invoices/{invoice.pk}/"
    rep_client.post(f"/sales/invoices/{invoice.pk}/issue/", {"version": invoice.version})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.gross_total) == ("issued", Decimal("238.0000"))
    paid = rep_client.post(
        f"/sales/invoices/{invoice.pk}/",
        {"amount": "100.00", "paid_on": timezone.localdate().isoformat(), "method": "card"},
    )
    assert paid.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_total) == ("partly_paid", Decimal("100.0000"))
    text = page_text(rep_client.get(f"/sales/invoices/{invoice.pk}/"))
    assert "138.00\u00a0EUR" in text


def test_a_reminder_from_the_debt_list(sales_rep, rep_client, make_invoice):
    account = AccountFactory(owner=sales_rep, name="Debtor")
    make_invoice(
        sales_rep,
        account,
        issue_date=timezone.localdate() - datetime.timedelta(days=50),
        due_date=timezone.localdate() - datetime.timedelta(days=33),
    )
    response = rep_client.post(
        "/sales/debts/reminders/", {"account": account.pk, "next": "/sales/debts/"}
    )
    assert response["Location"] == "/sales/debts/"
    task = Interaction.objects.get(kind="task")
    assert (task.account, task.status, task.owner) == (account, "planned", sales_rep)


def test_out_of_scope_deals_are_404(org, make_user, client, make_deal, stage):
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    deal = make_deal(stranger)
    viewer = make_user()
    client.force_login(viewer)
    assert client.get(f"/sales/deals/{deal.pk}/").status_code == 404
    assert client.get(f"/sales/deals/{deal.pk}/edit/").status_code == 404
    moved = client.post(f"/sales/deals/{deal.pk}/move/", {"stage_id": stage("Won").pk})
    assert moved.status_code == 404
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_posts_need_the_csrf_token(sales_rep, make_deal, stage, make_invoice):
    deal = make_deal(sales_rep)
    invoice = make_invoice(sales_rep, deal.account)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sales_rep)
    for url, body in [
        (f"/sales/deals/{deal.pk}/move/", {"stage_id": stage("Won").pk}),
        ("/sales/deals/new/", {"name": "x", "account": deal.account_id, "amount": "1"}),
        (f"/sales/deals/{deal.pk}/edit/", {"name": "y"}),
        ("/sales/orders/new/", {"account": deal.account_id}),
        (f"/sales/invoices/{invoice.pk}/", {"amount": "1"}),
        (f"/sales/invoices/{invoice.pk}/cancel/", {}),
        ("/sales/debts/reminders/", {"account": deal.account_id}),
        ("/sales/settings/", {"guard_mode": "block"}),
    ]:
        assert strict.post(url, body).status_code == 403, url
    deal.refresh_from_db()
    assert (deal.stage, deal.name) == (stage("Lead"), deal.name)
    assert Deal.objects.count() == 1


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The whole page: session, user, role and teams, the navigation, then the list's own reads.
DEAL_LIST_QUERIES = 7
BOARD_QUERIES = 8


def test_the_deal_list_answers_in_a_fixed_number_of_queries(sales_rep, rep_client, make_deal):
    for _ in range(3):
        make_deal(sales_rep)
    few = _queries(rep_client, "/sales/deals/")
    for _ in range(12):
        make_deal(sales_rep)
    assert _queries(rep_client, "/sales/deals/") == few == DEAL_LIST_QUERIES


def test_the_board_answers_in_a_fixed_number_of_queries(
    sales_rep, rep_client, make_deal, stage, pipeline
):
    make_deal(sales_rep)
    few = _queries(rep_client, f"/sales/board/{pipeline.pk}/")
    for index in range(12):
        deal = make_deal(sales_rep)
        if index % 2:
            services.deal_move_stage(actor=sales_rep, deal=deal, stage_id=stage("Proposal").pk)
    assert _queries(rep_client, f"/sales/board/{pipeline.pk}/") == few == BOARD_QUERIES


def test_the_account_panel_tag_renders_for_the_card(sales_rep, rf, make_deal, make_invoice):
    from django.template import Context, Template

    account = AccountFactory(owner=sales_rep, name="Panel GmbH")
    deal = make_deal(sales_rep, account, name="Panel deal")
    make_invoice(
        sales_rep,
        account,
        "42.00",
        issue_date=timezone.localdate() - datetime.timedelta(days=20),
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    request = rf.get(f"/accounts/{account.pk}/")
    request.user = sales_rep
    html = Template("{% load sales %}{% sales_account_panel account %}").render(
        Context({"request": request, "account": account})
    )
    assert 'id="sales-panel"' in html
    assert f'href="/sales/deals/{deal.pk}/"' in html
    assert "42.00\u00a0EUR" in html
    assert f'href="/sales/deals/new/?account={account.pk}"' in html
