"""Template helpers of the workspace: query strings for sorting and paging, durations."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def minutes(value: datetime.timedelta | None) -> int:
    """A duration in whole minutes (at least one)."""
    if not value:
        return 0
    return max(1, int(value.total_seconds() // 60))


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with `changes` applied (None removes a key); the cursor is
    always dropped unless given, since a change of filter or sort starts at page one."""
    request = context["request"]
    query: QueryDict = request.GET.copy()
    query.pop("cursor", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


CARD_PATHS = {"clients.account": "accounts", "clients.contact": "contacts", "clients.lead": "leads"}


@register.filter
def record_url(record: Any) -> str:
    """The card of an account, contact or lead; for an interaction, the card of the client
    it concerns (or its history when it concerns no visible client)."""
    label = record._meta.label_lower
    if label in CARD_PATHS:
        return f"/{CARD_PATHS[label]}/{record.pk}/"
    for name, prefix in (
        ("account_id", "accounts"),
        ("contact_id", "contacts"),
        ("lead_id", "leads"),
    ):
        value = getattr(record, name, None)
        if value:
            return f"/{prefix}/{value}/"
    return f"/history/interaction/{record.pk}/"


ENTITY_LABELS = {
    "clients.account": _("Account"),
    "clients.contact": _("Contact"),
    "clients.lead": _("Lead"),
    "timeline.interaction": _("Interaction"),
}


@register.filter
def entity_label(record: Any) -> str:
    """The kind of record, in the user's language."""
    return str(ENTITY_LABELS.get(record._meta.label_lower, record._meta.verbose_name))


@register.filter
def field(form: Any, name: str) -> Any:
    """The bound field `name` of `form` (for names with dots, like `custom.region`)."""
    try:
        return form[name]
    except KeyError:
        return None


@register.filter
def is_pair(value: Any) -> bool:
    """Whether an audited change is an [old, new] pair."""
    return isinstance(value, list) and len(value) == 2


@register.filter
def change_value(value: Any) -> str:
    """An audited value as text: lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)
