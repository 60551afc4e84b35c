"""Fixtures of the API tests: clients that authenticate with a personal token, and a
snapshot of the database to prove that a refused request changed nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from perpetuum.clients.models import Account, Contact, ContactRole, Lead
from perpetuum.core.models import (
    ApiToken,
    AuditEvent,
    CustomFieldDefinition,
    IdempotencyRecord,
    Tag,
)
from perpetuum.core.services import api_token_create
from perpetuum.timeline.models import Interaction

PROBLEM_JSON = "application/problem+json"


class ApiClient:
    """A test client for the JSON API, signed in with one user's API token."""

    def __init__(self, user: Any, key: str, token: ApiToken) -> None:
        self.user = user
        self.key = key
        self.token = token
        self.client = Client(headers={"Authorization": f"Bearer {key}"})

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Send `body` as JSON (when given) and `params` as the query string."""
        data = "" if body is None else json.dumps(body)
        return self.client.generic(
            method,
            path,
            data,
            content_type="application/json",
            headers=headers,
            query_params=params,
        )

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, {} if body is None else body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api_client(db: None) -> Callable[[Any], ApiClient]:
    """`api_client(user)`: a client that sends a new API token of `user`."""

    def make(user: Any) -> ApiClient:
        token, key = api_token_create(actor=user, user=user, name="tests")
        return ApiClient(user, key, token)

    return make


RECORD_COLUMNS = ["COUNT(*)", "SUM(version)", "COUNT(deleted_at)", "MAX(updated_at)"]
OWNED_COLUMNS = [*RECORD_COLUMNS, "SUM(owner_id)", "SUM(team_id)"]
# Per table, the aggregates a write cannot leave unchanged: how many rows, their versions,
# how many are in the recycle bin, the last update, the owners and the links.
STATE_COLUMNS: list[tuple[type, list[str]]] = [
    (Account, [*OWNED_COLUMNS, "SUM(parent_id)", "SUM(root_id)"]),
    (Contact, [*OWNED_COLUMNS, "SUM(account_id)"]),
    (Lead, [*OWNED_COLUMNS, "COUNT(converted_at)", "SUM(converted_account_id)"]),
    (Interaction, [*OWNED_COLUMNS, "SUM(account_id)", "SUM(contact_id)", "SUM(lead_id)"]),
    (ContactRole, ["COUNT(*)", "SUM(contact_id)", "SUM(account_id)"]),
    (Tag, RECORD_COLUMNS),
    (CustomFieldDefinition, RECORD_COLUMNS),
    (ApiToken, ["COUNT(*)", "COUNT(revoked_at)"]),
    (AuditEvent, ["COUNT(*)", "MAX(id)"]),
    (IdempotencyRecord, ["COUNT(*)"]),
]


def database_state() -> dict[str, Any]:
    """What a refused request must leave as it was, read in one query (see
    `STATE_COLUMNS`): compare the state before and after the request."""
    labels = [
        f"{model._meta.label_lower}: {column}"
        for model, columns in STATE_COLUMNS
        for column in columns
    ]
    selects = [
        # Only column and table names of our own models go into the statement.
        f"(SELECT {column} FROM {connection.ops.quote_name(model._meta.db_table)})"  # noqa: S608
        for model, columns in STATE_COLUMNS
        for column in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects))
        values = cursor.fetchone()
    return dict(zip(labels, values, strict=True))
