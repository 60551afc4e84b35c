"""Duplicates: the review page and the side-by-side merge that keeps both histories."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from perpetuum.clients import services
from perpetuum.clients.duplicates import duplicate_scan
from perpetuum.clients.models import Account, Contact, DuplicateCandidate
from perpetuum.core import access
from perpetuum.core.access import ROLE_CODES
from perpetuum.core.models import AuditEvent
from perpetuum.timeline.models import Interaction
from perpetuum.web.views import merge as merge_views
from tests.factories import AccountFactory, ContactFactory, InteractionFactory
from tests.web.test_cards import XSS, database_state, moscow_owner

pytestmark = pytest.mark.django_db


def _client(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def twin_accounts(owner: Any) -> tuple[Account, Account]:
    first = AccountFactory(
        owner=owner, name="Kraft AG", emails=["info@kraft.example"], industry="", city="Köln"
    )
    second = AccountFactory(
        owner=owner,
        name="KRAFT AG",
        emails=["INFO@kraft.example"],
        industry="Stahl",
        city="Bonn",
    )
    return first, second


def merge_data(first: Any, second: Any, **choices: str) -> dict[str, Any]:
    return {"survivor": "a", "version_a": first.version, "version_b": second.version, **choices}


def test_the_review_page_lists_the_pairs_the_scan_found(sales_rep):
    first, second = twin_accounts(sales_rep)
    AccountFactory(owner=sales_rep, name="Solo GmbH", emails=["solo@example.com"])
    ContactFactory(owner=sales_rep, first_name="Karl", last_name="Adler", phones=["+49 30 1111111"])
    ContactFactory(owner=sales_rep, first_name="Karl", last_name="Adler", phones=["030 1111111"])
    duplicate_scan("account")
    duplicate_scan("contact")
    html = _client(sales_rep).get("/duplicates/").content.decode()
    assert f"/duplicates/accounts/{first.pk}/{second.pk}/" in html
    assert "Solo GmbH" not in html
    assert html.count("Karl Adler") == 2 and "same phone" in html
    assert html.count("Compare and merge") == 2


def test_an_administrator_starts_the_scan_and_a_pair_can_be_dismissed(administrator, sales_rep):
    twin_accounts(sales_rep)
    client = _client(administrator)
    assert client.post("/duplicates/scan/").status_code == 302
    pair = DuplicateCandidate.objects.get(entity="account")
    assert pair.status == "open"
    assert _client(sales_rep).post("/duplicates/scan/").status_code == 403
    response = client.post(f"/duplicates/{pair.pk}/dismiss/")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "dismissed"
    assert "Compare and merge" not in client.get("/duplicates/").content.decode()


def test_pairs_out_of_scope_are_not_listed_nor_dismissable(sales_rep, make_user, org):
    outsider = moscow_owner(make_user, org)
    AccountFactory(owner=outsider, name="Fremd A", emails=["same@example.com"])
    AccountFactory(owner=outsider, name="Fremd AG", emails=["same@example.com"])
    duplicate_scan("account")
    pair = DuplicateCandidate.objects.get()
    client = _client(sales_rep)
    assert "Fremd" not in client.get("/duplicates/").content.decode()
    assert client.post(f"/duplicates/{pair.pk}/dismiss/").status_code == 404
    pair.refresh_from_db()
    assert pair.status == "open"


def test_merging_takes_the_chosen_values_and_keeps_both_histories(sales_rep):
    first, second = twin_accounts(sales_rep)
    InteractionFactory(owner=sales_rep, account=first, subject="History of A")
    InteractionFactory(owner=sales_rep, account=second, subject="History of B")
    contact = ContactFactory(owner=sales_rep, account=second)
    client = _client(sales_rep)
    html = client.get(f"/duplicates/accounts/{first.pk}/{second.pk}/").content.decode()
    # An empty value on A defaults to B's.
    assert re.search(r'name="field_industry" value="b"[^>]*checked', html)
    assert "Stahl" in html and "Köln" in html and "Bonn" in html
    response = client.post(
        f"/duplicates/accounts/{first.pk}/{second.pk}/",
        merge_data(first, second, field_name="b", field_city="a", field_industry="b"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{first.pk}/"
    first.refresh_from_db()
    assert (first.name, first.city, first.industry) == ("KRAFT AG", "Köln", "Stahl")
    assert Account.objects.filter(pk=second.pk).count() == 0
    assert Account.all_objects.get(pk=second.pk).merged_into_id == first.pk
    assert set(Interaction.objects.filter(account=first).values_list("subject", flat=True)) >= {
        "History of A",
        "History of B",
    }
    contact.refresh_from_db()
    assert contact.account_id == first.pk
    assert AuditEvent.objects.filter(action="merge").count() == 2
    card = client.get(response["Location"]).content.decode()
    assert "both histories are kept" in card


def test_the_second_record_may_be_the_one_kept(sales_rep):
    first = ContactFactory(
        owner=sales_rep, first_name="Ana", last_name="Lima", emails=["ana@example.com"]
    )
    second = ContactFactory(
        owner=sales_rep, first_name="Anna", last_name="Lima", emails=["ana@example.com"]
    )
    response = _client(sales_rep).post(
        f"/duplicates/contacts/{first.pk}/{second.pk}/",
        {**merge_data(first, second, field_first_name="a"), "survivor": "b"},
    )
    assert response["Location"] == f"/contacts/{second.pk}/"
    second.refresh_from_db()
    assert second.first_name == "Ana"
    assert Contact.objects.filter(pk=first.pk).count() == 0


def test_a_record_changed_meanwhile_stops_the_merge(sales_rep):
    first, second = twin_accounts(sales_rep)
    opened = merge_data(first, second)
    services.account_update(
        actor=sales_rep, account=second, data={"city": "Aachen"}, expected_version=1
    )
    response = _client(sales_rep).post(f"/duplicates/accounts/{first.pk}/{second.pk}/", opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed since you opened it" in html and "Aachen" in html
    assert Account.objects.count() == 2


@pytest.mark.parametrize("role", ROLE_CODES)
def test_merge_pages_by_role(role, make_user, org):
    user = make_user(role)
    outsider = moscow_owner(make_user, org)
    mine = twin_accounts(user)
    theirs = twin_accounts(outsider)
    client = _client(user)
    assert client.get("/duplicates/").status_code == 200
    for first, second in (mine, theirs):
        url = f"/duplicates/accounts/{first.pk}/{second.pk}/"
        readable = access.can(user, "read", first)
        writable = access.can(user, "write", first) and access.can(user, "write", second)
        expected = 200 if writable else (403 if readable else 404)
        assert client.get(url).status_code == expected, (role, url)
        before = database_state()
        response = client.post(url, merge_data(first, second))
        assert response.status_code == (302 if writable else expected), (role, url)
        if not writable:
            assert database_state() == before


def test_every_merge_route_is_tested_and_posts_need_csrf(administrator):
    assert {str(pattern.pattern) for pattern in merge_views.urlpatterns} == {
        "duplicates/",
        "duplicates/scan/",
        "duplicates/<int:pk>/dismiss/",
        "duplicates/accounts/<int:first_id>/<int:second_id>/",
        "duplicates/contacts/<int:first_id>/<int:second_id>/",
    }
    first, second = twin_accounts(administrator)
    c1 = ContactFactory(owner=administrator, emails=["x@example.com"])
    c2 = ContactFactory(owner=administrator, emails=["x@example.com"])
    client = _client(administrator, enforce_csrf_checks=True)
    before = database_state()
    for url, data in (
        (f"/duplicates/accounts/{first.pk}/{second.pk}/", merge_data(first, second)),
        (f"/duplicates/contacts/{c1.pk}/{c2.pk}/", merge_data(c1, c2)),
    ):
        assert client.get(url).status_code == 200
        assert client.post(url, data).status_code == 403
    assert client.get("/duplicates/").status_code == 200
    duplicate_scan("account")
    pair = DuplicateCandidate.objects.get(entity="account")
    assert client.post("/duplicates/scan/").status_code == 403
    assert client.post(f"/duplicates/{pair.pk}/dismiss/").status_code == 403
    pair.refresh_from_db()
    assert pair.status == "open"
    assert database_state() == before


def test_a_record_cannot_be_merged_with_itself(administrator):
    account = AccountFactory(owner=administrator)
    response = _client(administrator).get(f"/duplicates/accounts/{account.pk}/{account.pk}/")
    assert response.status_code == 400


def test_merge_pages_escape_stored_script(sales_rep):
    AccountFactory(owner=sales_rep, name=XSS[0], city=XSS[1], emails=["dup@example.com"])
    AccountFactory(owner=sales_rep, name=XSS[1], industry=XSS[0], emails=["dup@example.com"])
    client = _client(sales_rep)
    first, second = Account.objects.order_by("pk")
    duplicate_scan("account")
    for url in ("/duplicates/", f"/duplicates/accounts/{first.pk}/{second.pk}/"):
        html = client.get(url).content.decode()
        for payload in XSS:
            assert payload not in html
