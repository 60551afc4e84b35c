"""The client cards: account, contact and lead, their timelines and the actions on them."""

from __future__ import annotations

import pytest

from tests.factories import AccountFactory, ContactFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_account_card_smoke(client, sales_rep):
    account = AccountFactory(owner=sales_rep, name="ACME")
    ContactFactory(owner=sales_rep, account=account)
    InteractionFactory(owner=sales_rep, account=account, subject="First call")
    client.force_login(sales_rep)
    response = client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 200, response.content[:3000]
    assert b"First call" in response.content
