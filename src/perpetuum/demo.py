"""Realistic demo data, generated fast enough for benchmark-sized databases.

`generate()` writes our own company (three legal entities, six offices, teams, users in every
role), then accounts with holdings, contacts with their roles, leads with their sources and
the timeline of interactions — in English, German, Russian and French.

Speed: Faker only fills small pools of names and streets, seeded; every row is combined from
the pools with one `random.Random(seed)`. Client rows go through one prepared INSERT per
table (`executemany`), in transactions of `BATCH` rows, with primary keys assigned here so
nothing is read back. A big load is written by a second process (`_Writer`) while this one
makes up the next batch: two threads would take turns under one GIL, two processes run side
by side on two cores. This one also checks every reference of the rows it sends
(`_References`), so that the writer loads them without the database's per-row foreign-key
checks. A small load is written here, a second thread building the next batch.
The small tables (our company, tags, tag links) use `bulk_create`. Django's `bulk_create`
spends about 150 µs per row of the 27-column interaction table compiling SQL, which alone
would take minutes for a million interactions.

New accounts, contacts and leads are put in the full-text search index too, with the
document functions of `clients.search` (the services do it on every write).

Determinism: the same seed and the same `now` (by default today, midnight UTC) give the same
rows with the same ids in an empty database (the audit event of the load aside).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import traceback
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Client, Listener
from types import SimpleNamespace
from typing import Any

import phonenumbers
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from stdnum import luhn
from stdnum.iso7064 import mod_11_10
from stdnum.ru import inn as ru_inn

from perpetuum.clients.duplicates import account_name_key, contact_name_key
from perpetuum.clients.models import Account, Contact, ContactRole, Lead
from perpetuum.core import search
from perpetuum.core.access import DEFAULT_ROLES
from perpetuum.core.audit import audit
from perpetuum.core.models import Tag
from perpetuum.core.normalize import normalize_tax_id
from perpetuum.core.ownership import apply_ownership
from perpetuum.core.text import search_tokens, word_variants
from perpetuum.demo_vocabulary import (
    ACCOUNT_COUNTRIES,
    BRANCHES,
    CAMPAIGNS,
    CHANNELS,
    CITIES,
    FREE_MAIL,
    GERMAN,
    INBOUND_ONLY,
    INDUSTRIES,
    LANGUAGE,
    LATIN_PREFIXES,
    LATIN_SUFFIXES,
    LEAD_CHANNELS,
    LEAD_DESCRIPTIONS,
    LEAD_STATUSES,
    LEGAL_ENTITIES,
    LEGAL_FORM_NAMES,
    LEGAL_FORMS,
    LOCALES,
    MOBILE_PREFIXES,
    OFFICES,
    PAST_KINDS,
    PLANNED_KINDS,
    ROLE_MIX,
    ROLE_PLAN,
    RU_PREFIXES,
    RU_SUFFIXES,
    SALES_ROLES,
    SIZES,
    SOURCES,
    STAGES,
    STREET_TYPES,
    SUBJECTS,
    SUBSIDIARY_SUFFIXES,
    TAGS,
    TEAM_FOR_ROLE,
    TITLES,
    TLD,
    TRANSLIT,
    words,
)
from perpetuum.org.models import LegalEntity, Office, Role, Team
from perpetuum.timeline.models import Interaction

BATCH = 20_000
DEFER_INDEXES_FROM = 50_000  # rows loaded into an empty table
DEMO_PASSWORD = "perpetuum-demo"  # noqa: S105 - printed for the demo users, by design
UTC = dt.UTC

ACCOUNT_COLUMNS = words(
    "id created_at updated_at owner_id team_id office_id legal_entity_id name legal_name "
    "country tax_id kpp industry size website city addresses emails phones email phone "
    "parent_id root_id stage custom name_key"
)
CONTACT_COLUMNS = words(
    "id created_at updated_at owner_id team_id office_id legal_entity_id first_name "
    "middle_name last_name full_name emails phones email phone language account_id custom "
    "name_key"
)
ROLE_COLUMNS = words("id contact_id account_id title since until is_primary")
LEAD_COLUMNS = words(
    "id created_at updated_at deleted_at deleted_by_id owner_id team_id office_id "
    "legal_entity_id first_name last_name full_name company_name job_title email phone tax_id "
    "country description status source_channel campaign utm_source utm_medium utm_campaign "
    "utm_term utm_content converted_contact_id converted_account_id converted_at custom"
)
INTERACTION_COLUMNS = words(
    "id created_at updated_at owner_id team_id office_id legal_entity_id kind channel "
    "direction status occurred_at due_at at subject body reason is_complaint is_resolved "
    "author_id account_id contact_id lead_id source"
)
LOADED_MODELS = (Account, Contact, ContactRole, Lead, Interaction)

Owned = tuple[int | None, int | None, int | None, int | None]


class DemoDataError(Exception):
    """The demo data cannot be generated as asked; the message says why."""


def ascii_slug(text: str, separator: str = "") -> str:
    """`text` in lower-case ASCII letters and digits (Cyrillic transliterated, umlauts
    expanded), its words joined by `separator`."""
    text = "".join(TRANSLIT.get(char, char) for char in text.lower()).translate(GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return separator.join("".join(char if char.isalnum() else " " for char in text).split())


def _weighted(pairs: Sequence[tuple[Any, int]]) -> list[Any]:
    """Each value repeated by its weight, for `rng.choice`."""
    return [value for value, weight in pairs for _ in range(weight)]


# --- Tax ids with valid check digits -------------------------------------------------------


def de_vat(rng: random.Random) -> str:
    """A German VAT number (USt-IdNr.) without the DE prefix: ISO 7064 mod 11,10."""
    digits = str(rng.randint(10_000_000, 99_999_999))
    return digits + mod_11_10.calc_check_digit(digits)


def fr_vat(rng: random.Random) -> str:
    """A French VAT number without the FR prefix: the key, then a SIREN with a Luhn digit."""
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def gb_vat(rng: random.Random) -> str:
    """A British VAT number without the GB prefix: weighted sum mod 97."""
    digits = str(rng.randint(1_000_000, 9_999_999))
    total = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2), digits, strict=True))
    return f"{digits}{(-total) % 97:02d}"


def ru_company_inn(rng: random.Random) -> str:
    """A Russian company INN (ten digits, the last a check digit)."""
    digits = str(rng.randint(770_000_000, 779_999_999))
    return digits + ru_inn.calc_company_check_digit(digits)


TAX_ID = {"DE": de_vat, "FR": fr_vat, "GB": gb_vat, "RU": ru_company_inn}


# --- Pools -----------------------------------------------------------------------------------


@dataclass
class NamePool:
    """First, middle and last names and street names of one country."""

    male: list[str]
    female: list[str]
    last_male: list[str]
    last_female: list[str]
    middle_male: list[str]
    middle_female: list[str]
    streets: list[str]


def _unique(make: Callable[[], str], count: int) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(count * 4):
        seen.setdefault(make(), None)
        if len(seen) >= count:
            break
    return list(seen)


def build_pools(seed: int) -> dict[str, NamePool]:
    """Name and street pools per country, drawn from Faker seeded with `seed`."""
    from faker import Faker

    pools: dict[str, NamePool] = {}
    for country, locale in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        male = _unique(fake.first_name_male, 250)
        female = _unique(fake.first_name_female, 250)
        if country == "RU":
            last_male = _unique(fake.last_name_male, 400)
            last_female = _unique(fake.last_name_female, 400)
            middle_male = _unique(fake.middle_name_male, 150)
            middle_female = _unique(fake.middle_name_female, 150)
        else:
            last_male = last_female = _unique(fake.last_name, 600)
            middle_male, middle_female = male, female
        if country in STREET_TYPES:  # Faker's English street names are too whimsical
            streets = [f"{n} {kind}" for n in last_male[:200] for kind in STREET_TYPES[country]]
        else:
            streets = _unique(fake.street_name, 400)
        pools[country] = NamePool(
            male, female, last_male, last_female, middle_male, middle_female, streets
        )
    return pools


def _ranges_with_gaps() -> set[tuple[str, int]]:
    """The (prefix, digits) phone ranges of the vocabulary where a sample of random numbers
    is not all valid; numbers from them are then validated one by one."""
    sampler = random.Random(0)
    ranges = {(c[2], c[3]) for cities in CITIES.values() for c in cities}
    ranges.update(prefix for prefixes in MOBILE_PREFIXES.values() for prefix in prefixes)
    gaps = set()
    for prefix, count in sorted(ranges):
        for _ in range(60):
            tail = str(sampler.randrange(10**count)).zfill(count)
            if prefix.startswith("+1"):
                tail = str(sampler.randint(2, 9)) + tail[1:]
            if not phonenumbers.is_valid_number(phonenumbers.parse(prefix + tail)):
                gaps.add((prefix, count))
                break
    return gaps


# --- Database plumbing -----------------------------------------------------------------------


class _Table:
    """One prepared INSERT (COPY on PostgreSQL) for a model: the given columns first, then
    every other column with its field default, so that a column added to the model later
    does not break the demo."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise DemoDataError(f"{model._meta.label} has no columns {sorted(unknown)}.")
        rest = [field for field in model._meta.concrete_fields if field.attname not in columns]
        tail = []
        for field in rest:
            value = field.get_default()
            if value is None and not field.null:
                raise DemoDataError(
                    f"The demo generator does not fill {model._meta.label}.{field.name}, "
                    "which has no default; add it to perpetuum/demo.py."
                )
            tail.append(field.get_db_prep_save(value, connection))
        self.tail = tuple(tail)
        self.attnames = [*columns, *(field.attname for field in rest)]
        quote = connection.ops.quote_name
        names = [fields[name].column for name in columns] + [field.column for field in rest]
        table, listed = quote(model._meta.db_table), ", ".join(quote(name) for name in names)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from models
            table, listed, ", ".join(["%s"] * len(names))
        )
        self.copy_sql = f"COPY {table} ({listed}) FROM STDIN"

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        if self.tail:
            tail = self.tail
            rows = [row + tail for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams the rows; executemany sends a statement for each.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)


def _next_id(model: type[models.Model]) -> int:
    return (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pipeline(
    batches: Iterator[list[Any]],
    consume: Callable[[list[Any]], None],
    total: int,
    label: str,
    progress: bool,
    spent: dict[str, float],
) -> int:
    """Hand each batch to `consume` in its own transaction, with a progress bar on stderr.
    The seconds spent writing (not waiting for batches) are added to `spent[label]`.

    The batches are built by a second thread while this one writes: SQLite and psycopg let
    go of the GIL while the database works, so building and writing overlap on two cores.
    Building a batch must not touch the database (ids are handed to the row generators
    up front), since the writer may hold locks until the end. Returns the number consumed.
    """
    from tqdm import tqdm

    handover: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=3)
    stop = threading.Event()

    def put(item: list[Any] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(None)
        except BaseException as error:  # handed over to the writer, which raises it
            put(error)

    producer = threading.Thread(target=produce, name=f"demo-{label}", daemon=True)
    producer.start()
    done = 0
    busy = 0.0
    bar = tqdm(
        total=total,
        desc=f"{label:<14}",
        unit=" rows",
        unit_scale=True,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        while True:
            item = handover.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            began = time.perf_counter()
            with transaction.atomic():
                consume(item)
            busy += time.perf_counter() - began
            done += len(item)
            bar.update(len(item))
    finally:
        stop.set()
        bar.close()
        producer.join()
        spent[label] = spent.get(label, 0.0) + busy
    return done


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.oid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [connection.ops.quote_name(table)],
            )
        else:
            return []
        return list(cursor.fetchall())


def _write(
    model: type[models.Model],
    columns: Sequence[str],
    batches: Iterable[list[tuple[Any, ...]]],
    total: int,
    label: str,
    progress: bool,
    spent: dict[str, float],
) -> int:
    """Insert the rows (values in `columns` order) of `batches`, adding the seconds spent
    writing to `spent[label]`."""
    table = _Table(model, columns)
    empty = not model._base_manager.exists()
    return _load(model._meta.db_table, table.insert, batches, total, empty, label, progress, spent)


def _write_documents(
    entity: str,
    batches: Iterable[list[tuple[int, str]]],
    total: int,
    label: str,
    progress: bool,
    spent: dict[str, float],
) -> int:
    """Put new records' (id, tokens) documents in the search index, as `_write` does rows:
    on PostgreSQL, into an empty index, its two GIN indexes are built once at the end."""
    name = search.table(entity)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {name} LIMIT 1")  # noqa: S608 - an entity's table
        empty = cursor.fetchone() is None
    return _load(
        name,
        lambda docs: search.store(entity, docs, new=True),
        batches,
        total,
        empty,
        label,
        progress,
        spent,
    )


def _load(
    table: str,
    consume: Callable[[list[Any]], None],
    batches: Iterable[list[Any]],
    total: int,
    empty: bool,
    label: str,
    progress: bool,
    spent: dict[str, float],
) -> int:
    """Hand `batches` to `consume`, adding the seconds spent writing to `spent[label]`.

    Into an empty table, a big load runs in one transaction that drops the table's
    secondary indexes first and builds them again at the end: building an index once costs
    a fraction of keeping a dozen indexes up to date row by row, and an interrupted load
    rolls back whole, indexes included.
    """
    batches = iter(batches)
    if total < DEFER_INDEXES_FROM or not empty:
        return _pipeline(batches, consume, total, label, progress, spent)
    began = time.perf_counter()
    with transaction.atomic():
        indexes = _secondary_indexes(table)
        with connection.cursor() as cursor:
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        dropped = time.perf_counter() - began
        written = _pipeline(batches, consume, total, label, progress, spent)
        began_indexes = time.perf_counter()
        from tqdm import tqdm

        with (
            tqdm(
                indexes,
                desc=f"{'  its indexes':<14}",
                unit=" indexes",
                disable=not progress,
                file=sys.stderr,
                dynamic_ncols=True,
            ) as bar,
            connection.cursor() as cursor,
        ):
            if connection.vendor == "postgresql":
                # Run the deferred foreign-key checks now: PostgreSQL builds no index on a
                # table with pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with _sqlite_sort_runs():
                for _name, sql in bar:
                    cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # The inserts are in `spent` already; add dropping and building the indexes.
    spent[label] += dropped + time.perf_counter() - began_indexes
    return written


def _existing_ids(model: type[models.Model]) -> range | frozenset[Any]:
    """The primary keys of `model`'s rows (deleted ones too): a range when they run without
    a gap, as after a load."""
    manager = model._base_manager
    bounds = manager.aggregate(low=Min("pk"), high=Max("pk"), count=Count("pk"))
    low, high, count = bounds["low"], bounds["high"], bounds["count"]
    if not count:
        return frozenset()
    if isinstance(low, int) and high - low + 1 == count:
        return range(low, high + 1)
    return frozenset(manager.values_list("pk", flat=True))


class _References:
    """Checks that every reference of the rows about to be written points at a row that is
    there, so that the writer may load them without the database's per-row foreign-key
    checks, which at ten million interactions cost as much as the inserts themselves. The
    ids of each referenced table are read once; references to the table being loaded are
    checked once all its rows have gone by."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        self.model = model
        self.key = attnames.index(model._meta.pk.attname)
        self.others: list[tuple[int, str, range | frozenset[Any]]] = []
        self.own: list[int] = []
        for field in model._meta.concrete_fields:
            if not (field.many_to_one and field.target_field.primary_key):
                continue
            position = attnames.index(field.attname)
            if field.related_model is model:
                self.own.append(position)
            else:
                self.others.append((position, field.name, _existing_ids(field.related_model)))

    def checked(self, batches: Iterator[list[tuple[Any, ...]]]) -> Iterator[list[tuple[Any, ...]]]:
        """`batches`, each checked before it is handed on; raises `DemoDataError` at the
        first reference to nothing (the writer then rolls the step back)."""
        own_values: set[Any] = set()
        own_keys: set[Any] = set()
        for batch in batches:
            for position, name, ids in self.others:
                values = {row[position] for row in batch}
                values.discard(None)
                self._refuse([value for value in values if value not in ids], name)
            if self.own:
                own_keys.update(row[self.key] for row in batch)
                for position in self.own:
                    own_values.update(row[position] for row in batch)
            yield batch
        if self.own:
            own_values.discard(None)
            missing = own_values - own_keys
            if missing:
                existing = _existing_ids(self.model)
                self._refuse(
                    [value for value in missing if value not in existing],
                    self.model._meta.model_name,
                )

    def _refuse(self, missing: list[Any], name: str) -> None:
        if missing:
            raise DemoDataError(
                f"{self.model._meta.label} rows refer to {name} rows that do not exist: "
                f"{sorted(missing)[:5]}."
            )


class _foreign_key_checks_off:
    """The database's own foreign-key checks off for this connection, outside a transaction:
    SQLite's `foreign_keys` pragma (which SQLite ignores inside one), PostgreSQL's replica
    mode, which fires no trigger and so none of the checks (only where the user may set it:
    a superuser or one granted it; we have no triggers of our own). On again afterwards."""

    def __enter__(self) -> None:
        self.switched = False
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA foreign_keys=OFF")
                self.switched = True
            elif connection.vendor == "postgresql":
                granted = (  # a privilege PostgreSQL 15 brought
                    "has_parameter_privilege('session_replication_role', 'SET')"
                    if connection.pg_version >= 150000
                    else "false"
                )
                cursor.execute(f"SELECT current_setting('is_superuser') = 'on' OR {granted}")
                if cursor.fetchone()[0]:
                    cursor.execute("SET session_replication_role = replica")
                    self.switched = True

    def __exit__(self, *exc: object) -> None:
        if not self.switched:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA foreign_keys=ON")
            else:
                cursor.execute("RESET session_replication_role")


# --- The writer process ----------------------------------------------------------------------

_END, _ABORT = None, "abort"


class _Received:
    """The batches the parent sends for one command, up to its end mark. An abort mark
    raises, so that the command's transaction rolls back."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.finished = False

    def __iter__(self) -> Iterator[list[Any]]:
        while not self.finished:
            item = self.pipe.recv()
            if item is _END or item == _ABORT:
                self.finished = True
                if item == _ABORT:
                    raise DemoDataError("The load was interrupted; its last step is undone.")
                return
            yield item

    def drain(self) -> None:
        for _ in self:
            pass


def serve_writer(pipe: Any) -> None:
    """The writer process's loop: run each command with the batches that follow it and
    answer ("done", seconds spent writing) or ("error", traceback). `None` ends it."""
    with _bigger_cache():
        while (command := pipe.recv()) is not None:
            kind, label, progress, arguments = command
            received = _Received(pipe)
            spent: dict[str, float] = {}
            try:
                if kind == "table":
                    model_label, columns, total = arguments
                    model = apps.get_model(model_label)
                    # The parent has checked every reference (`_References`).
                    with _foreign_key_checks_off():
                        _write(model, columns, received, total, label, progress, spent)
                else:
                    entity, total = arguments
                    _write_documents(entity, received, total, label, progress, spent)
            except Exception:
                with contextlib.suppress(DemoDataError):
                    received.drain()
                pipe.send(("error", traceback.format_exc()))
            else:
                pipe.send(("done", spent.get(label, 0.0)))


class _Writer:
    """A second process with its own connection that writes the big loads: the rows are
    made up here and sent to it pickled, batch by batch, through a pipe; each command runs
    there in its own transaction, as `_write` or `_write_documents` runs here. A new Python
    (`python -m perpetuum.demo_writer`), so that it shares no connection, pool or thread
    with this process; it reaches the same database (by name, which may be a test database)
    and talks over a Unix socket that only the holder of a one-time key may use."""

    def __init__(self) -> None:
        key = secrets.token_bytes(32)
        listener = Listener(family="AF_UNIX", authkey=key)
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "perpetuum.settings"
            ),
            "PERPETUUM_DEMO_WRITER": json.dumps(
                {
                    "address": listener.address,
                    "key": key.hex(),
                    "database": str(connection.settings_dict["NAME"]),
                }
            ),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "perpetuum.demo_writer"], env=environment
        )
        connected = threading.Event()

        def unblock_if_it_dies() -> None:
            # `accept` has no timeout: should the writer die before it connects, connect
            # in its place so that `accept` returns.
            while not connected.wait(0.2):
                if self.process.poll() is not None:
                    with contextlib.suppress(OSError, EOFError):
                        Client(listener.address, family="AF_UNIX", authkey=key).close()
                    return

        watchdog = threading.Thread(target=unblock_if_it_dies, daemon=True)
        watchdog.start()
        try:
            self.pipe = listener.accept()
        finally:
            connected.set()
            listener.close()
        watchdog.join()
        if self.process.poll() is not None:
            self.pipe.close()
            raise DemoDataError(
                f"The writer process did not start (exit code {self.process.returncode}); "
                "its error is above."
            )

    def run(
        self,
        command: tuple[str, str, bool, tuple[Any, ...]],
        batches: Iterable[list[Any]],
        spent: dict[str, float],
    ) -> int:
        """Send `command` and its batches; wait until the writer has committed them."""
        label = command[1]
        done = 0
        try:
            self.pipe.send(command)
            for batch in batches:
                self.pipe.send(batch)
                done += len(batch)
        except BaseException:
            # The writer rolls the step back and answers with that; the cause is raised.
            with contextlib.suppress(DemoDataError):
                self._send(_ABORT)
                self._answer()
            raise
        self._send(_END)
        spent[label] = spent.get(label, 0.0) + self._answer()
        return done

    def _send(self, item: Any) -> None:
        try:
            self.pipe.send(item)
        except OSError as error:
            raise self._stopped() from error

    def _answer(self) -> float:
        try:
            status, value = self.pipe.recv()
        except (EOFError, OSError) as error:
            raise self._stopped() from error
        if status == "error":
            raise DemoDataError(f"The writer process failed:\n{value}")
        return value

    def _stopped(self) -> DemoDataError:
        return DemoDataError(f"The writer process stopped (exit code {self.process.poll()}).")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.send(None)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.pipe.close()


def _writer_fits(*sizes: int) -> bool:
    """Whether a load of these sizes goes through a writer process: only a big one (starting
    a process costs a second), only outside a transaction (the writer would not see its
    uncommitted rows) and not into an in-memory database (which only this process sees)."""
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    return max(sizes) >= DEFER_INDEXES_FROM and not connection.in_atomic_block and not in_memory


class _sqlite_sort_runs:
    """A 4 MB page cache on SQLite while building indexes: its sorter sorts runs of the
    cache's size and merges them, and runs that fit the processor's cache sort three times
    faster (the index of ten million interactions: 7 s, against 23 s with a 1 GB cache and
    13 s with 256 MB). The cache as it was afterwards."""

    def __enter__(self) -> None:
        self.cache_size = None
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self.cache_size = int(cursor.fetchone()[0])
                cursor.execute("PRAGMA cache_size=-4096")

    def __exit__(self, *exc: object) -> None:
        if self.cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={self.cache_size}")


# --- The search index ------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class _Tags:
    """`record.tags` as the document functions use it; in `Tag`'s order (by name)."""

    def __init__(self, names: list[str]) -> None:
        self.names = sorted(names)

    def all(self) -> list[Any]:
        return [SimpleNamespace(name=name) for name in self.names]


class _Searchable(SimpleNamespace):
    """A new record as its search document reads it, without loading it back: `pk`, the
    generated fields and `tags.all()`."""


def _cached_tokens(values: Sequence[str], cache: dict[str, list[str]]) -> list[str]:
    """`core.text.search_tokens(values)`, with the variants of each word computed once per
    load (names and domains repeat a lot in demo data). Checked against `search_tokens`
    before it is used; see `_search_documents`."""
    seen: dict[str, None] = {}
    for value in values:
        if not value:
            continue
        for raw in _WORD.findall(str(value).lower()):
            variants = cache.get(raw)
            if variants is None:
                variants = cache[raw] = word_variants(raw)
            for variant in variants:
                seen.setdefault(variant, None)
    return list(seen)


def _search_documents(
    records: list[_Searchable], document: Callable[[Any], list[str]], size: int
) -> Iterator[list[tuple[int, str]]]:
    """Batches of (id, tokens) for the search index. The fast tokenizer is used only if it
    gives exactly what `search_tokens` gives on a sample."""
    cache: dict[str, list[str]] = {}
    sample = records[:300]
    same = all(
        _cached_tokens(values, cache) == search_tokens(values)
        for values in (document(record) for record in sample)
    )

    def tokens(values: list[str]) -> list[str]:
        return _cached_tokens(values, cache) if same else search_tokens(values)

    for start in range(0, len(records), size):
        chunk = records[start : start + size]
        yield [(record.pk, " ".join(tokens(document(record)))) for record in chunk]


def _by_name(model: type[models.Model], names: Sequence[str]) -> dict[str, Any]:
    """The existing rows of `model` with these names (from an earlier run), by name."""
    return {row.name: row for row in model._base_manager.filter(name__in=names)}


def _created(model: type[models.Model], rows: list[Any]) -> dict[str, Any]:
    """`bulk_create` the rows; by name, with their ids (read back where the database does
    not return them)."""
    model._base_manager.bulk_create(rows)
    if any(row.pk is None for row in rows):
        return _by_name(model, [row.name for row in rows])
    return {row.name: row for row in rows}


# --- The generator ---------------------------------------------------------------------------


@dataclass
class _User:
    id: int
    region: str
    role: str
    owned: Owned


@dataclass
class _Account:
    id: int
    country: str
    language: str
    domain: str
    owner: _User
    created: dt.datetime


@dataclass
class _Lead:
    id: int
    created: dt.datetime
    owned: Owned
    language: str
    contact_id: int | None
    account_id: int | None


class _Generator:
    """The random source, the pools, and what each step made for the next ones."""

    def __init__(self, *, seed: int, now: dt.datetime, progress: bool) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.make_naive(now, UTC) if timezone.is_aware(now) else now
        self.progress = progress
        self.pools = build_pools(seed)
        self.used_emails: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_domains: set[str] = set()
        self.used_names: set[str] = set()
        self.counts: dict[str, int] = {}
        self.spent: dict[str, float] = {}
        """Seconds spent writing, by step: the bulk path's own time, without the time the
        rows took to make up (which runs alongside: here while the writer process writes,
        or in a second thread)."""
        self.users: list[_User] = []
        self.tag_ids: list[int] = []
        self.accounts: list[_Account] = []
        self.account_weights: list[float] = []
        self.cumulative: list[float] = []
        self.account_contacts: list[list[int]] = []
        self.contacts_with_account: list[tuple[int, int]] = []
        self.leads: list[_Lead] = []
        self.tag_links: dict[type[models.Model], list[tuple[int, int]]] = {
            Account: [],
            Contact: [],
            Lead: [],
        }
        self.big_holding_size = 0
        self.writer: _Writer | None = None
        self.searchable: dict[type[models.Model], list[_Searchable]] = {
            Account: [],
            Contact: [],
            Lead: [],
        }
        self.ranges_with_gaps = _ranges_with_gaps()
        self.legal_forms = {country: _weighted(forms) for country, forms in LEGAL_FORMS.items()}
        self.local_parts: dict[tuple[str, str], str] = {}
        self.tax_id_prefixes: dict[str, str] = {}
        # Values as the database driver wants them: naive UTC datetimes, JSON, dates.
        if connection.vendor == "sqlite":
            self.ts: Callable[[dt.datetime], Any] = str
            self.js: Callable[[Any], Any] = json.dumps
            self.day: Callable[[dt.date], Any] = str
        else:
            ops = connection.ops
            self.ts = lambda value: ops.adapt_datetimefield_value(value.replace(tzinfo=UTC))
            self.js = lambda value: ops.adapt_json_value(value, None)
            self.day = ops.adapt_datefield_value

    # -- writing ----------------------------------------------------------------------------

    def write(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterator[tuple[Any, ...]],
        total: int,
        label: str,
    ) -> int:
        """Write `rows` (values in `columns` order), by the writer process if there is one."""
        batches = _batched(rows, BATCH)
        if self.writer is None:
            return _write(model, columns, batches, total, label, self.progress, self.spent)
        # The default values of the other columns are added here, and the references
        # checked here, in the process that has time to spare.
        table = _Table(model, columns)
        if table.tail:
            batches = ([row + table.tail for row in batch] for batch in batches)
        batches = _References(model, table.attnames).checked(batches)
        command = ("table", label, self.progress, (model._meta.label, table.attnames, total))
        return self.writer.run(command, batches, self.spent)

    def store_documents(
        self, entity: str, documents: Iterator[list[tuple[int, str]]], total: int, label: str
    ) -> None:
        """Put new records' search documents in the index, by the writer if there is one."""
        if self.writer is not None:
            self.writer.run(
                ("search", label, self.progress, (entity, total)), documents, self.spent
            )
            return
        _write_documents(entity, documents, total, label, self.progress, self.spent)

    # -- small helpers ----------------------------------------------------------------------

    def ago(self, low_days: float, high_days: float) -> dt.datetime:
        """A naive-UTC moment between `low_days` and `high_days` before now, to the minute."""
        seconds = int(self.rng.uniform(low_days, high_days) * 86400)
        return self.now - dt.timedelta(seconds=seconds - seconds % 60)

    def aware_ago(self, low_days: float, high_days: float) -> dt.datetime:
        return self.ago(low_days, high_days).replace(tzinfo=UTC)

    def phone(self, prefix: str, count: int) -> str:
        """A new E.164 number: `prefix` and `count` more digits, valid for its country
        (numbers of the few number ranges with gaps are checked one by one)."""
        rng = self.rng
        check = (prefix, count) in self.ranges_with_gaps
        while True:
            tail = str(rng.randrange(10**count)).zfill(count)
            if prefix.startswith("+1"):
                # North American exchanges start with 2–9, and 555 is the fictional one.
                tail = str(rng.randint(2, 9)) + tail[1:]
                if tail.startswith("555"):
                    continue
            number = prefix + tail
            if number in self.used_phones:
                continue
            if check and not phonenumbers.is_valid_number(phonenumbers.parse(number)):
                continue
            self.used_phones.add(number)
            return number

    def mobile(self, country: str) -> str:
        return self.phone(*self.rng.choice(MOBILE_PREFIXES[country]))

    def email(self, local: str, domain: str) -> str:
        """A new lower-case address; a number is added to the local part if it is taken."""
        local = ".".join(part for part in local.split(".") if part) or "contact"
        email = f"{local}@{domain}"
        number = 1
        while email in self.used_emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self.used_emails.add(email)
        return email

    def local_part(self, first: str, last: str) -> str:
        """ "first.last" in ASCII, for e-mail addresses (names repeat, so it is cached)."""
        key = (first, last)
        local = self.local_parts.get(key)
        if local is None:
            local = self.local_parts[key] = f"{ascii_slug(first, '-')}.{ascii_slug(last, '-')}"
        return local

    def person(self, country: str) -> tuple[str, str, str, bool]:
        """First, middle and last name, and whether the person is a woman."""
        pool = self.pools[country]
        rng = self.rng
        female = rng.random() < 0.45
        first = rng.choice(pool.female if female else pool.male)
        last = rng.choice(pool.last_female if female else pool.last_male)
        middle = ""
        if country == "RU":  # the patronymic
            middle = rng.choice(pool.middle_female if female else pool.middle_male)
        elif rng.random() < 0.08:
            middle = rng.choice(pool.female if female else pool.male)
            if middle == first:
                middle = ""
        return first, middle, last, female

    def address(self, country: str, kind: str = "legal") -> dict[str, str]:
        """A postal address as stored in `Account.addresses`."""
        rng = self.rng
        city, postcodes, _prefix, _digits = rng.choice(CITIES[country])
        street = rng.choice(self.pools[country].streets)
        number = str(rng.randint(1, 180))
        if country == "GB":
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            postcode = f"{rng.choice(postcodes)} {rng.randint(1, 9)}"
            postcode += rng.choice(letters) + rng.choice(letters)
        elif country == "FR":
            postcode = str(rng.choice(postcodes)).zfill(5)
        else:
            postcode = str(rng.randint(*postcodes)).zfill(6 if country == "RU" else 5)
        if country == "DE":
            line = f"{street} {number}"
        elif country == "RU":
            line = f"{street}, д. {number}"
        else:
            line = f"{number} {street}"
        address = {"type": kind, "street": line, "postcode": postcode, "city": city}
        if country == "US":
            address["city"], address["region"] = city.split(", ")
        address["country"] = country
        return address

    def company_base(self, country: str) -> str:
        """A new company name without its legal form."""
        rng = self.rng
        pool = self.pools[country]
        language = LANGUAGE[country]
        base = ""
        for _attempt in range(20):
            pick = rng.random()
            if country == "RU":
                if pick < 0.7:
                    prefix, suffix = rng.choice(RU_PREFIXES), rng.choice(RU_SUFFIXES)
                    base = prefix + (suffix if suffix != prefix.lower() else "снаб")
                else:
                    base = f"{rng.choice(pool.last_male)} и партнёры"
            elif pick < 0.5:
                base = f"{rng.choice(pool.last_male)} {rng.choice(BRANCHES[language])}"
            elif pick < 0.65:
                base = f"{rng.choice(pool.last_male)} & {rng.choice(pool.last_male)}"
            else:
                base = (rng.choice(LATIN_PREFIXES) + rng.choice(LATIN_SUFFIXES)).capitalize()
                if rng.random() < 0.5:
                    base += f" {rng.choice(BRANCHES[language])}"
            if base not in self.used_names:
                break
        else:
            base = f"{base} {rng.choice(CITIES[country])[0].split(',')[0]}"
        self.used_names.add(base)
        return base

    def legal_form(self, country: str) -> str:
        return self.rng.choice(self.legal_forms[country])

    @staticmethod
    def with_form(base: str, form: str, country: str) -> str:
        """The usual written name: "Nordtec GmbH", "ООО «Уралснаб»"."""
        return f"{form} «{base}»" if country == "RU" else f"{base} {form}"

    @staticmethod
    def legal_name(base: str, form: str, country: str) -> str:
        """The name with the legal form spelled out."""
        full = LEGAL_FORM_NAMES.get(form)
        if full is None:
            return _Generator.with_form(base, form, country)
        return f"{full} «{base}»" if country == "RU" else f"{base} {full}"

    def domain(self, base: str, country: str) -> str:
        conjunction = {"DE": " und ", "FR": " et "}.get(country, " and ")
        slug = ascii_slug(base.replace("&", conjunction), "-")
        slug = slug[:40].strip("-") or "company"
        domain = f"{slug}.{TLD[country]}"
        number = 1
        while domain in self.used_domains:
            number += 1
            domain = f"{slug}{number}.{TLD[country]}"
        self.used_domains.add(domain)
        return domain

    def tax_id(self, country: str) -> str:
        """A valid tax id, in the form the services store (`core.normalize`)."""
        make = TAX_ID.get(country)
        if make is None:
            return ""
        raw = make(self.rng)
        prefix = self.tax_id_prefixes.get(country)
        if prefix is None:  # learn once per country what normalising adds
            stored = normalize_tax_id(raw, country)
            prefix = stored[: -len(raw)] if stored.endswith(raw) else "?"
            self.tax_id_prefixes[country] = prefix
            return stored
        return prefix + raw if prefix != "?" else normalize_tax_id(raw, country)

    # -- our own company --------------------------------------------------------------------

    def organisation(self, user_count: int) -> None:
        """Legal entities, offices, teams and users; those of an earlier run are reused."""
        rng = self.rng
        entities = _by_name(LegalEntity, [spec[1] for spec in LEGAL_ENTITIES])
        new_entities = []
        for _key, name, legal_name, country, currency in LEGAL_ENTITIES:
            if name in entities:
                continue
            vat = kpp = ""
            if country == "DE":
                vat = "DE" + de_vat(rng)
                tax = f"27/{rng.randint(100, 999)}/{rng.randint(10000, 99999)}"  # Berlin
            elif country == "GB":
                vat = "GB" + gb_vat(rng)
                tax = str(rng.randint(10_000_000, 15_999_999))  # Companies House
            else:
                tax = ru_company_inn(rng)
                kpp = f"{tax[:4]}01001"
            created = self.aware_ago(3000, 3650)
            new_entities.append(
                LegalEntity(
                    name=name,
                    legal_name=legal_name,
                    country=country,
                    tax_id=tax,
                    vat_id=vat,
                    kpp=kpp,
                    base_currency=currency,
                    created_at=created,
                    updated_at=created,
                )
            )
        entities.update(_created(LegalEntity, new_entities))
        entity_names = {spec[0]: spec[1] for spec in LEGAL_ENTITIES}

        office_rows = _by_name(Office, [spec[0] for spec in OFFICES])
        new_offices = []
        for name, city, country, entity_key, _teams, _regions in OFFICES:
            if name not in office_rows:
                created = self.aware_ago(2000, 3000)
                new_offices.append(
                    Office(
                        name=name,
                        city=city,
                        country=country,
                        legal_entity=entities[entity_names[entity_key]],
                        created_at=created,
                        updated_at=created,
                    )
                )
        office_rows.update(_created(Office, new_offices))

        team_names = [f"{spec[0]} {team}" for spec in OFFICES for team in spec[4]]
        team_rows = _by_name(Team, team_names)
        new_teams = []
        for name, _city, _country, _entity, teams_of_office, _regions in OFFICES:
            office = office_rows[name]
            for team in teams_of_office:
                if f"{name} {team}" not in team_rows:
                    new_teams.append(
                        Team(
                            name=f"{name} {team}",
                            office=office,
                            created_at=office.created_at,
                            updated_at=office.created_at,
                        )
                    )
        team_rows.update(_created(Team, new_teams))
        offices: list[tuple[Office, dict[str, Team], tuple[str, ...], str]] = []
        for name, _city, country, _entity, teams_of_office, regions in OFFICES:
            teams = {team: team_rows[f"{name} {team}"] for team in teams_of_office}
            offices.append((office_rows[name], teams, regions, country))
        self.counts["legal_entities"] = len(new_entities)
        self.counts["offices"] = len(new_offices)
        self.counts["teams"] = len(new_teams)

        roles = {role.code: role for role in Role.objects.all()}
        missing = set(DEFAULT_ROLES) - set(roles)
        if missing:
            raise DemoDataError(f"The roles {sorted(missing)} are missing; run migrate first.")

        User = get_user_model()
        taken = set(User.objects.values_list("username", flat=True))
        salt = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))
        password = make_password(DEMO_PASSWORD, salt=salt)
        mix = _weighted(ROLE_MIX)
        planned: list[tuple[Any, tuple[str, ...], str]] = []
        memberships: list[tuple[Any, Team]] = []
        for index in range(user_count):
            office, teams, regions, country = offices[index % len(offices)]
            role = ROLE_PLAN[index] if index < len(ROLE_PLAN) else rng.choice(mix)
            pool = self.pools[country]
            female = rng.random() < 0.5
            first = rng.choice(pool.female if female else pool.male)
            last = rng.choice(pool.last_female if female else pool.last_male)
            username = base = ascii_slug(f"{first} {last}", ".")
            number = 1
            while username in taken:
                number += 1
                username = f"{base}{number}"
            taken.add(username)
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@perpetuum.example",
                password=password,
                role=roles[role],
                office=office,
                legal_entity=office.legal_entity,
                language=LANGUAGE[country],
                date_joined=self.aware_ago(400, 2000),
            )
            planned.append((user, regions, role))
            for team_name in TEAM_FOR_ROLE.get(role, ()):
                if team_name in teams:
                    memberships.append((user, teams[team_name]))
                    break
        new_users = [user for user, _regions, _role in planned]
        User.objects.bulk_create(new_users)
        if any(user.pk is None for user in new_users):  # databases that return no ids
            names = [user.username for user in new_users]
            ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
            for user in new_users:
                user.pk = ids[user.username]
        through = User.teams.through
        through.objects.bulk_create(
            [through(user_id=user.pk, team_id=team.pk) for user, team in memberships]
        )
        self.counts["users"] = len(new_users)
        fresh = User.objects.prefetch_related("teams").in_bulk([user.pk for user in new_users])
        for user, regions, role in planned:
            probe = Account()
            apply_ownership(probe, fresh[user.pk])
            owned = (probe.owner_id, probe.team_id, probe.office_id, probe.legal_entity_id)
            for region in regions:
                self.users.append(_User(user.pk, region, role, owned))

        existing = {name.lower() for name in Tag.objects.values_list("name", flat=True)}
        new_tags = [
            Tag(name=name, color=color, created_at=self.aware_ago(1500, 2000))
            for name, color in TAGS
            if name.lower() not in existing
        ]
        for tag in new_tags:
            tag.updated_at = tag.created_at
        Tag.objects.bulk_create(new_tags)
        self.counts["tags"] = len(new_tags)
        names = [name for name, _color in TAGS]
        self.tag_ids = sorted(Tag.objects.filter(name__in=names).values_list("pk", flat=True))

    # -- owners -----------------------------------------------------------------------------

    def _owner_pools(self) -> None:
        self.sales_by_region: dict[str, list[_User]] = {}
        self.leads_by_region: dict[str, list[_User]] = {}
        for user in self.users:
            if user.role in SALES_ROLES:
                self.sales_by_region.setdefault(user.region, []).append(user)
            if user.role in SALES_ROLES or user.role == "marketer":
                self.leads_by_region.setdefault(user.region, []).append(user)
        self.any_sales = [user for user in self.users if user.role in SALES_ROLES] or self.users
        self.user_ids = sorted({user.id for user in self.users})

    def sales_owner(self, country: str) -> _User:
        """A salesperson of an office that serves `country`, else any salesperson."""
        return self.rng.choice(self.sales_by_region.get(country) or self.any_sales)

    def lead_owner(self, country: str) -> _User:
        return self.rng.choice(self.leads_by_region.get(country) or self.any_sales)

    # -- accounts ---------------------------------------------------------------------------

    def holdings(self, count: int) -> list[int | None]:
        """The parent (an index) of each account. Account 0 is the big holding with up to 50
        subsidiaries; about 10 % of all accounts are subsidiaries, some two levels deep;
        parents always come before their subsidiaries."""
        rng = self.rng
        parents: list[int | None] = [None] * count
        subsidiary_count = count // 10 if count >= 3 else 0
        if not subsidiary_count:
            return parents
        subsidiaries = set(rng.sample(range(2, count), subsidiary_count))
        self.big_holding_size = min(50, max(1, subsidiary_count // 2))
        in_big_holding = set(rng.sample(sorted(subsidiaries), self.big_holding_size))
        holding_parents: list[int] = []
        children: dict[int, int] = {}
        for index in sorted(subsidiaries):
            if index in in_big_holding:
                parents[index] = 0
                continue
            recent = holding_parents[-30:]
            open_holdings = [p for p in recent if children.get(p, 0) < 8]
            deeper = [p for p in recent if parents[p] is not None]
            pick = rng.random()
            if pick < 0.5 and open_holdings:
                parent = rng.choice(open_holdings)
            elif pick < 0.6 and deeper:
                parent = rng.choice(deeper)
            else:
                candidates = [rng.randrange(2, index) for _ in range(5)] if index > 2 else []
                tops = [c for c in candidates if c not in subsidiaries and c not in children]
                if not tops:
                    continue  # stays a top-level account
                parent = tops[0]
            parents[index] = parent
            children[parent] = children.get(parent, 0) + 1
            if parent not in holding_parents:
                holding_parents.append(parent)
            if index not in holding_parents and rng.random() < 0.3:
                holding_parents.append(index)  # may get subsidiaries of its own
        return parents

    def account_rows(self, count: int, first_id: int) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        ts, js, now = self.ts, self.js, self.now
        parents = self.holdings(count)
        countries = _weighted(ACCOUNT_COUNTRIES)
        sizes = _weighted(SIZES)
        stages = _weighted(STAGES)
        size_weight = {"1-9": 1, "10-49": 2, "50-249": 4, "250-999": 8, "1000+": 12}
        stage_weight = {"customer": 3.0, "partner": 2.0, "former_customer": 1.0, "prospect": 0.7}
        bases: list[str] = []
        roots: list[int] = []
        for index in range(count):
            account_id = first_id + index
            parent = parents[index]
            mother = self.accounts[parent] if parent is not None else None
            if index == 0:
                country = "DE"
            elif mother is not None and rng.random() < 0.6:
                country = mother.country
            else:
                country = rng.choice(countries)
            if mother is None:
                base = self.company_base(country)
            else:
                base = f"{bases[parent]} {rng.choice(SUBSIDIARY_SUFFIXES[country])}"
                if base in self.used_names:
                    base += f" {rng.choice(CITIES[country])[0].split(',')[0]}"
                self.used_names.add(base)
            bases.append(base)
            form = self.legal_form(country)
            if mother is not None and country == mother.country and rng.random() < 0.7:
                owner = mother.owner
            else:
                owner = self.sales_owner(country)
            domain = self.domain(base, country)
            created = self.ago(1200, 3000)
            updated = min(now, created + dt.timedelta(days=rng.randint(0, 900)))
            size = "1000+" if index < 2 else rng.choice(sizes)
            stage = "customer" if index < 2 else rng.choice(stages)
            addresses = [self.address(country)]
            if rng.random() < 0.2:
                addresses.append(self.address(country, "delivery"))
            emails = [self.email(rng.choice(("info", "office", "contact", "sales")), domain)]
            if rng.random() < 0.3:
                emails.append(self.email(rng.choice(("accounting", "purchasing")), domain))
            city = addresses[0]["city"]
            area = [(c[2], c[3]) for c in CITIES[country] if c[0].split(",")[0] == city]
            phones = [self.phone(*rng.choice(area))]
            if rng.random() < 0.2:
                phones.append(self.phone(*rng.choice(area)))
            tax_id = self.tax_id(country) if rng.random() < 0.9 else ""
            kpp = f"{tax_id[:4]}01001" if country == "RU" and tax_id else ""
            root = account_id if parent is None else roots[parent]
            roots.append(root)
            self.accounts.append(
                _Account(account_id, country, LANGUAGE[country], domain, owner, created)
            )
            self.account_weights.append(
                size_weight[size] * stage_weight[stage] * rng.lognormvariate(0, 1)
            )
            tags = []
            if self.tag_ids and rng.random() < 0.25:
                tags = rng.sample(self.tag_ids, min(len(self.tag_ids), rng.choice((1, 2))))
                self.tag_links[Account] += [(account_id, tag) for tag in tags]
            name = self.with_form(base, form, country)[:200]
            legal_name = self.legal_name(base, form, country)[:300]
            industry = rng.choice(INDUSTRIES)
            website = f"https://www.{domain}"
            self.searchable[Account].append(
                _Searchable(
                    pk=account_id,
                    id=account_id,
                    name=name,
                    legal_name=legal_name,
                    country=country,
                    tax_id=tax_id,
                    kpp=kpp,
                    industry=industry,
                    size=size,
                    website=website,
                    city=city,
                    addresses=addresses,
                    emails=emails,
                    phones=phones,
                    email=emails[0],
                    phone=phones[0],
                    stage=stage,
                    tags=tags,
                )
            )
            yield (
                account_id,
                ts(created),
                ts(updated),
                *owner.owned,
                name,
                legal_name,
                country,
                tax_id,
                kpp,
                industry,
                size,
                website,
                city,
                js(addresses),
                js(emails),
                js(phones),
                emails[0],
                phones[0],
                None if mother is None else mother.id,
                root,
                stage,
                js({}),
                account_name_key(name),
            )

    # -- contacts ---------------------------------------------------------------------------

    def pick_account(self) -> int:
        """An account index, the bigger and more active accounts more often."""
        position = bisect(self.cumulative, self.rng.random() * self.cumulative[-1])
        return min(position, len(self.accounts) - 1)

    def contact_rows(
        self, count: int, first_id: int, role_rows: list[tuple[Any, ...]], role_id: int
    ) -> Iterator[tuple[Any, ...]]:
        """Contacts; their roles at accounts are appended to `role_rows` on the way."""
        rng = self.rng
        ts, js, day, now = self.ts, self.js, self.day, self.now
        countries = _weighted(ACCOUNT_COUNTRIES)
        self.account_contacts = [[] for _ in self.accounts]
        big_account = min(count, max(10, count // 200)) if len(self.accounts) > 1 else 0
        for index in range(count):
            contact_id = first_id + index
            if index < big_account:
                position: int | None = 1
            elif rng.random() < 0.03 or not self.accounts:
                position = None  # a private person
            else:
                position = self.pick_account()
            account = self.accounts[position] if position is not None else None
            if account is not None and rng.random() < 0.85:
                country = account.country
            else:
                country = rng.choice(countries)
            first, middle, last, female = self.person(country)
            local = self.local_part(first, last)
            emails = []
            if account is not None:
                emails.append(self.email(local, account.domain))
            if account is None or rng.random() < 0.25:
                emails.append(self.email(local, rng.choice(FREE_MAIL[country])))
            phones = []
            if rng.random() < 0.85:
                phones.append(self.mobile(country))
            if account is not None and rng.random() < 0.4:
                phones.append(self.phone(*rng.choice(CITIES[account.country])[2:]))
            if account is not None and rng.random() < 0.9:
                owner = account.owner
            else:
                owner = self.sales_owner(country)
            if account is not None:
                created = account.created + dt.timedelta(minutes=rng.randint(0, 90 * 1440))
            else:
                created = self.ago(400, 1500)
            updated = min(now, created + dt.timedelta(days=rng.randint(0, 700)))
            if account is not None and position is not None:
                self.account_contacts[position].append(contact_id)
                self.contacts_with_account.append((contact_id, account.id))
                since = (created - dt.timedelta(days=rng.randint(0, 3000))).date()
                if rng.random() < 0.08 and len(self.accounts) > 1:  # an earlier job
                    other = self.accounts[self.pick_account()]
                    if other.id != account.id:
                        start = since - dt.timedelta(days=rng.randint(400, 3000))
                        end = since - dt.timedelta(days=rng.randint(1, 60))
                        title = rng.choice(TITLES[other.language])[female]
                        role_rows.append(
                            (role_id, contact_id, other.id, title, day(start), day(end), False)
                        )
                        role_id += 1
                title = rng.choice(TITLES[account.language])[female]
                role_rows.append((role_id, contact_id, account.id, title, day(since), None, True))
                role_id += 1
                if rng.random() < 0.04 and len(self.accounts) > 1:  # a seat on another board
                    other = self.accounts[self.pick_account()]
                    if other.id != account.id:
                        start = since + dt.timedelta(days=rng.randint(0, 400))
                        title = rng.choice(TITLES[other.language])[female]
                        role_rows.append(
                            (role_id, contact_id, other.id, title, day(start), None, False)
                        )
                        role_id += 1
            tags = [rng.choice(self.tag_ids)] if self.tag_ids and rng.random() < 0.1 else []
            self.tag_links[Contact] += [(contact_id, tag) for tag in tags]
            full_name = " ".join(part for part in (first, middle, last) if part)
            self.searchable[Contact].append(
                _Searchable(
                    pk=contact_id,
                    id=contact_id,
                    first_name=first,
                    middle_name=middle,
                    last_name=last,
                    full_name=full_name,
                    emails=emails,
                    phones=phones,
                    email=emails[0] if emails else "",
                    phone=phones[0] if phones else "",
                    language=LANGUAGE[country],
                    tags=tags,
                )
            )
            yield (
                contact_id,
                ts(created),
                ts(updated),
                *owner.owned,
                first,
                middle,
                last,
                full_name,
                js(emails),
                js(phones),
                emails[0] if emails else "",
                phones[0] if phones else "",
                LANGUAGE[country],
                account.id if account is not None else None,
                js({}),
                contact_name_key(first, last),
            )

    # -- leads ------------------------------------------------------------------------------

    def lead_rows(self, count: int, first_id: int) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        ts, js, now = self.ts, self.js, self.now
        countries = _weighted(ACCOUNT_COUNTRIES)
        statuses = _weighted(LEAD_STATUSES)
        channels = _weighted(LEAD_CHANNELS)
        campaigns: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
        for name, source, medium, term, where, how in CAMPAIGNS:
            for channel in how.split():
                for country in where.split() or LOCALES:
                    campaigns.setdefault((channel, country), []).append(
                        (name, source, medium, term)
                    )
        for index in range(count):
            lead_id = first_id + index
            country = rng.choice(countries)
            language = LANGUAGE[country]
            owner = self.lead_owner(country)
            first, _middle, last, female = self.person(country)
            company_name = job_title = ""
            local = self.local_part(first, last)
            if rng.random() < 0.85:
                base = self.company_base(country)
                company_name = self.with_form(base, self.legal_form(country), country)
                job_title = rng.choice(TITLES[language])[female]
            if company_name and rng.random() < 0.7:
                email = self.email(local, self.domain(base, country))
            else:
                email = self.email(local, rng.choice(FREE_MAIL[country]))
            phone = self.mobile(country) if rng.random() < 0.6 else ""
            status = rng.choice(statuses)
            channel = rng.choice(channels)
            created = self.ago(1, 365)
            updated = min(now, created + dt.timedelta(hours=rng.randint(0, 24 * 30)))
            campaign = utm_source = utm_medium = utm_campaign = utm_term = utm_content = ""
            fitting = campaigns.get((channel, country))
            if fitting:
                campaign, utm_source, utm_medium, utm_term = rng.choice(fitting)
                utm_campaign = ascii_slug(campaign, "-")
                if channel == "advertising":
                    utm_content = rng.choice(("banner-a", "banner-b", "text-ad", "video"))
            contact_id = account_id = converted_at = None
            if status == "converted":
                if self.contacts_with_account:
                    contact_id, account_id = rng.choice(self.contacts_with_account)
                    converted = min(now, created + dt.timedelta(days=rng.randint(1, 40)))
                    converted_at = ts(converted)
                else:
                    status = "qualified"
            deleted_at = deleted_by = None
            if rng.random() < 0.01:  # a few in the recycle bin
                deleted_at, deleted_by = ts(self.ago(0, 10)), owner.id
            tax_id = self.tax_id(country) if company_name and rng.random() < 0.25 else ""
            self.leads.append(
                _Lead(lead_id, created, owner.owned, language, contact_id, account_id)
            )
            tags = [rng.choice(self.tag_ids)] if self.tag_ids and rng.random() < 0.15 else []
            self.tag_links[Lead] += [(lead_id, tag) for tag in tags]
            description = rng.choice(LEAD_DESCRIPTIONS[language])
            self.searchable[Lead].append(
                _Searchable(
                    pk=lead_id,
                    id=lead_id,
                    first_name=first,
                    last_name=last,
                    full_name=f"{first} {last}",
                    company_name=company_name[:200],
                    job_title=job_title,
                    email=email,
                    phone=phone,
                    tax_id=tax_id,
                    country=country,
                    description=description,
                    status=status,
                    source_channel=channel,
                    campaign=campaign,
                    tags=tags,
                )
            )
            yield (
                lead_id,
                ts(created),
                ts(updated),
                deleted_at,
                deleted_by,
                *owner.owned,
                first,
                last,
                f"{first} {last}",
                company_name[:200],
                job_title,
                email,
                phone,
                tax_id,
                country,
                description,
                status,
                channel,
                campaign,
                utm_source,
                utm_medium,
                utm_campaign,
                utm_term,
                utm_content,
                contact_id,
                account_id,
                converted_at,
                js({}),
            )

    # -- interactions -----------------------------------------------------------------------

    def clock(self) -> Callable[[int, int], Any]:
        """`stamp(day, minute)`: the moment `day` days after today's midnight (negative:
        before) and `minute` minutes into that day, as the database takes it. On SQLite the
        text is put together from cached pieces, which is much faster than datetimes."""
        anchor = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        if connection.vendor != "sqlite":
            ts = self.ts
            return lambda day, minute: ts(anchor + dt.timedelta(days=day, minutes=minute))
        dates: dict[int, str] = {}
        times = [f" {minute // 60:02d}:{minute % 60:02d}:00" for minute in range(1440)]

        def stamp(day: int, minute: int) -> str:
            date = dates.get(day)
            if date is None:
                date = dates[day] = str((anchor + dt.timedelta(days=day)).date())
            return date + times[minute]

        return stamp

    def interaction_rows(self, count: int, first_id: int) -> Iterator[tuple[Any, ...]]:
        """The timeline: about 2 % on the big account, 0.1 % on the next, 5 % on leads, the
        rest spread over the accounts by size, stage and chance; 8 % planned (some overdue),
        the others done or cancelled, over three years with more of them recent, in office
        hours (UTC).
        Complaints older than 60 days are resolved, half of the recent ones too."""
        rng = self.rng
        rnd = rng.random
        stamp = self.clock()
        targets = [
            (account.id, account.owner.owned, SUBJECTS[account.language], people)
            for account, people in zip(self.accounts, self.account_contacts, strict=True)
        ]
        lead_targets = [
            (
                lead.id,
                lead.owned,
                SUBJECTS[lead.language],
                lead.account_id,
                lead.contact_id,
                max(1, (self.now - lead.created).days),
            )
            for lead in self.leads
        ]
        cumulative = self.cumulative
        total_weight = cumulative[-1] if cumulative else 0.0
        last_account = len(targets) - 1
        user_ids = self.user_ids
        p_big = 0.02 if len(targets) > 1 else 0.0
        # A second busy account with 0.1 % (10,000 of 10 million): the size of history the
        # benchmark opens a card of.
        p_busy = p_big + (0.001 if len(targets) > 2 else 0.0)
        p_lead = p_busy + (0.05 if lead_targets else 0.0)

        def kinds(pairs: Sequence[tuple[str, int]]) -> list[tuple[Any, ...]]:
            """Per kind: name, channels, direction, source, may have a body, may be a
            complaint."""
            return [
                (
                    kind,
                    CHANNELS.get(kind, ("",)),
                    "two-way"
                    if kind in ("call", "email")
                    else "inbound"
                    if kind in INBOUND_ONLY
                    else "outbound"
                    if kind == "meeting"
                    else "internal",
                    SOURCES.get(kind, ""),
                    kind in ("email", "call", "meeting", "note"),
                    kind in ("call", "email", "chat", "web_form"),
                )
                for kind in _weighted(pairs)
            ]

        past_kinds = kinds(PAST_KINDS)
        planned_kinds = kinds(PLANNED_KINDS)
        lead_kinds = kinds((("web_form", 40), ("email", 25), ("call", 20), ("link_click", 15)))
        for index in range(count):
            pick = rnd()
            contact_id = lead_id = None
            planned = False
            if p_busy <= pick < p_lead:
                lead_id, owned, subjects, account_id, contact_id, age = lead_targets[
                    int(rnd() * len(lead_targets))
                ]
                info = lead_kinds[int(rnd() * len(lead_kinds))]
                day, minute = -1 - int(rnd() * age), int(rnd() * 1440)  # since it came in
            else:
                if pick < p_big:
                    position = 1
                elif pick < p_busy:
                    position = 2
                else:
                    position = min(bisect(cumulative, rnd() * total_weight), last_account)
                account_id, owned, subjects, people = targets[position]
                if rnd() < 0.08:
                    planned = True
                    info = planned_kinds[int(rnd() * len(planned_kinds))]
                    # 15 % overdue, the others within the next two months
                    day = -1 - int(rnd() * 14) if rnd() < 0.15 else int(rnd() * 61)
                    minute = 480 + 15 * int(rnd() * 41)
                else:
                    info = past_kinds[int(rnd() * len(past_kinds))]
                    day, minute = -1 - int(1095 * rnd() ** 1.6), 420 + int(rnd() * 660)
                if people and info[0] != "system" and rnd() < 0.88:
                    contact_id = people[int(rnd() * len(people))]
            kind, channels, direction, source, with_body, may_complain = info
            at = stamp(day, minute)
            is_complaint = is_resolved = False
            if planned:
                status = "planned"
                created = stamp(min(day, 0) - 1 - int(rnd() * 30), int(rnd() * 1440))
                occurred_value, due_value = None, at
                subject = subjects[kind][int(rnd() * len(subjects[kind]))]
            else:
                status = "done"
                if kind in ("meeting", "task", "call") and rnd() < 0.03:
                    status = "cancelled"
                occurred_value, due_value, created = at, None, at
                if may_complain and rnd() < 0.012:
                    is_complaint = True
                    is_resolved = day < -60 or rnd() < 0.5
                    subject = subjects["complaint"][int(rnd() * len(subjects["complaint"]))]
                else:
                    subject = subjects[kind][int(rnd() * len(subjects[kind]))]
                    if kind == "document":
                        subject = subject.replace("{n}", str(10000 + int(rnd() * 90000)))
            if direction == "two-way":
                direction = "inbound" if is_complaint or rnd() < 0.45 else "outbound"
            body = ""
            if with_body and rnd() < 0.5:
                body = subjects["body"][int(rnd() * len(subjects["body"]))]
            reason = ""
            if kind == "decision":
                reason = subjects["reason"][int(rnd() * len(subjects["reason"]))]
            if kind == "system":
                author = None
            elif rnd() < 0.85:
                author = owned[0]
            else:
                author = user_ids[int(rnd() * len(user_ids))]
            yield (
                first_id + index,
                created,
                created,
                *owned,
                kind,
                channels[int(rnd() * len(channels))],
                direction,
                status,
                occurred_value,
                due_value,
                at,
                subject,
                body,
                reason,
                is_complaint,
                is_resolved,
                author,
                account_id,
                contact_id,
                lead_id,
                source,
            )

    def index_for_search(self, progress: bool) -> None:
        """Put the new accounts, contacts and leads in the full-text search index, as the
        services do on every write. Documents are built from the generated values with
        `clients.search`'s document functions; should those read a field the generator
        does not provide, the records are re-read and indexed the services' way."""
        from perpetuum.clients.search import DOCUMENTS

        tag_names = dict(Tag.objects.values_list("pk", "name"))
        for model, records in self.searchable.items():
            if not records:
                continue
            entity, document = DOCUMENTS[model]
            for record in records:
                record.tags = _Tags([tag_names[tag] for tag in record.tags])
            try:
                document(records[0])
            except AttributeError:
                ids = [record.pk for record in records]
                _pipeline(
                    _batched(iter(ids), 2000),
                    lambda chunk, model=model: search.refresh(model, chunk),
                    len(ids),
                    f"index {entity}s",
                    progress,
                    self.spent,
                )
                continue
            self.store_documents(
                entity, _search_documents(records, document, 5000), len(records), f"index {entity}s"
            )
            records.clear()

    # -- the whole run ----------------------------------------------------------------------

    def run(self, *, users: int, accounts: int, contacts: int, interactions: int) -> None:
        progress = self.progress
        with transaction.atomic():
            self.organisation(users)
        self._owner_pools()
        counts = self.counts
        counts["accounts"] = self.write(
            Account,
            ACCOUNT_COLUMNS,
            self.account_rows(accounts, _next_id(Account)),
            accounts,
            "accounts",
        )
        total = 0.0
        for weight in self.account_weights:
            total += weight
            self.cumulative.append(total)
        role_rows: list[tuple[Any, ...]] = []
        counts["contacts"] = self.write(
            Contact,
            CONTACT_COLUMNS,
            self.contact_rows(contacts, _next_id(Contact), role_rows, _next_id(ContactRole)),
            contacts,
            "contacts",
        )
        counts["contact_roles"] = self.write(
            ContactRole,
            ROLE_COLUMNS,
            iter(role_rows),
            len(role_rows),
            "contact roles",
        )
        leads = contacts // 10
        counts["leads"] = self.write(
            Lead,
            LEAD_COLUMNS,
            self.lead_rows(leads, _next_id(Lead)),
            leads,
            "leads",
        )
        counts["tag_links"] = 0
        began = time.perf_counter()
        for model, rows in self.tag_links.items():
            through = model.tags.through
            column = f"{model._meta.model_name}_id"
            with transaction.atomic():
                through.objects.bulk_create(
                    [through(**{column: row_id, "tag_id": tag}) for row_id, tag in rows],
                    batch_size=5000,
                )
            counts["tag_links"] += len(rows)
        self.spent["tag links"] = time.perf_counter() - began
        self.index_for_search(progress)
        counts["interactions"] = self.write(
            Interaction,
            INTERACTION_COLUMNS,
            self.interaction_rows(interactions, _next_id(Interaction)),
            interactions,
            "interactions",
        )
        counts["big_account_id"] = self.accounts[1].id if len(self.accounts) > 1 else 0
        counts["big_holding_id"] = self.accounts[0].id if self.big_holding_size else 0


def generate(
    *,
    accounts: int,
    contacts: int,
    interactions: int,
    seed: int = 1,
    users: int = 12,
    progress: bool = True,
    append: bool = False,
    now: dt.datetime | None = None,
    spent: dict[str, float] | None = None,
) -> dict[str, int]:
    """Write demo data and return how many rows of each kind were written.

    Leads are one per ten contacts. With 11 users or more every role has a user. `now`
    anchors every timestamp (default: today, midnight UTC): the same seed and the same `now`
    give the same data. Refuses to write into a database that already holds accounts,
    contacts, leads or interactions unless `append` is set.

    The result also holds `big_account_id`, the account with about 2 % of all interactions,
    and `big_holding_id`, the holding with up to 50 subsidiaries (0 when there is none).
    `spent`, when given, receives the seconds spent writing, by step (see `_Generator.spent`).
    """
    for name, value in (("accounts", accounts), ("contacts", contacts)):
        if value < 0:
            raise DemoDataError(f"The number of {name} must be zero or more.")
    if interactions < 0:
        raise DemoDataError("The number of interactions must be zero or more.")
    if users < 1:
        raise DemoDataError("The demo needs at least one user.")
    if accounts == 0 and interactions:
        raise DemoDataError("Interactions need at least one account.")
    if not append and any(
        model._base_manager.exists() for model in (Account, Contact, Lead, Interaction)
    ):
        raise DemoDataError(
            "The database already holds clients; demo data goes only into an empty database. "
            "Use --append to add it anyway."
        )
    if now is None:
        now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    generator = _Generator(seed=seed, now=now, progress=progress)
    if _writer_fits(accounts, contacts, interactions):
        generator.writer = _Writer()
    try:
        with _bigger_cache():
            generator.run(
                users=users, accounts=accounts, contacts=contacts, interactions=interactions
            )
            began = time.perf_counter()
            _reset_sequences()
            _analyze()
            generator.spent["statistics"] = time.perf_counter() - began
    finally:
        if generator.writer is not None:
            generator.writer.close()
    if spent is not None:
        spent.update(generator.spent)
    result = generator.counts
    with transaction.atomic():
        audit(
            actor=None,
            action="create",
            object_type_label="demo",
            object_repr=f"Demo data, seed {seed}",
            changes={key: [0, value] for key, value in result.items() if not key.endswith("_id")},
        )
    return result


# --- Database housekeeping around the load ----------------------------------------------------


class _bigger_cache:
    """More memory for this connection during the load: a 256 MB page cache on SQLite, and
    its sorter's helper threads on every core (see `_sqlite_sort_runs` for the indexes);
    512 MB to sort in when PostgreSQL builds them."""

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size=-262144")
                cursor.execute(f"PRAGMA threads={min(os.cpu_count() or 1, 8)}")
            elif connection.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '512MB'")

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size=-64000")
                cursor.execute("PRAGMA threads=0")
            elif connection.vendor == "postgresql":
                cursor.execute("RESET maintenance_work_mem")


def _reset_sequences() -> None:
    """Move the id sequences past the ids assigned here (PostgreSQL; SQLite's AUTOINCREMENT
    follows explicit ids by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(LOADED_MODELS))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _analyze() -> None:
    """Refresh the query planner's statistics after the bulk load. On PostgreSQL, VACUUM
    too (outside a transaction, where it can run): it marks the new pages all-visible, so
    that counts read the index alone instead of visiting every row (a card's counts of a
    client with 200,000 interactions: 61 ms before, 3 ms after)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for model in LOADED_MODELS:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
