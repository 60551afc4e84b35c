"""Stored XSS: names carrying script payloads render escaped on every page of the workspace."""

from __future__ import annotations

import pytest

from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)
from tests.web.conftest import XSS_PAYLOADS

pytestmark = pytest.mark.django_db

ESCAPED = [
    b"&lt;script&gt;alert(1)&lt;/script&gt;",
    b"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
]
RAW = [payload.encode() for payload in XSS_PAYLOADS]


@pytest.fixture
def poisoned(sales_rep):
    """Every kind of record, with both payloads in each of its text fields."""
    records = []
    for payload in XSS_PAYLOADS:
        tag = TagFactory(name=f"tag {payload}"[:60])
        account = AccountFactory(
            owner=sales_rep, name=f"Xss {payload}", legal_name=payload, city=payload, tags=[tag]
        )
        records.append(account)
        records.append(
            ContactFactory(owner=sales_rep, first_name="Xss", last_name=payload, account=account)
        )
        records.append(
            LeadFactory(
                owner=sales_rep,
                first_name="Xss",
                last_name=payload,
                company_name=payload,
                status="new",
            )
        )
        records.append(
            InteractionFactory(owner=sales_rep, account=account, subject=f"Xss {payload}")
        )
    return records


def _assert_escaped(content: bytes, url: str) -> None:
    for raw in RAW:
        assert raw not in content, url
    assert any(escaped in content for escaped in ESCAPED), url


def test_payloads_render_escaped_on_lists_search_and_my_day(client, sales_rep, poisoned):
    client.force_login(sales_rep)
    urls = [
        "/accounts/",
        "/contacts/",
        "/leads/",
        "/interactions/",
        "/",
        "/search/?q=xss",
        f"/history/account/{poisoned[0].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content, url)
    fragment = client.get("/search/?q=xss", HTTP_HX_REQUEST="true")
    _assert_escaped(fragment.content, "search suggestions")


def test_payloads_render_escaped_in_the_recycle_bin_and_saved_views(client, sales_rep, poisoned):
    client.force_login(sales_rep)
    client.post("/accounts/bulk/", {"ids": [poisoned[0].pk], "action": "delete", "query": ""})
    _assert_escaped(client.get("/recycle-bin/?type=account").content, "recycle bin")
    client.post("/accounts/views/", {"name": XSS_PAYLOADS[0], "query": "q=" + XSS_PAYLOADS[1]})
    response = client.get("/accounts/")
    _assert_escaped(response.content, "saved views")
