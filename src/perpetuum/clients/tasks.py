"""Background tasks of the clients app, run by `perpetuum worker`."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from perpetuum.clients.duplicates import duplicate_scan


@task()
def scan_duplicates(entity: str) -> dict[str, Any]:
    """Scan every live account or contact (`entity`) for duplicates and store the pairs.

    Safe to run twice, or twice at once: a pair is stored once (a unique constraint and
    `ignore_conflicts`), and a dismissed pair stays dismissed. Returns the scan's summary.
    """
    return duplicate_scan(entity).as_dict()
