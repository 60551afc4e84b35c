"""Reads of the shared vocabulary, the audit trail, users and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from perpetuum.core.access import is_administrator
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
