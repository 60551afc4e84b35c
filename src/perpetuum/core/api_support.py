"""What every API router shares: authentication, RFC 9457 problem responses, ETag /
If-Match, Idempotency-Key and cursor pages."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Generic, TypeVar

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Manager, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, django_auth
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from perpetuum.core.errors import PerpetuumError, VersionConflict, VersionRequired
from perpetuum.core.models import ApiToken, IdempotencyRecord
from perpetuum.core.services import hash_token

PROBLEM_TYPE = "application/problem+json"
T = TypeVar("T")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token (stored hashed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__role")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Written at most once a minute, so reads stay reads.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]


class JSONRenderer(BaseRenderer):
    """JSON bodies written by orjson: a 50-contact page in a quarter of the time of the
    standard library. Dates, times and whatever else orjson does not know are written by
    ninja's encoder, as before (ISO 8601, milliseconds, "Z")."""

    media_type = "application/json"
    _encoder = NinjaJSONEncoder()

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(
            data,
            default=self._encoder.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )


class InputSchema(Schema):
    """Base of request bodies: unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class OutputSchema(BaseModel):
    """Base of response bodies that lists and cards return many of: pydantic-core reads each
    field straight from the model's attribute. ninja's `Schema` wraps every record and every
    nested one in a Python getter and resolves each field through it, which cost 5 ms of a
    50-contact page; this reads the same page in 0.5 ms. What a field needs computing is a
    property of the model, a related row is reached with `AliasPath`, and a to-many relation
    is `Rows[...]`."""

    model_config = ConfigDict(from_attributes=True)


def _rows(value: Any) -> Any:
    if isinstance(value, Manager):
        return list(value.all())
    if isinstance(value, QuerySet):
        return list(value)
    return value


# A to-many relation of an `OutputSchema`: a manager or a queryset read into a list.
Rows = Annotated[list[T], BeforeValidator(_rows)]


def listed_rows(relation: str) -> Any:
    """The field of a to-many relation that a list prefetched with
    `core.pagination.listed()` (a plain list), read from the relation itself otherwise."""
    return Field(validation_alias=AliasChoices(f"listed_{relation}", relation))


class CursorPage(BaseModel, Generic[T]):
    """A page of a list; pass `next_cursor` as `cursor` to get the next one."""

    items: list[T]
    next_cursor: str | None


class Problem(Schema):
    """An error, as RFC 9457 describes it; `errors` lists the fields at fault."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, str]] = []


PROBLEM_RESPONSES = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    412: Problem,
    422: Problem,
    428: Problem,
}


def problem(
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return HttpResponse(json.dumps(body, default=str), status=status, content_type=PROBLEM_TYPE)


def _django_errors(error: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def _location(loc: Any) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts)


def install_error_handlers(api: Any) -> None:
    """Answer every error as application/problem+json."""

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _location(item.get("loc", ())), "message": item.get("msg", "")}
            for item in error.errors
        ]
        return problem(422, "Invalid request", "Some fields are not valid.", errors)

    @api.exception_handler(DjangoValidationError)
    def on_validation_error(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
        return problem(422, "Invalid request", "Some fields are not valid.", _django_errors(error))

    @api.exception_handler(PerpetuumError)
    def on_domain_error(request: HttpRequest, error: PerpetuumError) -> HttpResponse:
        return problem(error.status, error.title, error.detail, **error.extra)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return problem(404, "Not found")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return problem(401, "Unauthorized", "Sign in or send a valid API token.")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        return problem(error.status_code, str(error))


_ETAG = re.compile(r'^(?:W/)?"(\d+)-(\d+)"$')


def expected_version(request: HttpRequest, pk: int, *, required: bool = True) -> int | None:
    """The version an update edits, from `If-Match` (an ETag this API gave out)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise VersionRequired(
                "Send the record's ETag in an If-Match header, so that an edit made by "
                "someone else in the meantime is not overwritten."
            )
        return None
    if header == "*":
        return None
    match = _ETAG.match(header)
    if match is None or int(match.group(1)) != pk:
        raise VersionConflict("The If-Match header does not name a version of this record.")
    return int(match.group(2))


def with_etag(response: HttpResponse, record: Any) -> None:
    response["ETag"] = record.etag


def idempotent(
    request: HttpRequest,
    *,
    route: str,
    payload: BaseModel,
    create: Callable[[], tuple[int, dict[str, Any]]],
) -> HttpResponse:
    """Run `create` once per `Idempotency-Key`: a repeat gets the first answer again; the
    same key with another body is refused. `create` returns (status, JSON-ready body)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return _json_response(*create())
    if len(key) > 200:
        raise DjangoValidationError({"Idempotency-Key": ["At most 200 characters."]})
    fingerprint = hashlib.sha256(
        json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()
    cutoff = timezone.now() - timedelta(hours=settings.PERPETUUM_IDEMPOTENCY_HOURS)
    records = IdempotencyRecord.objects.filter(user=request.user, key=key, route=route)
    records.filter(created_at__lt=cutoff).delete()
    previous = records.first()
    if previous is None:
        with transaction.atomic():
            status, body = create()
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        route=route,
                        fingerprint=fingerprint,
                        status_code=status,
                        body=body,
                    )
            except IntegrityError:
                # Another request with this key won the race; its answer stands.
                transaction.set_rollback(True)
                previous = records.first()
        if previous is None:
            return _json_response(status, body)
    if previous.fingerprint != fingerprint:
        raise PerpetuumConflictError()
    response = _json_response(previous.status_code, previous.body)
    response["Idempotent-Replayed"] = "true"
    return response


def _json_response(status: int, body: dict[str, Any]) -> HttpResponse:
    return JsonResponse(body, status=status)


class PerpetuumConflictError(PerpetuumError):
    status = 422
    title = "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with another request body.")


def sent_fields(payload: BaseModel, *, nullable: set[str] | None = None) -> dict[str, Any]:
    """The fields a request sent. With `nullable` (a PATCH), null is refused for every
    field not in it: leaving a field out keeps it, null would erase it."""
    data = payload.model_dump(exclude_unset=True)
    if nullable is not None:
        errors = {
            name: ["This field may not be null."]
            for name, value in data.items()
            if value is None and name not in nullable
        }
        if errors:
            raise DjangoValidationError(errors)
    return data


def request_custom_filters(request: HttpRequest) -> dict[str, str]:
    """`custom.<key>=<value>` query parameters, which filter on custom field values."""
    return {
        name.removeprefix("custom."): value
        for name, value in request.GET.items()
        if name.startswith("custom.") and len(name) > len("custom.")
    }
