"""The kanban board in a real browser (Debian's Chromium through Playwright, with the
workspace's browser fixtures): a card dragged to another stage moves the deal, and the
"Move to" menu does the same from the keyboard."""

from __future__ import annotations

import re

import pytest

from perpetuum.sales.models import Deal, DealStageChange
from tests.factories import AccountFactory

# serialized_rollback: a flushed test database gets the data migrations' rows (roles, the first
# pipeline) back for the tests that follow.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_card_is_dragged_to_another_stage_and_moved_by_keyboard(
    default_roles,
    page,
    sign_in_browser,
    live_server,
    sales_rep,
    make_deal,
    stage,
    pipeline,
):
    account = AccountFactory(owner=sales_rep, name="Drag & Drop GmbH")
    deal = make_deal(sales_rep, account, name="Kanban deal")
    other = make_deal(sales_rep, account, name="Stays put")
    sign_in_browser(page, sales_rep)
    page.goto(f"/sales/board/{pipeline.pk}/")
    card = page.locator(f'[data-deal="{deal.pk}"]')
    proposal = page.locator(f'[data-stage="{stage("Proposal").pk}"]')
    assert card.get_attribute("data-stage-id") == str(stage("Lead").pk)

    card.drag_to(proposal)
    page.get_by_role("status").filter(has_text="is now in Proposal").wait_for()
    assert proposal.locator(f'[data-deal="{deal.pk}"]').count() == 1
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stage("Proposal"), 50)
    assert DealStageChange.objects.filter(deal=deal).count() == 2
    assert Deal.objects.get(pk=other.pk).stage == stage("Lead")

    # The keyboard way: focus the card's "Move to" menu, choose Won, press the button.
    menu = page.get_by_label(re.compile("Move “Kanban deal” to"))
    menu.focus()
    menu.select_option(label="Won")
    menu.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="is now in Won").wait_for()
    won = page.locator(f'[data-stage="{stage("Won").pk}"] [data-deal="{deal.pk}"]')
    assert won.count() == 1
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at is not None) == ("won", True)
