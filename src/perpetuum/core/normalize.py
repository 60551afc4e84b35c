"""Normalisation and validation of e-mails, phone numbers and tax ids."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module


def normalize_email(value: str) -> str:
    """A valid e-mail address, trimmed and lower-cased."""
    email = value.strip().lower()
    validate_email(email)
    return email


def normalize_emails(values: Iterable[str], field: str = "emails") -> list[str]:
    result: list[str] = []
    for value in values:
        if not str(value).strip():
            continue
        try:
            email = normalize_email(str(value))
        except ValidationError as error:
            raise ValidationError({field: [f"“{value}” is not a valid e-mail address."]}) from error
        if email not in result:
            result.append(email)
    return result


def normalize_phone(value: str, region: str | None = None) -> str:
    """A phone number in E.164; numbers without a country code are read in `region`."""
    try:
        number = phonenumbers.parse(value, (region or settings.PERPETUUM_DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException as error:
        raise ValidationError(f"“{value}” is not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(f"“{value}” is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(
    values: Iterable[str], region: str | None = None, field: str = "phones"
) -> list[str]:
    result: list[str] = []
    for value in values:
        if not str(value).strip():
            continue
        try:
            phone = normalize_phone(str(value), region)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from error
        if phone not in result:
            result.append(phone)
    return result


TAX_ID_KINDS = {"ru": "inn"}
VAT_PREFIXES = {"gr": "EL"}  # Greece's VAT numbers start with EL, not GR


def normalize_tax_id(value: str, country: str) -> str:
    """A tax id (INN in Russia, VAT number elsewhere) in its compact form, validated with
    python-stdnum for the country; countries stdnum does not know are stored as given."""
    value = value.strip()
    if not value:
        return ""
    country = (country or "").lower()
    module = get_cc_module(country, TAX_ID_KINDS.get(country, "vat")) if country else None
    if module is None:
        return value
    try:
        compact = module.validate(value)
    except StdnumError as error:
        raise ValidationError(f"“{value}” is not a valid tax id for {country.upper()}.") from error
    prefix = VAT_PREFIXES.get(country, country.upper())
    if country not in TAX_ID_KINDS and not compact.upper().startswith(prefix):
        # VAT numbers are kept with their country prefix, as invoices print them.
        compact = prefix + compact
    return compact
