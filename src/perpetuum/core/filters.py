"""List filters shared by every client list: ownership, tags, time ranges, custom fields."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from perpetuum.core import search
from perpetuum.core.customfields import filter_value
from perpetuum.core.models import CustomFieldDefinition


@dataclass
class ListFilters:
    """What a user may filter a list of accounts, contacts, leads or interactions by."""

    q: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    office_id: int | None = None
    legal_entity_id: int | None = None
    tag_id: int | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    custom: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def apply_common_filters(
    queryset: QuerySet, filters: ListFilters, *, entity: str | None, search_fields: list[str]
) -> QuerySet:
    """`queryset` narrowed by every filter that is set. `q` goes to the full-text index for
    accounts, contacts and leads, else to a substring match on `search_fields`."""
    conditions: dict[str, Any] = {}
    for name in ("owner_id", "team_id", "office_id", "legal_entity_id"):
        value = getattr(filters, name)
        if value is not None:
            conditions[name] = value
    ranges = {
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
        "updated_at__gte": filters.updated_after,
        "updated_at__lt": filters.updated_before,
    }
    conditions.update({key: value for key, value in ranges.items() if value is not None})
    conditions.update({key: value for key, value in filters.extra.items() if value is not None})
    if filters.tag_id is not None:
        conditions["tags__id"] = filters.tag_id
    queryset = queryset.filter(**conditions)
    if filters.q.strip() and entity in search.ENTITIES:
        queryset = search.filter_queryset(queryset, entity, filters.q)
    elif filters.q.strip():
        term = filters.q.strip()
        match = Q()
        for name in search_fields:
            match |= Q(**{f"{name}__icontains": term})
        queryset = queryset.filter(match)
    if filters.custom:
        if entity is None:
            raise ValidationError({"custom": ["This list has no custom fields."]})
        definitions = {
            definition.key: definition
            for definition in CustomFieldDefinition.objects.filter(
                entity=entity, key__in=list(filters.custom)
            )
        }
        for key, raw in filters.custom.items():
            definition = definitions.get(key)
            if definition is None:
                raise ValidationError({f"custom.{key}": ["There is no such custom field."]})
            value = filter_value(definition, raw)
            if definition.field_type == CustomFieldDefinition.FieldType.MULTI_CHOICE:
                if value not in definition.choices:
                    raise ValidationError({f"custom.{key}": ["Not one of the choices."]})
                # The JSON text of the list holds the quoted choice on both databases.
                queryset = queryset.filter(**{f"custom__{key}__icontains": f'"{value}"'})
            else:
                queryset = queryset.filter(**{f"custom__{key}": value})
    return queryset
