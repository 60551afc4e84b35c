"""Ownership of client records: who may set it, and the scope columns that follow from it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Model

from perpetuum.core import access
from perpetuum.core.errors import NotFound, PermissionDenied


def resolve_owner(*, actor: Any, entity: str, owner_id: int | None, current: Any = None) -> Any:
    """The owner a write may set: the actor by default; someone else only when the actor's
    write scope is wider than their own records (mass assignment stops here)."""
    if owner_id is None:
        return current if current is not None else actor
    if current is not None and owner_id == current.pk:
        return current
    if owner_id == actor.pk:
        return actor
    if access.scope_of(actor, entity, "write") in (access.Scope.NONE, access.Scope.OWN):
        raise PermissionDenied("Your role may not assign records to someone else.")
    owner = (
        get_user_model()
        .objects.filter(pk=owner_id, is_active=True)
        .prefetch_related("teams")
        .first()
    )
    if owner is None:
        raise ValidationError({"owner_id": ["There is no active user with this id."]})
    return owner


def apply_ownership(instance: Model, owner: Any) -> None:
    """Set the owner, and the team, office and legal entity that come with them."""
    instance.owner = owner
    if owner is None:
        return
    teams = list(owner.teams.all()) if owner.pk else []
    instance.team = teams[0] if teams else None
    instance.office_id = owner.office_id
    instance.legal_entity_id = owner.legal_entity_id


def require(actor: Any, action: str, instance: Model) -> None:
    """Raise unless `actor` may `action` the record: 404 if they cannot even read it."""
    if access.can(actor, action, instance):
        return
    if action != "read" and access.can(actor, "read", instance):
        raise PermissionDenied("Your role does not allow this change.")
    raise NotFound()


def require_create(actor: Any, entity: str) -> None:
    if not access.may_create(actor, entity):
        raise PermissionDenied(f"Your role may not create a {entity}.")
