"""Writes of the workspace's own data: saved list views."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from perpetuum.core.audit import audit
from perpetuum.core.errors import NotFound
from perpetuum.web.models import SavedView

SAVED_VIEWS_PER_LIST = 50


def saved_view_create(*, actor: Any, list_name: str, name: str, query: str) -> SavedView:
    """Save the actor's current filters on `list_name` under `name`; the same name again
    replaces the saved filters."""
    name = name.strip()
    with transaction.atomic():
        existing = (
            SavedView.objects.select_for_update()
            .filter(user=actor, list_name=list_name, name=name)
            .first()
        )
        if existing is not None:
            before = existing.query
            existing.query = query
            existing.full_clean()
            existing.save(update_fields=["query"])
            audit(
                actor=actor, action="update", instance=existing, changes={"query": [before, query]}
            )
            return existing
        if (
            SavedView.objects.filter(user=actor, list_name=list_name).count()
            >= SAVED_VIEWS_PER_LIST
        ):
            raise ValidationError({"name": ["Delete a saved view before saving another."]})
        view = SavedView(user=actor, list_name=list_name, name=name, query=query)
        view.full_clean()
        view.save()
        audit(
            actor=actor,
            action="create",
            instance=view,
            changes={"list_name": [None, list_name], "name": [None, name], "query": [None, query]},
        )
    return view


def saved_view_delete(*, actor: Any, view_id: int) -> None:
    """Delete one of the actor's own saved views (someone else's is not found)."""
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(user=actor, pk=view_id).first()
        if view is None:
            raise NotFound()
        audit(actor=actor, action="delete", instance=view)
        view.delete()
