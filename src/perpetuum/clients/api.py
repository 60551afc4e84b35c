"""REST routes for accounts, contacts and leads: schemas in, a service or selector call,
schemas out."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import AliasChoices, AliasPath

from perpetuum.clients import duplicates, selectors, services, tasks
from perpetuum.clients.models import Contact, Lead
from perpetuum.core.access import is_administrator
from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    OutputSchema,
    Rows,
    expected_version,
    idempotent,
    listed_rows,
    request_custom_filters,
    sent_fields,
    with_etag,
)
from perpetuum.core.errors import PermissionDenied
from perpetuum.core.filters import ListFilters
from perpetuum.timeline.api import InteractionOut

router = Router(tags=["clients"])

Stage = Literal["prospect", "customer", "former_customer", "partner"]
Size = Literal["", "1-9", "10-49", "50-249", "250-999", "1000+"]
LeadStatus = Literal["new", "working", "qualified", "disqualified", "converted"]
Channel = Literal[
    "web_form",
    "email",
    "phone",
    "chat",
    "event",
    "advertising",
    "referral",
    "partner",
    "import",
    "other",
]
CUSTOM = {"x-custom-fields": True}


class TagRef(OutputSchema):
    id: int
    name: str
    color: str


class Address(Schema):
    kind: str = ""
    street: str = ""
    city: str = ""
    postcode: str = ""
    region: str = ""
    country: str = ""


class ListQuery(Schema):
    """Filters every client list takes; `custom.<key>=<value>` filters on custom fields."""

    q: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    office_id: int | None = None
    legal_entity_id: int | None = None
    tag_id: int | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    deleted: bool = Field(False, description="List the recycle bin instead.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)

    def to_filters(self, request: HttpRequest, **extra: Any) -> ListFilters:
        return ListFilters(
            q=self.q,
            owner_id=self.owner_id,
            team_id=self.team_id,
            office_id=self.office_id,
            legal_entity_id=self.legal_entity_id,
            tag_id=self.tag_id,
            created_after=self.created_after,
            created_before=self.created_before,
            updated_after=self.updated_after,
            updated_before=self.updated_before,
            custom=request_custom_filters(request),
            extra=extra,
        )


class Ownership(OutputSchema):
    owner_id: int | None
    owner_name: str = ""
    team_id: int | None
    office_id: int | None
    legal_entity_id: int | None


class RecordMeta(OutputSchema):
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None


# --- Accounts ------------------------------------------------------------------------------


class AccountIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    legal_name: str = ""
    country: str = Field("", max_length=2, description="ISO 3166 alpha-2; validates tax_id")
    tax_id: str = Field("", description="INN in Russia, VAT number elsewhere")
    kpp: str = ""
    industry: str = ""
    size: Size = ""
    website: str = ""
    city: str = ""
    addresses: list[Address] = []
    emails: list[str] = []
    phones: list[str] = []
    parent_id: int | None = None
    stage: Stage = "prospect"
    tag_ids: list[int] = []
    custom: dict[str, Any] = Field({}, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class AccountPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    legal_name: str | None = None
    country: str | None = Field(None, max_length=2)
    tax_id: str | None = None
    kpp: str | None = None
    industry: str | None = None
    size: Size | None = None
    website: str | None = None
    city: str | None = None
    addresses: list[Address] | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    parent_id: int | None = None
    stage: Stage | None = None
    tag_ids: list[int] | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class AccountOut(Ownership, RecordMeta):
    id: int
    name: str
    legal_name: str
    country: str
    tax_id: str
    kpp: str
    industry: str
    size: str
    website: str
    city: str
    addresses: list[dict[str, Any]]
    emails: list[str]
    phones: list[str]
    parent_id: int | None
    root_id: int | None
    stage: str
    tags: Rows[TagRef] = listed_rows("tags")
    custom: dict[str, Any] = Field(json_schema_extra=CUSTOM)


class AccountRef(OutputSchema):
    id: int
    name: str
    stage: str


class InteractionBrief(OutputSchema):
    id: int
    kind: str
    status: str
    subject: str
    at: datetime.datetime


class AccountCard(OutputSchema):
    account: AccountOut
    parent: AccountRef | None
    children: list[AccountRef]
    children_count: int
    open_tasks: int
    overdue_tasks: int
    last_interaction: InteractionBrief | None
    next_interaction: InteractionBrief | None
    counts_by_kind: dict[str, int] = Field(
        description="Interactions per kind, each counted up to 1,000 (1,000 reads 'at least')"
    )


def _data(payload: Schema, nullable: set[str] | None = None) -> dict[str, Any]:
    """The fields sent (see `sent_fields`), addresses as plain dicts for the JSON column."""
    data = sent_fields(payload, nullable=nullable)
    if data.get("addresses") is not None:
        data["addresses"] = [dict(address) for address in data["addresses"]]
    return data


def _patch_data(payload: Schema, nullable: set[str]) -> dict[str, Any]:
    return _data(payload, nullable)


AccountSort = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]


@router.get("/accounts", response=CursorPage[AccountOut], summary="List accounts")
def list_accounts(
    request: HttpRequest,
    filters: Query[ListQuery],
    stage: Stage | None = None,
    parent_id: int | None = None,
    root_id: int | None = None,
    sort: AccountSort = "name",
) -> Any:
    page = selectors.account_list(
        request.user,
        filters.to_filters(request, stage=stage, parent_id=parent_id, root_id=root_id),
        sort=sort,
        cursor=filters.cursor,
        limit=filters.limit,
        deleted=filters.deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/accounts", response={201: AccountOut, **PROBLEM_RESPONSES})
def create_account(request: HttpRequest, payload: AccountIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        account = services.account_create(actor=request.user, data=_data(payload))
        account = selectors.account_get(request.user, account.pk)
        return 201, AccountOut.model_validate(account).model_dump(mode="json")

    return idempotent(request, route="accounts.create", payload=payload, create=create)


class DuplicateRecordOut(Schema):
    """A record in a suspected duplicate pair, as a list shows it."""

    id: int
    name: str
    email: str
    phone: str
    owner_id: int | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class DuplicateMatchOut(Schema):
    """An existing record that a new one would likely duplicate."""

    record: DuplicateRecordOut
    score: int = Field(..., description="0–100")
    reasons: list[str] = Field(..., description="same_email, same_phone, same_tax_id, similar_name")


# Declared before /accounts/{account_id}, whose path parameter would take "duplicates-of".
@router.get("/accounts/duplicates-of", response={200: list[DuplicateMatchOut], **PROBLEM_RESPONSES})
def account_duplicates_of(
    request: HttpRequest,
    name: str = "",
    tax_id: str = "",
    email: str = "",
    phone: str = "",
    country: str = "",
    city: str = "",
) -> Any:
    """The accounts the user may see that a new account with these values would likely
    duplicate, best first: for a warning before the create."""
    data = {
        "name": name,
        "tax_id": tax_id,
        "email": email,
        "phone": phone,
        "country": country,
        "city": city,
    }
    return duplicates.find_duplicates_for(request.user, "account", data)


@router.get("/accounts/{account_id}", response={200: AccountOut, **PROBLEM_RESPONSES})
def get_account(request: HttpRequest, account_id: int, response: HttpResponse) -> Any:
    account = selectors.account_get(request.user, account_id)
    with_etag(response, account)
    return account


@router.patch("/accounts/{account_id}", response={200: AccountOut, **PROBLEM_RESPONSES})
def update_account(
    request: HttpRequest, account_id: int, payload: AccountPatch, response: HttpResponse
) -> Any:
    account = selectors.account_get(request.user, account_id)
    version = expected_version(request, account_id)
    services.account_update(
        actor=request.user,
        account=account,
        data=_patch_data(payload, {"parent_id"}),
        expected_version=version,
    )
    account = selectors.account_get(request.user, account_id)
    with_etag(response, account)
    return account


@router.delete("/accounts/{account_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_account(request: HttpRequest, account_id: int) -> Any:
    account = selectors.account_get(request.user, account_id)
    services.account_delete(
        actor=request.user,
        account=account,
        expected_version=expected_version(request, account_id, required=False),
    )
    return Status(204, None)


@router.post("/accounts/{account_id}/restore", response={200: AccountOut, **PROBLEM_RESPONSES})
def restore_account(request: HttpRequest, account_id: int) -> Any:
    account = selectors.account_get(request.user, account_id, deleted=True)
    services.account_restore(actor=request.user, account=account)
    return selectors.account_get(request.user, account_id)


@router.get("/accounts/{account_id}/card", response={200: AccountCard, **PROBLEM_RESPONSES})
def account_card(request: HttpRequest, account_id: int, consolidated: bool = False) -> Any:
    """The status at a glance; `consolidated` counts the whole holding."""
    account = selectors.account_get(request.user, account_id)
    return selectors.account_summary(request.user, account, consolidated=consolidated)


@router.get(
    "/accounts/{account_id}/timeline",
    response={200: CursorPage[InteractionOut], **PROBLEM_RESPONSES},
)
def account_timeline(
    request: HttpRequest,
    account_id: int,
    kind: list[str] = Query([]),
    channel: list[str] = Query([]),
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    consolidated: bool = False,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Past and planned interactions, newest first; `consolidated` spans the holding."""
    account = selectors.account_get(request.user, account_id)
    page = selectors.account_timeline(
        request.user,
        account,
        kinds=kind,
        channels=channel,
        since=since,
        until=until,
        consolidated=consolidated,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


class MergeIn(InputSchema):
    other_id: int = Field(..., description="The duplicate; it goes to the recycle bin")
    choices: dict[str, Literal["survivor", "other"]] = Field(
        {}, description="Per field, whose value to keep; empty fields are filled either way"
    )


@router.post("/accounts/{account_id}/merge", response={200: AccountOut, **PROBLEM_RESPONSES})
def merge_account(request: HttpRequest, account_id: int, payload: MergeIn) -> Any:
    """Merge another account into this one, keeping both histories."""
    services.account_merge(
        actor=request.user,
        survivor=selectors.account_get(request.user, account_id),
        other=selectors.account_get(request.user, payload.other_id),
        choices=payload.choices,
    )
    return selectors.account_get(request.user, account_id)


# --- Contacts ------------------------------------------------------------------------------


class RoleIn(InputSchema):
    account_id: int
    title: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


class RoleOut(OutputSchema):
    account_id: int
    account_name: str = Field(
        validation_alias=AliasChoices("account_name", AliasPath("account", "name"))
    )
    title: str
    since: datetime.date | None
    until: datetime.date | None
    is_primary: bool


class ContactIn(InputSchema):
    first_name: str = ""
    middle_name: str = ""
    last_name: str = Field(..., min_length=1, max_length=100)
    emails: list[str] = []
    phones: list[str] = []
    language: str = ""
    roles: list[RoleIn] = []
    tag_ids: list[int] = []
    custom: dict[str, Any] = Field({}, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class ContactPatch(InputSchema):
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = Field(None, min_length=1, max_length=100)
    emails: list[str] | None = None
    phones: list[str] | None = None
    language: str | None = None
    roles: list[RoleIn] | None = None
    tag_ids: list[int] | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class ContactOut(Ownership, RecordMeta):
    id: int
    first_name: str
    middle_name: str
    last_name: str
    full_name: str
    emails: list[str]
    phones: list[str]
    language: str
    account_id: int | None
    roles: Rows[RoleOut] = listed_rows("roles")
    tags: Rows[TagRef] = listed_rows("tags")
    custom: dict[str, Any] = Field(json_schema_extra=CUSTOM)


ContactSort = Literal[
    "name", "-name", "last_name", "-last_name", "created_at", "-created_at", "updated_at",
    "-updated_at",
]  # fmt: skip


def _contact(request: HttpRequest, contact_id: int, **kwargs: Any) -> Contact:
    return selectors.contact_get(request.user, contact_id, **kwargs)


@router.get("/contacts", response=CursorPage[ContactOut], summary="List contacts")
def list_contacts(
    request: HttpRequest,
    filters: Query[ListQuery],
    account_id: int | None = None,
    sort: ContactSort = "name",
) -> Any:
    page = selectors.contact_list(
        request.user,
        filters.to_filters(request, roles__account_id=account_id),
        sort=sort,
        cursor=filters.cursor,
        limit=filters.limit,
        deleted=filters.deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/contacts", response={201: ContactOut, **PROBLEM_RESPONSES})
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        contact = services.contact_create(actor=request.user, data=_data(payload))
        contact = _contact(request, contact.pk)
        return 201, ContactOut.model_validate(contact).model_dump(mode="json")

    return idempotent(request, route="contacts.create", payload=payload, create=create)


# Declared before /contacts/{contact_id}, whose path parameter would take "duplicates-of".
@router.get("/contacts/duplicates-of", response={200: list[DuplicateMatchOut], **PROBLEM_RESPONSES})
def contact_duplicates_of(
    request: HttpRequest,
    first_name: str = "",
    middle_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    account_id: int | None = None,
) -> Any:
    """The contacts the user may see that a new contact with these values would likely
    duplicate, best first: for a warning before the create."""
    data = {
        "first_name": first_name,
        "middle_name": middle_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "account_id": account_id,
    }
    return duplicates.find_duplicates_for(request.user, "contact", data)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **PROBLEM_RESPONSES})
def get_contact(request: HttpRequest, contact_id: int, response: HttpResponse) -> Any:
    contact = _contact(request, contact_id)
    with_etag(response, contact)
    return contact


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **PROBLEM_RESPONSES})
def update_contact(
    request: HttpRequest, contact_id: int, payload: ContactPatch, response: HttpResponse
) -> Any:
    contact = _contact(request, contact_id)
    services.contact_update(
        actor=request.user,
        contact=contact,
        data=_patch_data(payload, set()),
        expected_version=expected_version(request, contact_id),
    )
    contact = _contact(request, contact_id)
    with_etag(response, contact)
    return contact


@router.delete("/contacts/{contact_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_contact(request: HttpRequest, contact_id: int) -> Any:
    services.contact_delete(
        actor=request.user,
        contact=_contact(request, contact_id),
        expected_version=expected_version(request, contact_id, required=False),
    )
    return Status(204, None)


@router.post("/contacts/{contact_id}/restore", response={200: ContactOut, **PROBLEM_RESPONSES})
def restore_contact(request: HttpRequest, contact_id: int) -> Any:
    services.contact_restore(
        actor=request.user, contact=_contact(request, contact_id, deleted=True)
    )
    return _contact(request, contact_id)


@router.post("/contacts/{contact_id}/merge", response={200: ContactOut, **PROBLEM_RESPONSES})
def merge_contact(request: HttpRequest, contact_id: int, payload: MergeIn) -> Any:
    """Merge another contact into this one, keeping both histories."""
    services.contact_merge(
        actor=request.user,
        survivor=_contact(request, contact_id),
        other=_contact(request, payload.other_id),
        choices=payload.choices,
    )
    return _contact(request, contact_id)


# --- Leads ---------------------------------------------------------------------------------


class LeadIn(InputSchema):
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    job_title: str = ""
    email: str = ""
    phone: str = ""
    tax_id: str = ""
    country: str = Field("", max_length=2)
    description: str = ""
    status: LeadStatus = "new"
    source_channel: Channel = "other"
    campaign: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""
    tag_ids: list[int] = []
    custom: dict[str, Any] = Field({}, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class LeadPatch(InputSchema):
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    tax_id: str | None = None
    country: str | None = Field(None, max_length=2)
    description: str | None = None
    status: LeadStatus | None = None
    source_channel: Channel | None = None
    campaign: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    tag_ids: list[int] | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=CUSTOM)
    owner_id: int | None = None


class LeadOut(Ownership, RecordMeta):
    id: int
    first_name: str
    last_name: str
    full_name: str
    company_name: str
    job_title: str
    email: str
    phone: str
    tax_id: str
    country: str
    description: str
    status: str
    source_channel: str
    campaign: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    converted_contact_id: int | None
    converted_account_id: int | None
    converted_at: datetime.datetime | None
    tags: Rows[TagRef] = listed_rows("tags")
    custom: dict[str, Any] = Field(json_schema_extra=CUSTOM)


class ConvertIn(InputSchema):
    contact_id: int | None = Field(None, description="Convert into this contact; else matched")
    account_id: int | None = Field(None, description="Convert into this account; else matched")
    create_account: bool = Field(True, description="Create an account from the company name")


class ConversionOut(Schema):
    lead: LeadOut
    contact_id: int
    account_id: int | None
    created_contact: bool
    created_account: bool
    moved_interactions: int


class MatchOut(Schema):
    contact: dict[str, Any] | None
    account: dict[str, Any] | None


LeadSort = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]


def _lead(request: HttpRequest, lead_id: int, **kwargs: Any) -> Lead:
    return selectors.lead_get(request.user, lead_id, **kwargs)


@router.get("/leads", response=CursorPage[LeadOut], summary="List leads")
def list_leads(
    request: HttpRequest,
    filters: Query[ListQuery],
    status: LeadStatus | None = None,
    source_channel: Channel | None = None,
    sort: LeadSort = "-created_at",
) -> Any:
    page = selectors.lead_list(
        request.user,
        filters.to_filters(request, status=status, source_channel=source_channel),
        sort=sort,
        cursor=filters.cursor,
        limit=filters.limit,
        deleted=filters.deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/leads", response={201: LeadOut, **PROBLEM_RESPONSES})
def create_lead(request: HttpRequest, payload: LeadIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        lead = services.lead_create(actor=request.user, data=_data(payload))
        lead = _lead(request, lead.pk)
        return 201, LeadOut.model_validate(lead).model_dump(mode="json")

    return idempotent(request, route="leads.create", payload=payload, create=create)


@router.get("/leads/{lead_id}", response={200: LeadOut, **PROBLEM_RESPONSES})
def get_lead(request: HttpRequest, lead_id: int, response: HttpResponse) -> Any:
    lead = _lead(request, lead_id)
    with_etag(response, lead)
    return lead


@router.patch("/leads/{lead_id}", response={200: LeadOut, **PROBLEM_RESPONSES})
def update_lead(
    request: HttpRequest, lead_id: int, payload: LeadPatch, response: HttpResponse
) -> Any:
    services.lead_update(
        actor=request.user,
        lead=_lead(request, lead_id),
        data=_patch_data(payload, set()),
        expected_version=expected_version(request, lead_id),
    )
    lead = _lead(request, lead_id)
    with_etag(response, lead)
    return lead


@router.delete("/leads/{lead_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_lead(request: HttpRequest, lead_id: int) -> Any:
    services.lead_delete(
        actor=request.user,
        lead=_lead(request, lead_id),
        expected_version=expected_version(request, lead_id, required=False),
    )
    return Status(204, None)


@router.post("/leads/{lead_id}/restore", response={200: LeadOut, **PROBLEM_RESPONSES})
def restore_lead(request: HttpRequest, lead_id: int) -> Any:
    services.lead_restore(actor=request.user, lead=_lead(request, lead_id, deleted=True))
    return _lead(request, lead_id)


@router.get("/leads/{lead_id}/matches", response={200: MatchOut, **PROBLEM_RESPONSES})
def lead_matches(request: HttpRequest, lead_id: int) -> Any:
    """The contact and account this lead would be converted into, if any match."""
    contact, account = services.lead_match(actor=request.user, lead=_lead(request, lead_id))
    return {
        "contact": {"id": contact.pk, "full_name": contact.full_name, "email": contact.email}
        if contact
        else None,
        "account": {"id": account.pk, "name": account.name, "tax_id": account.tax_id}
        if account
        else None,
    }


@router.post("/leads/{lead_id}/convert", response={200: ConversionOut, **PROBLEM_RESPONSES})
def convert_lead(request: HttpRequest, lead_id: int, payload: ConvertIn) -> Any:
    """Create or match the contact and account and move the lead's history to them."""
    lead = _lead(request, lead_id)
    result = services.lead_convert(
        actor=request.user,
        lead=lead,
        contact_id=payload.contact_id,
        account_id=payload.account_id,
        create_account=payload.create_account,
        expected_version=expected_version(request, lead_id, required=False),
    )
    return {
        "lead": _lead(request, lead_id),
        "contact_id": result.contact.pk,
        "account_id": result.account.pk if result.account else None,
        "created_contact": result.created_contact,
        "created_account": result.created_account,
        "moved_interactions": result.moved_interactions,
    }


# --- Reassignment --------------------------------------------------------------------------


class ReassignIn(InputSchema):
    from_user_id: int
    to_user_id: int


class ReassignOut(Schema):
    accounts: int
    contacts: int
    leads: int
    planned_interactions: int


@router.post("/reassign", response={200: ReassignOut, **PROBLEM_RESPONSES})
def reassign(request: HttpRequest, payload: ReassignIn) -> Any:
    """Give every client record and planned interaction of one user to another."""
    return services.owner_reassign(
        actor=request.user, from_user_id=payload.from_user_id, to_user_id=payload.to_user_id
    )


# --- Duplicates ----------------------------------------------------------------------------

DuplicateEntity = Literal["account", "contact"]


class DuplicatePairOut(Schema):
    """Two records the duplicate scan found alike."""

    id: int
    entity: str
    score: int = Field(..., description="0–100")
    reasons: list[str] = Field(..., description="same_email, same_phone, same_tax_id, similar_name")
    status: str
    left: DuplicateRecordOut
    right: DuplicateRecordOut
    created_at: datetime.datetime


class ScanIn(InputSchema):
    entity: DuplicateEntity


class ScanOut(Schema):
    task_id: str
    entity: str
    status: str


@router.get("/duplicates", response={200: CursorPage[DuplicatePairOut], **PROBLEM_RESPONSES})
def list_duplicates(
    request: HttpRequest,
    entity: DuplicateEntity = "contact",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Open suspected duplicate pairs whose two records the user may both see, best first."""
    page = duplicates.duplicate_candidates(request.user, entity, limit, cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/duplicates/scan", response={202: ScanOut, **PROBLEM_RESPONSES})
def scan_duplicates(request: HttpRequest, payload: ScanIn) -> Any:
    """Start a background scan of every account or contact (administrators)."""
    if not is_administrator(request.user):
        raise PermissionDenied("Only an administrator may start a duplicate scan.")
    result = tasks.scan_duplicates.enqueue(payload.entity)
    return Status(
        202, {"task_id": str(result.id), "entity": payload.entity, "status": result.status}
    )


@router.post(
    "/duplicates/{candidate_id}/dismiss", response={200: DuplicatePairOut, **PROBLEM_RESPONSES}
)
def dismiss_duplicate(request: HttpRequest, candidate_id: int) -> Any:
    """Mark a pair as not duplicates: no scan proposes it again."""
    candidate = duplicates.duplicate_candidate_get(request.user, candidate_id)
    return duplicates.duplicate_dismiss(actor=request.user, candidate=candidate)
