"""Background tasks of the shared kernel, run by `perpetuum worker`."""

from __future__ import annotations

from django_tasks import task

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.models import CustomFieldDefinition, Tag
from perpetuum.core.services import recycle_bin_purge
from perpetuum.timeline.models import Interaction

# Children before parents, so that nothing a purged record points to is purged first.
PURGED_MODELS = [Interaction, Lead, Contact, Account, Tag, CustomFieldDefinition]


@task()
def purge_recycle_bin() -> int:
    """Delete for good what stayed in the recycle bin longer than PERPETUUM_RECYCLE_BIN_DAYS.

    Returns the number of purged records. Safe to run twice, or twice at once: a second run
    finds nothing left to purge.
    """
    return recycle_bin_purge(models_to_purge=PURGED_MODELS)
