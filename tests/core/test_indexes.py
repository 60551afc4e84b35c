"""Which columns have an index of their own: every index is paid for by every insert."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.timeline.models import Interaction

pytestmark = pytest.mark.django_db

UNINDEXED = ["deleted_by_id", "team_id", "office_id", "legal_entity_id"]


def single_column_indexes(model: type) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        info["columns"][0]
        for info in constraints.values()
        if info["index"] and not info["primary_key"] and len(info["columns"]) == 1
    }


@pytest.mark.parametrize("model", [Account, Contact, Lead, Interaction])
def test_scope_columns_and_deleted_by_have_no_index_of_their_own(model: type) -> None:
    indexed = single_column_indexes(model)
    assert not indexed & set(UNINDEXED)


def test_interactions_keep_the_indexes_that_queries_use() -> None:
    # Only the planned interactions' index (partial) looks up by owner; none by author.
    assert not {"author_id", "owner_id"} & single_column_indexes(Interaction)
    assert {"owner_id"} <= single_column_indexes(Account)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "timeline_interaction")
    assert constraints["interaction_owner_due"]["columns"][0] == "owner_id"
    assert {"interaction_account_at", "interaction_owner_due", "interaction_at"} <= set(constraints)


def test_a_users_planned_interactions_are_read_by_the_partial_index(sales_rep: Any) -> None:
    """`interaction_owner_due` holds only interactions with a due date; `my_planned` says
    that it wants only those, so the planner can use it."""
    from perpetuum.timeline.selectors import my_planned

    with CaptureQueriesContext(connection) as queries:
        my_planned(sales_rep)
    (query,) = queries.captured_queries
    assert "interaction_owner_due" in plan_of(query["sql"])


def test_my_day_reads_the_users_planned_interactions_by_the_partial_index(
    sales_rep: Any, client: Any
) -> None:
    """Today's and the overdue planned interactions: by the time index instead, the overdue
    ones of a user took 36 s at ten million interactions."""
    client.force_login(sales_rep)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    planned = [
        query["sql"]
        for query in queries.captured_queries
        if "timeline_interaction" in query["sql"] and "planned" in query["sql"]
    ]
    assert len(planned) == 2
    for sql in planned:
        # Their sort is done on the few rows found, not by walking the time index.
        assert "interaction_owner_due" in plan_of(sql, sorted_by_index=False)


def plan_of(sql: str, *, sorted_by_index: bool = True) -> str:
    """The query plan, with PostgreSQL told to use an index wherever one serves (the test
    tables are too small for it to bother otherwise) and, unless `sorted_by_index` is
    false, to sort by one too."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            if sorted_by_index:
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dropping_an_index_by_migration_can_be_undone() -> None:
    """The migration that drops the indexes of scope columns, run backwards and forwards
    again, creates them and drops them (on SQLite without copying the table)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    target = [("timeline", "0004_fewer_duplicate_indexes")]
    try:
        executor.migrate(target)
        assert set(UNINDEXED) <= single_column_indexes(Interaction)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert not single_column_indexes(Interaction) & set(UNINDEXED)
