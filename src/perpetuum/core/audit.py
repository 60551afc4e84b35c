"""Writing the audit trail: one event per write, with the actor, request id and changes."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db.models import Model

from perpetuum.core.context import current_request_id
from perpetuum.core.models import AuditEvent


def jsonable(value: Any) -> Any:
    """A value as it is stored in an audit event's `changes`."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def object_type(instance_or_model: Model | type[Model]) -> str:
    return instance_or_model._meta.label_lower


def audit(
    *,
    actor: Any,
    action: str,
    instance: Model | None = None,
    changes: dict[str, Any] | None = None,
    object_type_label: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Record one event; call it inside the transaction of the write it describes."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if instance is not None:
        object_type_label = object_type(instance)
        object_id = str(instance.pk)
        object_repr = str(instance)[:200]
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else "system")[:150],
        request_id=current_request_id(),
        action=action,
        object_type=object_type_label,
        object_id=object_id,
        object_repr=object_repr,
        changes=jsonable(changes or {}),
    )
