"""Domain errors that services raise and the API and pages translate for their users."""

from __future__ import annotations

from typing import Any


class PerpetuumError(Exception):
    """Base of the errors a user can act upon."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(PerpetuumError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""

    status = 404
    title = "Not found"


class PermissionDenied(PerpetuumError):
    """The record is visible but the user's role does not allow this action on it."""

    status = 403
    title = "Forbidden"


class VersionConflict(PerpetuumError):
    """Someone saved the record since the caller read it."""

    status = 412
    title = "Precondition failed"


class VersionRequired(PerpetuumError):
    """An update sent without saying which version it edits."""

    status = 428
    title = "Precondition required"


class Conflict(PerpetuumError):
    """The request contradicts the state of the data (e.g. converting a converted lead)."""

    status = 409
    title = "Conflict"
