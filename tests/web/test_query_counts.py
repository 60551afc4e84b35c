"""Pinned SQL query counts of the list pages: the same with 5 rows as with 30, so an N+1
fails here instead of at a customer's."""

from __future__ import annotations

import pytest

from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# Session, user, role, teams; the list and its prefetches; the filter choices (users, teams,
# offices, legal entities, tags, custom fields); assignable owners; saved views.
EXPECTED = {"accounts": 14, "contacts": 15, "leads": 14, "interactions": 11}


def _seed(list_name: str, owner, count: int) -> None:
    tag = TagFactory()
    for number in range(count):
        if list_name == "accounts":
            AccountFactory(owner=owner, tags=[tag], name=f"Account {number}")
        elif list_name == "contacts":
            account = AccountFactory(owner=owner)
            ContactFactory(owner=owner, account=account, tags=[tag])
        elif list_name == "leads":
            LeadFactory(owner=owner, tags=[tag])
        else:
            InteractionFactory(owner=owner)


@pytest.mark.parametrize("rows", [5, 30])
@pytest.mark.parametrize("list_name", sorted(EXPECTED))
def test_list_page_query_count_does_not_grow_with_rows(
    client, sales_manager, django_assert_num_queries, list_name, rows
):
    _seed(list_name, sales_manager, rows)
    client.force_login(sales_manager)
    with django_assert_num_queries(EXPECTED[list_name]):
        response = client.get(f"/{list_name}/")
    assert response.status_code == 200
    assert len(response.context["items"]) == rows


@pytest.mark.parametrize("rows", [5, 30])
def test_my_day_query_count_does_not_grow_with_rows(
    client, sales_manager, django_assert_num_queries, rows
):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    for number in range(rows):
        LeadFactory(owner=sales_manager, status="new")
        InteractionFactory(
            owner=sales_manager,
            kind="task",
            status="planned",
            occurred_at=None,
            due_at=now - datetime.timedelta(days=2, minutes=number),
        )
    client.force_login(sales_manager)
    with django_assert_num_queries(8):
        response = client.get("/")
    assert response.status_code == 200
