"""E-mails, phone numbers and tax ids: normalised on the way in, refused when invalid.

VAT numbers are stored compact with their country prefix (DE136695976); a Russian INN as
its digits.

Valid tax ids are real check-digit-correct numbers (python-stdnum agrees): DE136695976 is a
German VAT number, 7707083893 a 10-digit and 500100732259 a 12-digit Russian INN.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.normalize import (
    normalize_email,
    normalize_emails,
    normalize_phone,
    normalize_phones,
    normalize_tax_id,
)


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Anna.Schmidt@Example.COM ") == "anna.schmidt@example.com"


def test_emails_skip_blanks_and_duplicates() -> None:
    assert normalize_emails(["A@x.de", "", " a@X.de", "b@x.de"]) == ["a@x.de", "b@x.de"]


@pytest.mark.parametrize("value", ["not-an-email", "anna@", "@example.com", "a b@example.com"])
def test_invalid_email_is_keyed_by_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalize_emails(["ok@example.com", value], field="emails")

    assert list(error.value.message_dict) == ["emails"]


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("030 1234567", "de", "+49301234567"),
        ("+49 (30) 123-45-67", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("8 (495) 123-45-67", "RU", "+74951234567"),
        ("+7 495 123 45 67", "DE", "+74951234567"),
        ("01 23 45 67 89", "FR", "+33123456789"),
    ],
)
def test_phone_becomes_e164(value: str, region: str, expected: str) -> None:
    assert normalize_phone(value, region) == expected


def test_phone_without_region_is_read_in_the_default_region(settings: Any) -> None:
    settings.PERPETUUM_DEFAULT_REGION = "DE"

    assert normalize_phone("030 1234567") == "+49301234567"


@pytest.mark.parametrize("value", ["abc", "1", "+49 1", "99999999999999999999"])
def test_invalid_phone_is_keyed_by_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalize_phones([value], "DE", field="phones")

    assert list(error.value.message_dict) == ["phones"]


def test_phones_skip_blanks_and_duplicates() -> None:
    assert normalize_phones(["030 1234567", " ", "+49301234567"], "DE") == ["+49301234567"]


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("DE136695976", "DE", "DE136695976"),
        ("de 136 695 976", "de", "DE136695976"),
        ("136695976", "DE", "DE136695976"),
        ("7707083893", "RU", "7707083893"),
        ("500100732259", "RU", "500100732259"),
        ("whatever-1", "", "whatever-1"),
        ("whatever-1", "XX", "whatever-1"),
        ("   ", "DE", ""),
    ],
)
def test_valid_tax_id_is_compacted_with_its_country_prefix(
    value: str, country: str, expected: str
) -> None:
    assert normalize_tax_id(value, country) == expected


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("DE136695977", "DE"),  # wrong check digit
        ("DE13669597", "DE"),  # too short
        ("7707083894", "RU"),  # wrong check digit
        ("500100732258", "RU"),  # wrong check digit
        ("12345", "RU"),
    ],
)
def test_invalid_tax_id_is_refused(value: str, country: str) -> None:
    with pytest.raises(ValidationError):
        normalize_tax_id(value, country)


@settings(max_examples=50, deadline=None)
@given(st.from_regex(r"\A[1-9][0-9]{2,3} ?[0-9]{5,7}\Z"))
def test_phone_normalisation_is_idempotent(national: str) -> None:
    phone = normalize_phone(f"0{national}", "DE")

    assert phone.startswith("+49")
    assert normalize_phone(phone, "DE") == phone
    assert normalize_phone(phone, "RU") == phone


@settings(max_examples=50, deadline=None)
@given(
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9._]{0,20}\Z"),
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9]{0,15}\.(de|COM|Ru)\Z"),
)
def test_email_normalisation_is_idempotent(local: str, domain: str) -> None:
    if ".." in local or local.endswith("."):
        return
    email = normalize_email(f" {local}@{domain} ")

    assert email == email.lower()
    assert normalize_email(email) == email


# --- Through the services: errors are keyed by the field the client sent ---------------------


@pytest.mark.django_db
def test_account_contact_points_are_normalised(sales_rep: Any) -> None:
    account = clients.account_create(
        actor=sales_rep,
        data={
            "name": "ACME",
            "country": "de",
            "tax_id": "DE 136 695 976",
            "emails": ["Info@ACME.example", "info@acme.example", "Sales@ACME.example"],
            "phones": ["030 1234567", "+49 30 1234567", "+7 495 123 45 67"],
        },
    )

    stored = Account.objects.get(pk=account.pk)
    assert stored.country == "DE"
    assert stored.tax_id == "DE136695976"
    assert stored.emails == ["info@acme.example", "sales@acme.example"]
    assert stored.email == "info@acme.example"
    assert stored.phones == ["+49301234567", "+74951234567"]
    assert stored.phone == "+49301234567"


@pytest.mark.django_db
def test_russian_account_phone_and_inn(sales_rep: Any) -> None:
    account = clients.account_create(
        actor=sales_rep,
        data={
            "name": "Ромашка",
            "country": "RU",
            "tax_id": "7707083893",
            "phones": ["8 495 1234567"],
        },
    )

    assert (account.tax_id, account.phone) == ("7707083893", "+74951234567")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"emails": ["not-an-email"]}, "emails"),
        ({"phones": ["abc"]}, "phones"),
        ({"country": "DE", "tax_id": "DE136695977"}, "tax_id"),
        ({"country": "RU", "tax_id": "7707083894"}, "tax_id"),
    ],
)
def test_invalid_account_values_are_keyed_and_nothing_is_stored(
    sales_rep: Any, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        clients.account_create(actor=sales_rep, data={"name": "ACME", **data})

    assert list(error.value.message_dict) == [field]
    assert Account.all_objects.count() == 0


@pytest.mark.django_db
def test_contact_contact_points_are_normalised(sales_rep: Any) -> None:
    contact = clients.contact_create(
        actor=sales_rep,
        data={
            "first_name": "Anna",
            "last_name": "Schmidt",
            "emails": ["Anna@Example.com"],
            "phones": ["030 1234567"],
        },
    )

    assert (contact.email, contact.phone, contact.full_name) == (
        "anna@example.com",
        "+49301234567",
        "Anna Schmidt",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [({"emails": ["anna@"]}, "emails"), ({"phones": ["+49 1"]}, "phones")],
)
def test_invalid_contact_values_are_keyed(sales_rep: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        clients.contact_create(actor=sales_rep, data={"last_name": "Schmidt", **data})

    assert list(error.value.message_dict) == [field]
    assert Contact.all_objects.count() == 0


@pytest.mark.django_db
def test_lead_contact_points_are_normalised(sales_rep: Any) -> None:
    lead = clients.lead_create(
        actor=sales_rep,
        data={
            "email": " Lena@Example.COM",
            "phone": "030 1234567",
            "country": "de",
            "tax_id": "DE136695976",
        },
    )

    assert (lead.email, lead.phone, lead.country, lead.tax_id) == (
        "lena@example.com",
        "+49301234567",
        "DE",
        "DE136695976",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "lena@@example.com"}, "email"),
        ({"phone": "abc"}, "phone"),
        ({"country": "DE", "tax_id": "DE13669597"}, "tax_id"),
        ({"country": "RU", "tax_id": "500100732258"}, "tax_id"),
    ],
)
def test_invalid_lead_values_are_keyed(sales_rep: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        clients.lead_create(actor=sales_rep, data={"company_name": "ACME", **data})

    assert list(error.value.message_dict) == [field]
    assert Lead.all_objects.count() == 0


@pytest.mark.django_db
def test_a_lead_needs_something_to_reach_it_by(sales_rep: Any) -> None:
    with pytest.raises(ValidationError):
        clients.lead_create(actor=sales_rep, data={"description": "Called, left no name"})

    assert Lead.all_objects.count() == 0
