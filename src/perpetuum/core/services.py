"""The generic writes every app's services are built from: create, update with a version
check and an allow-list of fields, delete to the recycle bin, restore, purge.

Each function runs in one transaction and writes exactly one audit event.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from perpetuum.core import search
from perpetuum.core.access import is_administrator
from perpetuum.core.audit import audit, jsonable
from perpetuum.core.errors import NotFound, PermissionDenied, VersionConflict
from perpetuum.core.models import ApiToken, CustomFieldDefinition, Record, Tag

R = TypeVar("R", bound=Record)


def field_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, foreign keys as ids and many-to-many as sorted ids."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(obj.pk for obj in getattr(instance, name).all())
        elif field.is_relation:
            values[name] = getattr(instance, field.attname)
        else:
            values[name] = jsonable(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record_create(
    *,
    actor: Any,
    instance: R,
    many_to_many: dict[str, Iterable[Any]] | None = None,
    audit_fields: Iterable[str] | None = None,
) -> R:
    """Validate and save a new record, set its many-to-many fields, audit it."""
    with transaction.atomic():
        instance.full_clean()
        instance.save(force_insert=True)
        for name, values in (many_to_many or {}).items():
            getattr(instance, name).set(values)
        fields = audit_fields or [
            f.name
            for f in instance._meta.concrete_fields
            if f.name not in {"id", "created_at", "updated_at", "version", "deleted_at"}
        ]
        after = field_values(instance, [*fields, *(many_to_many or {})])
        audit(actor=actor, action="create", instance=instance, changes=diff({}, after))
        search.refresh(type(instance), [instance.pk])
    return instance


def record_update(
    *,
    actor: Any,
    instance: R,
    data: dict[str, Any],
    allowed: Iterable[str],
    expected_version: int | None,
    before_save: Callable[[R], None] | None = None,
    audit_action: str | None = "update",
) -> R:
    """Apply `data` to the record, only for the `allowed` fields, if nobody saved it since
    `expected_version`; audit each field's old → new. Returns the fresh record, with the
    changes in its `changes` attribute.

    `before_save` recomputes derived columns after the new values are set. A caller that
    writes its own audit event for a larger operation (a merge) passes `audit_action=None`.
    """
    allowed = set(allowed)
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    model = type(instance)
    with transaction.atomic():
        try:
            current = model.all_objects.select_for_update().get(pk=instance.pk)
        except model.DoesNotExist as missing:
            raise NotFound() from missing
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(
                f"The record was changed since version {expected_version}; "
                f"it is now at version {current.version}.",
                current_version=current.version,
            )
        m2m = {
            name: value for name, value in data.items() if model._meta.get_field(name).many_to_many
        }
        plain = {name: value for name, value in data.items() if name not in m2m}
        before = field_values(current, data)
        for name, value in plain.items():
            field = model._meta.get_field(name)
            # A relation may be given as an object (set by name) or as an id (by attname).
            relation_id = field.is_relation and not isinstance(value, models.Model)
            setattr(current, field.attname if relation_id else name, value)
        if before_save is not None:
            before_save(current)
        current.full_clean()
        for name, values in m2m.items():
            getattr(current, name).set(values)
        changes = diff(before, field_values(current, data))
        if changes:
            current.version += 1
            current.updated_at = timezone.now()
            current.save()
            if audit_action:
                audit(actor=actor, action=audit_action, instance=current, changes=changes)
            search.refresh(model, [current.pk])
    current.changes = changes
    return current


def record_delete(
    *,
    actor: Any,
    instance: R,
    expected_version: int | None = None,
    audit_action: str | None = "delete",
) -> R:
    """Move the record to the recycle bin."""
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=instance.pk).first()
        if current is None:
            raise NotFound()
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(
                f"The record was changed since version {expected_version}.",
                current_version=current.version,
            )
        current.deleted_at = timezone.now()
        current.deleted_by = actor if getattr(actor, "is_authenticated", False) else None
        current.version += 1
        current.save(update_fields=["deleted_at", "deleted_by", "version"])
        if audit_action:
            audit(actor=actor, action=audit_action, instance=current)
    return current


def record_restore(*, actor: Any, instance: R) -> R:
    """Take the record back out of the recycle bin."""
    model = type(instance)
    with transaction.atomic():
        current = model.all_objects.select_for_update().filter(pk=instance.pk).first()
        if current is None or current.deleted_at is None:
            raise NotFound("The record is not in the recycle bin.")
        current.deleted_at = None
        current.deleted_by = None
        current.version += 1
        current.full_clean()
        current.save(update_fields=["deleted_at", "deleted_by", "version"])
        audit(actor=actor, action="restore", instance=current)
        search.refresh(model, [current.pk])
    return current


def recycle_bin_purge(
    *, models_to_purge: Iterable[type[Record]], older_than_days: int | None = None
) -> int:
    """Delete for good the records that stayed in the recycle bin longer than the retention
    period; one audit event per purged record. Safe to run twice."""
    days = settings.PERPETUUM_RECYCLE_BIN_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    purged = 0
    for model in models_to_purge:
        while True:
            with transaction.atomic():
                batch = list(model.all_objects.filter(deleted_at__lt=cutoff).order_by("pk")[:500])
                if not batch:
                    break
                for instance in batch:
                    audit(actor=None, action="purge", instance=instance)
                ids = [obj.pk for obj in batch]
                model.all_objects.filter(pk__in=ids).delete()
                if model._meta.model_name in search.ENTITIES:
                    search.remove(model._meta.model_name, ids)
                purged += len(batch)
    return purged


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the clear key is returned once and never stored."""
    key = f"ppt_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name or "API token", prefix=key[:12], key_hash=hash_token(key)
        )
        audit(actor=actor, action="token", instance=token, changes={"created": [None, name]})
    return token, key


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=actor, action="token", instance=token, changes={"revoked": [None, True]})
    return token


# --- Tags and custom field definitions: the administrator's vocabulary ---------------------

TAG_FIELDS = ["name", "color"]
CUSTOM_FIELD_FIELDS = [
    "label",
    "choices",
    "is_required",
    "max_length",
    "min_value",
    "max_value",
    "help_text",
    "position",
]


def _require_administrator(actor: Any) -> None:
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators change this.")


def _clean_definition(definition: Any) -> None:
    kind = definition.FieldType
    if definition.field_type in (kind.CHOICE, kind.MULTI_CHOICE):
        choices = definition.choices
        if (
            not isinstance(choices, list)
            or not choices
            or len(set(map(str, choices))) != len(choices)
        ):
            raise ValidationError({"choices": ["Give a list of distinct choices."]})
        if not all(isinstance(choice, str) and choice for choice in choices):
            raise ValidationError({"choices": ["Every choice is a non-empty text."]})
    elif definition.choices:
        raise ValidationError({"choices": ["Only choice fields have choices."]})


def tag_create(*, actor: Any, data: dict[str, Any]) -> Any:
    _require_administrator(actor)
    return record_create(actor=actor, instance=Tag(**data))


def tag_update(*, actor: Any, tag: Any, data: dict[str, Any], expected_version: int | None) -> Any:
    """Rename or recolour a tag; the records carrying it are found by the new name."""
    _require_administrator(actor)
    with transaction.atomic():
        updated = record_update(
            actor=actor,
            instance=tag,
            data=data,
            allowed=TAG_FIELDS,
            expected_version=expected_version,
        )
        if "name" in updated.changes:
            for relation in Tag._meta.related_objects:
                if relation.many_to_many:
                    ids = relation.related_model.all_objects.filter(tags=updated).values_list(
                        "pk", flat=True
                    )
                    search.refresh(relation.related_model, ids.iterator())
    return updated


def custom_field_create(*, actor: Any, data: dict[str, Any]) -> Any:
    _require_administrator(actor)
    definition = CustomFieldDefinition(**data)
    _clean_definition(definition)
    return record_create(actor=actor, instance=definition)


def custom_field_update(
    *, actor: Any, definition: Any, data: dict[str, Any], expected_version: int | None
) -> Any:
    _require_administrator(actor)
    return record_update(
        actor=actor,
        instance=definition,
        data=data,
        allowed=CUSTOM_FIELD_FIELDS,
        expected_version=expected_version,
        before_save=_clean_definition,
    )


def vocabulary_delete(*, actor: Any, instance: Any, expected_version: int | None = None) -> Any:
    """Delete a tag or a custom field definition to the recycle bin (administrators)."""
    _require_administrator(actor)
    return record_delete(actor=actor, instance=instance, expected_version=expected_version)


def vocabulary_restore(*, actor: Any, instance: Any) -> Any:
    _require_administrator(actor)
    return record_restore(actor=actor, instance=instance)
