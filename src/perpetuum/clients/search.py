"""What accounts, contacts and leads are found by, and keeping the search index in step.

Services call `search_refresh` in the transaction of every write; bulk loads call
`search_rebuild`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import phonenumbers
from django.db import models

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core import search
from perpetuum.core.text import search_tokens

BATCH = 2000


def _phone_forms(phone: str) -> list[str]:
    """A phone's digits in international and national form, so both kinds of query find it."""
    digits = re.sub(r"\D", "", phone)
    forms = [digits] if digits else []
    try:
        number = phonenumbers.parse(phone, None)
        forms.append(str(number.national_number))
    except phonenumbers.NumberParseException:
        pass
    return forms


def _tags(record: Any) -> list[str]:
    return [tag.name for tag in record.tags.all()]


def account_document(account: Account) -> list[str]:
    cities = [address.get("city", "") for address in account.addresses if isinstance(address, dict)]
    return [
        account.name,
        account.legal_name,
        account.tax_id,
        re.sub(r"^[A-Za-z]+", "", account.tax_id),
        account.city,
        *cities,
        *account.emails,
        *[form for phone in account.phones for form in _phone_forms(phone)],
        *_tags(account),
    ]


def contact_document(contact: Contact) -> list[str]:
    return [
        contact.full_name,
        *contact.emails,
        *[form for phone in contact.phones for form in _phone_forms(phone)],
        *_tags(contact),
    ]


def lead_document(lead: Lead) -> list[str]:
    return [
        lead.full_name,
        lead.company_name,
        lead.email,
        lead.tax_id,
        *(_phone_forms(lead.phone) if lead.phone else []),
        *_tags(lead),
    ]


DOCUMENTS: dict[type[models.Model], tuple[str, Callable[[Any], list[str]]]] = {
    Account: ("account", account_document),
    Contact: ("contact", contact_document),
    Lead: ("lead", lead_document),
}


def search_refresh(model: type[models.Model], ids: Iterable[int]) -> None:
    """Re-index these records (any state: the recycle bin is searchable too)."""
    entity, document = DOCUMENTS[model]
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        records = model.all_objects.filter(pk__in=chunk).prefetch_related("tags")
        search.store(
            entity, [(record.pk, " ".join(search_tokens(document(record)))) for record in records]
        )


def search_rebuild(model: type[models.Model], progress: Callable[[int], None] | None = None) -> int:
    """Rebuild one entity's index from scratch, in batches; returns the number indexed."""
    entity, _ = DOCUMENTS[model]
    search.clear(entity)
    done = 0
    last_id = 0
    while True:
        ids = list(
            model.all_objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return done
        search_refresh(model, ids)
        done += len(ids)
        last_id = ids[-1]
        if progress is not None:
            progress(len(ids))
