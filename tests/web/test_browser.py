"""The workspace in a real browser (Debian's Chromium, headless): signing in, the global
search by keyboard, a list's filter, sort and next page, the languages, a phone-sized
screen, and stored script payloads that must never run."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory
from tests.web.conftest import XSS_PAYLOADS

# serialized_rollback: a flushed test database gets the default roles (a data migration) back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_sign_in_through_the_login_page(page, live_server, make_user):
    make_user("sales_representative", username="signer", first_name="Sina", last_name="Signer")
    page.goto("/accounts/")
    assert "/login/" in page.url
    page.get_by_label("User name").fill("signer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".alert.error").is_visible()
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/$"))
    assert page.get_by_role("heading", name="Accounts").is_visible()
    assert page.locator(".user-menu summary").is_visible()


def test_global_search_by_keyboard_opens_the_record(page, sales_rep, sign_in_browser):
    account = AccountFactory(owner=sales_rep, name="Quasar Optics", city="Jena")
    AccountFactory(owner=sales_rep, name="Quartz Holding")
    ContactFactory(owner=sales_rep, first_name="Quentin", last_name="Quasimodo")
    sign_in_browser(page, sales_rep)
    page.goto("/")
    box = page.get_by_role("combobox", name="Search accounts, contacts and leads")
    box.focus()
    box.press_sequentially("quas", delay=30)
    option = page.get_by_role("option", name=re.compile("Quasar Optics"))
    option.wait_for()
    assert page.get_by_role("option", name=re.compile("Quentin Quasimodo")).is_visible()
    assert page.get_by_role("option", name=re.compile("Quartz")).count() == 0
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/accounts/{account.pk}/$"))


def test_list_filters_sorts_and_pages(page, sales_rep, sign_in_browser):
    for number in range(7):
        AccountFactory(owner=sales_rep, name=f"Customer {number}", stage="customer")
    AccountFactory(owner=sales_rep, name="Prospect only", stage="prospect")
    sign_in_browser(page, sales_rep)
    page.goto("/accounts/?limit=5")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Stage").select_option("customer")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"stage=customer"))
    names = page.locator("tbody th[scope=row] a")
    assert names.all_inner_texts() == [f"Customer {n}" for n in range(5)]
    page.get_by_role("link", name=re.compile("^Name")).click()
    page.wait_for_url(re.compile(r"sort=-name"))
    assert names.all_inner_texts() == [f"Customer {n}" for n in (6, 5, 4, 3, 2)]
    page.get_by_role("link", name="Next page »").click()
    page.wait_for_url(re.compile(r"cursor="))
    assert names.all_inner_texts() == ["Customer 1", "Customer 0"]
    assert page.get_by_role("link", name="Next page »").count() == 0
    assert "stage=customer" in page.url and "sort=-name" in page.url


def test_switching_to_german_and_to_russian(page, sales_rep, sign_in_browser):
    sign_in_browser(page, sales_rep)
    page.goto("/accounts/")
    page.locator(".user-menu summary").click()
    page.get_by_label("Language").select_option("de")
    page.locator(".language-form").get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Firmen").is_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    page.goto("/")
    assert page.get_by_role("heading", name="Mein Tag").is_visible()
    assert page.get_by_role("heading", name="Überfällige Aufgaben").is_visible()
    page.locator(".user-menu summary").click()
    page.get_by_label("Sprache").select_option("ru")
    page.locator(".language-form").get_by_role("button", name="Anwenden").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Мой день").is_visible()
    assert (
        page.get_by_role("link", name="Компании").is_visible()
        or page.locator(".mainnav").get_by_text("Компании").count() == 1
    )


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_phone_sized_layout_and_stored_payloads(page, sales_rep, sign_in_browser):
    long_name = "Hochleistungsmaschinenbaugesellschaft Süddeutschland mbH & Co. KG"
    account = AccountFactory(owner=sales_rep, name=long_name, city="Garmisch-Partenkirchen")
    for payload in XSS_PAYLOADS:
        poisoned = AccountFactory(owner=sales_rep, name=f"Xss {payload}", city=payload)
        ContactFactory(owner=sales_rep, first_name="Xss", last_name=payload, account=poisoned)
        LeadFactory(owner=sales_rep, first_name="Xss", last_name=payload, status="new")
    now = timezone.now()
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="task",
        status="planned",
        occurred_at=None,
        due_at=now - datetime.timedelta(days=2),
        subject=f"Xss {XSS_PAYLOADS[0]}",
    )
    sign_in_browser(page, sales_rep)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", "/accounts/", "/contacts/", "/leads/", "/interactions/"):
        page.goto(url)
        _no_horizontal_scroll(page)
    # The menu opens and lists every page; keyboard alone reaches the search.
    page.get_by_text("Menu", exact=True).click()
    assert page.locator(".mainnav").get_by_role("link", name="Recycle bin").is_visible()
    _no_horizontal_scroll(page)
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    page.keyboard.type("xss", delay=30)
    page.get_by_role("option").first.wait_for()
    _no_horizontal_scroll(page)
    assert page.dialogs == []


def test_a_new_contact_like_one_already_there_is_shown_first(page, sales_rep, sign_in_browser):
    """Duplicate detection on create, as a user meets it: the look-alike (another script)
    is named with a link, nothing is created until "Create anyway"."""
    from perpetuum.clients.models import Contact

    existing = ContactFactory(owner=sales_rep, first_name="Иван", last_name="Иванов")
    sign_in_browser(page, sales_rep)
    page.goto("/contacts/new/")
    page.get_by_label("First name").fill("Ivan")
    page.get_by_label("Last name").fill("Ivanov")
    page.get_by_role("button", name="Save").click()
    warning = page.locator("[data-duplicates]")
    warning.wait_for()
    assert warning.get_by_role("link", name=re.compile("Иванов")).get_attribute("href") == (
        f"/contacts/{existing.pk}/"
    )
    assert Contact.objects.count() == 1
    page.get_by_role("button", name="Create anyway").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    assert Contact.objects.filter(last_name="Ivanov").count() == 1
