"""Reads of our own organisation: legal entities, offices and teams, to pick and filter by."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from perpetuum.core import access
from perpetuum.core.errors import NotFound
from perpetuum.org.models import LegalEntity, Office, Role, Team

CHOICES_SHOWN = 500


def legal_entity_choices(user: Any) -> list[LegalEntity]:
    """Our legal entities, by name; every signed-in user may see our own structure."""
    if not user.is_authenticated:
        return []
    return list(LegalEntity.objects.order_by("name", "pk")[:CHOICES_SHOWN])


def office_choices(user: Any) -> list[Office]:
    if not user.is_authenticated:
        return []
    return list(Office.objects.order_by("name", "pk")[:CHOICES_SHOWN])


def team_choices(user: Any) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(Team.objects.order_by("name", "pk")[:CHOICES_SHOWN])


def assignable_owners(user: Any, entity: str) -> list[Any]:
    """The active users `user` may make the owner of a record of `entity`: themselves only
    with an own write scope, else their teams', office's or legal entity's people, or all."""
    if not user.is_authenticated:
        return []
    users = get_user_model().objects.filter(is_active=True)
    scope = access.scope_of(user, entity, "write")
    if scope in (access.Scope.NONE, access.Scope.OWN):
        return [user]
    if scope != access.Scope.ALL:
        rule = Q(pk=user.pk)
        if scope == access.Scope.TEAM:
            rule |= Q(teams__in=access._team_ids(user))
        elif scope == access.Scope.OFFICE and user.office_id:
            rule |= Q(office_id=user.office_id)
        elif scope == access.Scope.LEGAL_ENTITY and user.legal_entity_id:
            rule |= Q(legal_entity_id=user.legal_entity_id)
        users = users.filter(rule).distinct()
    return list(users.order_by("first_name", "last_name", "username", "pk")[:CHOICES_SHOWN])


def _require_administrator(user: Any) -> None:
    # Administration pages do not exist for anyone else: a 404, like a record out of scope.
    if not access.is_administrator(user):
        raise NotFound()


def user_admin_list(user: Any, *, q: str = "", include_inactive: bool = True) -> list[Any]:
    """Every user with role, office and legal entity, for the administrators' user list."""
    _require_administrator(user)
    users = get_user_model().objects.select_related("role", "office", "legal_entity")
    if not include_inactive:
        users = users.filter(is_active=True)
    if q.strip():
        term = q.strip()
        users = users.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
        )
    return list(users.prefetch_related("teams").order_by("-is_active", "username")[:CHOICES_SHOWN])


def user_admin_get(user: Any, pk: int) -> Any:
    _require_administrator(user)
    found = (
        get_user_model()
        .objects.select_related("role", "office", "legal_entity")
        .prefetch_related("teams")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def role_list(user: Any) -> list[Role]:
    """Every role; each user has one. Readable by every signed-in user (to pick from)."""
    if not user.is_authenticated:
        return []
    return list(Role.objects.order_by("name", "pk"))


def role_admin_get(user: Any, pk: int) -> Role:
    _require_administrator(user)
    found = Role.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def organisation_admin_get(user: Any, model: type, pk: int) -> Any:
    """One legal entity, office or team, for an administrator to edit."""
    _require_administrator(user)
    if model not in (LegalEntity, Office, Team):
        raise NotFound()
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def organisation_admin_list(user: Any, model: type) -> list[Any]:
    """Every legal entity, office or team (with what they belong to), for administrators."""
    _require_administrator(user)
    queryset = model.objects.all()
    if model is Office:
        queryset = queryset.select_related("legal_entity")
    elif model is Team:
        queryset = queryset.select_related("office")
    return list(queryset.order_by("name", "pk")[:CHOICES_SHOWN])
