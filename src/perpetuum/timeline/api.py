"""REST routes for the timeline: log, plan, change, delete and restore interactions."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    OutputSchema,
    expected_version,
    sent_fields,
    with_etag,
)
from perpetuum.core.filters import ListFilters
from perpetuum.timeline import selectors, services

router = Router(tags=["timeline"])

Kind = Literal[
    "call",
    "email",
    "meeting",
    "chat",
    "web_form",
    "link_click",
    "note",
    "task",
    "decision",
    "document",
    "system",
]
Direction = Literal["inbound", "outbound", "internal"]
InteractionStatus = Literal["planned", "done", "cancelled"]


class InteractionIn(InputSchema):
    kind: Kind
    channel: str = Field("", max_length=30)
    direction: Direction = "internal"
    status: InteractionStatus = "done"
    occurred_at: datetime.datetime | None = Field(None, description="Defaults to now when done")
    due_at: datetime.datetime | None = Field(None, description="Required when planned")
    subject: str = Field("", max_length=300)
    body: str = ""
    reason: str = Field("", description="Required for a decision")
    is_complaint: bool = False
    is_resolved: bool = False
    account_id: int | None = None
    contact_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None
    source: str = Field("", max_length=50)
    external_id: str | None = Field(
        None, max_length=200, description="With `source`, makes the intake idempotent"
    )
    owner_id: int | None = None


class InteractionPatch(InputSchema):
    kind: Kind | None = None
    channel: str | None = Field(None, max_length=30)
    direction: Direction | None = None
    status: InteractionStatus | None = None
    occurred_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    subject: str | None = Field(None, max_length=300)
    body: str | None = None
    reason: str | None = None
    is_complaint: bool | None = None
    is_resolved: bool | None = None
    account_id: int | None = None
    contact_id: int | None = None
    lead_id: int | None = None
    deal_id: int | None = None
    owner_id: int | None = None


class InteractionOut(OutputSchema):
    id: int
    kind: str
    channel: str
    direction: str
    status: str
    occurred_at: datetime.datetime | None
    due_at: datetime.datetime | None
    at: datetime.datetime
    subject: str
    body: str
    reason: str
    is_complaint: bool
    is_resolved: bool
    author_id: int | None
    author_name: str = ""
    owner_id: int | None
    account_id: int | None
    contact_id: int | None
    lead_id: int | None
    deal_id: int | None
    legal_entity_id: int | None
    office_id: int | None
    source: str
    external_id: str | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None


InteractionSort = Literal["at", "-at", "created_at", "-created_at", "updated_at", "-updated_at"]
NULLABLE = {"occurred_at", "due_at", "account_id", "contact_id", "lead_id", "deal_id"}


@router.get("/interactions", response=CursorPage[InteractionOut], summary="List interactions")
def list_interactions(
    request: HttpRequest,
    q: str = "",
    kind: list[Kind] = Query([]),
    status: InteractionStatus | None = None,
    channel: str | None = None,
    account_id: int | None = None,
    contact_id: int | None = None,
    lead_id: int | None = None,
    deal_id: int | None = None,
    owner_id: int | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    deleted: bool = False,
    sort: InteractionSort = "-at",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    extra = {
        "kind__in": kind or None,
        "status": status,
        "channel": channel,
        "account_id": account_id,
        "contact_id": contact_id,
        "lead_id": lead_id,
        "deal_id": deal_id,
        "at__gte": since,
        "at__lt": until,
    }
    page = selectors.interaction_list(
        request.user,
        ListFilters(q=q, owner_id=owner_id, extra=extra),
        sort=sort,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/interactions", response={201: InteractionOut, 200: InteractionOut, **PROBLEM_RESPONSES}
)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Any:
    """Log what happened or plan what will. A repeated (source, external_id) answers 200
    with the interaction already stored."""
    interaction, created = services.interaction_create(
        actor=request.user, data=payload.model_dump(exclude_unset=True)
    )
    return Status(201 if created else 200, selectors.interaction_get(request.user, interaction.pk))


@router.get("/interactions/{interaction_id}", response={200: InteractionOut, **PROBLEM_RESPONSES})
def get_interaction(request: HttpRequest, interaction_id: int, response: HttpResponse) -> Any:
    interaction = selectors.interaction_get(request.user, interaction_id)
    with_etag(response, interaction)
    return interaction


@router.patch("/interactions/{interaction_id}", response={200: InteractionOut, **PROBLEM_RESPONSES})
def update_interaction(
    request: HttpRequest, interaction_id: int, payload: InteractionPatch, response: HttpResponse
) -> Any:
    data = sent_fields(payload, nullable=NULLABLE)
    services.interaction_update(
        actor=request.user,
        interaction=selectors.interaction_get(request.user, interaction_id),
        data=data,
        expected_version=expected_version(request, interaction_id),
    )
    interaction = selectors.interaction_get(request.user, interaction_id)
    with_etag(response, interaction)
    return interaction


@router.delete("/interactions/{interaction_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_interaction(request: HttpRequest, interaction_id: int) -> Any:
    services.interaction_delete(
        actor=request.user,
        interaction=selectors.interaction_get(request.user, interaction_id),
        expected_version=expected_version(request, interaction_id, required=False),
    )
    return Status(204, None)


@router.post(
    "/interactions/{interaction_id}/restore",
    response={200: InteractionOut, **PROBLEM_RESPONSES},
)
def restore_interaction(request: HttpRequest, interaction_id: int) -> Any:
    services.interaction_restore(
        actor=request.user,
        interaction=selectors.interaction_get(request.user, interaction_id, deleted=True),
    )
    return selectors.interaction_get(request.user, interaction_id)
