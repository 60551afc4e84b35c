"""Writes to our own organisation's users: a user's own preferences and password, and the
audit trail of signing in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from perpetuum.core import access
from perpetuum.core.audit import audit
from perpetuum.core.errors import PermissionDenied
from perpetuum.core.services import diff, field_values, record_create, record_update
from perpetuum.org.models import LegalEntity, Office, Role, Team


def user_language_set(*, actor: Any, language: str) -> Any:
    """Set the language the actor's pages are served in (one of `settings.LANGUAGES`)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ["Choose one of the offered languages."]})
    with transaction.atomic():
        before = actor.language
        if before != language:
            actor.language = language
            actor.full_clean(validate_unique=False)
            actor.save(update_fields=["language"])
            audit(
                actor=actor,
                action="update",
                instance=actor,
                changes={"language": [before, language]},
            )
    return actor


def user_password_change(*, actor: Any, new_password: str) -> Any:
    """Set the actor's new password (already validated by the caller's form)."""
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        # The trail says that the password changed, never what it is.
        audit(actor=actor, action="update", instance=actor, changes={"password": [None, "***"]})
    return actor


def sign_in_record(*, user: Any, address: str) -> None:
    """Record a successful sign-in of `user` from `address`."""
    audit(actor=user, action="login", instance=user, changes={"address": [None, address]})


def sign_in_failure_record(*, username: str, address: str) -> None:
    """Record a failed sign-in for the account name that was tried, from `address`.

    The name is kept as typed (trimmed), never whether such a user exists."""
    audit(
        actor=None,
        action="login_failed",
        object_type_label="org.user",
        object_repr=username[:200],
        changes={"address": [None, address]},
    )


# --- Administration: users, roles, teams, offices and legal entities ------------------------

USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "office",
    "legal_entity",
    "language",
    "is_active",
    "teams",
]
ROLE_FIELDS = ["name", "permissions"]
ORGANISATION_FIELDS = {
    LegalEntity: [
        "name",
        "legal_name",
        "country",
        "tax_id",
        "vat_id",
        "kpp",
        "base_currency",
    ],
    Office: ["name", "city", "country", "legal_entity"],
    Team: ["name", "office"],
}


def _require_administrator(actor: Any) -> None:
    if not access.is_administrator(actor):
        raise PermissionDenied("Only administrators change this.")


def _check_not_locked_out(actor: Any, user: Any) -> None:
    """An administrator cannot take their own administration away (nobody could give it
    back); another administrator can."""
    if user.pk != actor.pk or actor.is_superuser:
        return
    if not user.is_active:
        raise ValidationError({"is_active": ["You cannot deactivate yourself."]})
    if not (user.role_id and Role.objects.filter(pk=user.role_id, is_administrator=True).exists()):
        raise ValidationError({"role": ["You cannot take the administrator role from yourself."]})


def user_create(*, actor: Any, data: dict[str, Any], password: str) -> Any:
    """Create a user with an initial password (checked by the password validators); the
    legal entity follows the office unless given."""
    _require_administrator(actor)
    data = dict(data)
    teams = data.pop("teams", [])
    unknown = set(data) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    user = get_user_model()(**data)
    if user.legal_entity_id is None and user.office_id is not None:
        user.legal_entity_id = user.office.legal_entity_id
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        user.teams.set(teams)
        audit(
            actor=actor,
            action="create",
            instance=user,
            changes=diff({}, field_values(user, USER_FIELDS)),
        )
    return user


def user_update(*, actor: Any, user: Any, data: dict[str, Any]) -> Any:
    """Change a user's names, e-mail, role, office, legal entity, teams, language or
    whether they may sign in. Users are deactivated, never deleted: the trail keeps them."""
    _require_administrator(actor)
    unknown = set(data) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    model = get_user_model()
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=user.pk)
        before = field_values(current, data)
        for name, value in data.items():
            if name != "teams":
                setattr(current, name, value)
        _check_not_locked_out(actor, current)
        current.full_clean()
        current.save()
        if "teams" in data:
            current.teams.set(data["teams"])
        changes = diff(before, field_values(current, data))
        if changes:
            audit(actor=actor, action="update", instance=current, changes=changes)
    current.changes = changes
    return current


def user_set_active(*, actor: Any, user: Any, is_active: bool) -> Any:
    """Deactivate a user (they can no longer sign in; their records stay theirs until
    reassigned) or let them back in."""
    return user_update(actor=actor, user=user, data={"is_active": is_active})


def _clean_permissions(permissions: Any) -> dict[str, dict[str, str]]:
    """A role's matrix: every scoped entity, a read and a write scope each, and a write
    scope no wider than the read scope."""
    if not isinstance(permissions, dict):
        raise ValidationError({"permissions": ["Give a scope per entity."]})
    scopes = [str(scope) for scope in access.SCOPE_ORDER]
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for entity in access.SCOPED_ENTITIES.values():
        given = permissions.get(entity) or {}
        read, write = given.get("read", "none"), given.get("write", "none")
        if read not in scopes or write not in scopes:
            errors[f"{entity}__read"] = [f"Choose one of: {', '.join(scopes)}."]
            continue
        if scopes.index(write) > scopes.index(read):
            errors[f"{entity}__write"] = ["One cannot change more than one can see."]
            continue
        cleaned[entity] = {"read": read, "write": write}
    if errors:
        raise ValidationError(errors)
    return cleaned


def role_create(*, actor: Any, data: dict[str, Any]) -> Role:
    """A new role (not an administrator's: that one exists once, from the start)."""
    _require_administrator(actor)
    role = Role(
        code=data.get("code", ""),
        name=data.get("name", ""),
        permissions=_clean_permissions(data.get("permissions")),
    )
    role.full_clean()
    with transaction.atomic():
        role.save()
        audit(
            actor=actor,
            action="create",
            instance=role,
            changes=diff({}, field_values(role, ["code", "name", "permissions"])),
        )
    return role


def role_update(*, actor: Any, role: Role, data: dict[str, Any]) -> Role:
    """Change a role's name or its scope matrix; every user of the role sees the effect on
    their next request."""
    _require_administrator(actor)
    unknown = set(data) - set(ROLE_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    with transaction.atomic():
        current = Role.objects.select_for_update().get(pk=role.pk)
        before = field_values(current, data)
        if "name" in data:
            current.name = data["name"]
        if "permissions" in data:
            current.permissions = _clean_permissions(data["permissions"])
        current.full_clean()
        current.save()
        changes = diff(before, field_values(current, data))
        if changes:
            audit(actor=actor, action="update", instance=current, changes=changes)
    return current


def organisation_create(*, actor: Any, model: type, data: dict[str, Any]) -> Any:
    """Create a legal entity, office or team of our own company."""
    _require_administrator(actor)
    allowed = ORGANISATION_FIELDS[model]
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    return record_create(actor=actor, instance=model(**data), audit_fields=allowed)


def organisation_update(
    *, actor: Any, instance: Any, data: dict[str, Any], expected_version: int | None
) -> Any:
    """Change a legal entity, office or team, if nobody saved it since `expected_version`."""
    _require_administrator(actor)
    return record_update(
        actor=actor,
        instance=instance,
        data=data,
        allowed=ORGANISATION_FIELDS[type(instance)],
        expected_version=expected_version,
    )
