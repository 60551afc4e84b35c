"""Full-text search behind one interface, with two engines.

Each searchable entity has a table `search_<entity>` keyed by the record's id, holding the
record's search tokens (folded, with umlaut spellings and transliterations — see
`core.text`). SQLite uses an FTS5 table (prefix queries, bm25 ranking); PostgreSQL a plain
table with a generated tsvector under a GIN index (prefix queries, ts_rank) and a pg_trgm
GIN index on the tokens for substrings. Callers never see which engine runs: they filter a
queryset with `filter_queryset` (which keeps their access scope and ordering) or ask for
`ranked_ids`.
"""

# Table names come from the ENTITIES allow-list; every value is a query parameter.
# ruff: noqa: S608, S611

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from perpetuum.core.text import query_terms

ENTITIES = ("account", "contact", "lead")
_PHONE_QUERY = re.compile(r"^[\d\s()+./-]{5,}$")
MIN_SUBSTRING = 3


_INDEXERS: dict[type, Callable[[list[int]], None]] = {}


def register(model: type, indexer: Callable[[list[int]], None]) -> None:
    """Make `refresh` re-index records of `model` with `indexer` (done in AppConfig.ready)."""
    _INDEXERS[model] = indexer


def refresh(model: type, ids: Iterable[int]) -> None:
    """Bring the index of these records in step after a write; other models are ignored."""
    indexer = _INDEXERS.get(model)
    if indexer is not None:
        indexer(list(ids))


def table(entity: str) -> str:
    if entity not in ENTITIES:
        raise ValueError(f"not a searchable entity: {entity}")
    return f"search_{entity}"


def create_tables(schema_editor: object) -> None:
    """Create the search tables for the database in use (called by a migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for entity in ENTITIES:
                name = table(entity)
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} (id bigint PRIMARY KEY, "
                    "body text NOT NULL, vector tsvector GENERATED ALWAYS AS "
                    "(to_tsvector('simple', body)) STORED)"
                )
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name}_vector ON {name} USING gin (vector)"
                )
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name}_trgm ON {name} "
                    "USING gin (body gin_trgm_ops)"
                )
        else:
            for entity in ENTITIES:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {table(entity)} USING fts5("
                    "body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
                )


def drop_tables(schema_editor: object) -> None:
    with connection.cursor() as cursor:
        for entity in ENTITIES:
            cursor.execute(f"DROP TABLE IF EXISTS {table(entity)}")


def store(entity: str, documents: Sequence[tuple[int, str]], *, new: bool = False) -> None:
    """Put (id, tokens) documents in the index, replacing what was there; `new` says no
    document of these ids is there yet (records just bulk-loaded), which skips the lookups
    for one to replace."""
    if not documents:
        return
    name = table(entity)
    with connection.cursor() as cursor:
        if new and connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} (id, body) FROM STDIN") as copy:
                for document in documents:
                    copy.write_row(document)
        elif new:
            cursor.executemany(f"INSERT INTO {name} (rowid, body) VALUES (%s, %s)", documents)
        elif connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {name} (id, body) VALUES (%s, %s) "
                "ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body",
                documents,
            )
        else:
            ids = [(record_id,) for record_id, _ in documents]
            cursor.executemany(f"DELETE FROM {name} WHERE rowid = %s", ids)
            cursor.executemany(f"INSERT INTO {name} (rowid, body) VALUES (%s, %s)", documents)


def remove(entity: str, ids: Iterable[int]) -> None:
    ids = [(record_id,) for record_id in ids]
    if not ids:
        return
    key = "id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table(entity)} WHERE {key} = %s", ids)


def clear(entity: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table(entity)}")


def terms_of(query: str) -> list[str]:
    """The terms a query searches for; a phone-like query is one run of digits (without
    trunk zeros), so "030 123 45" finds +4930 12345."""
    query = query.strip()
    if _PHONE_QUERY.match(query):
        digits = re.sub(r"\D", "", query).lstrip("0")
        if len(digits) >= 4:
            return [digits]
    return query_terms(query)[:8]


def _match_sql(entity: str, terms: list[str]) -> tuple[str, list[str], str, list[str]]:
    """(SQL selecting matching ids, its parameters, ORDER BY rank SQL, its parameters)."""
    name = table(entity)
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        conditions = []
        params: list[str] = []
        for term in terms:
            if len(term) >= MIN_SUBSTRING:
                conditions.append("(vector @@ to_tsquery('simple', %s) OR body LIKE %s)")
                params += [f"{term}:*", f"%{term}%"]
            else:
                conditions.append("vector @@ to_tsquery('simple', %s)")
                params.append(f"{term}:*")
        sql = f"SELECT id FROM {name} WHERE " + " AND ".join(conditions)
        rank = "ts_rank(vector, to_tsquery('simple', %s), 1) DESC, id"
        return sql, params, rank, [tsquery]
    expression = " ".join(f'"{term}"*' for term in terms)
    return f"SELECT rowid FROM {name} WHERE {name} MATCH %s", [expression], "rank", []


def filter_queryset(queryset: QuerySet, entity: str, query: str) -> QuerySet:
    """`queryset` narrowed to the records matching `query` (every term, as a prefix or, on
    PostgreSQL, a substring); its scope and ordering stay as they are."""
    terms = terms_of(query)
    if not terms:
        return queryset
    sql, params, _, _ = _match_sql(entity, terms)
    if connection.vendor == "postgresql":
        # Matches first, then their rows: read as a plain IN, PostgreSQL may walk the
        # list's sort index and test every row against the search table instead (49,000
        # probes for a prefix that 1,870 of a million contacts match).
        sql = f"SELECT unnest(ARRAY({sql}))"
    return queryset.filter(pk__in=RawSQL(sql, params))


def ranked_ids(entity: str, query: str, limit: int) -> list[int]:
    """The ids of the best `limit` matches, best first (before any access scope)."""
    terms = terms_of(query)
    if not terms:
        return []
    sql, params, rank, rank_params = _match_sql(entity, terms)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {rank} LIMIT %s", [*params, *rank_params, limit])
        return [row[0] for row in cursor.fetchall()]
