"""The list pages: filters, sorting, keyset pages, saved views, bulk actions and exports."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.test import override_settings

from perpetuum.clients.models import Account, Lead
from perpetuum.core.models import AuditEvent
from perpetuum.timeline.models import Interaction
from perpetuum.web.exports import escape_cell
from perpetuum.web.models import SavedView
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    InteractionFactory,
    LeadFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    """The names in the rows of a list page, in order."""
    return [str(record) for record in response.context["items"]]


def test_accounts_filter_by_stage_tag_owner_and_search(client, sales_manager, sales_rep):
    vip = TagFactory(name="VIP")
    AccountFactory(owner=sales_rep, name="Alpha", stage="customer", tags=[vip])
    AccountFactory(owner=sales_rep, name="Beta", stage="prospect")
    AccountFactory(owner=sales_manager, name="Gamma", stage="customer")
    client.force_login(sales_manager)
    assert _names(client.get("/accounts/")) == ["Alpha", "Beta", "Gamma"]
    assert _names(client.get("/accounts/?stage=customer")) == ["Alpha", "Gamma"]
    assert _names(client.get(f"/accounts/?tag_id={vip.pk}")) == ["Alpha"]
    assert _names(client.get(f"/accounts/?owner_id={sales_manager.pk}")) == ["Gamma"]
    assert _names(client.get("/accounts/?q=bet")) == ["Beta"]
    assert _names(client.get(f"/accounts/?office_id={sales_rep.office_id}&stage=customer")) == [
        "Alpha",
        "Gamma",
    ]


def test_accounts_filter_by_custom_field_and_dates(client, sales_rep):
    CustomFieldDefinitionFactory(entity="account", key="region", field_type="text")
    AccountFactory(owner=sales_rep, name="North", custom={"region": "north"})
    AccountFactory(owner=sales_rep, name="South", custom={"region": "south"})
    client.force_login(sales_rep)
    assert _names(client.get("/accounts/?custom.region=north")) == ["North"]
    assert _names(client.get("/accounts/?created_from=2000-01-01")) == ["North", "South"]
    assert _names(client.get("/accounts/?created_to=2000-01-01")) == []
    invalid = client.get("/accounts/?created_from=yesterday")
    assert invalid.status_code == 200
    assert invalid.context["items"] == []
    assert invalid.context["errors"]


def test_lists_sort_by_column_headers(client, sales_rep):
    for name in ("Bravo", "Alpha", "Charlie"):
        AccountFactory(owner=sales_rep, name=name)
    client.force_login(sales_rep)
    response = client.get("/accounts/")
    assert _names(response) == ["Alpha", "Bravo", "Charlie"]
    name_header = response.context["headers"][0]
    assert name_header.direction == "ascending"
    assert name_header.sort_query == "?sort=-name"
    assert _names(client.get("/accounts/?sort=-name")) == ["Charlie", "Bravo", "Alpha"]
    # An unknown sort falls back to the list's default instead of failing.
    assert _names(client.get("/accounts/?sort=password")) == ["Alpha", "Bravo", "Charlie"]


def test_pages_follow_the_keyset_cursor(client, sales_rep):
    for number in range(7):
        AccountFactory(owner=sales_rep, name=f"Account {number:02d}")
    client.force_login(sales_rep)
    first = client.get("/accounts/?limit=3&stage=prospect")
    assert _names(first) == ["Account 00", "Account 01", "Account 02"]
    cursor = first.context["next_cursor"]
    assert cursor
    second = client.get(f"/accounts/?limit=3&stage=prospect&cursor={cursor}")
    assert _names(second) == ["Account 03", "Account 04", "Account 05"]
    third = client.get(f"/accounts/?limit=3&stage=prospect&cursor={second.context['next_cursor']}")
    assert _names(third) == ["Account 06"]
    assert third.context["next_cursor"] is None
    broken = client.get("/accounts/?cursor=not-a-cursor")
    assert broken.status_code == 200
    assert broken.context["items"] == []


def test_contacts_leads_and_interactions_lists(client, sales_rep):
    account = AccountFactory(owner=sales_rep, name="Acme")
    ContactFactory(owner=sales_rep, first_name="Olga", last_name="Ivanova", account=account)
    LeadFactory(owner=sales_rep, first_name="Lena", last_name="Meyer", status="working")
    LeadFactory(owner=sales_rep, first_name="Max", last_name="Weber", status="new")
    InteractionFactory(owner=sales_rep, account=account, kind="call", subject="Intro call")
    InteractionFactory(owner=sales_rep, account=account, kind="note", subject="A note")
    client.force_login(sales_rep)
    assert _names(client.get("/contacts/")) == ["Olga Ivanova"]
    assert _names(client.get("/leads/?status=working")) == ["Lena Meyer"]
    assert _names(client.get("/leads/?sort=name")) == ["Lena Meyer", "Max Weber"]
    assert _names(client.get("/interactions/?kind=call")) == ["Intro call"]
    assert _names(client.get("/interactions/?q=note")) == ["A note"]


def test_saved_views_belong_to_their_user(client, sales_rep, sales_manager):
    client.force_login(sales_rep)
    response = client.post(
        "/accounts/views/", {"name": "Customers", "query": "stage=customer&cursor=abc"}
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.user, view.list_name, view.name, view.query) == (
        sales_rep,
        "accounts",
        "Customers",
        "stage=customer",
    )
    page = client.get("/accounts/")
    assert [saved.name for saved in page.context["saved_views"]] == ["Customers"]
    # Someone else neither sees nor deletes it.
    client.force_login(sales_manager)
    assert client.get("/accounts/").context["saved_views"] == []
    assert client.post(f"/accounts/views/{view.pk}/delete/").status_code == 404
    client.force_login(sales_rep)
    assert client.post(f"/accounts/views/{view.pk}/delete/").status_code == 302
    assert SavedView.objects.count() == 0


def _bulk(client, list_name, records, **data):
    payload = {"ids": [str(record.pk) for record in records], "query": "", **data}
    for record in records:
        payload[f"version_{record.pk}"] = str(record.version)
    return client.post(f"/{list_name}/bulk/", payload)


def test_bulk_assign_owner_only_touches_rows_in_the_users_write_scope(
    client, sales_manager, make_user, org
):
    colleague = make_user("sales_representative", username="colleague")
    munich = make_user("sales_representative", office=org.munich, username="munich")
    mine = AccountFactory(owner=colleague, name="Mine")
    theirs = AccountFactory(owner=munich, name="Theirs")
    client.force_login(sales_manager)
    response = _bulk(
        client, "accounts", [mine, theirs], action="assign_owner", owner_id=sales_manager.pk
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.owner_id == sales_manager.pk
    assert theirs.owner_id == munich.pk
    assert theirs.version == 1
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        "1 record changed.",
        f"1 record was not changed: #{theirs.pk}: not found",
    ]


def test_bulk_add_tag_and_version_conflicts_are_reported(client, sales_rep):
    tag = TagFactory(name="Hot")
    first = AccountFactory(owner=sales_rep, name="First")
    second = AccountFactory(owner=sales_rep, name="Second")
    client.force_login(sales_rep)
    stale = {
        "ids": [str(first.pk), str(second.pk)],
        f"version_{first.pk}": "1",
        f"version_{second.pk}": "99",
        "action": "add_tag",
        "tag_id": str(tag.pk),
        "query": "",
    }
    response = client.post("/accounts/bulk/", stale)
    assert response.status_code == 302
    assert list(first.tags.values_list("name", flat=True)) == ["Hot"]
    assert list(second.tags.values_list("name", flat=True)) == []
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        "1 record changed.",
        "1 record was not changed: Second: changed since you opened it",
    ]


def test_bulk_delete_moves_rows_to_the_recycle_bin_and_respects_the_role(client, make_user):
    reader = make_user("read_only", username="reader")
    rep = make_user("sales_representative", username="rep2")
    lead = LeadFactory(owner=rep)
    interaction = InteractionFactory(owner=rep)
    client.force_login(reader)
    response = _bulk(client, "leads", [lead], action="delete")
    assert response.status_code == 302
    assert Lead.objects.filter(pk=lead.pk).exists()
    client.force_login(rep)
    _bulk(client, "leads", [lead], action="delete")
    _bulk(client, "interactions", [interaction], action="delete")
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Lead.all_objects.get(pk=lead.pk).deleted_at is not None
    assert not Interaction.objects.filter(pk=interaction.pk).exists()


def test_escape_cell_neutralises_formulas():
    assert escape_cell("=1+1") == "'=1+1"
    assert escape_cell("+49 30 123") == "'+49 30 123"
    assert escape_cell("-2") == "'-2"
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("\tcmd") == "'\tcmd"
    assert escape_cell("\rcmd") == "'\rcmd"
    assert escape_cell("Plain") == "Plain"
    assert escape_cell(None) == ""
    assert escape_cell(42) == "42"


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_csv_export_escapes_formulas_follows_filters_and_is_audited_once(client, sales_rep):
    AccountFactory(owner=sales_rep, name='=HYPERLINK("http://evil.example","x")', stage="customer")
    AccountFactory(owner=sales_rep, name="@SUM(1)", stage="customer")
    AccountFactory(owner=sales_rep, name="Plain", stage="prospect")
    client.force_login(sales_rep)
    before = AuditEvent.objects.count()
    response = client.post("/accounts/export/", {"format": "csv", "query": "stage=customer"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert rows[0][:3] == ["id", "Name", "Legal name"]
    assert [row[1] for row in rows[1:]] == ['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1)"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="export")
    assert event.actor_id == sales_rep.pk
    assert event.object_type == "clients.account"
    assert event.changes["rows"] == 2
    assert event.changes["filters"] == "stage=customer"
    assert event.changes["format"] == "csv"
    assert event.changes["truncated"] is False


def test_xlsx_export_escapes_formulas_and_is_audited(client, sales_rep):
    AccountFactory(owner=sales_rep, name="=cmd|' /C calc'!A0")
    client.force_login(sales_rep)
    response = client.post("/accounts/export/", {"format": "xlsx", "query": ""})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            workbook.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in workbook.namelist()
            else ""
        )
    assert "<f>" not in sheet
    assert "'=cmd|' /C calc'!A0" in strings + sheet
    assert AuditEvent.objects.filter(action="export").count() == 1


@override_settings(PERPETUUM_EXPORT_LIMIT=3)
def test_exports_stop_at_the_limit_with_a_message(client, sales_rep):
    for number in range(5):
        AccountFactory(owner=sales_rep, name=f"Account {number}")
    client.force_login(sales_rep)
    rows = _csv_rows(client.post("/accounts/export/", {"format": "csv", "query": ""}))
    assert len(rows) == 1 + 3 + 1
    assert rows[-1][0].startswith("The export stopped at 3 rows.")
    event = AuditEvent.objects.get(action="export")
    assert event.changes["rows"] == 3
    assert event.changes["truncated"] is True


def test_exports_only_contain_the_users_scope(client, make_user, org):
    rep = make_user("sales_representative", username="rep-a")
    other = make_user("sales_representative", office=org.moscow, username="rep-b")
    AccountFactory(owner=rep, name="Visible")
    AccountFactory(owner=other, name="Hidden")
    client.force_login(rep)
    rows = _csv_rows(client.post("/accounts/export/", {"format": "csv", "query": ""}))
    assert [row[1] for row in rows[1:]] == ["Visible"]
    assert Account.objects.count() == 2
