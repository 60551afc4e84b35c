"""The demo generator: what it writes is what the services would have written, it refuses a
database that holds clients, and the bulk path (indexes dropped and built again) leaves the
same indexes behind."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from perpetuum import demo
from perpetuum.clients.duplicates import account_name_key, contact_name_key
from perpetuum.clients.models import Account, Contact, ContactRole, Lead
from perpetuum.core import search
from perpetuum.core.models import AuditEvent, Tag
from perpetuum.org.models import LegalEntity, Office, Team
from perpetuum.timeline.models import Interaction

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
SIZE = {"accounts": 60, "contacts": 300, "interactions": 1500}


@pytest.fixture
def generated(db: None) -> tuple[dict[str, int], dict[str, float]]:
    spent: dict[str, float] = {}
    counts = demo.generate(**SIZE, seed=7, progress=False, now=NOW, spent=spent)
    return counts, spent


def test_it_writes_the_sizes_asked_for(generated: Any) -> None:
    counts, spent = generated
    assert counts["accounts"] == Account.objects.count() == 60
    assert counts["contacts"] == Contact.objects.count() == 300
    assert counts["leads"] == Lead.objects.count() == 30
    assert counts["interactions"] == Interaction.all_objects.count() == 1500
    assert counts["contact_roles"] == ContactRole.objects.count() >= 300 * 0.9
    # Every step of the bulk path reports the time it spent writing.
    assert {"accounts", "contacts", "contact roles", "leads", "interactions"} <= set(spent)
    assert all(seconds >= 0 for seconds in spent.values())
    assert AuditEvent.objects.filter(object_repr="Demo data, seed 7").count() == 1


def test_records_hold_what_the_services_would_have_computed(generated: Any) -> None:
    for first, last, key in Contact.objects.values_list("first_name", "last_name", "name_key"):
        assert key == contact_name_key(first, last)
    for name, key in Account.objects.values_list("name", "name_key"):
        assert key == account_name_key(name)
    for account in Account.objects.select_related("parent"):
        expected_root = account.parent.root_id if account.parent else account.pk
        assert account.root_id == expected_root
    contact = Contact.objects.order_by("pk")[123]
    assert contact.pk in search.ranked_ids("contact", contact.last_name, 300)
    account = Account.objects.order_by("pk")[17]
    assert account.pk in search.ranked_ids("account", account.name, 60)


def test_interactions_point_at_generated_clients_and_the_past_is_done(generated: Any) -> None:
    accounts = set(Account.objects.values_list("pk", flat=True))
    linked = set(Interaction.all_objects.exclude(account=None).values_list("account_id", flat=True))
    assert linked <= accounts
    assert not Interaction.all_objects.filter(status="done", at__gt=NOW).exists()
    busiest = generated[0]["big_account_id"]
    assert Interaction.all_objects.filter(account_id=busiest).count() >= 1500 * 0.01


def test_the_same_seed_and_day_give_the_same_data(generated: Any) -> None:
    first = list(Contact.objects.order_by("pk").values_list("full_name", "email"))
    Interaction.all_objects.all().delete()
    ContactRole.objects.all().delete()
    Lead.all_objects.all().delete()
    Contact.all_objects.all().delete()
    Account.all_objects.update(parent=None, root=None)
    Account.all_objects.all().delete()
    Tag.all_objects.all().delete()
    get_user_model().objects.all().delete()
    for model in (Team, Office, LegalEntity):
        model.objects.all().delete()
    for entity in ("account", "contact", "lead"):
        search.clear(entity)
    demo.generate(**SIZE, seed=7, progress=False, now=NOW)
    again = list(Contact.objects.order_by("pk").values_list("full_name", "email"))
    assert again == first


def test_a_database_with_clients_is_refused_unless_appending(generated: Any) -> None:
    with pytest.raises(demo.DemoDataError, match="already holds clients"):
        demo.generate(accounts=5, contacts=5, interactions=5, progress=False, now=NOW)
    demo.generate(accounts=5, contacts=5, interactions=5, progress=False, now=NOW, append=True)
    assert Account.objects.count() == 65


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"accounts": -1, "contacts": 1, "interactions": 0}, "accounts must be zero or more"),
        ({"accounts": 0, "contacts": 1, "interactions": 3}, "need at least one account"),
        ({"accounts": 1, "contacts": 1, "interactions": 0, "users": 0}, "at least one user"),
    ],
)
def test_impossible_sizes_are_refused(db: None, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(demo.DemoDataError, match=message):
        demo.generate(progress=False, now=NOW, **kwargs)
    assert not Account.objects.exists()


def test_a_big_load_builds_the_indexes_it_dropped_again(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "DEFER_INDEXES_FROM", 100)
    tables = [model._meta.db_table for model in demo.LOADED_MODELS]
    tables += [search.table(entity) for entity in search.ENTITIES]
    before = {table: sorted(demo._secondary_indexes(table)) for table in tables}
    spent: dict[str, float] = {}
    demo.generate(**SIZE, seed=3, progress=False, now=NOW, spent=spent)
    after = {table: sorted(demo._secondary_indexes(table)) for table in tables}
    assert after == before
    assert before["timeline_interaction"]  # there were indexes to drop
    if connection.vendor == "postgresql":
        assert len(before["search_contact"]) == 2  # the GIN indexes: words and trigrams
    contact = Contact.objects.order_by("pk").first()
    assert contact.pk in search.ranked_ids("contact", contact.email, 10)
    assert Interaction.all_objects.count() == 1500
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM timeline_interaction WHERE account_id IS NOT NULL")
        assert cursor.fetchone()[0] == Interaction.all_objects.exclude(account=None).count()


def test_a_big_load_is_written_by_a_second_process(tmp_path: Any) -> None:
    """`perpetuum demo` with more rows than `DEFER_INDEXES_FROM` hands them to the writer
    process (its own connection to the same SQLite file), which drops and builds the
    indexes again and fills the search index; the command reports each step's time."""
    import json
    import os
    import sqlite3
    import subprocess
    import sys

    env = {**os.environ, "PERPETUUM_DATA_DIR": str(tmp_path), "PERPETUUM_ENV": "local"}
    env["DJANGO_SETTINGS_MODULE"] = "perpetuum.settings"
    env.pop("DATABASE_URL", None)
    interactions = demo.DEFER_INDEXES_FROM + 5000
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "perpetuum.cli", "demo", "--quiet", "--report", str(report)]
    sizes = ["--accounts", "80", "--contacts", "400", "--interactions", str(interactions)]
    subprocess.run(  # noqa: S603 - our own command
        [*command, *sizes], env=env, check=True, capture_output=True, timeout=300
    )

    written = json.loads(report.read_text())
    assert written["counts"]["interactions"] == interactions
    assert written["write_seconds"]["interactions"] > 0
    database = sqlite3.connect(tmp_path / "perpetuum.sqlite3")
    assert database.execute("SELECT COUNT(*) FROM timeline_interaction").fetchone()[0] == (
        interactions
    )
    indexes = {
        name
        for (name,) in database.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'timeline_interaction'"
        )
    }
    assert {"interaction_account_at", "interaction_owner_due", "interaction_at"} <= indexes
    assert database.execute("SELECT COUNT(*) FROM search_contact").fetchone()[0] == 400
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    database.close()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the SQLite test database is in memory, where a second process cannot reach it",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_writer_process_reaches_the_same_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a database server (the test database, by its name), as on a file."""
    monkeypatch.setattr(demo, "DEFER_INDEXES_FROM", 100)
    started = []
    real_writer = demo._Writer

    def writer() -> demo._Writer:
        started.append(True)
        return real_writer()

    monkeypatch.setattr(demo, "_Writer", writer)
    counts = demo.generate(**SIZE, seed=3, progress=False, now=NOW)
    assert started == [True]
    assert Interaction.all_objects.count() == counts["interactions"] == 1500
    assert Contact.objects.count() == 300
    contact = Contact.objects.order_by("pk").first()
    assert contact.pk in search.ranked_ids("contact", contact.email, 10)


def test_references_to_rows_that_are_not_there_are_refused(db: None) -> None:
    """The writer loads without the database's foreign-key checks because every reference
    has been checked before it is sent: to another table and to the table itself."""
    demo.generate(accounts=3, contacts=5, interactions=0, progress=False, now=NOW)
    account = Account.objects.order_by("pk").first().pk
    contact = Contact.objects.order_by("pk").first().pk

    def rows(model: type, columns: list[str], *values: tuple[Any, ...]) -> Any:
        table = demo._Table(model, columns)
        return table.attnames, [row + table.tail for row in values]

    columns, good = rows(
        ContactRole, ["id", "account_id", "contact_id"], (10_000, account, contact)
    )
    _, bad = rows(ContactRole, ["id", "account_id", "contact_id"], (10_001, account + 1000, None))
    references = demo._References(ContactRole, columns)
    assert list(references.checked(iter([good]))) == [good]
    with pytest.raises(demo.DemoDataError, match=rf"refer to account rows .*\[{account + 1000}\]"):
        list(references.checked(iter([good, bad])))

    newest = Account.objects.order_by("-pk").first().pk
    names = ["id", "parent_id", "root_id"]
    # A subsidiary may come before its parent in the load; a parent that never comes fails.
    columns, later = rows(Account, names, (newest + 1, newest + 2, newest + 2))
    _, parent = rows(Account, names, (newest + 2, account, account))
    references = demo._References(Account, columns)
    assert len(list(references.checked(iter([later, parent])))) == 2
    with pytest.raises(
        demo.DemoDataError, match=rf"Account rows refer to account rows .*\[{newest + 2}\]"
    ):
        list(references.checked(iter([later])))


def test_a_writer_process_that_does_not_start_is_an_error_not_a_hang(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(demo.DemoDataError, match=r"did not start \(exit code 1\)"):
        demo._Writer()
