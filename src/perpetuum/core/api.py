"""REST routes for the shared vocabulary (tags, custom fields), the audit trail, the
signed-in user and their API tokens."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from perpetuum.core import selectors, services
from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    expected_version,
    with_etag,
)

router = Router(tags=["core"])


# --- Tags ----------------------------------------------------------------------------------


class TagIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=60)
    color: str = Field("#6b7280", pattern=r"^#[0-9a-fA-F]{6}$")


class TagPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=60)
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")


class TagOut(Schema):
    id: int
    name: str
    color: str
    version: int
    deleted_at: datetime.datetime | None


@router.get("/tags", response=CursorPage[TagOut])
def list_tags(
    request: HttpRequest,
    q: str = "",
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=200),
) -> Any:
    page = selectors.tag_list(request.user, q=q, deleted=deleted, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/tags", response={201: TagOut, **PROBLEM_RESPONSES})
def create_tag(request: HttpRequest, payload: TagIn) -> Any:
    return Status(201, services.tag_create(actor=request.user, data=payload.model_dump()))


@router.get("/tags/{tag_id}", response={200: TagOut, **PROBLEM_RESPONSES})
def get_tag(request: HttpRequest, tag_id: int, response: HttpResponse) -> Any:
    tag = selectors.tag_get(request.user, tag_id)
    with_etag(response, tag)
    return tag


@router.patch("/tags/{tag_id}", response={200: TagOut, **PROBLEM_RESPONSES})
def update_tag(request: HttpRequest, tag_id: int, payload: TagPatch, response: HttpResponse) -> Any:
    tag = services.tag_update(
        actor=request.user,
        tag=selectors.tag_get(request.user, tag_id),
        data=payload.model_dump(exclude_unset=True),
        expected_version=expected_version(request, tag_id),
    )
    with_etag(response, tag)
    return tag


@router.delete("/tags/{tag_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_tag(request: HttpRequest, tag_id: int) -> Any:
    services.vocabulary_delete(
        actor=request.user,
        instance=selectors.tag_get(request.user, tag_id),
        expected_version=expected_version(request, tag_id, required=False),
    )
    return Status(204, None)


@router.post("/tags/{tag_id}/restore", response={200: TagOut, **PROBLEM_RESPONSES})
def restore_tag(request: HttpRequest, tag_id: int) -> Any:
    return services.vocabulary_restore(
        actor=request.user, instance=selectors.tag_get(request.user, tag_id, deleted=True)
    )


# --- Custom field definitions --------------------------------------------------------------

Entity = Literal["account", "contact", "lead"]
FieldType = Literal["text", "number", "date", "choice", "multi_choice", "boolean", "money"]


class CustomFieldIn(InputSchema):
    entity: Entity
    key: str = Field(..., pattern=r"^[a-z][a-z0-9_]{0,49}$")
    label: str = Field(..., min_length=1, max_length=100)
    field_type: FieldType
    choices: list[str] = []
    is_required: bool = False
    max_length: int | None = Field(None, ge=1)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    help_text: str = Field("", max_length=200)
    position: int = Field(0, ge=0)


class CustomFieldPatch(InputSchema):
    label: str | None = Field(None, min_length=1, max_length=100)
    choices: list[str] | None = None
    is_required: bool | None = None
    max_length: int | None = Field(None, ge=1)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    help_text: str | None = Field(None, max_length=200)
    position: int | None = Field(None, ge=0)


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    is_required: bool
    max_length: int | None
    min_value: Decimal | None
    max_value: Decimal | None
    help_text: str
    position: int
    version: int
    deleted_at: datetime.datetime | None


@router.get("/custom-fields", response=CursorPage[CustomFieldOut])
def list_custom_fields(
    request: HttpRequest,
    entity: Entity | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=200),
) -> Any:
    page = selectors.custom_field_list(
        request.user, entity=entity, deleted=deleted, cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/custom-fields", response={201: CustomFieldOut, **PROBLEM_RESPONSES})
def create_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Any:
    return Status(201, services.custom_field_create(actor=request.user, data=payload.model_dump()))


@router.get("/custom-fields/{field_id}", response={200: CustomFieldOut, **PROBLEM_RESPONSES})
def get_custom_field(request: HttpRequest, field_id: int, response: HttpResponse) -> Any:
    definition = selectors.custom_field_get(request.user, field_id)
    with_etag(response, definition)
    return definition


@router.patch("/custom-fields/{field_id}", response={200: CustomFieldOut, **PROBLEM_RESPONSES})
def update_custom_field(
    request: HttpRequest, field_id: int, payload: CustomFieldPatch, response: HttpResponse
) -> Any:
    definition = services.custom_field_update(
        actor=request.user,
        definition=selectors.custom_field_get(request.user, field_id),
        data=payload.model_dump(exclude_unset=True),
        expected_version=expected_version(request, field_id),
    )
    with_etag(response, definition)
    return definition


@router.delete("/custom-fields/{field_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_custom_field(request: HttpRequest, field_id: int) -> Any:
    services.vocabulary_delete(
        actor=request.user,
        instance=selectors.custom_field_get(request.user, field_id),
        expected_version=expected_version(request, field_id, required=False),
    )
    return Status(204, None)


@router.post(
    "/custom-fields/{field_id}/restore", response={200: CustomFieldOut, **PROBLEM_RESPONSES}
)
def restore_custom_field(request: HttpRequest, field_id: int) -> Any:
    return services.vocabulary_restore(
        actor=request.user,
        instance=selectors.custom_field_get(request.user, field_id, deleted=True),
    )


# --- Audit trail ---------------------------------------------------------------------------


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor_id: int | None
    actor_name: str
    request_id: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


@router.get("/audit", response={200: CursorPage[AuditEventOut], **PROBLEM_RESPONSES})
def list_audit_events(
    request: HttpRequest,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The audit trail, newest first (administrators only)."""
    page = selectors.audit_list(
        request.user,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        action=action,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


# --- The signed-in user, users and API tokens ---------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str | None = Field(None, alias="role.code")
    office_id: int | None
    legal_entity_id: int | None
    language: str
    is_active: bool

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return obj.get_full_name()


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/users", response=CursorPage[UserOut])
def list_users(
    request: HttpRequest,
    q: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Colleagues, to choose owners from."""
    page = selectors.user_list(request.user, q=q, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    key: str = Field(..., description="Shown once; only its hash is kept")


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> Any:
    """The signed-in user's API tokens."""
    return selectors.token_list(request.user)


@router.post("/tokens", response={201: TokenCreated, **PROBLEM_RESPONSES})
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, key = services.api_token_create(actor=request.user, user=request.user, name=payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": key})


@router.delete("/tokens/{token_id}", response={204: None, **PROBLEM_RESPONSES})
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    services.api_token_revoke(actor=request.user, token=selectors.token_get(request.user, token_id))
    return Status(204, None)
