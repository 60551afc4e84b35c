"""Contracts from the sample contract template, as PDF: every filled placeholder is in the
PDF's text, in German and in Russian; versions, audit, timeline and scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from perpetuum.core.errors import NotFound
from perpetuum.core.models import AuditEvent
from perpetuum.documents import selectors, services
from perpetuum.documents.models import Document
from perpetuum.timeline.models import Interaction
from tests.documents.conftest import pdf_text
from tests.documents.pdf_checks import captured_contexts, filled_values
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

GERMAN_TERMS = {
    "place": "Berlin",
    "subject": "Ersatzteile für Förderbänder",
    "price": "12.345,67 EUR",
    "payment_days": 30,
    "delivery_terms": "FCA Düsseldorf",
}


def _german_client(owner):
    account = AccountFactory(
        owner=owner,
        name="Groß & Söhne",
        legal_name="Groß & Söhne Maschinenbau GmbH",
        country="DE",
        tax_id="DE811569869",
        addresses=[
            {"kind": "billing", "street": "Königstraße 3", "postcode": "70173", "city": "Stuttgart"}
        ],
    )
    contact = ContactFactory(
        owner=owner,
        first_name="Jürgen",
        last_name="Weiß",
        language="de",
        roles=[{"account_id": account.pk, "title": "Einkaufsleiter"}],
    )
    return account, contact


def test_a_german_contract_shows_every_filled_placeholder(sales_rep, gmbh_letterhead):
    account, contact = _german_client(sales_rep)

    with captured_contexts() as rendered:
        document = services.contract_generate(
            actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
        )
    _, content = selectors.document_content(sales_rep, document.pk)

    assert content.startswith(b"%PDF")
    assert document.language == "de"
    ((body, context),) = rendered
    values = filled_values(body, context)
    for expected in (
        "Groß & Söhne Maschinenbau GmbH",
        "Königstraße 3, 70173 Stuttgart",
        "Jürgen Weiß",
        "Einkaufsleiter",
        "Jörg Weißmüller",
        "Ersatzteile für Förderbänder",
        "12.345,67 EUR",
        "FCA Düsseldorf",
        "30",
    ):
        assert expected in values
    text = pdf_text(content)
    missing = sorted(value for value in values if value not in text)
    assert missing == []
    assert "Liefervertrag" in text
    assert "Gewährleistung" in text


def test_a_russian_contract_extracts_its_cyrillic_text_exactly(make_user, org, ooo_letterhead):
    manager = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    account = AccountFactory(
        owner=manager,
        name="Ромашка",
        legal_name="ООО «Ромашка»",
        country="RU",
        tax_id="7736207543",
        kpp="773601001",
        addresses=[{"street": "ул. Льва Толстого, 16", "postcode": "119021", "city": "Москва"}],
    )
    contact = ContactFactory(
        owner=manager,
        first_name="Ёлкина",
        last_name="Юлия",
        language="ru",
        roles=[{"account_id": account.pk, "title": "Директор"}],
    )

    with captured_contexts() as rendered:
        document = services.contract_generate(
            actor=manager,
            account_id=account.pk,
            contact_id=contact.pk,
            terms={"place": "г. Москва", "price": "1 250 000,00 RUB", "subject": "Насосы"},
        )
    _, content = selectors.document_content(manager, document.pk)

    ((body, context),) = rendered
    values = filled_values(body, context)
    assert "ООО «Ромашка»" in values
    assert "Щукин Алексей Юрьевич" in values
    text = pdf_text(content)
    assert sorted(value for value in values if value not in text) == []
    for phrase in ("Договор поставки", "Предмет договора", "Заключительные положения"):
        assert phrase in text


def test_each_generation_is_the_next_version_audited_and_on_the_timeline(
    sales_rep, gmbh_letterhead
):
    account, contact = _german_client(sales_rep)
    events = AuditEvent.objects.count()

    first = services.contract_generate(
        actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
    )
    after_first = AuditEvent.objects.count()
    second = services.contract_generate(
        actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
    )

    assert (first.version, second.version) == (1, 2)
    assert (first.source_type, first.source_id) == ("clients.account", account.pk)
    # One event for the document, one for its timeline entry.
    assert after_first == events + 2
    assert (
        AuditEvent.objects.filter(
            object_type="documents.document", object_id=str(first.pk), action="create"
        ).count()
        == 1
    )
    entries = Interaction.objects.filter(account=account, kind="document")
    assert entries.count() == 2
    assert [d.pk for d in selectors.account_documents(sales_rep, account)] == [
        second.pk,
        first.pk,
    ]


def test_a_contract_needs_a_price(sales_rep, gmbh_letterhead):
    account, _contact = _german_client(sales_rep)

    with pytest.raises(ValidationError):
        services.contract_generate(actor=sales_rep, account_id=account.pk)

    assert Document.objects.count() == 0


def test_documents_of_an_account_outside_the_scope_are_missing(
    make_user, org, sales_rep, gmbh_letterhead
):
    account, contact = _german_client(sales_rep)
    document = services.contract_generate(
        actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
    )
    outsider = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])

    with pytest.raises(NotFound):
        selectors.document_content(outsider, document.pk)
    with pytest.raises(NotFound):
        selectors.account_documents(outsider, account)
    with pytest.raises(NotFound):
        services.contract_generate(actor=outsider, account_id=account.pk, terms={"price": "1 EUR"})
    assert selectors.document_list(outsider).items == []


def test_a_merged_account_s_documents_and_quotes_move_and_a_purge_takes_the_rest(
    sales_rep, gmbh_letterhead
):
    from perpetuum.core.services import record_delete, recycle_bin_purge
    from perpetuum.documents.models import Quote

    account, contact = _german_client(sales_rep)
    document = services.contract_generate(
        actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
    )
    quote = services.quote_create(actor=sales_rep, data={"account_id": account.pk})
    survivor = AccountFactory(owner=sales_rep)

    moved = services.account_documents_move(from_account=account, to_account=survivor)

    assert moved == {"quotes": 1, "documents": 1}
    assert selectors.account_documents(sales_rep, survivor) == [document]
    services.contract_generate(
        actor=sales_rep, account_id=account.pk, contact_id=contact.pk, terms=GERMAN_TERMS
    )
    record_delete(actor=sales_rep, instance=account)
    from perpetuum.clients.models import Account

    assert recycle_bin_purge(models_to_purge=[Account], older_than_days=-1) == 1
    assert Document.objects.filter(account_id=account.pk).count() == 0
    assert Quote.objects.get(pk=quote.pk).account_id == survivor.pk


def test_a_deal_s_contract_takes_its_quote_as_specification_and_price(
    sales_rep, gmbh_letterhead, make_deal
):
    account, contact = _german_client(sales_rep)
    deal = make_deal(sales_rep, account=account, name="Halle 2")
    quote = services.quote_create(
        actor=sales_rep,
        data={"account_id": account.pk, "deal_id": deal.pk, "contact_id": contact.pk},
    )
    services.quote_line_add(
        actor=sales_rep,
        quote=quote,
        data={
            "description": "Förderband FB-3",
            "unit_price": "4000",
            "quantity": "2",
            "tax_rate": "19",
        },
    )

    with captured_contexts() as rendered:
        document = services.contract_generate(
            actor=sales_rep, account_id=account.pk, quote_id=quote.pk, terms={"place": "Köln"}
        )
    _, content = selectors.document_content(sales_rep, document.pk)

    assert (document.source_type, document.source_id, document.contact_id) == (
        "sales.deal",
        deal.pk,
        contact.pk,
    )
    ((body, context),) = rendered
    values = filled_values(body, context)
    assert {"Förderband FB-3", "9.520,00 EUR", "Köln"} <= values
    text = pdf_text(content)
    assert sorted(value for value in values if value not in text) == []
    assert Interaction.objects.get(kind="document", account=account).deal_id == deal.pk
