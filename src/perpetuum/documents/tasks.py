"""Background tasks of the documents app, run by `perpetuum worker`."""

from __future__ import annotations

from django_tasks import task

from perpetuum.documents.services import quotes_expire_due


@task()
def expire_quotes() -> int:
    """Mark as expired every draft or sent quote whose validity has passed; the number
    expired. Safe to run twice, or twice at once: a quote already expired is left alone."""
    return quotes_expire_due()
