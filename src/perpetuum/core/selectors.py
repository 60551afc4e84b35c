"""Reads of the shared vocabulary, the audit trail, users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from perpetuum.core import access
from perpetuum.core.access import SCOPED_ENTITIES, is_administrator, scoped
from perpetuum.core.errors import NotFound, PermissionDenied
from perpetuum.core.models import ApiToken, AuditEvent, CustomFieldDefinition, Tag
from perpetuum.core.pagination import Page, keyset_page


def _vocabulary(model: type, user: Any, *, deleted: bool) -> QuerySet:
    """Tags and custom fields are readable by every user; the recycle bin by administrators."""
    if not user.is_authenticated:
        return model.objects.none()
    if deleted:
        if not is_administrator(user):
            return model.objects.none()
        return model.all_objects.deleted()
    return model.objects.all()


def tag_list(user: Any, *, q: str, deleted: bool, cursor: str | None, limit: int) -> Page:
    queryset = _vocabulary(Tag, user, deleted=deleted)
    if q:
        queryset = queryset.filter(name__icontains=q)
    return keyset_page(queryset, sort="name", allowed={"name": "name"}, cursor=cursor, limit=limit)


def tag_get(user: Any, pk: int, *, deleted: bool = False) -> Tag:
    found = _vocabulary(Tag, user, deleted=deleted).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def custom_field_list(
    user: Any, *, entity: str | None, deleted: bool, cursor: str | None, limit: int
) -> Page:
    queryset = _vocabulary(CustomFieldDefinition, user, deleted=deleted)
    if entity:
        queryset = queryset.filter(entity=entity)
    return keyset_page(queryset, sort="key", allowed={"key": "key"}, cursor=cursor, limit=limit)


def custom_field_get(user: Any, pk: int, *, deleted: bool = False) -> CustomFieldDefinition:
    found = _vocabulary(CustomFieldDefinition, user, deleted=deleted).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def audit_list(
    user: Any,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """The audit trail, newest first; administrators only."""
    if not is_administrator(user):
        raise PermissionDenied("Only administrators read the audit trail.")
    conditions = {
        "object_type": object_type,
        "object_id": object_id,
        "actor_id": actor_id,
        "action": action,
    }
    queryset = AuditEvent.objects.filter(
        **{key: value for key, value in conditions.items() if value is not None}
    )
    return keyset_page(queryset, sort="-at", allowed={"at": "at"}, cursor=cursor, limit=limit)


def user_list(user: Any, *, q: str, cursor: str | None, limit: int) -> Page:
    """Active colleagues, to pick owners from."""
    queryset = get_user_model().objects.filter(is_active=True).select_related("role")
    if q:
        queryset = queryset.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    return keyset_page(
        queryset, sort="username", allowed={"username": "username"}, cursor=cursor, limit=limit
    )


def token_list(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user)[:100])


def token_get(user: Any, pk: int) -> ApiToken:
    found = ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).first()
    if found is None:
        raise NotFound()
    return found


@dataclass
class ChangeRow:
    """One field of a record as someone else changed it: label, old → new, by whom, when."""

    field: str
    label: str
    old: str
    new: str
    actor_name: str
    at: Any


def _display(user: Any, field: Any, values: list[Any]) -> dict[Any, str]:
    """Readable names for the ids a relation field held; records out of scope stay ids."""
    ids = {item for value in values for item in (value if isinstance(value, list) else [value])}
    ids.discard(None)
    if not ids or not field.is_relation:
        return {}
    model = field.related_model
    queryset = model._default_manager.filter(pk__in=ids)
    if model._meta.label_lower in SCOPED_ENTITIES:
        queryset = scoped(user, queryset)
    return {obj.pk: str(obj) for obj in queryset}


def _as_text(value: Any, names: dict[Any, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(names.get(item, str(item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return names.get(value, str(value))


def record_changes_since(user: Any, instance: Any, version: int, *, limit: int = 10) -> list[Any]:
    """What others changed on `instance` after the user read it at `version`: the fields of
    the latest audited writes, oldest first, with readable values.

    The caller has fetched `instance` through a scoped selector; who may see a record may
    see how it changed since they opened it.
    """
    if instance._meta.label_lower in SCOPED_ENTITIES:
        if not access.can(user, "read", instance):
            raise NotFound()
    elif not is_administrator(user):
        # Our own organisation's records change through administration only.
        raise NotFound()
    count = max(1, min(limit, instance.version - version))
    events = list(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower,
            object_id=str(instance.pk),
            action__in=["update", "merge", "convert", "restore"],
        ).order_by("-at", "-id")[:count]
    )
    rows: list[ChangeRow] = []
    for event in reversed(events):
        for name, change in event.changes.items():
            if not isinstance(change, list) or len(change) != 2:
                continue
            try:
                field = instance._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            names = _display(user, field, change) if field is not None else {}
            label = str(field.verbose_name) if field is not None else name.replace("_", " ")
            rows.append(
                ChangeRow(
                    field=name,
                    label=label,
                    old=_as_text(change[0], names),
                    new=_as_text(change[1], names),
                    actor_name=event.actor_name,
                    at=event.at,
                )
            )
    return rows
