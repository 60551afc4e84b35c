"""The one chokepoint of record-level access.

A role gives, per entity, a read scope and a write scope: none, own, team, office,
legal_entity or all. Each scope includes the narrower ones (a team scope also sees one's own
records). Role rules are ORed; a global rule — the legal entities a user is confined to — is
always ANDed, as in Odoo's record rules. Every selector starts from `scoped()`; an object
outside the scope is answered as missing (404), never as forbidden.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, Func, IntegerField, Model, Q, QuerySet
from django.db.models.lookups import Exact, In

if TYPE_CHECKING:
    from perpetuum.org.models import User


class Scope(StrEnum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    OFFICE = "office"
    LEGAL_ENTITY = "legal_entity"
    ALL = "all"


SCOPE_ORDER = [Scope.NONE, Scope.OWN, Scope.TEAM, Scope.OFFICE, Scope.LEGAL_ENTITY, Scope.ALL]

# Entities under record-level access, by model label.
SCOPED_ENTITIES = {
    "clients.account": "account",
    "clients.contact": "contact",
    "clients.lead": "lead",
    "timeline.interaction": "interaction",
    "sales.deal": "deal",
    "sales.order": "order",
    "sales.invoice": "invoice",
}


def _rw(read: Scope, write: Scope) -> dict[str, str]:
    return {"read": str(read), "write": str(write)}


def _same(read: Scope, write: Scope) -> dict[str, dict[str, str]]:
    return {entity: _rw(read, write) for entity in SCOPED_ENTITIES.values()}


S = Scope
# The roles every installation starts with; an administrator may edit them afterwards.
DEFAULT_ROLES: dict[str, dict[str, Any]] = {
    "administrator": {
        "name": "Administrator",
        "is_administrator": True,
        "permissions": _same(S.ALL, S.ALL),
    },
    "executive": {"name": "Executive", "permissions": _same(S.ALL, S.OWN)},
    "sales_manager": {"name": "Sales manager", "permissions": _same(S.OFFICE, S.TEAM)},
    "sales_representative": {
        "name": "Sales representative",
        "permissions": _same(S.TEAM, S.OWN),
    },
    "support_agent": {
        "name": "Support agent",
        "permissions": {
            "account": _rw(S.LEGAL_ENTITY, S.NONE),
            "contact": _rw(S.LEGAL_ENTITY, S.OWN),
            "lead": _rw(S.NONE, S.NONE),
            "interaction": _rw(S.LEGAL_ENTITY, S.OWN),
            "deal": _rw(S.LEGAL_ENTITY, S.NONE),
            "order": _rw(S.LEGAL_ENTITY, S.NONE),
            "invoice": _rw(S.LEGAL_ENTITY, S.NONE),
        },
    },
    "marketer": {
        "name": "Marketer",
        "permissions": {
            "account": _rw(S.LEGAL_ENTITY, S.NONE),
            "contact": _rw(S.LEGAL_ENTITY, S.NONE),
            "lead": _rw(S.LEGAL_ENTITY, S.TEAM),
            "interaction": _rw(S.OWN, S.OWN),
            "deal": _rw(S.LEGAL_ENTITY, S.NONE),
            "order": _rw(S.LEGAL_ENTITY, S.NONE),
            "invoice": _rw(S.NONE, S.NONE),
        },
    },
    "read_only": {"name": "Read-only", "permissions": _same(S.OFFICE, S.NONE)},
}
ROLE_CODES = list(DEFAULT_ROLES)


def entity_of(model: type[Model]) -> str:
    return SCOPED_ENTITIES[model._meta.label_lower]


def is_administrator(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user.role_id and user.role.is_administrator)


def scope_of(user: User, entity: str, action: str = "read") -> Scope:
    """The scope the user's role grants for `action` ("read" or "write") on `entity`."""
    if not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if user.is_superuser:
        return Scope.ALL
    if not user.role_id:
        return Scope.NONE
    granted = user.role.permissions.get(entity, {}).get(action, "none")
    return Scope(granted)


def _team_ids(user: User) -> list[int]:
    cached = getattr(user, "_perpetuum_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._perpetuum_team_ids = cached
    return cached


def _term(column: str, value: Any, *, unindexed: bool) -> Q:
    """`column = value` (or IN for a list); `unindexed` keeps SQLite from answering it
    through the column's own index (see `scope_q`)."""
    if not unindexed:
        return Q(**{f"{column}__in" if isinstance(value, list) else column: value})
    expression = Func(F(column), template="(+%(expressions)s)", output_field=IntegerField())
    return Q(In(expression, value) if isinstance(value, list) else Exact(expression, value))


def scope_q(user: User, entity: str, action: str = "read") -> Q:
    """The `Q` of the records `user` may `action` on `entity` (owner/team/office/entity).

    A scope wider than one's own records ORs several columns. SQLite would answer that OR
    through each column's index and then sort every matching row, which at a million rows
    costs a second for one list page; the terms are then written so that SQLite walks the
    list's sort index instead and stops at the page's end. PostgreSQL plans this itself.
    """
    scope = scope_of(user, entity, action)
    if scope == Scope.NONE:
        return Q(pk__in=[])
    if scope == Scope.ALL:
        return Q()
    level = SCOPE_ORDER.index(scope)
    terms: list[tuple[str, Any]] = [("owner_id", user.pk)]
    if level >= SCOPE_ORDER.index(Scope.TEAM):
        team_ids = _team_ids(user)
        if team_ids:
            terms.append(("team_id", team_ids))
    if level >= SCOPE_ORDER.index(Scope.OFFICE) and user.office_id:
        terms.append(("office_id", user.office_id))
    if level >= SCOPE_ORDER.index(Scope.LEGAL_ENTITY) and user.legal_entity_id:
        terms.append(("legal_entity_id", user.legal_entity_id))
    unindexed = len(terms) > 1 and connection.vendor == "sqlite"
    rule = Q()
    for column, value in terms:
        rule |= _term(column, value, unindexed=unindexed)
    return rule


def scoped(user: User, queryset: QuerySet, action: str = "read") -> QuerySet:
    """`queryset` restricted to what `user` may `action`; the start of every selector."""
    entity = entity_of(queryset.model)
    return queryset.filter(scope_q(user, entity, action))


def can(user: User, action: str, instance: Model) -> bool:
    """Whether `user` may `action` on this one record (used before writes)."""
    manager = type(instance).all_objects if hasattr(type(instance), "all_objects") else None
    base = manager if manager is not None else type(instance)._default_manager
    return scoped(user, base.filter(pk=instance.pk), action).exists()


def may_create(user: User, entity: str) -> bool:
    """Creating needs any write scope on the entity; the new record is then the user's own."""
    return scope_of(user, entity, "write") != Scope.NONE
