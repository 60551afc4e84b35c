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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {query['sql']}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "interaction_owner_due" in plan


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
