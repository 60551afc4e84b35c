"""Quotes: lines from the catalogue at the price list's price, totals in the deal's
currency, revisions, states, the PDF in German and Russian, e-mail to a real SMTP server,
the guard, acceptance into an order, scope and audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perpetuum.core import money
from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.documents import selectors, services
from perpetuum.documents.models import Document, Quote
from perpetuum.sales import services as sales_services
from perpetuum.sales.guard import GuardBlocked
from perpetuum.sales.models import Order
from perpetuum.timeline.models import Interaction
from tests.documents.conftest import pdf_text
from tests.documents.pdf_checks import captured_contexts, filled_values
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_product, make_price_list, org):
    """Two products with prices in EUR for Perpetuum GmbH and in RUB for Perpetuum OOO."""
    pump = make_product(sku="P-200", name="Kreiselpumpe P-200", unit="Stk.", tax_rate="19")
    service = make_product(sku="SRV-1", name="Montage", unit="Std.", tax_rate="19")
    make_price_list(
        name="Liste DE", legal_entity=org.gmbh, prices={pump: "1250.00", service: "85.00"}
    )
    make_price_list(
        name="Прайс RU",
        legal_entity=org.ooo,
        currency="RUB",
        prices={pump: "98500.00", service: "6500.00"},
    )
    return {"pump": pump, "service": service}


@pytest.fixture
def german_client(sales_rep):
    account = AccountFactory(
        owner=sales_rep,
        name="Groß & Söhne",
        legal_name="Groß & Söhne Maschinenbau GmbH",
        country="DE",
        addresses=[{"street": "Königstraße 3", "postcode": "70173", "city": "Stuttgart"}],
    )
    contact = ContactFactory(
        owner=sales_rep,
        first_name="Jürgen",
        last_name="Weiß",
        emails=["juergen.weiss@example.com"],
        roles=[{"account_id": account.pk, "title": "Einkaufsleiter"}],
    )
    return account, contact


def _quote(actor, account, contact=None, deal=None, **data):
    data = {"account_id": account.pk, **data}
    if contact is not None:
        data["contact_id"] = contact.pk
    if deal is not None:
        data["deal_id"] = deal.pk
    return services.quote_create(actor=actor, data=data)


def test_lines_take_the_price_list_price_and_add_up_in_the_deal_s_currency(
    sales_rep, catalogue, german_client, make_deal
):
    account, contact = german_client
    deal = make_deal(sales_rep, account=account, currency="EUR")
    quote = _quote(sales_rep, account, contact, deal)

    pump = services.quote_line_add(
        actor=sales_rep,
        quote=quote,
        data={"product_id": catalogue["pump"].pk, "quantity": "2", "discount_percent": "5"},
    )
    service = services.quote_line_add(
        actor=sales_rep,
        quote=quote,
        data={"product_id": catalogue["service"].pk, "quantity": "6.5"},
    )
    quote.refresh_from_db()

    assert quote.currency == "EUR"
    assert quote.language == "de"
    assert quote.number == f"Q-{quote.pk:06d}"
    assert (pump.unit_price, pump.description, pump.unit) == (
        Decimal("1250.0000"),
        "Kreiselpumpe P-200",
        "Stk.",
    )
    assert "Liste DE" in pump.price_source
    assert pump.net_amount == Decimal("2375.00")
    assert pump.tax_amount == Decimal("451.25")
    assert service.net_amount == Decimal("552.50")
    assert quote.net_total == Decimal("2927.50")
    assert quote.tax_total == Decimal("556.23")
    assert quote.gross_total == Decimal("3483.73")


AMOUNT = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)
QUANTITY = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
PERCENT = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
TAX = st.sampled_from([Decimal("0"), Decimal("7"), Decimal("10"), Decimal("19"), Decimal("20")])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.tuples(QUANTITY, AMOUNT, PERCENT, TAX), min_size=1, max_size=6),
    currency=st.sampled_from(["EUR", "RUB", "JPY", "BHD"]),
)
def test_line_totals_add_up_to_the_quote_s_totals(sales_rep, german_client, lines, currency):
    account, _contact = german_client
    quote = _quote(sales_rep, account, currency=currency)
    for quantity, price, discount, tax in lines:
        services.quote_line_add(
            actor=sales_rep,
            quote=quote,
            data={
                "description": "Line",
                "quantity": quantity,
                "unit_price": price,
                "discount_percent": discount,
                "tax_rate": tax,
            },
        )
    quote.refresh_from_db()
    stored = selectors.quote_lines(quote)

    assert quote.net_total == sum((line.net_amount for line in stored), Decimal(0))
    assert quote.tax_total == sum((line.tax_amount for line in stored), Decimal(0))
    assert quote.gross_total == quote.net_total + quote.tax_total
    for line in stored:
        assert line.net_amount == money.round_money(line.net_amount, currency)
        assert line.gross_amount == line.net_amount + line.tax_amount


def test_a_free_text_line_needs_its_price(sales_rep, german_client):
    account, _contact = german_client
    quote = _quote(sales_rep, account)

    with pytest.raises(Exception, match="price"):
        services.quote_line_add(actor=sales_rep, quote=quote, data={"description": "Extra"})

    assert quote.lines.count() == 0


def test_a_new_revision_copies_the_lines_and_keeps_the_sent_one(
    sales_rep, catalogue, german_client
):
    account, contact = german_client
    quote = _quote(sales_rep, account, contact)
    services.quote_line_add(
        actor=sales_rep, quote=quote, data={"product_id": catalogue["pump"].pk, "quantity": "3"}
    )
    quote = services.quote_expire(actor=sales_rep, quote=quote)

    with pytest.raises(Conflict):
        services.quote_line_add(
            actor=sales_rep,
            quote=quote,
            data={"product_id": catalogue["service"].pk},
        )
    revision = services.quote_revise(actor=sales_rep, quote=quote)
    services.quote_line_update(
        actor=sales_rep,
        quote=revision,
        line_id=revision.lines.get().pk,
        data={"quantity": "4"},
    )
    revision.refresh_from_db()
    quote.refresh_from_db()

    assert (revision.number, revision.revision, revision.status) == (quote.number, 2, "draft")
    assert revision.display_number == f"{quote.number}-2"
    assert revision.previous_id == quote.pk
    assert revision.lines.get().quantity == Decimal("4")
    assert quote.lines.get().quantity == Decimal("3")
    assert quote.gross_total == Decimal("4462.50")
    assert revision.gross_total == Decimal("5950.00")
    assert [q.revision for q in selectors.quote_revisions(sales_rep, revision)] == [2, 1]


def test_states_accept_into_an_order_reject_and_expire(
    sales_rep, catalogue, german_client, make_deal
):
    account, contact = german_client
    deal = make_deal(sales_rep, account=account)
    accepted = _quote(sales_rep, account, contact, deal)
    services.quote_line_add(
        actor=sales_rep,
        quote=accepted,
        data={"product_id": catalogue["pump"].pk, "quantity": "2", "discount_percent": "10"},
    )
    services.quote_line_add(
        actor=sales_rep, quote=accepted, data={"description": "Fracht", "unit_price": "120"}
    )

    accepted = services.quote_accept(actor=sales_rep, quote=accepted)
    order = Order.objects.get(pk=accepted.order_id)

    assert accepted.status == "accepted"
    assert (order.source, order.reference, order.deal_id) == ("quote", accepted.number, deal.pk)
    assert order.gross_total == Decimal(accepted.gross_total)
    assert [(line.description, line.quantity) for line in order.lines.order_by("position")] == [
        ("Kreiselpumpe P-200", Decimal("2")),
        ("Fracht", Decimal("1")),
    ]
    with pytest.raises(Conflict):
        services.quote_accept(actor=sales_rep, quote=accepted)

    rejected = services.quote_reject(actor=sales_rep, quote=_quote(sales_rep, account))
    assert rejected.status == "rejected"
    with pytest.raises(Conflict):
        services.quote_expire(actor=sales_rep, quote=rejected)

    stale = _quote(sales_rep, account, valid_until=datetime.date(2020, 1, 31))
    fresh = _quote(sales_rep, account)
    assert services.quotes_expire_due() == 1
    assert Quote.objects.get(pk=stale.pk).status == "expired"
    assert Quote.objects.get(pk=fresh.pk).status == "draft"
    assert services.quotes_expire_due() == 0


def test_the_german_quote_pdf_shows_every_filled_placeholder(
    sales_rep, catalogue, german_client, gmbh_letterhead
):
    account, contact = german_client
    quote = _quote(sales_rep, account, contact, title="Pumpen für Halle 2")
    services.quote_line_add(
        actor=sales_rep,
        quote=quote,
        data={"product_id": catalogue["pump"].pk, "quantity": "2", "discount_percent": "5"},
    )
    services.quote_line_add(
        actor=sales_rep,
        quote=quote,
        data={"product_id": catalogue["service"].pk, "quantity": "6.5", "tax_rate": "7"},
    )

    with captured_contexts() as rendered:
        document, pdf = services.quote_render(actor=sales_rep, quote=quote)

    ((body, context),) = rendered
    values = filled_values(body, context)
    for expected in (
        "Groß & Söhne Maschinenbau GmbH",
        "Jürgen Weiß",
        "Königstraße 3, 70173 Stuttgart",
        "Kreiselpumpe P-200",
        "2.375,00 EUR",
        "6,5",
        "2.927,50 EUR",
        "3.417,43 EUR",
        "Jörg Weißmüller",
        "Große Straße 12 10115 Berlin",
    ):
        assert expected in values
    text = pdf_text(pdf)
    assert sorted(value for value in values if value not in text) == []
    assert "Mit freundlichen Grüßen" in text
    assert (document.kind, document.version, document.source_type) == (
        "quote",
        1,
        "documents.quote",
    )
    assert pdf.startswith(b"%PDF")


def test_the_russian_quote_pdf_has_its_cyrillic_text(make_user, org, catalogue, ooo_letterhead):
    manager = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    account = AccountFactory(
        owner=manager, name="Ромашка", legal_name="ООО «Ромашка»", country="RU", tax_id="7736207543"
    )
    contact = ContactFactory(owner=manager, first_name="Фёдор", last_name="Щербаков", language="ru")
    quote = _quote(manager, account, contact, title="Насосы для цеха")
    services.quote_line_add(
        actor=manager,
        quote=quote,
        data={"product_id": catalogue["pump"].pk, "description": "Насос центробежный"},
    )

    with captured_contexts() as rendered:
        _document, pdf = services.quote_render(actor=manager, quote=quote)

    assert quote.currency == "RUB"
    ((body, context),) = rendered
    values = filled_values(body, context)
    assert {"ООО «Ромашка»", "Фёдор Щербаков", "Насос центробежный", "98 500,00 RUB"} <= values
    text = pdf_text(pdf)
    assert sorted(value for value in values if value not in text) == []
    for phrase in ("Коммерческое предложение", "Итого без НДС", "С уважением"):
        assert phrase in text


def test_a_sent_quote_arrives_with_its_pdf_and_is_on_the_timeline_once(
    smtp_server, sales_rep, catalogue, german_client, gmbh_letterhead
):
    account, contact = german_client
    quote = _quote(sales_rep, account, contact)
    services.quote_line_add(actor=sales_rep, quote=quote, data={"product_id": catalogue["pump"].pk})

    sent = services.quote_send(actor=sales_rep, quote=quote)

    assert sent.quote.status == "sent"
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["juergen.weiss@example.com"]
    message = smtp_server.messages[0]
    assert message["Subject"] == f"Angebot {quote.display_number}"
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == sent.document.filename
    content = attachment.get_content()
    assert content.startswith(b"%PDF")
    assert "Kreiselpumpe P-200" in pdf_text(content)
    emails = Interaction.objects.filter(account=account, kind="email")
    assert emails.count() == 1
    assert emails.get().external_id == message["Message-ID"]
    assert emails.get().contact_id == contact.pk


def test_the_guard_blocks_sending_until_overridden_with_a_reason(
    mailoutbox, administrator, sales_rep, catalogue, german_client, make_invoice
):
    account, contact = german_client
    make_invoice(
        sales_rep,
        account,
        "500.00",
        issue_date=datetime.date(2020, 1, 1),
        due_date=datetime.date(2020, 1, 15),
    )
    sales_services.sales_settings_update(actor=administrator, data={"guard_mode": "block"})
    quote = _quote(sales_rep, account, contact)
    services.quote_line_add(actor=sales_rep, quote=quote, data={"product_id": catalogue["pump"].pk})
    documents = Document.objects.count()

    with pytest.raises(GuardBlocked):
        services.quote_send(actor=sales_rep, quote=quote)

    assert mailoutbox == []
    assert Document.objects.count() == documents
    assert Quote.objects.get(pk=quote.pk).status == "draft"

    sent = services.quote_send(
        actor=sales_rep, quote=quote, override_reason="Paid yesterday, bank confirmed"
    )

    assert sent.quote.status == "sent"
    assert len(mailoutbox) == 1
    assert len(sent.warnings) == 1
    decision = Interaction.objects.get(account=account, kind="decision")
    assert decision.reason == "Paid yesterday, bank confirmed"


def test_quotes_outside_the_scope_are_missing_and_others_quotes_read_only(
    make_user, org, sales_rep, german_client, catalogue
):
    account, _contact = german_client
    quote = _quote(sales_rep, account)
    outsider = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    teammate = make_user("sales_representative")

    with pytest.raises(NotFound):
        selectors.quote_get(outsider, quote.pk)
    with pytest.raises(NotFound):
        services.quote_line_add(
            actor=outsider, quote=quote, data={"product_id": catalogue["pump"].pk}
        )
    with pytest.raises(NotFound):
        _quote(outsider, account)
    assert selectors.quote_list(outsider).items == []
    assert selectors.quote_get(teammate, quote.pk) == quote
    with pytest.raises(PermissionDenied):
        services.quote_line_add(
            actor=teammate, quote=quote, data={"product_id": catalogue["pump"].pk}
        )
    assert quote.lines.count() == 0


def test_every_write_is_one_audit_event(sales_rep, german_client, catalogue):
    account, _contact = german_client

    def events() -> int:
        return AuditEvent.objects.filter(object_type="documents.quote").count()

    quote = _quote(sales_rep, account)
    assert events() == 1
    line = services.quote_line_add(
        actor=sales_rep, quote=quote, data={"product_id": catalogue["pump"].pk}
    )
    assert events() == 2
    services.quote_line_update(
        actor=sales_rep, quote=quote, line_id=line.pk, data={"discount_percent": "3"}
    )
    assert events() == 3
    services.quote_line_remove(actor=sales_rep, quote=quote, line_id=line.pk)
    assert events() == 4
    services.quote_update(
        actor=sales_rep, quote=quote, data={"title": "Neu"}, expected_version=None
    )
    assert events() == 5
    services.quote_revise(actor=sales_rep, quote=quote)
    assert events() == 6
    last = AuditEvent.objects.filter(object_type="documents.quote", object_id=str(quote.pk))
    assert last.first().changes["title"] == ["", "Neu"]
