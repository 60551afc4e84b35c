"""The values a document template is filled with, as plain data.

Every record a template may show is turned into a dict of display strings here — numbers,
amounts and dates already formatted for the document's language — so the sandboxed
template never holds a model instance. `PLACEHOLDERS` documents them for the template
editor.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, translation

from perpetuum.core import money
from perpetuum.core.pagination import prefetched

# What the template editor lists, by group: (placeholder, description).
PLACEHOLDERS: dict[str, list[tuple[str, str]]] = {
    "document": [
        ("document.title", "Title of the document"),
        ("document.number", "Number, e.g. Q-000012-2"),
        ("document.date", "Date of issue"),
        ("document.valid_until", "Quote: valid until"),
        ("document.version", "Version of this document"),
        ("document.currency", "Currency code"),
    ],
    "entity": [
        ("entity.name", "Our legal entity's name"),
        ("entity.legal_name", "Its full legal name"),
        ("entity.tax_id", "Tax id"),
        ("entity.vat_id", "VAT id"),
        ("entity.letterhead", "Letterhead text (several lines: use |linebreaksbr)"),
        ("entity.contact_line", "Phone · e-mail · web"),
        ("entity.bank_details", "Bank details (several lines)"),
        ("entity.signatory_name", "Who signs"),
        ("entity.signatory_title", "Their title"),
        ("entity.footer", "Footer text"),
    ],
    "account": [
        ("account.name", "Client's name"),
        ("account.legal_name", "Client's legal name (the name when empty)"),
        ("account.address", "Client's address, one line"),
        ("account.city", "City"),
        ("account.country", "Country code"),
        ("account.tax_id", "Tax id"),
        ("account.kpp", "KPP (Russia)"),
        ("account.email", "E-mail"),
        ("account.phone", "Phone"),
    ],
    "contact": [
        ("contact.full_name", "Contact person"),
        ("contact.first_name", "First name"),
        ("contact.last_name", "Last name"),
        ("contact.title", "Title at the client"),
        ("contact.email", "E-mail"),
        ("contact.phone", "Phone"),
    ],
    "deal": [
        ("deal.name", "Deal"),
        ("deal.amount", "Amount"),
        ("deal.currency", "Currency"),
        ("deal.expected_close_date", "Expected close date"),
    ],
    "lines": [
        (
            "lines",
            "List of lines: position, name, sku, description, quantity, unit, "
            "unit_price, discount_percent, tax_rate, net, tax, total",
        ),
        ("totals.net", "Total before tax"),
        ("totals.tax", "Tax"),
        ("totals.gross", "Total with tax"),
        ("totals.taxes", "List of tax rates: rate, base, amount"),
    ],
    "contract": [
        ("contract.place", "Place of signing"),
        ("contract.subject", "Subject of the contract"),
        ("contract.price", "Contract price"),
        ("contract.payment_days", "Days to pay"),
        ("contract.delivery_days", "Days to deliver"),
        ("contract.delivery_terms", "Delivery terms (e.g. Incoterms)"),
        ("contract.term_months", "Term in months"),
        ("contract.warranty_months", "Warranty in months"),
    ],
}

COUNTRY_LANGUAGES = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "LI": "de",
    "RU": "ru",
    "BY": "ru",
    "KZ": "ru",
    "KG": "ru",
    "FR": "fr",
    "BE": "fr",
    "LU": "fr",
    "MC": "fr",
}
SUPPORTED_LANGUAGES = ("en", "de", "ru", "fr")


def document_language(*, contact: Any = None, account: Any = None, fallback: str = "en") -> str:
    """The language a client reads: the contact's own, else their country's, else English."""
    if contact is not None:
        language = (getattr(contact, "language", "") or "")[:2].lower()
        if language in SUPPORTED_LANGUAGES:
            return language
    if account is not None:
        language = COUNTRY_LANGUAGES.get((account.country or "").upper())
        if language:
            return language
    return fallback if fallback in SUPPORTED_LANGUAGES else "en"


def format_number(value: Decimal | int | None, language: str, *, places: int = 2) -> str:
    """A number as the language writes it: 1,234.50 · 1.234,50 · 1 234,50."""
    if value is None:
        return ""
    with translation.override(language):
        return formats.number_format(
            Decimal(value), decimal_pos=places, use_l10n=True, force_grouping=True
        )


def format_quantity(value: Decimal | int | None, language: str) -> str:
    """A quantity without trailing zeros: 3, 2,5, 0,125."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    places = max(0, -value.as_tuple().exponent)
    return format_number(value, language, places=places)


def format_money(value: Decimal | None, currency: str, language: str) -> str:
    """An amount with its currency code: 1.234,50 EUR."""
    if value is None:
        return ""
    places = money.MINOR_UNITS.get(currency, 2)
    return f"{format_number(money.to_decimal(value), language, places=places)} {currency}".strip()


def format_date(value: datetime.date | datetime.datetime | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def entity_values(legal_entity: Any) -> dict[str, str]:
    """Our legal entity and its letterhead."""
    if legal_entity is None:
        return {}
    letterhead = getattr(legal_entity, "letterhead", None) if legal_entity.pk else None
    values = {
        "name": legal_entity.name,
        "legal_name": legal_entity.legal_name or legal_entity.name,
        "country": legal_entity.country,
        "tax_id": legal_entity.tax_id,
        "vat_id": legal_entity.vat_id,
        "kpp": legal_entity.kpp,
        "letterhead": "",
        "contact_line": "",
        "bank_details": "",
        "signatory_name": "",
        "signatory_title": "",
        "footer": "",
    }
    if letterhead is not None and letterhead.deleted_at is None:
        for name in (
            "letterhead",
            "contact_line",
            "bank_details",
            "signatory_name",
            "signatory_title",
            "footer",
        ):
            values[name] = getattr(letterhead, name)
    return values


def address_line(address: dict[str, Any]) -> str:
    """One address as one line: street, postcode city, region, country."""
    place = " ".join(
        part for part in (_text(address.get("postcode")), _text(address.get("city"))) if part
    )
    parts = [_text(address.get("street")), place, _text(address.get("region"))]
    country = _text(address.get("country"))
    if country:
        parts.append(country)
    return ", ".join(part for part in parts if part)


def account_values(account: Any) -> dict[str, str]:
    if account is None:
        return {}
    addresses = [item for item in (account.addresses or []) if isinstance(item, dict)]
    billing = next((a for a in addresses if a.get("kind") in ("billing", "legal")), None)
    address = billing or (addresses[0] if addresses else {})
    return {
        "name": account.name,
        "legal_name": account.legal_name or account.name,
        "address": address_line(address) or account.city,
        "city": account.city or _text(address.get("city")),
        "country": account.country,
        "tax_id": account.tax_id,
        "kpp": account.kpp,
        "email": account.email,
        "phone": account.phone,
        "website": account.website,
    }


def contact_values(contact: Any, account: Any = None) -> dict[str, str]:
    if contact is None:
        return {}
    title = ""
    roles = prefetched(contact, "roles") if contact.pk else []
    for role in roles:
        if account is None or role.account_id == account.pk:
            title = role.title
            break
    return {
        "full_name": contact.full_name,
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "title": title,
        "email": contact.email,
        "phone": contact.phone,
    }


def deal_values(deal: Any, language: str) -> dict[str, str]:
    """A deal, read through the attributes every deal has (name, amount, currency, expected
    close date), so templates do not depend on the sales app's other columns."""
    if deal is None:
        return {}
    currency = _text(getattr(deal, "currency", ""))
    amount = getattr(deal, "amount", None)
    return {
        "name": _text(getattr(deal, "name", "") or getattr(deal, "title", "")),
        "amount": format_money(amount, currency, language) if amount is not None else "",
        "currency": currency,
        "expected_close_date": format_date(getattr(deal, "expected_close_date", None), language),
    }
