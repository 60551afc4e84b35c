"""The sales API as a client uses it: money as text, the guard's answers, ETag / If-Match,
Idempotency-Key, scope (404 outside it) and the whole way from a product to a payment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from perpetuum.sales.models import Deal, Invoice, Payment
from tests.api.conftest import PROBLEM_JSON
from tests.factories import AccountFactory, InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_api(api_client, sales_rep):
    return api_client(sales_rep)


@pytest.fixture
def admin_api(api_client, administrator):
    return api_client(administrator)


def test_the_catalogue_through_the_api(org, admin_api, rep_api):
    created = admin_api.post(
        "/api/v1/products",
        {
            "sku": "DR-1",
            "name": "Drill",
            "tax_rate": "19",
            "cost_price": "55.5",
            "attributes": {"Power": "800 W", "Cordless": True},
        },
    )
    assert created.status_code == 201, created.content
    product = created.json()
    assert (product["tax_rate"], product["cost_price"], product["is_bundle"]) == (
        "19",
        "55.50",
        False,
    )
    price_list = admin_api.post(
        "/api/v1/price-lists",
        {
            "name": "GmbH 2025",
            "legal_entity_id": org.gmbh.pk,
            "currency": "EUR",
            "valid_from": "2025-01-01",
        },
    ).json()
    put = admin_api.request(
        "PUT",
        f"/api/v1/price-lists/{price_list['id']}/items/{product['id']}",
        {"price": "149.90"},
    )
    assert (put.status_code, put.json()["price"]) == (200, "149.90")
    price = rep_api.get(f"/api/v1/products/{product['id']}/price", {"on_date": "2025-03-01"}).json()
    assert (price["price"], price["currency"], price["price_list_name"]) == (
        "149.90",
        "EUR",
        "GmbH 2025",
    )
    assert price["explanation"].startswith("List “GmbH 2025” (Perpetuum GmbH, No tier)")
    option = admin_api.post(
        f"/api/v1/products/{product['id']}/options", {"name": "Case", "price_delta": "10"}
    ).json()
    configured = rep_api.post(
        f"/api/v1/products/{product['id']}/configure",
        {"option_ids": [option["id"]], "quantity": 2, "on_date": "2025-03-01"},
    ).json()
    assert (configured["unit_price"], configured["total"]) == ("159.90", "319.80")
    assert [line["amount"] for line in configured["lines"]] == ["149.90", "10.00"]
    found = rep_api.get("/api/v1/products", {"q": "dr-"}).json()
    assert [item["sku"] for item in found["items"]] == ["DR-1"]
    compared = rep_api.get("/api/v1/products/compare", {"ids": [product["id"]]}).json()
    assert compared["rows"][0] == {"name": "Cordless", "values": [True], "differs": False}
    refused = rep_api.post("/api/v1/products", {"sku": "X", "name": "X"})
    assert refused.status_code == 403


def test_money_is_refused_as_a_float(admin_api):
    response = admin_api.post("/api/v1/products", {"sku": "F", "name": "F", "tax_rate": 19.5})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["errors"][0]["field"] == "tax_rate"
    assert "never a float" in response.json()["errors"][0]["message"]


def deal_body(account, **extra):
    return {"name": "Drills", "account_id": account.pk, "amount": "1200.50", **extra}


def test_a_deal_with_the_guards_warning(sales_rep, rep_api, pipeline, make_invoice):
    account = AccountFactory(owner=sales_rep)
    today = timezone.localdate()
    invoice = make_invoice(
        sales_rep, account, issue_date=today - datetime.timedelta(days=30), due_date=today
    )
    clean = rep_api.post("/api/v1/deals", deal_body(account))
    assert clean.status_code == 201, clean.content
    assert clean.json()["guard"] == {
        "mode": "warn",
        "problems": [],
        "overridden": False,
        "decision_id": None,
    }
    Invoice.objects.filter(pk=invoice.pk).update(due_date=today - datetime.timedelta(days=3))
    warned = rep_api.post("/api/v1/deals", deal_body(account)).json()
    assert warned["amount"] == "1200.50"
    assert [problem["link"] for problem in warned["guard"]["problems"]] == [
        f"/sales/invoices/{invoice.pk}/"
    ]
    preview = rep_api.get(f"/api/v1/accounts/{account.pk}/guard").json()
    assert preview["problems"] == warned["guard"]["problems"]


def test_the_block_answers_409_and_an_override_passes(sales_rep, rep_api, admin_api, pipeline):
    account = AccountFactory(owner=sales_rep)
    InteractionFactory(owner=sales_rep, account=account, subject="Angry", is_complaint=True)
    assert admin_api.patch("/api/v1/sales-settings", {"guard_mode": "block"}).status_code == 200
    blocked = rep_api.post("/api/v1/deals", deal_body(account))
    assert blocked.status_code == 409
    assert blocked["Content-Type"] == PROBLEM_JSON
    body = blocked.json()
    assert (body["title"], body["status"]) == ("Blocked by the guard", 409)
    assert [problem["provider"] for problem in body["problems"]] == ["open_complaints"]
    assert Deal.objects.count() == 0
    passed = rep_api.post(
        "/api/v1/deals", deal_body(account, override_reason="Complaint handled by phone")
    )
    assert passed.status_code == 201
    guard = passed.json()["guard"]
    assert guard["overridden"] is True
    decision = rep_api.get(f"/api/v1/interactions/{guard['decision_id']}").json()
    assert (decision["kind"], decision["reason"]) == ("decision", "Complaint handled by phone")
    assert rep_api.patch("/api/v1/sales-settings", {"guard_mode": "warn"}).status_code == 403


def test_deal_updates_need_the_current_etag(sales_rep, rep_api, pipeline, stage):
    account = AccountFactory(owner=sales_rep)
    deal = rep_api.post("/api/v1/deals", deal_body(account)).json()
    url = f"/api/v1/deals/{deal['id']}"
    read = rep_api.get(url)
    etag = read["ETag"]
    assert rep_api.patch(url, {"name": "x"}).status_code == 428
    changed = rep_api.patch(url, {"probability": 40}, headers={"If-Match": etag})
    assert (changed.status_code, changed.json()["probability"]) == (200, 40)
    stale = rep_api.patch(url, {"name": "y"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    moved = rep_api.post(
        f"{url}/move", {"stage_id": stage("Won").pk}, headers={"If-Match": changed["ETag"]}
    )
    assert (moved.json()["status"], moved.json()["probability"]) == ("won", 100)
    history = rep_api.get(f"{url}/history").json()
    assert [span["stage_name"] for span in history["stages"]] == ["Lead", "Won"]
    assert history["cycle_seconds"] is not None
    timeline = rep_api.get(f"{url}/timeline").json()
    assert [item["subject"].split(":")[0] for item in timeline["items"]] == [
        "Deal won",
        "Deal opened",
    ]


def test_an_idempotent_create_is_made_once(sales_rep, rep_api, pipeline):
    account = AccountFactory(owner=sales_rep)
    headers = {"Idempotency-Key": "deal-1"}
    first = rep_api.post("/api/v1/deals", deal_body(account), headers=headers)
    again = rep_api.post("/api/v1/deals", deal_body(account), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert Deal.objects.count() == 1


def test_a_deal_outside_the_scope_is_missing(org, make_user, api_client, pipeline, make_deal):
    stranger = make_user(office=org.moscow, teams=[org.moscow_sales])
    rep = make_user(username="berlin-rep")
    deal = make_deal(stranger)
    api = api_client(rep)
    missing = api.get("/api/v1/deals/999999999")
    for method, path in [
        ("GET", f"/api/v1/deals/{deal.pk}"),
        ("GET", f"/api/v1/deals/{deal.pk}/history"),
    ]:
        response = api.request(method, path)
        assert response.status_code == 404
        assert response.json() == missing.json()
    refused = api.post(f"/api/v1/deals/{deal.pk}/move", {"stage_id": deal.stage_id})
    assert refused.status_code == 404
    assert [item["id"] for item in api.get("/api/v1/deals").json()["items"]] == []


def test_from_an_order_to_a_partly_paid_invoice(org, sales_rep, rep_api):
    account = AccountFactory(owner=sales_rep)
    order = rep_api.post(
        "/api/v1/orders",
        {
            "account_id": account.pk,
            "lines": [
                {
                    "description": "Consulting day",
                    "quantity": "2",
                    "unit_price": "800",
                    "tax_rate": "19",
                }
            ],
        },
    )
    assert order.status_code == 201, order.content
    order = order.json()
    assert (order["number"], order["gross_total"]) == (
        f"ORD-{timezone.localdate().year}-00001",
        "1904.00",
    )
    invoice = rep_api.post(f"/api/v1/orders/{order['id']}/invoice", {}).json()
    assert (invoice["status"], invoice["number"]) == ("draft", "")
    issued = rep_api.post(f"/api/v1/invoices/{invoice['id']}/issue", {}).json()
    assert issued["number"] == f"INV-{timezone.localdate().year}-00001"
    paid = rep_api.post(
        f"/api/v1/invoices/{invoice['id']}/payments", {"amount": "904.00", "method": "card"}
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["amount"] == "904.00"
    current = rep_api.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert (current["status"], current["paid_total"], current["outstanding"]) == (
        "partly_paid",
        "904.00",
        "1000.00",
    )
    too_much = rep_api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": "1000.01"})
    assert too_much.status_code == 422
    removed = rep_api.delete(f"/api/v1/payments/{paid.json()['id']}")
    assert removed.status_code == 204
    assert Payment.objects.count() == 0
    assert rep_api.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == "issued"


def test_receivables_reminders_stats_and_summary(sales_rep, rep_api, make_invoice, make_user):
    account = AccountFactory(owner=sales_rep, name="Late GmbH")
    today = timezone.localdate()
    make_invoice(
        sales_rep,
        account,
        "75.00",
        issue_date=today - datetime.timedelta(days=80),
        due_date=today - datetime.timedelta(days=65),
    )
    debts = rep_api.get("/api/v1/debts").json()
    assert debts["rows"][0]["buckets"] == {
        "0-30": "0.00",
        "31-60": "0.00",
        "61-90": "75.00",
        "90+": "0.00",
    }
    assert debts["totals"] == {
        "EUR": {"0-30": "0.00", "31-60": "0.00", "61-90": "75.00", "90+": "0.00", "total": "75.00"}
    }
    task = rep_api.post(f"/api/v1/accounts/{account.pk}/payment-reminders", {})
    assert task.status_code == 201
    assert (task.json()["kind"], task.json()["status"]) == ("task", "planned")
    summary = rep_api.get(f"/api/v1/accounts/{account.pk}/sales-summary").json()
    assert (summary["max_days_overdue"], summary["overdue_amounts"]) == (65, {"EUR": "75.00"})
    assert rep_api.get("/api/v1/stats/users").status_code == 200
    assert rep_api.get("/api/v1/stats/products", {"since": "2025-01-01"}).json() == []


def test_only_administrators_change_pipelines(rep_api, admin_api):
    body = {"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Renewed", "is_won": True}]}
    assert rep_api.post("/api/v1/pipelines", body).status_code == 403
    created = admin_api.post("/api/v1/pipelines", body)
    assert created.status_code == 201
    assert [stage["name"] for stage in created.json()["stages"]] == ["Due", "Renewed"]
    board = rep_api.get(f"/api/v1/pipelines/{created.json()['id']}/board").json()
    assert [column["count"] for column in board["columns"]] == [0, 0]


def test_decimals_are_not_rounded_away(admin_api, org):
    rate = admin_api.post(
        "/api/v1/currency-rates",
        {
            "base_currency": "EUR",
            "quote_currency": "RUB",
            "rate": "98.1234",
            "valid_on": "2025-01-01",
        },
    )
    assert (rate.status_code, rate.json()["rate"]) == (201, "98.1234")
    assert Decimal(rate.json()["rate"]) == Decimal("98.1234")
