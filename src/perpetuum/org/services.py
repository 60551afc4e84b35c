"""Writes to our own organisation's users: a user's own preferences and password, and the
audit trail of signing in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from perpetuum.core.audit import audit


def user_language_set(*, actor: Any, language: str) -> Any:
    """Set the language the actor's pages are served in (one of `settings.LANGUAGES`)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ["Choose one of the offered languages."]})
    with transaction.atomic():
        before = actor.language
        if before != language:
            actor.language = language
            actor.full_clean(validate_unique=False)
            actor.save(update_fields=["language"])
            audit(
                actor=actor,
                action="update",
                instance=actor,
                changes={"language": [before, language]},
            )
    return actor


def user_password_change(*, actor: Any, new_password: str) -> Any:
    """Set the actor's new password (already validated by the caller's form)."""
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        # The trail says that the password changed, never what it is.
        audit(actor=actor, action="update", instance=actor, changes={"password": [None, "***"]})
    return actor


def sign_in_record(*, user: Any, address: str) -> None:
    """Record a successful sign-in of `user` from `address`."""
    audit(actor=user, action="login", instance=user, changes={"address": [None, address]})


def sign_in_failure_record(*, username: str, address: str) -> None:
    """Record a failed sign-in for the account name that was tried, from `address`.

    The name is kept as typed (trimmed), never whether such a user exists."""
    audit(
        actor=None,
        action="login_failed",
        object_type_label="org.user",
        object_repr=username[:200],
        changes={"address": [None, address]},
    )
