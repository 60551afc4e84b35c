"""The consolidated timeline and card of a holding read each member through its own index;
these tests hold them to the answer of sorting the whole holding's history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from perpetuum.clients import selectors
from perpetuum.clients.models import Account
from perpetuum.core.filters import ListFilters
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, InteractionFactory


def _holding_with_histories(owner: Any) -> tuple[Account, list[Account]]:
    """A holding of three members with 7, 2 and 0 interactions, interleaved in time, with
    two of them at the very same moment."""
    holding = AccountFactory(owner=owner, name="Holding SE")
    big = AccountFactory(owner=owner, name="Big GmbH", parent=holding)
    AccountFactory(owner=owner, name="Quiet GmbH", parent=holding)
    now = timezone.now()
    for hours in (1, 3, 4, 5, 6, 8, 9):
        InteractionFactory(
            owner=owner, account=big, occurred_at=now - datetime.timedelta(hours=hours)
        )
    for hours in (2, 7):
        InteractionFactory(
            owner=owner, account=holding, occurred_at=now - datetime.timedelta(hours=hours)
        )
    same = now - datetime.timedelta(hours=10)
    InteractionFactory(owner=owner, account=holding, occurred_at=same)
    InteractionFactory(owner=owner, account=big, occurred_at=same)
    return holding, [holding, big]


def _pages(user: Any, account: Account, limit: int, **filters: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = selectors.account_timeline(
            user, account, consolidated=True, cursor=cursor, limit=limit, **filters
        )
        pages.append([row.pk for row in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_paging_a_holding_gives_its_whole_history_newest_first(sales_rep: Any) -> None:
    holding, members = _holding_with_histories(sales_rep)
    expected = list(
        Interaction.objects.filter(account__in=members)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 11
    for limit in (1, 2, 3, 4, 11, 50):
        pages = _pages(sales_rep, holding, limit)
        assert [pk for page in pages for pk in page] == expected, limit
        assert all(len(page) == limit for page in pages[:-1])
        assert pages[-1]  # no empty last page: the end is known on the page before


def test_paging_a_holding_keeps_the_filters(sales_rep: Any) -> None:
    holding, members = _holding_with_histories(sales_rep)
    call = InteractionFactory(owner=sales_rep, account=members[1], kind="call", channel="phone")
    pages = _pages(sales_rep, holding, 2, kinds=["call"])
    assert pages == [[call.pk]]


def test_the_card_of_a_holding_shows_the_newest_past_and_nearest_planned(sales_rep: Any) -> None:
    holding, members = _holding_with_histories(sales_rep)
    now = timezone.now()
    later = InteractionFactory(
        owner=sales_rep,
        account=members[1],
        status="planned",
        occurred_at=None,
        due_at=now + datetime.timedelta(days=3),
    )
    sooner = InteractionFactory(
        owner=sales_rep,
        account=members[0],
        status="planned",
        occurred_at=None,
        due_at=now + datetime.timedelta(days=1),
    )
    summary = selectors.account_summary(sales_rep, holding, consolidated=True)
    newest = Interaction.objects.filter(account__in=members, status="done").order_by("-at").first()
    assert summary.last_interaction == newest
    assert summary.next_interaction == sooner != later
    alone = selectors.account_summary(sales_rep, holding)
    assert alone.last_interaction.account_id == holding.pk
    assert alone.next_interaction == sooner


def test_a_member_out_of_scope_stays_out_of_the_holding_views(org: Any, make_user: Any) -> None:
    rep = make_user()
    other = make_user(office=org.moscow, teams=[org.moscow_sales])
    holding = AccountFactory(owner=rep, name="Holding SE")
    hidden = AccountFactory(owner=other, name="Hidden GmbH", parent=holding)
    mine = InteractionFactory(owner=rep, account=holding)
    InteractionFactory(owner=other, account=hidden, occurred_at=timezone.now())
    assert _pages(rep, holding, 1) == [[mine.pk]]
    summary = selectors.account_summary(rep, holding, consolidated=True)
    assert summary.last_interaction == mine
    assert selectors.account_list(rep, ListFilters(extra={"pk": hidden.pk})).items == []


def test_the_card_counts_each_kind_up_to_the_cap(
    sales_rep: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "KIND_COUNT_CAP", 2)
    holding, members = _holding_with_histories(sales_rep)
    for _ in range(3):
        InteractionFactory(owner=sales_rep, account=members[1], kind="call", channel="phone")
    InteractionFactory(owner=sales_rep, account=holding, kind="email", channel="email")
    deleted = InteractionFactory(owner=sales_rep, account=holding, kind="meeting")
    Interaction.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    alone = selectors.account_summary(sales_rep, holding)
    assert alone.counts_by_kind == {"note": 2, "email": 1}
    whole = selectors.account_summary(sales_rep, holding, consolidated=True)
    assert whole.counts_by_kind == {"note": 2, "call": 2, "email": 1}
