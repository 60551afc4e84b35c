"""The clients a user opened lately, kept in their session for the "My day" page.

A card page calls `remember(request, record)`; the list holds the last `RECENT_SIZE` records
as (entity, id) pairs and is read back through the clients' selectors, so a record the user
may no longer see, or that went to the recycle bin, simply drops out.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from perpetuum.core.audit import object_type

SESSION_KEY = "perpetuum_recent"
RECENT_SIZE = 10
REMEMBERED = {"clients.account": "account", "clients.contact": "contact", "clients.lead": "lead"}


def remember(request: HttpRequest, record: Any) -> None:
    """Put `record` (an account, contact or lead) first in the user's recently viewed list."""
    entity = REMEMBERED.get(object_type(record))
    if entity is None or not hasattr(request, "session"):
        return
    entry = [entity, int(record.pk)]
    entries = [item for item in request.session.get(SESSION_KEY, []) if item != entry]
    request.session[SESSION_KEY] = [entry, *entries][:RECENT_SIZE]


def recent_entries(request: HttpRequest) -> list[tuple[str, int]]:
    """The remembered (entity, id) pairs, most recent first."""
    entries = request.session.get(SESSION_KEY, []) if hasattr(request, "session") else []
    return [
        (str(entity), int(pk))
        for entity, pk in entries
        if entity in REMEMBERED.values() and str(pk).isdigit()
    ][:RECENT_SIZE]
