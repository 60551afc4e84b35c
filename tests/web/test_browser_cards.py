"""The cards, forms and merge in a real browser (Debian's Chromium through Playwright): what
a user does, without a page reload where the page promises none. The `page` fixture fails a
test on any JavaScript dialog, and the records carry script payloads in their names."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from perpetuum.clients.duplicates import duplicate_scan
from perpetuum.clients.models import Account, Lead
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory
from tests.web.test_cards import XSS

# serialized_rollback: a flushed test database gets the default roles (a data migration) back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _open(page: Any, sign_in_browser: Any, user: Any, path: str) -> None:
    sign_in_browser(page, user)
    page.goto(path)
    # A marker that survives only as long as the page is not reloaded.
    page.evaluate("window.__sameDocument = true")


def _same_document(page: Any) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


@pytest.fixture
def account(sales_rep: Any) -> Account:
    account = AccountFactory(owner=sales_rep, name=f"Nordlicht {XSS[0]}", city=XSS[1])
    ContactFactory(owner=sales_rep, account=account, first_name="Ole", last_name="Hansen")
    InteractionFactory(owner=sales_rep, account=account, kind="call", subject=XSS[1], body=XSS[0])
    return account


def test_open_an_account_card_and_log_a_call_without_a_reload(
    page, sign_in_browser, sales_rep, account
):
    _open(page, sign_in_browser, sales_rep, f"/accounts/{account.pk}/")
    assert page.locator("h1").inner_text() == f"Nordlicht {XSS[0]}"
    assert page.locator(".timeline-entry").count() == 1
    form = page.locator("form.interaction-form[data-mode='log']")
    form.locator("select[name='log-kind']").select_option("call")
    form.locator("select[name='log-direction']").select_option("inbound")
    form.locator("select[name='log-contact']").select_option(label="Ole Hansen")
    form.locator("input[name='log-subject']").fill("Rückruf wegen Angebot")
    form.locator("textarea[name='log-body']").fill("Will 40 Stück bestellen.")
    form.locator("button[type='submit']").click()
    entry = page.locator(".timeline-entry", has_text="Rückruf wegen Angebot")
    entry.wait_for()
    assert "Ole Hansen" in entry.inner_text()
    assert page.locator(".timeline-entry").count() == 2
    # The header follows with its own request.
    page.locator("[data-last-interaction]", has_text="Rückruf wegen Angebot").wait_for()
    assert page.locator("form.interaction-form[data-mode='log'] .form-saved").is_visible()
    assert page.locator("input[name='log-subject']").input_value() == ""
    assert _same_document(page)
    assert Interaction.objects.filter(subject="Rückruf wegen Angebot", kind="call").count() == 1


def test_a_decision_asks_for_its_reason(page, sign_in_browser, sales_rep, account):
    _open(page, sign_in_browser, sales_rep, f"/accounts/{account.pk}/")
    form = page.locator("form.interaction-form[data-mode='log']")
    reason = form.locator("textarea[name='log-reason']")
    assert not reason.is_visible()
    form.locator("select[name='log-kind']").select_option("decision")
    assert reason.is_visible()
    form.locator("input[name='log-subject']").fill("Kein Rabatt")
    reason.fill("Marge unter 10 %.")
    form.locator("button[type='submit']").click()
    page.locator(".timeline-entry", has_text="Marge unter 10 %.").wait_for()
    assert _same_document(page)


def test_plan_a_meeting(page, sign_in_browser, sales_rep, account):
    _open(page, sign_in_browser, sales_rep, f"/accounts/{account.pk}/")
    page.locator("summary", has_text="Plan a meeting or task").click()
    form = page.locator("form.interaction-form[data-mode='plan']")
    form.locator("select[name='plan-kind']").select_option("meeting")
    due = (timezone.localtime() + datetime.timedelta(days=3)).replace(hour=10, minute=30)
    form.locator("input[name='plan-due_at']").fill(due.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name='plan-subject']").fill("Workshop in Kiel")
    form.locator("button[type='submit']").click()
    entry = page.locator(".timeline-entry", has_text="Workshop in Kiel")
    entry.wait_for()
    assert "Planned" in entry.inner_text()
    page.locator("[data-next-interaction]", has_text="Workshop in Kiel").wait_for()
    assert _same_document(page)
    meeting = Interaction.objects.get(subject="Workshop in Kiel")
    assert (meeting.kind, meeting.status) == ("meeting", "planned")


def test_the_timeline_loads_more_as_one_scrolls(page, sign_in_browser, sales_rep):
    account = AccountFactory(owner=sales_rep)
    now = timezone.now()
    for number in range(40):
        InteractionFactory(
            owner=sales_rep,
            account=account,
            subject=f"Eintrag {number:02d}",
            occurred_at=now - datetime.timedelta(hours=number),
        )
    _open(page, sign_in_browser, sales_rep, f"/accounts/{account.pk}/")
    assert page.locator(".timeline-entry").count() == 25
    page.locator(".timeline-more").scroll_into_view_if_needed()
    page.locator(".timeline-entry", has_text="Eintrag 39").wait_for()
    assert page.locator(".timeline-entry").count() == 40
    assert page.locator(".timeline-more").count() == 0
    page.locator("#timeline-filters label", has_text="Call").click()
    page.locator(".timeline-empty").wait_for()
    assert _same_document(page)


def test_an_edit_conflict_between_two_sessions(
    browser, live_server, sign_in_browser, sales_rep, account, page
):
    other_context = browser.new_context(base_url=live_server.url)
    other = other_context.new_page()
    try:
        sign_in_browser(page, sales_rep)
        sign_in_browser(other, sales_rep)
        page.goto(f"/accounts/{account.pk}/edit/")
        other.goto(f"/accounts/{account.pk}/edit/")
        other.locator("input[name='industry']").fill("Windkraft")
        other.get_by_role("button", name="Save").click()
        other.wait_for_url(re.compile(rf"/accounts/{account.pk}/$"))
        page.locator("input[name='city']").fill("Flensburg")
        page.get_by_role("button", name="Save").click()
        notice = page.locator("[data-conflict]")
        notice.wait_for()
        assert "changed since you opened it" in notice.inner_text()
        assert "Windkraft" in notice.inner_text()
        assert page.locator("input[name='city']").input_value() == "Flensburg"
        account.refresh_from_db()
        assert (account.industry, account.city) == ("Windkraft", XSS[1])
        page.locator("input[name='industry']").fill("Windkraft")
        page.get_by_role("button", name="Save my version anyway").click()
        page.wait_for_url(re.compile(rf"/accounts/{account.pk}/$"))
        account.refresh_from_db()
        assert (account.industry, account.city) == ("Windkraft", "Flensburg")
    finally:
        other_context.close()


def test_convert_a_lead(page, sign_in_browser, sales_rep):
    lead = LeadFactory(
        owner=sales_rep,
        first_name="Mira",
        last_name="Sommer",
        email="mira@sommer.example",
        company_name=f"Sommer {XSS[1]}",
    )
    InteractionFactory(owner=sales_rep, lead=lead, account=None, subject="Formular-Anfrage")
    _open(page, sign_in_browser, sales_rep, f"/leads/{lead.pk}/")
    page.get_by_role("link", name="Convert…").click()
    page.get_by_label("Create a new contact from the lead").check()
    page.get_by_label(re.compile("Create a new account")).check()
    page.get_by_role("button", name="Convert").click()
    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    assert page.locator("h1").inner_text() == f"Sommer {XSS[1]}"
    page.locator(".timeline-entry", has_text="Formular-Anfrage").wait_for()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED


def test_merge_two_duplicates(page, sign_in_browser, sales_rep):
    first = AccountFactory(
        owner=sales_rep, name="Möwe AG", emails=["info@moewe.example"], city="Kiel"
    )
    second = AccountFactory(
        owner=sales_rep,
        name="MÖWE AG",
        emails=["info@moewe.example"],
        city="Lübeck",
        industry="Logistik",
    )
    InteractionFactory(owner=sales_rep, account=second, subject="Geschichte von B")
    duplicate_scan("account")
    _open(page, sign_in_browser, sales_rep, "/duplicates/")
    page.get_by_role("link", name="Compare and merge").click()
    page.locator("input[name='field_city'][value='b']").check()
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(re.compile(rf"/accounts/{first.pk}/$"))
    assert "both histories are kept" in page.locator(".messages").inner_text()
    page.locator(".timeline-entry", has_text="Geschichte von B").wait_for()
    first.refresh_from_db()
    assert (first.city, first.industry) == ("Lübeck", "Logistik")
    assert not Account.objects.filter(pk=second.pk).exists()


def test_contact_and_lead_cards_and_forms_open_no_dialog(page, sign_in_browser, sales_rep, account):
    contact = account.primary_contacts.first()
    lead = LeadFactory(owner=sales_rep, company_name=XSS[0], description=XSS[1])
    InteractionFactory(
        owner=sales_rep, lead=lead, account=None, subject=XSS[0], reason=XSS[1], kind="decision"
    )
    sign_in_browser(page, sales_rep)
    for path in (
        f"/contacts/{contact.pk}/",
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/convert/",
        f"/accounts/{account.pk}/edit/",
        f"/leads/{lead.pk}/edit/",
        "/duplicates/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.dialogs == []
