"""Signing in and out, throttling of failures, password and language changes."""

from __future__ import annotations

import pytest
from django.test import Client

from perpetuum.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "password"  # what UserFactory sets


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> int:
    response = client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def test_the_login_page_is_served_and_pages_ask_for_it(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    for url in ("/", "/accounts/", "/recycle-bin/", "/search/?q=ab"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_signing_in_writes_one_audit_event(client, sales_rep):
    assert _sign_in(client, "rep", PASSWORD) == 302
    events = list(AuditEvent.objects.filter(action="login"))
    assert len(events) == 1
    assert events[0].actor_id == sales_rep.pk
    assert events[0].object_id == str(sales_rep.pk)
    assert events[0].changes == {"address": [None, "10.0.0.1"]}
    assert client.get("/").status_code == 200


def test_a_failed_sign_in_writes_one_audit_event_and_no_session(client, sales_rep):
    assert _sign_in(client, "rep", "wrong") == 200
    events = list(AuditEvent.objects.filter(action="login_failed"))
    assert len(events) == 1
    assert events[0].actor_id is None
    assert events[0].object_repr == "rep"
    assert AuditEvent.objects.filter(action="login").count() == 0
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_account_from_any_address(client, sales_rep):
    for attempt in range(5):
        status = _sign_in(client, "rep", "wrong", address=f"10.0.1.{attempt}")
        assert status == (200 if attempt < 4 else 429)
    # The right password, from yet another address, is refused during the cool-off.
    response = client.post(
        "/login/", {"username": "rep", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1"
    )
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert AuditEvent.objects.filter(action="login").count() == 0
    assert AuditEvent.objects.filter(action="login_failed").count() == 6
    # Another account, from a fresh address, is not affected.
    assert _sign_in(Client(), "manager-free", "wrong", address="10.0.3.1") == 200


def test_five_failures_lock_the_address_for_every_account(client, make_user):
    victim = make_user("sales_representative", username="victim")
    for attempt in range(5):
        status = _sign_in(client, f"guess{attempt}", "wrong", address="10.9.9.9")
        assert status == (200 if attempt < 4 else 429)
    assert _sign_in(client, "victim", PASSWORD, address="10.9.9.9") == 429
    # The same account from another address still signs in.
    assert _sign_in(Client(), "victim", PASSWORD, address="10.9.9.10") == 302
    assert AuditEvent.objects.filter(action="login", actor_id=victim.pk).count() == 1


def test_logout_is_a_post(client, sales_rep):
    client.force_login(sales_rep)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_asks_for_the_old_password_and_is_audited(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(
        "/password/",
        {
            "old_password": "nope",
            "new_password1": "Sturm-und-Drang-7",
            "new_password2": "Sturm-und-Drang-7",
        },
    )
    assert response.status_code == 200
    sales_rep.refresh_from_db()
    assert sales_rep.check_password(PASSWORD)
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Sturm-und-Drang-7",
            "new_password2": "Sturm-und-Drang-7",
        },
    )
    assert response.status_code == 302
    sales_rep.refresh_from_db()
    assert sales_rep.check_password("Sturm-und-Drang-7")
    event = AuditEvent.objects.get(action="update", object_type="org.user")
    assert event.changes == {"password": [None, "***"]}
    # The session survives the change.
    assert client.get("/").status_code == 200


def test_language_choice_is_saved_per_user_and_serves_the_pages(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post("/language/", {"language": "de", "next": "/accounts/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    sales_rep.refresh_from_db()
    assert sales_rep.language == "de"
    page = client.get("/")
    assert page["Content-Language"] == "de"
    assert b"Mein Tag" in page.content
    assert client.post("/language/", {"language": "xx"}).status_code == 302
    sales_rep.refresh_from_db()
    assert sales_rep.language == "de"


def test_language_change_refuses_a_foreign_redirect(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"
