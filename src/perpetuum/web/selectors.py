"""Reads of the workspace's own data, and of a record's audit trail for its history page."""

from __future__ import annotations

from typing import Any

from perpetuum.core.audit import object_type
from perpetuum.core.models import AuditEvent
from perpetuum.core.pagination import Page, keyset_page
from perpetuum.web.models import SavedView


def saved_view_list(user: Any, list_name: str) -> list[SavedView]:
    """The user's own saved views of one list, by name."""
    if not user.is_authenticated:
        return []
    return list(SavedView.objects.filter(user=user, list_name=list_name)[:100])


def record_history(record: Any, *, cursor: str | None = None, limit: int = 50) -> Page:
    """The audit trail of one record, newest first.

    The caller has already read `record` through its entity's selector, in the user's
    scope: whoever may see a record may read its history.
    """
    queryset = AuditEvent.objects.filter(
        object_type=object_type(record), object_id=str(record.pk)
    ).select_related("actor")
    return keyset_page(queryset, sort="-at", allowed={"at": "at"}, cursor=cursor, limit=limit)
