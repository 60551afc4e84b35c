"""Lists and the quote page cost the same number of queries however long they are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from perpetuum.documents import services
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def _quote_with_lines(actor: Any, account: Any, count: int) -> Any:
    quote = services.quote_create(actor=actor, data={"account_id": account.pk})
    for number in range(count):
        services.quote_line_add(
            actor=actor,
            quote=quote,
            data={"description": f"Line {number}", "unit_price": "10", "quantity": "1"},
        )
    return quote


def test_the_quote_page_and_lists_do_not_grow_with_their_rows(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    client = Client()
    client.force_login(sales_rep)
    short = _quote_with_lines(sales_rep, account, 1)
    long = _quote_with_lines(sales_rep, account, 6)

    assert _queries(client, f"/documents/quotes/{short.pk}/") == _queries(
        client, f"/documents/quotes/{long.pk}/"
    )
    assert _queries(client, f"/api/v1/quotes/{short.pk}") == _queries(
        client, f"/api/v1/quotes/{long.pk}"
    )
    few = _queries(client, "/api/v1/quotes")
    page = _queries(client, "/documents/quotes/")
    for _ in range(4):
        _quote_with_lines(sales_rep, AccountFactory(owner=sales_rep), 1)
    assert _queries(client, "/api/v1/quotes") == few
    assert _queries(client, "/documents/quotes/") == page
