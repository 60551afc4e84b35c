"""Keyset (cursor) pagination: every page is one indexed range scan, however deep it is."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet


@dataclass
class Page:
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[Any]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": ["The cursor is not valid."]}) from error
    if not isinstance(values, list) or len(values) != 2:
        raise ValidationError({"cursor": ["The cursor is not valid."]})
    return values


def _column(sort: str, allowed: dict[str, str]) -> str:
    key = sort.lstrip("-")
    if key not in allowed:
        raise ValidationError({"sort": [f"Sort by one of: {', '.join(sorted(allowed))}."]})
    return allowed[key]


def keyset_after(
    queryset: QuerySet, *, sort: str, allowed: dict[str, str], cursor: str | None
) -> QuerySet:
    """`queryset` in the order of `sort`, from the row after `cursor` on."""
    column = _column(sort, allowed)
    descending = sort.startswith("-")
    direction = "lt" if descending else "gt"
    prefix = "-" if descending else ""
    queryset = queryset.order_by(f"{prefix}{column}", f"{prefix}pk")
    if cursor:
        value, last_pk = _decode(cursor)
        field = queryset.model._meta.get_field(column)
        try:
            value = field.to_python(value)
        except ValidationError as error:
            raise ValidationError({"cursor": ["The cursor is not valid."]}) from error
        # "column ≥ value" on its own gives the database the start of an index range; the
        # rest drops the rows of that value up to the cursor. (Written as one OR, SQLite
        # reads the index from its start.)
        queryset = queryset.filter(
            Q(**{f"{column}__{direction}e": value})
            & (Q(**{f"{column}__{direction}": value}) | Q(**{f"pk__{direction}": last_pk}))
        )
    return queryset


def keyset_page(
    queryset: QuerySet, *, sort: str, allowed: dict[str, str], cursor: str | None, limit: int
) -> Page:
    """The page after `cursor` of `queryset` ordered by `sort` ("name" or "-name"), with
    the primary key as tie-breaker. `allowed` maps the public sort keys to non-null columns.
    """
    column = _column(sort, allowed)
    queryset = keyset_after(queryset, sort=sort, allowed=allowed, cursor=cursor)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, column), last.pk])
    return Page(items=rows, next_cursor=next_cursor)


@dataclass(frozen=True, slots=True)
class TagBrief:
    """A tag as a list row shows it."""

    id: int
    name: str
    color: str

    @property
    def pk(self) -> int:
        return self.id


def attach_tags(records: list[Any]) -> None:
    """Put on every record of a page the plain list `listed_tags` of its live tags, by name,
    read in one query of four columns. A `Prefetch` builds a full `Tag` for every link and a
    queryset for every record, which cost 2 ms of a 50-row page."""
    if not records:
        return
    model = type(records[0])
    link = model.tags.through
    column = f"{model._meta.model_name}_id"
    tags: dict[int, list[TagBrief]] = {}
    for record in records:
        record.listed_tags = tags.setdefault(record.pk, [])
    rows = (
        link.objects.filter(**{f"{column}__in": list(tags)}, tag__deleted_at__isnull=True)
        .order_by("tag__name", "tag_id")
        .values_list(column, "tag_id", "tag__name", "tag__color")
    )
    for record_id, *tag in rows:
        tags[record_id].append(TagBrief(*tag))


def listed(relation: str, queryset: QuerySet | None = None) -> Prefetch:
    """Prefetch `relation` of every row of a page into the plain list `listed_<relation>`.

    `prefetch_related("tags")` spends about 0.1 ms a row building a filtered queryset for
    each row's manager; a plain list skips that, which halves a 50-row page. Read it with
    `prefetched()`, which falls back to the relation itself for rows read another way.
    """
    return Prefetch(relation, queryset=queryset, to_attr=f"listed_{relation}")


def prefetched(record: Any, relation: str) -> list[Any]:
    """The rows of `relation` of `record`: those `listed()` prefetched, else a query."""
    rows = record.__dict__.get(f"listed_{relation}")
    if rows is None:
        rows = list(getattr(record, relation).all())
    return rows
