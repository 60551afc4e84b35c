"""Every read of the timeline table outside a client's card, from the user's scope."""

from __future__ import annotations

from typing import Any

from perpetuum.core.access import scoped
from perpetuum.core.errors import NotFound
from perpetuum.core.filters import ListFilters, apply_common_filters
from perpetuum.core.pagination import Page, keyset_page
from perpetuum.timeline.models import Interaction

INTERACTION_SORTS = {"at": "at", "created_at": "created_at", "updated_at": "updated_at"}


def interaction_get(
    user: Any, pk: int, *, action: str = "read", deleted: bool = False
) -> Interaction:
    """One interaction the user may see (or, with `deleted`, one in their recycle bin)."""
    manager = Interaction.all_objects
    queryset = manager.deleted() if deleted else manager.alive()
    found = (
        scoped(user, queryset, action)
        .select_related("owner", "author", "account", "contact", "lead")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def interaction_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "-at",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the interactions the user may see; `filters.extra` takes kind, status,
    channel, account_id, contact_id, lead_id, at__gte and at__lt."""
    manager = Interaction.all_objects
    queryset = scoped(
        user, manager.deleted() if deleted else manager.alive(), "write" if deleted else "read"
    )
    queryset = apply_common_filters(
        queryset, filters, entity=None, search_fields=["subject", "body"]
    ).select_related("owner", "author", "account", "contact")
    return keyset_page(queryset, sort=sort, allowed=INTERACTION_SORTS, cursor=cursor, limit=limit)


def my_planned(user: Any, *, limit: int = 50) -> list[Interaction]:
    """The user's own planned interactions, soonest first."""
    return list(
        # A planned interaction has a due date; saying so lets the partial index serve.
        Interaction.objects.filter(
            owner=user, status=Interaction.Status.PLANNED, due_at__isnull=False
        )
        .select_related("account", "contact")
        .order_by("due_at", "pk")[:limit]
    )
