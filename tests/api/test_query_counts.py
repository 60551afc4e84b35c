"""Pinned SQL query counts of the API's lists, details and cards.

Every read is made by a sales manager with an API token, once over 5 records and once over
30: the number of queries must be the same, so an N+1 fails here instead of at a customer.
The counts include the token lookup and the viewer's teams (2 queries every request).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import ApiClient
from tests.conftest import Org
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

SIZES = [5, 30]
# Token and user with role (1) and the viewer's teams for the scope (1).
AUTHENTICATION = 2


@pytest.fixture
def team(make_user: Callable[..., Any], org: Org) -> list[Any]:
    """Three owners the manager sees: a teammate, one in another team, one in the office."""
    return [
        make_user("sales_representative"),
        make_user("sales_representative", teams=[org.berlin_key_accounts]),
        make_user("executive", teams=[]),
    ]


@pytest.fixture
def manager_api(sales_manager: Any, api_client: Callable[[Any], ApiClient]) -> ApiClient:
    """The manager's client, after a first request (which stamps the token's last use)."""
    api = api_client(sales_manager)
    assert api.get("/api/v1/me").status_code == 200
    return api


def assert_queries(
    django_assert_num_queries: Any, api: ApiClient, path: str, expected: int, items: int | None
) -> Any:
    with django_assert_num_queries(expected):
        response = api.get(path, params={"limit": 50})
    assert response.status_code == 200
    if items is not None:
        assert len(response.json()["items"]) == items
    return response


@pytest.mark.parametrize("size", SIZES)
def test_account_list(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    tags = [TagFactory(), TagFactory()]
    for index in range(size):
        AccountFactory(owner=team[index % 3], tags=tags[: index % 3])

    # The page, and the tags of its accounts.
    assert_queries(
        django_assert_num_queries, manager_api, "/api/v1/accounts", AUTHENTICATION + 2, size
    )


@pytest.mark.parametrize("size", SIZES)
def test_account_detail(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    account = AccountFactory(owner=team[0], tags=[TagFactory(), TagFactory()])
    for _index in range(size):
        ContactFactory(owner=team[1], account=account)

    # The account with its owner, team, office and legal entity; its tags.
    response = assert_queries(
        django_assert_num_queries,
        manager_api,
        f"/api/v1/accounts/{account.pk}",
        AUTHENTICATION + 2,
        None,
    )
    assert response.json()["id"] == account.pk


@pytest.mark.parametrize("size", SIZES)
def test_account_card(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    parent = AccountFactory(owner=team[0])
    account = AccountFactory(owner=team[0], parent=parent, tags=[TagFactory()])
    now = timezone.now()
    for index in range(size):
        AccountFactory(owner=team[index % 3], parent=account)
        InteractionFactory(owner=team[index % 3], account=account, kind="call")
        InteractionFactory(
            owner=team[index % 3],
            account=account,
            kind="task",
            status="planned",
            occurred_at=None,
            due_at=now + datetime.timedelta(days=index - size // 2),
        )

    # The account and its tags; open and overdue tasks; the last and the next interaction;
    # the counts by kind; the parent; the children.
    response = assert_queries(
        django_assert_num_queries,
        manager_api,
        f"/api/v1/accounts/{account.pk}/card",
        AUTHENTICATION + 8,
        None,
    )
    card = response.json()
    assert (card["children_count"], card["counts_by_kind"]) == (size, {"call": size, "task": size})
    assert card["parent"]["id"] == parent.pk


@pytest.mark.parametrize("size", SIZES)
def test_account_timeline(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    account = AccountFactory(owner=team[0])
    contact = ContactFactory(owner=team[0], account=account)
    for index in range(size):
        InteractionFactory(owner=team[index % 3], account=account, contact=contact)

    # The account and its tags; the page with authors and contacts.
    assert_queries(
        django_assert_num_queries,
        manager_api,
        f"/api/v1/accounts/{account.pk}/timeline",
        AUTHENTICATION + 3,
        size,
    )


@pytest.mark.parametrize("size", SIZES)
def test_contact_list(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    accounts = [AccountFactory(owner=team[0]), AccountFactory(owner=team[1])]
    tag = TagFactory()
    for index in range(size):
        ContactFactory(
            owner=team[index % 3],
            roles=[{"account_id": account.pk, "title": "Buyer"} for account in accounts],
            tags=[tag],
        )

    # The page with owners and primary accounts; their tags; their roles with accounts.
    response = assert_queries(
        django_assert_num_queries, manager_api, "/api/v1/contacts", AUTHENTICATION + 3, size
    )
    assert {len(item["roles"]) for item in response.json()["items"]} == {2}


@pytest.mark.parametrize("size", SIZES)
def test_lead_list(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    tag = TagFactory()
    for index in range(size):
        LeadFactory(owner=team[index % 3], tags=[tag])

    # The page with owners; their tags.
    assert_queries(
        django_assert_num_queries, manager_api, "/api/v1/leads", AUTHENTICATION + 2, size
    )


@pytest.mark.parametrize("size", SIZES)
def test_interaction_list(
    size: int, team: list[Any], manager_api: ApiClient, django_assert_num_queries: Any
) -> None:
    account = AccountFactory(owner=team[0])
    contact = ContactFactory(owner=team[0], account=account)
    for index in range(size):
        InteractionFactory(owner=team[index % 3], account=account, contact=contact)

    # The page with owners, authors, accounts and contacts.
    assert_queries(
        django_assert_num_queries, manager_api, "/api/v1/interactions", AUTHENTICATION + 1, size
    )
