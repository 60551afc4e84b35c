"""The client cards — account, contact, lead — their timelines, the actions taken from
them and the lead's guided conversion: every route × every role, CSRF, pinned query counts,
edit conflicts and stored XSS."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core import access
from perpetuum.core.access import ROLE_CODES
from perpetuum.core.models import AuditEvent
from perpetuum.org.models import User
from perpetuum.timeline.models import Interaction
from perpetuum.web.views import cards
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InteractionFactory,
    LeadFactory,
)

pytestmark = pytest.mark.django_db

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ENTITIES = ["account", "contact", "lead"]


def database_state() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    state: dict[str, Any] = {
        "audit": AuditEvent.objects.count(),
        "interactions": Interaction.all_objects.count(),
    }
    for model in (Account, Contact, Lead):
        rows = model.all_objects.aggregate(total=Sum("version"))
        state[model.__name__] = (model.all_objects.count(), rows["total"])
    state["owners"] = [
        list(model.all_objects.order_by("pk").values_list("pk", "owner_id", "deleted_at"))
        for model in (Account, Contact, Lead)
    ]
    return state


def records_of(owner: Any) -> dict[str, Any]:
    """An account, a contact at it and a lead, each with one interaction, owned by `owner`."""
    account = AccountFactory(owner=owner, name="Nordwind AG")
    contact = ContactFactory(owner=owner, account=account, last_name="Krause")
    lead = LeadFactory(owner=owner, company_name="Südlicht GmbH")
    for record, key in ((account, "account"), (contact, "contact"), (lead, "lead")):
        links = {"account": None, key: record}
        InteractionFactory(owner=owner, subject=f"About {key}", **links)
    return {"account": account, "contact": contact, "lead": lead}


def moscow_owner(make_user: Any, org: Any) -> Any:
    """A user of the other legal entity, office and team: their records are out of scope
    for every role below "all"."""
    return make_user(
        "sales_representative", office=org.moscow, teams=[org.moscow_sales], username="ivan"
    )


def card_requests(entity: str, record: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route of a card, as (method, url, data)."""
    plural = f"{entity}s"
    base = f"/{plural}/{record.pk}"
    requests = [
        ("get", f"{base}/", {}),
        ("get", f"{base}/header/", {}),
        ("get", f"{base}/timeline/", {}),
        (
            "post",
            f"{base}/interactions/",
            {"mode": "log", "log-kind": "note", "log-subject": "Hello", "log-direction": "inbound"},
        ),
        (
            "post",
            f"{base}/status/",
            {"status-version": record.version, "status-owner": record.owner_id},
        ),
    ]
    if entity == "lead":
        requests += [
            ("get", f"{base}/convert/", {}),
            (
                "post",
                f"{base}/convert/",
                {"version": record.version, "contact": "new", "account": "none"},
            ),
        ]
    return requests


# --- Every route × every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_CODES)
def test_out_of_scope_records_answer_404_and_change_nothing(role, make_user, org):
    user = make_user(role)
    outsider = moscow_owner(make_user, org)
    records = records_of(outsider)
    client = Client()
    client.force_login(user)
    for entity in ENTITIES:
        sees_all = access.scope_of(user, entity, "read") == access.Scope.ALL
        for method, url, data in card_requests(entity, records[entity]):
            before = database_state()
            response = getattr(client, method)(url, data, HTTP_HX_REQUEST="true")
            if not sees_all:
                assert response.status_code == 404, (role, method, url)
                assert database_state() == before, (role, method, url)
            elif method == "get":
                may_write = access.can(user, "write", records[entity])
                expected = 403 if url.endswith("/convert/") and not may_write else 200
                assert response.status_code == expected, (role, url)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_own_records_answer_by_the_roles_scopes(role, make_user):
    user = make_user(role)
    records = records_of(user)
    client = Client()
    client.force_login(user)
    for entity in ENTITIES:
        readable = access.scope_of(user, entity, "read") != access.Scope.NONE
        writable = access.scope_of(user, entity, "write") != access.Scope.NONE
        logs = access.may_create(user, "interaction")
        for method, url, data in card_requests(entity, records[entity]):
            before = database_state()
            response = getattr(client, method)(url, data, HTTP_HX_REQUEST="true")
            if not readable:
                expected = 404
            elif method == "get":
                expected = 403 if url.endswith("/convert/") and not writable else 200
            elif url.endswith("/interactions/"):
                expected = 200 if logs else 403
            else:
                expected = 200 if writable else 403
            if url.endswith("/convert/") and method == "post" and writable:
                expected = 302 if access.may_create(user, "contact") else 403
            assert response.status_code == expected, (role, method, url)
            if expected in (403, 404):
                assert database_state() == before, (role, method, url)


def test_every_card_route_is_in_the_matrix(sales_rep):
    records = records_of(sales_rep)
    tested = set()
    for entity in ENTITIES:
        for _method, url, _data in card_requests(entity, records[entity]):
            tested.add(re.sub(r"/\d+/", "/<int:pk>/", url))
    routes = {"/" + str(pattern.pattern) for pattern in cards.urlpatterns}
    assert routes == tested


def test_signed_out_visitors_are_sent_to_sign_in(sales_rep):
    account = AccountFactory(owner=sales_rep)
    response = Client().get(f"/accounts/{account.pk}/")
    assert response.status_code == 302
    assert "next=" in response["Location"]


# --- CSRF and safe GETs ----------------------------------------------------------------------


def test_every_post_route_enforces_csrf(administrator):
    records = records_of(administrator)
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    for entity in ENTITIES:
        for method, url, data in card_requests(entity, records[entity]):
            if method != "post":
                continue
            before = database_state()
            assert client.post(url, data).status_code == 403, url
            assert database_state() == before, url


def test_no_get_changes_state(administrator):
    records = records_of(administrator)
    client = Client()
    client.force_login(administrator)
    for entity in ENTITIES:
        for method, url, _data in card_requests(entity, records[entity]):
            if method != "get":
                continue
            before = database_state()
            assert client.get(url).status_code == 200, url
            assert database_state() == before, url


def test_posts_only_routes_refuse_get(administrator):
    account = AccountFactory(owner=administrator)
    client = Client()
    client.force_login(administrator)
    assert client.get(f"/accounts/{account.pk}/interactions/").status_code == 405
    assert client.get(f"/accounts/{account.pk}/status/").status_code == 405


# --- The account card ------------------------------------------------------------------------


def test_account_card_shows_the_status_at_a_glance(sales_rep, make_user):
    holding = AccountFactory(owner=sales_rep, name="Holding SE")
    account = AccountFactory(owner=sales_rep, name="Tochter GmbH", parent=holding)
    AccountFactory(owner=sales_rep, name="Enkel GmbH", parent=account)
    ContactFactory(owner=sales_rep, account=account, first_name="Maria", last_name="Vogel")
    now = timezone.now()
    InteractionFactory(owner=sales_rep, account=account, kind="call", subject="Kick-off call")
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="task",
        status="planned",
        occurred_at=None,
        due_at=now - datetime.timedelta(days=1),
        subject="Send the offer",
    )
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="meeting",
        status="planned",
        occurred_at=None,
        due_at=now + datetime.timedelta(days=2),
        subject="Visit in Hamburg",
    )
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "Tochter GmbH" in html
    assert str(sales_rep) in html
    assert "Berlin" in html and "Perpetuum GmbH" in html
    assert re.search(r"data-open-tasks>1 <span class=\"overdue\">1 overdue", html)
    assert "Kick-off call" in re.search(r"data-last-interaction>(.*?)</dd>", html).group(1)
    assert "Visit in Hamburg" in re.search(r"data-next-interaction>(.*?)</dd>", html).group(1)
    assert "Holding SE" in html and "Enkel GmbH" in html
    assert "Maria Vogel" in html
    assert html.count('class="timeline-entry') == 3
    assert "Overdue" in html


def test_consolidated_timeline_covers_the_whole_holding(sales_rep):
    holding = AccountFactory(owner=sales_rep, name="Holding SE")
    daughter = AccountFactory(owner=sales_rep, name="Tochter GmbH", parent=holding)
    InteractionFactory(owner=sales_rep, account=holding, subject="At the top")
    InteractionFactory(owner=sales_rep, account=daughter, subject="At the daughter")
    client = Client()
    client.force_login(sales_rep)
    alone = client.get(f"/accounts/{daughter.pk}/").content.decode()
    assert "At the daughter" in alone and "At the top" not in alone
    whole = client.get(f"/accounts/{daughter.pk}/?consolidated=1").content.decode()
    assert "At the daughter" in whole and "At the top" in whole
    fragment = client.get(f"/accounts/{daughter.pk}/timeline/?consolidated=1").content.decode()
    assert "At the top" in fragment


def test_timeline_filters_by_kind_channel_and_period(sales_rep):
    account = AccountFactory(owner=sales_rep)
    now = timezone.now()
    InteractionFactory(
        owner=sales_rep,
        account=account,
        kind="call",
        channel="phone",
        subject="A call",
        occurred_at=now - datetime.timedelta(days=40),
    )
    InteractionFactory(owner=sales_rep, account=account, kind="note", subject="A note")
    InteractionFactory(
        owner=sales_rep, account=account, kind="email", channel="email", subject="An e-mail"
    )
    client = Client()
    client.force_login(sales_rep)
    url = f"/accounts/{account.pk}/timeline/"

    def subjects(query: str) -> set[str]:
        html = client.get(f"{url}?{query}").content.decode()
        return set(re.findall(r'<p class="entry-subject">(.*?)</p>', html))

    assert subjects("") == {"A call", "A note", "An e-mail"}
    assert subjects("kind=call&kind=note") == {"A call", "A note"}
    assert subjects("channel=email") == {"An e-mail"}
    since = (now - datetime.timedelta(days=7)).date().isoformat()
    assert subjects(f"since={since}") == {"A note", "An e-mail"}
    until = (now - datetime.timedelta(days=30)).date().isoformat()
    assert subjects(f"until={until}") == {"A call"}
    # Values that do not parse are ignored, not an error.
    assert subjects("since=yesterday&kind=nonsense") == {"A call", "A note", "An e-mail"}


def test_timeline_loads_the_next_page_when_the_last_row_is_revealed(sales_rep):
    account = AccountFactory(owner=sales_rep)
    now = timezone.now()
    for number in range(cards.TIMELINE_PAGE + 3):
        InteractionFactory(
            owner=sales_rep,
            account=account,
            subject=f"Entry {number:02d}",
            occurred_at=now - datetime.timedelta(minutes=number),
        )
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/accounts/{account.pk}/?kind=note").content.decode()
    assert html.count('class="timeline-entry') == cards.TIMELINE_PAGE
    more = re.search(r'<li class="timeline-more" hx-get="([^"]+)" hx-trigger="revealed"', html)
    assert more is not None
    next_url = more.group(1).replace("&amp;", "&")
    assert "kind=note" in next_url
    rest = client.get(next_url, HTTP_HX_REQUEST="true").content.decode()
    assert rest.count('class="timeline-entry') == 3
    assert "Entry 27" in rest and "Entry 00" not in rest
    assert "timeline-more" not in rest
    assert client.get(f"/accounts/{account.pk}/timeline/?cursor=garbage").status_code == 400


def test_logging_a_call_from_the_card_answers_with_a_fresh_form_and_a_timeline_event(sales_rep):
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, account=account)
    client = Client()
    client.force_login(sales_rep)
    response = client.post(
        f"/accounts/{account.pk}/interactions/",
        {
            "mode": "log",
            "log-kind": "call",
            "log-direction": "inbound",
            "log-channel": "phone",
            "log-contact": contact.pk,
            "log-subject": "Asked for a quote",
            "log-body": "Wants 40 units.",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "timeline-changed" in response["HX-Trigger"]
    call = Interaction.objects.get(subject="Asked for a quote")
    assert (call.kind, call.status, call.direction, call.channel) == (
        "call",
        "done",
        "inbound",
        "phone",
    )
    assert (call.account_id, call.contact_id, call.author_id) == (
        account.pk,
        contact.pk,
        sales_rep.pk,
    )
    assert call.occurred_at is not None
    assert 'name="log-subject"' in response.content.decode()
    assert "Asked for a quote" in client.get(f"/accounts/{account.pk}/timeline/").content.decode()
    # Without htmx the same form posts and comes back to the card.
    plain = client.post(
        f"/accounts/{account.pk}/interactions/",
        {"mode": "log", "log-kind": "note", "log-subject": "Plain", "log-direction": "inbound"},
    )
    assert plain.status_code == 302 and plain["Location"] == f"/accounts/{account.pk}/"


def test_a_decision_needs_its_reason(sales_rep):
    account = AccountFactory(owner=sales_rep)
    client = Client()
    client.force_login(sales_rep)
    data = {
        "mode": "log",
        "log-kind": "decision",
        "log-subject": "No discount",
        "log-direction": "internal",
    }
    response = client.post(f"/accounts/{account.pk}/interactions/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "A decision records its reason." in response.content.decode()
    assert "HX-Trigger" not in response
    assert Interaction.objects.filter(kind="decision").count() == 0
    data["log-reason"] = "Margin below 10 %."
    client.post(f"/accounts/{account.pk}/interactions/", data, HTTP_HX_REQUEST="true")
    decision = Interaction.objects.get(kind="decision")
    assert decision.reason == "Margin below 10 %."
    assert decision.direction == "internal"


def test_planning_a_meeting_needs_a_due_date(sales_rep):
    account = AccountFactory(owner=sales_rep)
    client = Client()
    client.force_login(sales_rep)
    url = f"/accounts/{account.pk}/interactions/"
    data = {"mode": "plan", "plan-kind": "meeting", "plan-subject": "Workshop"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "This field is required." in response.content.decode()
    assert Interaction.objects.count() == 0
    data["plan-due_at"] = "2031-05-04T10:30"
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "timeline-changed" in response["HX-Trigger"]
    meeting = Interaction.objects.get()
    assert (meeting.kind, meeting.status, meeting.subject) == ("meeting", "planned", "Workshop")
    assert meeting.due_at == datetime.datetime(2031, 5, 4, 10, 30, tzinfo=datetime.UTC)


def test_changing_owner_and_stage_from_the_card(sales_manager, make_user, org):
    colleague = make_user("sales_representative", username="colleague")
    account = AccountFactory(owner=sales_manager)
    client = Client()
    client.force_login(sales_manager)
    response = client.post(
        f"/accounts/{account.pk}/status/",
        {
            "status-version": account.version,
            "status-owner": colleague.pk,
            "status-stage": "customer",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.owner_id, account.stage, account.version) == (colleague.pk, "customer", 2)
    html = response.content.decode()
    assert 'id="card-header"' in html and "Saved." in html
    assert f'name="status-version" value="{account.version}"' in html


def test_a_stale_version_shows_the_other_change_and_overwrites_nothing(sales_manager, make_user):
    other = make_user("sales_manager", username="other-manager")
    account = AccountFactory(owner=sales_manager, stage="prospect")
    opened_at = account.version
    from perpetuum.clients import services

    services.account_update(
        actor=other, account=account, data={"stage": "partner"}, expected_version=opened_at
    )
    client = Client()
    client.force_login(sales_manager)
    response = client.post(
        f"/accounts/{account.pk}/status/",
        {
            "status-version": opened_at,
            "status-owner": sales_manager.pk,
            "status-stage": "customer",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert "Partner" in html or "partner" in html
    assert "other-manager" in html
    account.refresh_from_db()
    assert (account.stage, account.version) == ("partner", opened_at + 1)
    # The user's choice is kept, with the current version, for a deliberate second save.
    assert f'name="status-version" value="{account.version}"' in html
    assert re.search(r'<option value="customer" selected>', html)


def test_a_rep_may_only_assign_to_themselves(sales_rep, make_user):
    make_user("sales_representative", username="teammate")
    account = AccountFactory(owner=sales_rep)
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    owner_select = re.search(r'<select name="status-owner".*?</select>', html, re.S).group(0)
    assert "teammate" not in owner_select.lower()
    assert str(sales_rep) in owner_select


# --- Contact and lead cards ------------------------------------------------------------------


def test_contact_card_shows_roles_and_its_own_timeline(sales_rep, make_user, org):
    account = AccountFactory(owner=sales_rep, name="Visible AG")
    hidden = AccountFactory(owner=moscow_owner(make_user, org), name="Hidden OOO")
    contact = ContactFactory(
        owner=sales_rep,
        last_name="Brandt",
        roles=[{"account_id": account.pk, "title": "CFO"}, {"account_id": hidden.pk}],
    )
    InteractionFactory(owner=sales_rep, contact=contact, account=None, subject="Talked to Brandt")
    InteractionFactory(owner=sales_rep, account=account, subject="Not about Brandt")
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "CFO" in html and "Visible AG" in html
    assert "Hidden OOO" not in html
    assert "Talked to Brandt" in html and "Not about Brandt" not in html
    response = client.post(
        f"/contacts/{contact.pk}/interactions/",
        {
            "mode": "plan",
            "plan-kind": "task",
            "plan-due_at": "2031-01-02T09:00",
            "plan-subject": "Call back",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "timeline-changed" in response["HX-Trigger"]
    task = Interaction.objects.get(subject="Call back")
    assert (task.contact_id, task.account_id) == (contact.pk, account.pk)


def test_lead_card_and_status_change(sales_rep):
    lead = LeadFactory(owner=sales_rep, company_name="Funk KG", campaign="Spring fair")
    InteractionFactory(owner=sales_rep, lead=lead, account=None, subject="Form submitted")
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Funk KG" in html and "Spring fair" in html and "Form submitted" in html
    assert f"/leads/{lead.pk}/convert/" in html
    response = client.post(
        f"/leads/{lead.pk}/status/",
        {"status-version": lead.version, "status-owner": sales_rep.pk, "status-status": "working"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "working"


# --- Lead conversion -------------------------------------------------------------------------


def test_conversion_shows_likely_duplicates_and_matches_an_existing_contact(sales_rep):
    account = AccountFactory(owner=sales_rep, name="Weber Maschinenbau")
    contact = ContactFactory(
        owner=sales_rep,
        account=account,
        first_name="Jonas",
        last_name="Weber",
        emails=["jonas@weber.example"],
    )
    lead = LeadFactory(
        owner=sales_rep,
        first_name="Jonas",
        last_name="Weber",
        email="jonas@weber.example",
        company_name="Weber Maschinenbau",
    )
    InteractionFactory(owner=sales_rep, lead=lead, account=None, subject="Inquiry by form")
    client = Client()
    client.force_login(sales_rep)
    html = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    assert "Jonas Weber" in html and "Weber Maschinenbau" in html
    assert re.search(rf'value="{contact.pk}"[^>]*checked', html)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {"version": lead.version, "contact": contact.pk, "account": account.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.pk}/"
    lead.refresh_from_db()
    assert (lead.status, lead.converted_contact_id, lead.converted_account_id) == (
        "converted",
        contact.pk,
        account.pk,
    )
    assert Contact.objects.count() == 1 and Account.objects.count() == 1
    moved = Interaction.objects.get(subject="Inquiry by form")
    assert (moved.contact_id, moved.account_id) == (contact.pk, account.pk)
    again = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    assert "already converted" in again


def test_conversion_may_create_new_records_despite_a_match(sales_rep):
    ContactFactory(owner=sales_rep, last_name="Weber", emails=["jonas@weber.example"])
    lead = LeadFactory(
        owner=sales_rep,
        first_name="Jonas",
        last_name="Weber",
        email="jonas@weber.example",
        company_name="Neu GmbH",
    )
    client = Client()
    client.force_login(sales_rep)
    response = client.post(
        f"/leads/{lead.pk}/convert/", {"version": lead.version, "contact": "new", "account": "new"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert Contact.objects.count() == 2
    new_account = Account.objects.get(name="Neu GmbH")
    assert response["Location"] == f"/accounts/{new_account.pk}/"
    assert lead.converted_account_id == new_account.pk


def test_conversion_with_a_stale_version_converts_nothing(sales_rep):
    lead = LeadFactory(owner=sales_rep, company_name="Alt GmbH")
    client = Client()
    client.force_login(sales_rep)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {"version": lead.version - 1 + 5, "contact": "new", "account": "none"},
    )
    assert response.status_code == 200
    assert "changed since you opened it" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"
    assert Contact.objects.count() == 0


# --- Query counts ----------------------------------------------------------------------------


def _seed_timeline(owner: Any, links: dict[str, Any], count: int) -> None:
    now = timezone.now()
    for number in range(count):
        InteractionFactory(
            owner=owner,
            occurred_at=now - datetime.timedelta(hours=number),
            subject=f"Entry {number}",
            **links,
        )


# Session, user, role, teams, the record with its tags, the right to write, the header's
# figures, contacts, custom fields, owners to choose from, the timeline page, saving the
# session's recently viewed list.
ACCOUNT_CARD_QUERIES = 35
CONTACT_CARD_QUERIES = 17
LEAD_CARD_QUERIES = 12


@pytest.mark.parametrize("entries", [5, 50])
def test_account_card_query_count_is_pinned(entries, sales_rep, django_assert_num_queries):
    holding = AccountFactory(owner=sales_rep)
    account = AccountFactory(owner=sales_rep, parent=holding, tags=[])
    ContactFactory(owner=sales_rep, account=account)
    ContactFactory(owner=sales_rep, account=account)
    _seed_timeline(sales_rep, {"account": account}, entries)
    client = Client()
    client.force_login(sales_rep)
    client.get("/healthz")
    with django_assert_num_queries(ACCOUNT_CARD_QUERIES):
        assert client.get(f"/accounts/{account.pk}/").status_code == 200


@pytest.mark.parametrize("entries", [5, 50])
def test_contact_card_query_count_is_pinned(entries, sales_rep, django_assert_num_queries):
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, account=account)
    _seed_timeline(sales_rep, {"account": None, "contact": contact}, entries)
    client = Client()
    client.force_login(sales_rep)
    with django_assert_num_queries(CONTACT_CARD_QUERIES):
        assert client.get(f"/contacts/{contact.pk}/").status_code == 200


@pytest.mark.parametrize("entries", [5, 50])
def test_lead_card_query_count_is_pinned(entries, sales_rep, django_assert_num_queries):
    lead = LeadFactory(owner=sales_rep)
    _seed_timeline(sales_rep, {"account": None, "lead": lead}, entries)
    client = Client()
    client.force_login(sales_rep)
    with django_assert_num_queries(LEAD_CARD_QUERIES):
        assert client.get(f"/leads/{lead.pk}/").status_code == 200


# --- Stored XSS ------------------------------------------------------------------------------


def test_script_in_names_subjects_and_bodies_is_rendered_escaped(sales_rep):
    account = AccountFactory(owner=sales_rep, name=XSS[0], legal_name=XSS[1], city=XSS[1])
    contact = ContactFactory(owner=sales_rep, account=account, first_name=XSS[1], last_name=XSS[0])
    lead = LeadFactory(
        owner=sales_rep,
        first_name=XSS[0],
        last_name=XSS[1],
        company_name=XSS[1],
        description=XSS[0],
        campaign=XSS[1],
    )
    for links in ({"account": account, "contact": contact}, {"account": None, "lead": lead}):
        InteractionFactory(owner=sales_rep, subject=XSS[0], body=XSS[1], channel="x", **links)
        InteractionFactory(
            owner=sales_rep, kind="decision", subject=XSS[1], body=XSS[0], reason=XSS[0], **links
        )
    client = Client()
    client.force_login(sales_rep)
    urls = [
        f"/accounts/{account.pk}/",
        f"/accounts/{account.pk}/timeline/",
        f"/accounts/{account.pk}/header/",
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/timeline/",
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/timeline/",
        f"/leads/{lead.pk}/convert/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        for payload in XSS:
            assert payload not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_users_are_shown_by_name_in_the_timeline(sales_rep):
    assert isinstance(sales_rep, User)
    account = AccountFactory(owner=sales_rep)
    InteractionFactory(owner=sales_rep, account=account, actor=sales_rep, subject="Mine")
    client = Client()
    client.force_login(sales_rep)
    html = client.get(reverse("web:account_timeline", args=[account.pk])).content.decode()
    assert f'<span class="entry-author">{sales_rep}</span>' in html
