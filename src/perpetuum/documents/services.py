"""Every write of the documents app: templates and letterheads (administrators), generated
documents (PDF, versioned), contracts, and quotes with their lines, revisions, sending and
acceptance.

Who may do what:
- templates and letterheads are changed by administrators;
- documents and quotes are read by whoever may read their account (as its card shows them);
- making a quote or a contract needs a role that may create deals; changing, sending or
  deciding a quote needs the deal write scope over the quote (own, team, office…), like a
  deal of the same owner.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from perpetuum.clients.models import Account, Contact
from perpetuum.core import access, money
from perpetuum.core.access import is_administrator
from perpetuum.core.audit import audit
from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.mail import Attachment, SentMail, mail_send
from perpetuum.core.ownership import apply_ownership
from perpetuum.core.services import (
    diff,
    field_values,
    record_create,
    record_delete,
    record_update,
)
from perpetuum.documents import placeholders, selectors
from perpetuum.documents.models import (
    Document,
    DocumentFile,
    DocumentKind,
    DocumentTemplate,
    Letterhead,
    Quote,
    QuoteLine,
)
from perpetuum.documents.rendering import (
    html_document,
    html_to_pdf,
    render_sandboxed,
    template_check,
)
from perpetuum.org.models import LegalEntity

TEMPLATE_FIELDS = ["kind", "code", "name", "language", "legal_entity", "body", "is_default"]
LETTERHEAD_FIELDS = [
    "letterhead",
    "contact_line",
    "bank_details",
    "signatory_name",
    "signatory_title",
    "footer",
]
QUOTE_FIELDS = ["title", "contact", "language", "valid_until", "notes", "template"]
LINE_FIELDS = [
    "position",
    "description",
    "details",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
]
QUOTE_VALID_DAYS = 30
DOCUMENTS_SOURCE = "documents"


def _require_administrator(actor: Any) -> None:
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators change document templates.")


# --- Templates and letterheads -----------------------------------------------------------


def _legal_entity(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "legal_entity_id" in data:
        entity_id = data.pop("legal_entity_id")
        entity = None
        if entity_id is not None:
            entity = LegalEntity.objects.filter(pk=entity_id).first()
            if entity is None:
                raise ValidationError({"legal_entity_id": ["There is no such legal entity."]})
        data["legal_entity"] = entity
    return data


def template_create(*, actor: Any, data: dict[str, Any]) -> DocumentTemplate:
    """A new document template (administrators); its body must compile in the sandbox."""
    _require_administrator(actor)
    data = _legal_entity(data)
    template_check(data.get("body", ""))
    return record_create(actor=actor, instance=DocumentTemplate(**data))


def template_update(
    *,
    actor: Any,
    template: DocumentTemplate,
    data: dict[str, Any],
    expected_version: int | None,
) -> DocumentTemplate:
    _require_administrator(actor)
    data = _legal_entity(data)
    if "body" in data:
        template_check(data["body"])
    return record_update(
        actor=actor,
        instance=template,
        data=data,
        allowed=TEMPLATE_FIELDS,
        expected_version=expected_version,
    )


def template_delete(
    *, actor: Any, template: DocumentTemplate, expected_version: int | None = None
) -> DocumentTemplate:
    _require_administrator(actor)
    return record_delete(actor=actor, instance=template, expected_version=expected_version)


def letterhead_save(
    *,
    actor: Any,
    legal_entity: LegalEntity,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Letterhead:
    """Create or change the letterhead of one of our legal entities (administrators)."""
    _require_administrator(actor)
    unknown = set(data) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    existing = Letterhead.all_objects.filter(legal_entity=legal_entity).first()
    if existing is None:
        return record_create(actor=actor, instance=Letterhead(legal_entity=legal_entity, **data))
    return record_update(
        actor=actor,
        instance=existing,
        data=data,
        allowed=LETTERHEAD_FIELDS,
        expected_version=expected_version,
    )


# --- The values a document is filled with --------------------------------------------------


def lines_values(lines: list[Any], *, currency: str, language: str) -> list[dict[str, Any]]:
    """Document lines (quote, order or invoice lines) as display values."""
    return [
        {
            "position": index,
            "name": line.description,
            "sku": getattr(line, "sku", "") or getattr(getattr(line, "product", None), "sku", ""),
            "description": getattr(line, "details", ""),
            "quantity": placeholders.format_quantity(line.quantity, language),
            "unit": line.unit,
            "unit_price": placeholders.format_money(line.unit_price, currency, language),
            "discount_percent": (
                placeholders.format_quantity(line.discount_percent, language)
                if line.discount_percent
                else ""
            ),
            "tax_rate": placeholders.format_quantity(line.tax_rate, language),
            "net": placeholders.format_money(line.net_amount, currency, language),
            "tax": placeholders.format_money(line.tax_amount, currency, language),
            "total": placeholders.format_money(line.gross_amount, currency, language),
        }
        for index, line in enumerate(lines, start=1)
    ]


def totals_values(lines: list[Any], *, currency: str, language: str) -> dict[str, Any]:
    """The totals of document lines, and the tax per rate, as display values."""
    totals = money.document_totals(
        [
            money.LineAmounts(
                net=line.net_amount, tax=line.tax_amount, gross=line.gross_amount, discount=0
            )
            for line in lines
        ],
        currency,
    )
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        base, tax = by_rate.setdefault(Decimal(line.tax_rate), [Decimal(0), Decimal(0)])
        by_rate[Decimal(line.tax_rate)] = [base + line.net_amount, tax + line.tax_amount]
    fmt = placeholders.format_money
    return {
        "net": fmt(totals.net, currency, language),
        "tax": fmt(totals.tax, currency, language) if totals.tax else "",
        "gross": fmt(totals.gross, currency, language),
        "taxes": [
            {
                "rate": placeholders.format_quantity(rate, language),
                "base": fmt(base, currency, language),
                "amount": fmt(tax, currency, language),
            }
            for rate, (base, tax) in sorted(by_rate.items())
            if tax
        ],
    }


def document_context(
    *,
    language: str,
    legal_entity: Any,
    account: Any,
    contact: Any = None,
    deal: Any = None,
    document: dict[str, Any] | None = None,
    lines: list[dict[str, Any]] | None = None,
    totals: dict[str, Any] | None = None,
    contract: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a template may show, as plain values (see `placeholders.PLACEHOLDERS`)."""
    return {
        "document": document or {},
        "entity": placeholders.entity_values(legal_entity),
        "account": placeholders.account_values(account),
        "contact": placeholders.contact_values(contact, account),
        "deal": placeholders.deal_values(deal, language),
        "lines": lines or [],
        "totals": totals or {},
        "contract": contract or {},
    }


SAMPLES: dict[str, dict[str, Any]] = {
    "en": {
        "account": ("Example Industries Ltd", "1 Market Street, London EC1A 1AA", "GB"),
        "contact": ("Jane", "Smith", "Purchasing manager"),
        "lines": [("Industrial pump P-200", "P-200", "pcs"), ("Installation", "SRV-INST", "h")],
    },
    "de": {
        "account": ("Beispiel Maschinenbau GmbH", "Hauptstraße 5, 80331 München", "DE"),
        "contact": ("Jürgen", "Weiß", "Leiter Einkauf"),
        "lines": [("Industriepumpe P-200", "P-200", "Stk."), ("Montage", "SRV-INST", "Std.")],
    },
    "ru": {
        "account": ("ООО «Пример»", "ул. Ленина, 1, 101000 Москва", "RU"),
        "contact": ("Иван", "Петров", "Директор по закупкам"),
        "lines": [("Промышленный насос P-200", "P-200", "шт."), ("Монтаж", "SRV-INST", "ч")],
    },
    "fr": {
        "account": ("Exemple Industrie SARL", "12 rue de la Paix, 75002 Paris", "FR"),
        "contact": ("Camille", "Dubois", "Responsable achats"),
        "lines": [("Pompe industrielle P-200", "P-200", "pce"), ("Installation", "SRV-INST", "h")],
    },
}


@dataclass
class _SampleLine:
    description: str
    sku: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    gross_amount: Decimal = Decimal(0)
    details: str = ""


def _sample_lines(language: str, currency: str) -> list[_SampleLine]:
    rows = SAMPLES[language]["lines"]
    lines = [
        _SampleLine(
            rows[0][0],
            rows[0][1],
            rows[0][2],
            Decimal(2),
            Decimal("1250.00"),
            Decimal(5),
            Decimal(19),
        ),
        _SampleLine(
            rows[1][0],
            rows[1][1],
            rows[1][2],
            Decimal("6.5"),
            Decimal("85.00"),
            Decimal(0),
            Decimal(19),
        ),
    ]
    for line in lines:
        amounts = money.line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            currency=currency,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
        )
        line.net_amount, line.tax_amount, line.gross_amount = (
            amounts.net,
            amounts.tax,
            amounts.gross,
        )
    return lines


def sample_context(*, language: str, legal_entity: Any, kind: str) -> dict[str, Any]:
    """Invented values in `language`, to preview a template before any client uses it."""
    sample = SAMPLES.get(language, SAMPLES["en"])
    name, address, country = sample["account"]
    first, last, title = sample["contact"]
    account = Account(name=name, legal_name=name, country=country, addresses=[{"street": address}])
    currency = getattr(legal_entity, "base_currency", "") or "EUR"
    lines = _sample_lines(language if language in SAMPLES else "en", currency)
    today = timezone.localdate()
    context = document_context(
        language=language,
        legal_entity=legal_entity,
        account=account,
        contact=None,
        document={
            "title": kind,
            "number": "Q-000001" if kind == "quote" else "C-A000001-1",
            "date": placeholders.format_date(today, language),
            "valid_until": placeholders.format_date(
                today + datetime.timedelta(days=QUOTE_VALID_DAYS), language
            ),
            "due_date": placeholders.format_date(today + datetime.timedelta(days=14), language),
            "version": "1",
            "currency": currency,
        },
        lines=lines_values(lines, currency=currency, language=language),
        totals=totals_values(lines, currency=currency, language=language),
        contract=contract_terms({}, language=language, price=None, office_city=""),
    )
    context["contact"] = {
        "full_name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "title": title,
        "email": "",
        "phone": "",
    }
    if not context["contract"]["price"]:
        context["contract"]["price"] = context["totals"]["gross"]
    return context


def template_preview(
    *,
    actor: Any,
    body: str,
    language: str,
    kind: str = DocumentKind.QUOTE,
    legal_entity: Any = None,
    account: Any = None,
    contact: Any = None,
    deal: Any = None,
    quote: Quote | None = None,
) -> str:
    """The HTML a template body gives — for a real quote or client when one is named, else
    with invented sample values. Nothing is stored."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if quote is not None:
        context = quote_context(quote, version=0)
    elif account is not None:
        context = document_context(
            language=language,
            legal_entity=legal_entity,
            account=account,
            contact=contact,
            deal=deal,
            document={"date": placeholders.format_date(timezone.localdate(), language)},
            contract=contract_terms({}, language=language, price=None, office_city=""),
        )
    else:
        context = sample_context(language=language, legal_entity=legal_entity, kind=kind)
    rendered = render_sandboxed(body, context, language=language)
    return html_document(rendered, language=language, title=str(kind))


# --- Generated documents ---------------------------------------------------------------------


def _next_version(kind: str, source_type: str, source_id: int) -> int:
    latest = Document.objects.filter(
        kind=kind, source_type=source_type, source_id=source_id
    ).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def _timeline_entry(actor: Any, document: Document, deal: Any = None) -> None:
    """The generated document on the client's timeline (once per document)."""
    from perpetuum.timeline import services as timeline_services
    from perpetuum.timeline.models import Interaction

    data: dict[str, Any] = {
        "kind": Interaction.Kind.DOCUMENT,
        "direction": Interaction.Direction.INTERNAL,
        "status": Interaction.Status.DONE,
        "occurred_at": document.created_at,
        "subject": f"{document.title} (v{document.version})"[:300],
        "body": document.filename,
        "account_id": document.account_id,
        "source": DOCUMENTS_SOURCE,
        "external_id": f"document:{document.pk}",
    }
    if document.contact_id:
        data["contact_id"] = document.contact_id
    if deal is not None:
        data["deal"] = deal
    timeline_services.interaction_create(actor=actor, data=data)


def document_generate(
    *,
    actor: Any,
    kind: str,
    title: str,
    template: DocumentTemplate,
    language: str,
    account: Account,
    contact: Contact | None,
    legal_entity: Any,
    source_type: str,
    source_id: int,
    build_context: Callable[[int], dict[str, Any]],
    filename_stem: str,
    deal: Any = None,
) -> tuple[Document, bytes]:
    """Render `template` with the context of the next version, make the PDF, store it,
    audit it and put it on the client's timeline. The slow rendering happens before the
    transaction; two users generating the same version at once get a conflict."""
    version = _next_version(kind, source_type, source_id)
    context = build_context(version)
    body = render_sandboxed(template.body, context, language=language)
    html = html_document(body, language=language, title=title)
    pdf = html_to_pdf(html)
    try:
        with transaction.atomic():
            document = Document(
                kind=kind,
                title=title[:300],
                language=language,
                account=account,
                contact=contact,
                legal_entity=legal_entity,
                source_type=source_type,
                source_id=source_id,
                version=version,
                template=template,
                template_name=template.name,
                filename=f"{filename_stem}-v{version}.pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                html=html,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            document.full_clean(exclude=["template"])
            document.save(force_insert=True)
            DocumentFile.objects.create(document=document, content=pdf)
            audit(
                actor=actor,
                action="create",
                instance=document,
                changes={
                    "kind": [None, kind],
                    "source": [None, f"{source_type}:{source_id}"],
                    "version": [None, version],
                    "template": [None, template.pk],
                    "sha256": [None, document.sha256],
                },
            )
            _timeline_entry(actor, document, deal)
    except IntegrityError as error:
        raise Conflict(
            "This document was generated by someone else at the same moment; try again."
        ) from error
    return document, pdf


# --- Contracts -----------------------------------------------------------------------------

CONTRACT_TERMS = {
    "place": str,
    "subject": str,
    "price": str,
    "payment_days": int,
    "delivery_days": int,
    "delivery_terms": str,
    "term_months": int,
    "warranty_months": int,
}
CONTRACT_DEFAULTS: dict[str, Any] = {
    "payment_days": 14,
    "delivery_days": 30,
    "delivery_terms": "DAP (Incoterms® 2020)",
    "term_months": 12,
    "warranty_months": 24,
}
DEFAULT_SUBJECT = {
    "en": "the goods listed in the specification below",
    "de": "die in der nachstehenden Spezifikation aufgeführten Waren",
    "ru": "товары согласно спецификации ниже",
    "fr": "les marchandises figurant dans la spécification ci-dessous",
}


def contract_terms(
    terms: dict[str, Any], *, language: str, price: str | None, office_city: str
) -> dict[str, Any]:
    """The contract's own terms: those given, the defaults for the rest."""
    unknown = set(terms) - set(CONTRACT_TERMS)
    if unknown:
        raise ValidationError({"terms": [f"Unknown terms: {', '.join(sorted(unknown))}."]})
    values: dict[str, Any] = {**CONTRACT_DEFAULTS}
    for name, value in terms.items():
        if value is None or value == "":
            continue
        if CONTRACT_TERMS[name] is int:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
                raise ValidationError({f"terms.{name}": ["A whole number from 0 to 3650."]})
        elif not isinstance(value, str) or len(value) > 500:
            raise ValidationError({f"terms.{name}": ["A text of at most 500 characters."]})
        values[name] = value
    values.setdefault("subject", DEFAULT_SUBJECT.get(language, DEFAULT_SUBJECT["en"]))
    values.setdefault("place", office_city)
    if not values.get("price"):
        values["price"] = price or ""
    return {
        name: str(value) if CONTRACT_TERMS[name] is int else value for name, value in values.items()
    }


def _readable_deal(actor: Any, deal_id: int | None, account: Account) -> Any:
    if deal_id is None:
        return None
    from perpetuum.sales.models import Deal

    found = access.scoped(actor, Deal.objects.filter(pk=deal_id)).first()
    if found is None or found.account_id != account.pk:
        raise ValidationError({"deal_id": ["There is no such deal of this account."]})
    return found


def _readable_contact(actor: Any, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    found = access.scoped(actor, Contact.objects.filter(pk=contact_id)).first()
    if found is None:
        raise ValidationError({"contact_id": ["There is no such contact."]})
    return found


def _readable_account(actor: Any, account_id: int) -> Account:
    found = access.scoped(actor, Account.objects.filter(pk=account_id)).first()
    if found is None:
        raise NotFound()
    return found


def _require_sales_create(actor: Any) -> None:
    if not access.may_create(actor, "deal"):
        raise PermissionDenied("Your role may not make quotes or contracts.")


def _template(
    actor: Any, template_id: int | None, *, kind: str, language: str, legal_entity: Any
) -> DocumentTemplate:
    if template_id is None:
        return selectors.template_for(kind=kind, language=language, legal_entity=legal_entity)
    template = selectors.template_get(actor, template_id)
    if template.kind != kind:
        raise ValidationError({"template_id": [f"Choose a {kind} template."]})
    return template


def contract_generate(
    *,
    actor: Any,
    account_id: int,
    deal_id: int | None = None,
    contact_id: int | None = None,
    quote_id: int | None = None,
    template_id: int | None = None,
    language: str | None = None,
    terms: dict[str, Any] | None = None,
) -> Document:
    """A contract for an account (or one of its deals) from the sample contract template:
    parties, subject, price, terms and signatures filled in; with a quote, its lines are
    the specification and its total the price. Each generation is the next version of the
    deal's (or the account's) contract."""
    account = _readable_account(actor, account_id)
    _require_sales_create(actor)
    deal = _readable_deal(actor, deal_id, account)
    contact = _readable_contact(actor, contact_id)
    quote = None
    if quote_id is not None:
        quote = selectors.quote_get(actor, quote_id)
        if quote.account_id != account.pk:
            raise ValidationError({"quote_id": ["There is no such quote of this account."]})
        contact = contact or quote.contact
        deal = deal or quote.deal
    legal_entity = (
        (quote.issuer if quote else None)
        or getattr(deal, "legal_entity", None)
        or actor.legal_entity
    )
    language = (
        language
        or (quote.language if quote else None)
        or placeholders.document_language(contact=contact, account=account)
    )
    if language not in placeholders.SUPPORTED_LANGUAGES:
        raise ValidationError({"language": ["Choose en, de, ru or fr."]})
    template = _template(
        actor, template_id, kind=DocumentKind.CONTRACT, language=language, legal_entity=legal_entity
    )
    lines: list[Any] = list(quote.lines.select_related("product")) if quote else []
    currency = quote.currency if quote else getattr(deal, "currency", "") or "EUR"
    if quote is not None:
        price = placeholders.format_money(quote.gross_total, currency, language)
    elif deal is not None and deal.amount:
        price = placeholders.format_money(deal.amount, deal.currency, language)
    else:
        price = None
    office = getattr(actor, "office", None)
    values = contract_terms(
        terms or {}, language=language, price=price, office_city=office.city if office else ""
    )
    if not values["price"]:
        raise ValidationError({"terms.price": ["Give the contract price (or a quote or deal)."]})
    source_type, source_id = ("sales.deal", deal.pk) if deal else ("clients.account", account.pk)
    prefix = "D" if deal else "A"

    def build(version: int) -> dict[str, Any]:
        return document_context(
            language=language,
            legal_entity=legal_entity,
            account=account,
            contact=contact,
            deal=deal,
            document={
                "title": template.name,
                "number": f"C-{prefix}{source_id:06d}-{version}",
                "date": placeholders.format_date(timezone.localdate(), language),
                "version": str(version),
                "currency": currency,
            },
            lines=lines_values(lines, currency=currency, language=language),
            totals=totals_values(lines, currency=currency, language=language) if lines else {},
            contract=values,
        )

    document, _pdf = document_generate(
        actor=actor,
        kind=DocumentKind.CONTRACT,
        title=f"{template.name}: {account.name}",
        template=template,
        language=language,
        account=account,
        contact=contact,
        legal_entity=legal_entity,
        source_type=source_type,
        source_id=source_id,
        build_context=build,
        filename_stem=f"contract-{prefix.lower()}{source_id}",
        deal=deal,
    )
    return document


# --- Quotes --------------------------------------------------------------------------------


def _require_quote_write(actor: Any, quote: Quote) -> None:
    """Raise unless the actor may change the quote: 404 when they cannot see its account,
    403 when they can but the quote is outside their deal write scope."""
    selectors.quote_get(actor, quote.pk)
    allowed = (
        Quote.objects.filter(pk=quote.pk).filter(access.scope_q(actor, "deal", "write")).exists()
    )
    if not allowed:
        raise PermissionDenied("Your role does not allow changing this quote.")


def _require_draft(quote: Quote) -> None:
    if quote.status != Quote.Status.DRAFT:
        raise Conflict(
            f"Quote {quote.display_number} is {quote.status}; make a new version to change it."
        )


def _lock(quote: Quote, expected_version: int | None = None) -> Quote:
    current = Quote.objects.select_for_update().filter(pk=quote.pk).first()
    if current is None:
        raise NotFound()
    if expected_version is not None and current.version != expected_version:
        from perpetuum.core.errors import VersionConflict

        raise VersionConflict(
            f"The quote was changed since version {expected_version}; "
            f"it is now at version {current.version}.",
            current_version=current.version,
        )
    return current


def _recompute_totals(quote: Quote) -> None:
    lines = list(quote.lines.all())
    totals = money.document_totals(
        [
            money.LineAmounts(
                net=line.net_amount, tax=line.tax_amount, gross=line.gross_amount, discount=0
            )
            for line in lines
        ],
        quote.currency,
    )
    quote.net_total, quote.tax_total, quote.gross_total = totals.net, totals.tax, totals.gross


def _touch(quote: Quote) -> None:
    quote.version += 1
    quote.updated_at = timezone.now()


QUOTE_AUDIT_FIELDS = [
    "number",
    "revision",
    "title",
    "account",
    "contact",
    "deal",
    "issuer",
    "language",
    "currency",
    "status",
    "valid_until",
    "owner",
]


def quote_create(*, actor: Any, data: dict[str, Any]) -> Quote:
    """A draft quote for an account (and optionally a contact and a deal of it). Its
    currency is the deal's; its issuer, the deal's legal entity or the actor's; its language,
    the contact's or the client's country's."""
    data = dict(data)
    account = _readable_account(actor, data.pop("account_id"))
    _require_sales_create(actor)
    deal = _readable_deal(actor, data.pop("deal_id", None), account)
    contact = _readable_contact(actor, data.pop("contact_id", None))
    template_id = data.pop("template_id", None)
    currency = data.pop("currency", None)
    if deal is not None:
        if currency and currency != deal.currency:
            raise ValidationError({"currency": ["A quote of a deal is in the deal's currency."]})
        currency = deal.currency
    issuer = getattr(deal, "legal_entity", None) or actor.legal_entity
    currency = currency or getattr(issuer, "base_currency", None) or "EUR"
    if currency not in money.MINOR_UNITS:
        raise ValidationError({"currency": ["Unknown currency."]})
    language = data.pop("language", None) or placeholders.document_language(
        contact=contact, account=account
    )
    quote = Quote(
        account=account,
        contact=contact,
        deal=deal,
        issuer=issuer,
        currency=currency,
        language=language,
        valid_until=data.pop("valid_until", None)
        or timezone.localdate() + datetime.timedelta(days=QUOTE_VALID_DAYS),
        **{key: value for key, value in data.items() if key in ("title", "notes")},
    )
    if template_id is not None:
        quote.template = _template(
            actor, template_id, kind=DocumentKind.QUOTE, language=language, legal_entity=issuer
        )
    unknown = set(data) - {"title", "notes"}
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    apply_ownership(quote, actor)
    return _quote_insert(actor, quote)


def _quote_insert(actor: Any, quote: Quote, *, lines: list[QuoteLine] | None = None) -> Quote:
    """Save a new quote (a number from its id for a first revision), its lines, one audit
    event."""
    with transaction.atomic():
        quote.full_clean(exclude=["number"])
        quote.save(force_insert=True)
        if not quote.number:
            quote.number = f"Q-{quote.pk:06d}"
            Quote.objects.filter(pk=quote.pk).update(number=quote.number)
        for line in lines or []:
            line.pk = None
            line.quote = quote
            line.save(force_insert=True)
        changes = diff({}, field_values(quote, QUOTE_AUDIT_FIELDS))
        if lines:
            changes["lines"] = [None, len(lines)]
        audit(actor=actor, action="create", instance=quote, changes=changes)
    return quote


def quote_update(
    *, actor: Any, quote: Quote, data: dict[str, Any], expected_version: int | None
) -> Quote:
    """Change a draft quote's title, contact, language, validity, notes or template."""
    _require_quote_write(actor, quote)
    _require_draft(quote)
    data = dict(data)
    if "contact_id" in data:
        data["contact"] = _readable_contact(actor, data.pop("contact_id"))
    if "template_id" in data:
        template_id = data.pop("template_id")
        data["template"] = (
            None
            if template_id is None
            else _template(
                actor,
                template_id,
                kind=DocumentKind.QUOTE,
                language=data.get("language", quote.language),
                legal_entity=quote.issuer,
            )
        )
    return record_update(
        actor=actor,
        instance=quote,
        data=data,
        allowed=QUOTE_FIELDS,
        expected_version=expected_version,
    )


def _price(quote: Quote, product: Any) -> tuple[Decimal, str]:
    """The product's price for the quote's client, in the quote's currency, and where it
    comes from, as the sales app's price resolution explains it."""
    from perpetuum.sales import selectors as sales_selectors

    resolved = sales_selectors.price_for(
        product,
        legal_entity=quote.issuer,
        currency=quote.currency,
        on_date=timezone.localdate(),
    )
    if resolved is None:
        raise ValidationError(
            {"unit_price": [f"{product.name} has no price in {quote.currency}; give one."]}
        )
    return resolved.price, resolved.explanation[:300]


def _line_amounts(line: QuoteLine, currency: str) -> None:
    try:
        amounts = money.line_amounts(
            quantity=money.to_decimal(line.quantity),
            unit_price=money.to_decimal(line.unit_price),
            currency=currency,
            discount_percent=money.to_decimal(line.discount_percent),
            tax_rate=money.to_decimal(line.tax_rate),
        )
    except (TypeError, ValueError) as error:
        raise ValidationError({"quantity": [str(error)]}) from error
    line.net_amount, line.tax_amount, line.gross_amount = amounts.net, amounts.tax, amounts.gross


def _decimal_data(data: dict[str, Any]) -> dict[str, Any]:
    result = dict(data)
    for name in ("quantity", "unit_price", "discount_percent", "tax_rate"):
        if name in result and result[name] is not None:
            try:
                result[name] = money.to_decimal(result[name])
            except (TypeError, ValueError) as error:
                raise ValidationError({name: [str(error)]}) from error
    return result


def quote_line_add(
    *, actor: Any, quote: Quote, data: dict[str, Any], expected_version: int | None = None
) -> QuoteLine:
    """Add a line to a draft quote: a product from the catalogue (description, unit and tax
    rate from it; unit price from the price list unless given) or a free-text line."""
    _require_quote_write(actor, quote)
    data = _decimal_data(data)
    product = None
    product_id = data.pop("product_id", None)
    if product_id is not None:
        from perpetuum.sales.models import Product

        product = Product.objects.filter(pk=product_id, is_active=True).first()
        if product is None:
            raise ValidationError({"product_id": ["There is no such product."]})
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    line = QuoteLine(product=product)
    if product is not None:
        line.description = product.name
        line.sku = product.sku
        line.unit = product.unit
        line.tax_rate = product.tax_rate
    for name, value in data.items():
        if value is not None:
            setattr(line, name, value)
    if not line.description:
        raise ValidationError({"description": ["Name the product or describe the line."]})
    with transaction.atomic():
        current = _lock(quote, expected_version)
        _require_draft(current)
        if data.get("unit_price") is None:
            if product is None:
                raise ValidationError({"unit_price": ["Give the price of a free-text line."]})
            line.unit_price, line.price_source = _price(current, product)
        else:
            line.price_source = "manual"
        if "position" not in data:
            last = current.lines.aggregate(last=Max("position"))["last"]
            line.position = (last or 0) + 1
        line.quote = current
        _line_amounts(line, current.currency)
        line.full_clean()
        line.save(force_insert=True)
        before = field_values(current, ["net_total", "tax_total", "gross_total"])
        _recompute_totals(current)
        _touch(current)
        current.save()
        changes = diff(before, field_values(current, ["net_total", "tax_total", "gross_total"]))
        changes["line_added"] = [None, _line_summary(line)]
        audit(actor=actor, action="update", instance=current, changes=changes)
    return line


def _line_summary(line: QuoteLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "product": line.product_id,
        "description": line.description,
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "tax_rate": str(line.tax_rate),
    }


def quote_line_update(
    *,
    actor: Any,
    quote: Quote,
    line_id: int,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> QuoteLine:
    """Change a line of a draft quote (quantity, price, discount, tax, wording)."""
    _require_quote_write(actor, quote)
    data = _decimal_data(data)
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    with transaction.atomic():
        current = _lock(quote, expected_version)
        _require_draft(current)
        line = current.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound()
        before_line = _line_summary(line)
        if "unit_price" in data and data["unit_price"] != line.unit_price:
            line.price_source = "manual"
        for name, value in data.items():
            if value is None:
                raise ValidationError({name: ["This field may not be null."]})
            setattr(line, name, value)
        _line_amounts(line, current.currency)
        line.full_clean()
        line.save()
        after_line = _line_summary(line)
        if after_line == before_line:
            return line
        before = field_values(current, ["net_total", "tax_total", "gross_total"])
        _recompute_totals(current)
        _touch(current)
        current.save()
        changes = diff(before, field_values(current, ["net_total", "tax_total", "gross_total"]))
        changes["line_changed"] = [before_line, after_line]
        audit(actor=actor, action="update", instance=current, changes=changes)
    return line


def quote_line_remove(
    *, actor: Any, quote: Quote, line_id: int, expected_version: int | None = None
) -> Quote:
    _require_quote_write(actor, quote)
    with transaction.atomic():
        current = _lock(quote, expected_version)
        _require_draft(current)
        line = current.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound()
        summary = _line_summary(line)
        line.delete()
        before = field_values(current, ["net_total", "tax_total", "gross_total"])
        _recompute_totals(current)
        _touch(current)
        current.save()
        changes = diff(before, field_values(current, ["net_total", "tax_total", "gross_total"]))
        changes["line_removed"] = [summary, None]
        audit(actor=actor, action="update", instance=current, changes=changes)
    return current


def quote_revise(*, actor: Any, quote: Quote) -> Quote:
    """The next revision of a quote: a draft under the same number, with a copy of the
    lines; the earlier revisions stay as they were sent."""
    _require_quote_write(actor, quote)
    with transaction.atomic():
        current = _lock(quote)
        latest = Quote.objects.filter(number=current.number).aggregate(last=Max("revision"))
        lines = list(current.lines.all())
        revision = Quote(
            number=current.number,
            revision=(latest["last"] or current.revision) + 1,
            previous=current,
            title=current.title,
            account=current.account,
            contact=current.contact,
            deal=current.deal,
            issuer=current.issuer,
            language=current.language,
            currency=current.currency,
            valid_until=max(
                current.valid_until or timezone.localdate(),
                timezone.localdate() + datetime.timedelta(days=QUOTE_VALID_DAYS),
            ),
            notes=current.notes,
            template=current.template,
            net_total=current.net_total,
            tax_total=current.tax_total,
            gross_total=current.gross_total,
        )
        apply_ownership(revision, actor)
        return _quote_insert(actor, revision, lines=lines)


def _set_status(
    actor: Any, quote: Quote, status: str, allowed_from: tuple[str, ...], **extra: Any
) -> Quote:
    with transaction.atomic():
        current = _lock(quote)
        if current.status not in allowed_from:
            raise Conflict(f"Quote {current.display_number} is {current.status}.")
        before = field_values(current, ["status", *extra])
        current.status = status
        for name, value in extra.items():
            setattr(current, name, value)
        _touch(current)
        current.save()
        audit(
            actor=actor,
            action="update",
            instance=current,
            changes=diff(before, field_values(current, ["status", *extra])),
        )
    return current


def quote_render(*, actor: Any, quote: Quote) -> tuple[Document, bytes]:
    """The quote as a PDF: the next version of its document, stored and on the timeline.
    Making one is a write (by who may change the quote); reading the made ones is not."""
    _require_quote_write(actor, quote)
    quote = selectors.quote_get(actor, quote.pk)
    if not quote.lines.exists():
        raise ValidationError({"lines": ["Add at least one line before making the PDF."]})
    template = quote.template or selectors.template_for(
        kind=DocumentKind.QUOTE, language=quote.language, legal_entity=quote.issuer
    )
    return document_generate(
        actor=actor,
        kind=DocumentKind.QUOTE,
        title=f"{template.name} {quote.display_number}",
        template=template,
        language=quote.language,
        account=quote.account,
        contact=quote.contact,
        legal_entity=quote.issuer,
        source_type="documents.quote",
        source_id=quote.pk,
        build_context=lambda version: quote_context(quote, version=version),
        filename_stem=f"quote-{quote.display_number}",
        deal=quote.deal,
    )


def quote_context(quote: Quote, *, version: int) -> dict[str, Any]:
    """The values of a quote's template."""
    language = quote.language
    lines = list(quote.lines.select_related("product"))
    return document_context(
        language=language,
        legal_entity=quote.issuer,
        account=quote.account,
        contact=quote.contact,
        deal=quote.deal,
        document={
            "title": quote.title,
            "number": quote.display_number,
            "date": placeholders.format_date(timezone.localdate(), language),
            "valid_until": placeholders.format_date(quote.valid_until, language),
            "version": str(version or quote.revision),
            "currency": quote.currency,
            "notes": quote.notes,
        },
        lines=lines_values(lines, currency=quote.currency, language=language),
        totals=totals_values(lines, currency=quote.currency, language=language),
    )


MAIL_TEXT = {
    "en": (
        "Quote {number}",
        "Dear {name},\n\nplease find attached our quote {number}.\n\nKind regards\n{sender}",
    ),
    "de": (
        "Angebot {number}",
        "Guten Tag {name},\n\nanbei erhalten Sie unser Angebot "
        "{number}.\n\nMit freundlichen Grüßen\n{sender}",
    ),
    "ru": (
        "Коммерческое предложение {number}",
        "Здравствуйте, {name}!\n\nНаправляем вам "
        "наше коммерческое предложение {number}.\n\nС уважением,\n{sender}",
    ),
    "fr": (
        "Devis {number}",
        "Bonjour {name},\n\nveuillez trouver ci-joint notre devis "
        "{number}.\n\nCordialement,\n{sender}",
    ),
}


@dataclass
class QuoteSent:
    """What sending a quote did: the quote (now sent), its PDF, the message, the guard's
    warnings."""

    quote: Quote
    document: Document
    mail: SentMail
    warnings: list[Any]


def quote_send(
    *,
    actor: Any,
    quote: Quote,
    to: list[str] | None = None,
    subject: str | None = None,
    message: str | None = None,
    override_reason: str | None = None,
) -> QuoteSent:
    """Send a quote by e-mail with its PDF attached: the guard is asked first (it warns, or
    blocks unless overridden with a reason); then the PDF is made, the message sent and put
    on the timeline, and the quote marked sent. A message the server refuses leaves the
    quote as it was."""
    from perpetuum.sales import services as sales_services

    _require_quote_write(actor, quote)
    quote = selectors.quote_get(actor, quote.pk)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise Conflict(f"Quote {quote.display_number} is {quote.status}; it is not sent again.")
    recipients = [address for address in (to or []) if address] or (
        [quote.contact.email] if quote.contact and quote.contact.email else []
    )
    if not recipients:
        raise ValidationError({"to": ["Give a recipient: the contact has no e-mail address."]})
    action = f"quote {quote.display_number}"
    # The guard is asked before anything is made; a block overridden with a reason is
    # recorded (as a decision on the timeline) only once the quote has really gone out.
    blocked = False
    try:
        guard = sales_services.guard_check(actor, quote.account, None, action=action)
    except sales_services.GuardBlocked:
        if not (override_reason or "").strip():
            raise
        blocked = True
    document, pdf = quote_render(actor=actor, quote=quote)
    default_subject, default_body = MAIL_TEXT.get(quote.language, MAIL_TEXT["en"])
    names = {
        "number": quote.display_number,
        "name": quote.contact.full_name if quote.contact else quote.account.name,
        "sender": str(actor),
    }
    mail = mail_send(
        actor=actor,
        to=recipients,
        subject=subject or default_subject.format(**names),
        body=message or default_body.format(**names),
        attachments=[Attachment(document.filename, pdf, "application/pdf")],
        account=quote.account,
        contact=quote.contact,
        deal=quote.deal,
    )
    with transaction.atomic():
        if blocked:
            guard = sales_services.guard_check(actor, quote.account, override_reason, action=action)
        sent = _set_status(
            actor,
            quote,
            Quote.Status.SENT,
            (Quote.Status.DRAFT, Quote.Status.SENT),
            sent_at=timezone.now(),
        )
    return QuoteSent(quote=sent, document=document, mail=mail, warnings=list(guard.problems))


def quote_accept(*, actor: Any, quote: Quote) -> Quote:
    """The client accepted: the quote becomes an order with the same lines (through the
    sales app), and is marked accepted with a link to it."""
    from perpetuum.sales import services as sales_services

    _require_quote_write(actor, quote)
    with transaction.atomic():
        current = _lock(quote)
        if current.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise Conflict(f"Quote {current.display_number} is {current.status}.")
        lines = list(current.lines.select_related("product"))
        if not lines:
            raise ValidationError({"lines": ["A quote without lines cannot become an order."]})
        order = sales_services.order_create_from_lines(
            actor=actor,
            account=current.account,
            deal=current.deal,
            currency=current.currency,
            lines=[
                {
                    "product": line.product,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "unit_price": line.unit_price,
                    "discount_percent": line.discount_percent,
                    "tax_rate": line.tax_rate,
                }
                for line in lines
            ],
            legal_entity=current.issuer,
            source="quote",
            reference=current.display_number,
        )
        return _set_status(
            actor,
            current,
            Quote.Status.ACCEPTED,
            (Quote.Status.DRAFT, Quote.Status.SENT),
            decided_at=timezone.now(),
            order=order,
        )


def quote_reject(*, actor: Any, quote: Quote) -> Quote:
    """The client declined the quote."""
    _require_quote_write(actor, quote)
    return _set_status(
        actor,
        quote,
        Quote.Status.REJECTED,
        (Quote.Status.DRAFT, Quote.Status.SENT),
        decided_at=timezone.now(),
    )


def quote_expire(*, actor: Any, quote: Quote) -> Quote:
    """Mark a quote that was not answered in time as expired."""
    _require_quote_write(actor, quote)
    return _set_status(actor, quote, Quote.Status.EXPIRED, (Quote.Status.DRAFT, Quote.Status.SENT))


def quotes_expire_due(*, today: datetime.date | None = None) -> int:
    """Expire every draft or sent quote whose validity has passed (a periodic job; safe to
    run twice). One audit event per quote, written by the system."""
    today = today or timezone.localdate()
    expired = 0
    due = Quote.objects.filter(
        status__in=[Quote.Status.DRAFT, Quote.Status.SENT], valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        quote = Quote.objects.get(pk=pk)
        try:
            _set_status(None, quote, Quote.Status.EXPIRED, (Quote.Status.DRAFT, Quote.Status.SENT))
        except Conflict:
            continue
        expired += 1
    return expired


# --- Invoices --------------------------------------------------------------------------------


def invoice_render(
    *,
    actor: Any,
    invoice_id: int,
    template_id: int | None = None,
    language: str | None = None,
    contact_id: int | None = None,
) -> tuple[Document, bytes]:
    """An invoice of the sales app as a PDF from the invoice template: the next version of
    its document, stored, audited and on the timeline. Drafts have no number yet and are
    not printed."""
    from perpetuum.sales import selectors as sales_selectors

    invoice = sales_selectors.invoice_get(actor, invoice_id)
    if not invoice.number:
        raise Conflict("Issue the invoice before making its PDF: a draft has no number.")
    if invoice.account_id is None:
        raise ValidationError({"invoice_id": ["The invoice has no account."]})
    account = _readable_account(actor, invoice.account_id)
    contact = _readable_contact(actor, contact_id)
    legal_entity = invoice.legal_entity
    language = language or placeholders.document_language(contact=contact, account=account)
    if language not in placeholders.SUPPORTED_LANGUAGES:
        raise ValidationError({"language": ["Choose en, de, ru or fr."]})
    template = _template(
        actor, template_id, kind=DocumentKind.INVOICE, language=language, legal_entity=legal_entity
    )
    lines = list(invoice.lines.select_related("product").order_by("position", "id"))
    currency = invoice.currency

    def build(version: int) -> dict[str, Any]:
        return document_context(
            language=language,
            legal_entity=legal_entity,
            account=account,
            contact=contact,
            deal=invoice.deal,
            document={
                "title": template.name,
                "number": invoice.number,
                "date": placeholders.format_date(invoice.issue_date, language),
                "due_date": placeholders.format_date(invoice.due_date, language),
                "version": str(version),
                "currency": currency,
                "notes": invoice.notes,
            },
            lines=lines_values(lines, currency=currency, language=language),
            totals=totals_values(lines, currency=currency, language=language),
        )

    return document_generate(
        actor=actor,
        kind=DocumentKind.INVOICE,
        title=f"{template.name} {invoice.number}",
        template=template,
        language=language,
        account=account,
        contact=contact,
        legal_entity=legal_entity,
        source_type="sales.invoice",
        source_id=invoice.pk,
        build_context=build,
        filename_stem=f"invoice-{invoice.number}",
        deal=invoice.deal,
    )


# --- Merges --------------------------------------------------------------------------------


def account_documents_move(*, from_account: Account, to_account: Account) -> dict[str, int]:
    """Move the quotes and generated documents of a merged account to the account it was
    merged into; for the merge service to call in its transaction (it audits the merge).
    Without it they would leave with the merged account when the recycle bin is purged."""
    return {
        "quotes": Quote.all_objects.filter(account=from_account).update(account=to_account),
        "documents": Document.objects.filter(account=from_account).update(account=to_account),
    }
