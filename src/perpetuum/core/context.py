"""The request's identity for the audit trail, carried in a context variable so that services
need not be handed the request."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("perpetuum_request_id", default="")


def current_request_id() -> str:
    """The id of the request (or CLI run) being served; generated when there is none."""
    value = request_id_var.get()
    if not value:
        value = f"run-{uuid.uuid4().hex[:16]}"
        request_id_var.set(value)
    return value
