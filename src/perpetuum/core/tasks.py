"""Background tasks of the shared kernel, run by `perpetuum worker`."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django_tasks import task

from perpetuum.core.models import Record
from perpetuum.core.services import recycle_bin_purge


def purged_models() -> list[type[Record]]:
    """Every model with a recycle bin, children before parents, so that nothing a purged
    record points to is purged before it (self-references aside)."""
    binned = [model for model in apps.get_models() if issubclass(model, Record)]
    ordered: list[type[Record]] = []

    def visit(model: type[Record], path: set[type[Record]]) -> None:
        if model in ordered or model in path:
            return
        for relation in model._meta.get_fields(include_hidden=True):
            child = relation.related_model
            is_reverse = isinstance(relation, models.ForeignObjectRel) and not relation.many_to_many
            if is_reverse and child in binned:
                visit(child, {*path, model})
        ordered.append(model)

    for model in sorted(binned, key=lambda item: item._meta.label):
        visit(model, set())
    return ordered


@task()
def purge_recycle_bin() -> int:
    """Delete for good what stayed in the recycle bin longer than PERPETUUM_RECYCLE_BIN_DAYS.

    Returns the number of purged records. Safe to run twice, or twice at once: a second run
    finds nothing left to purge.
    """
    return recycle_bin_purge(models_to_purge=purged_models())
