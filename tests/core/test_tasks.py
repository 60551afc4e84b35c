"""The recycle-bin purge task: every model with a bin, children before parents."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from perpetuum.clients.models import Account
from perpetuum.core.models import AuditEvent, Record
from perpetuum.core.tasks import purge_recycle_bin, purged_models
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, InteractionFactory


def test_every_binned_model_is_purged_after_the_models_pointing_at_it() -> None:
    order = purged_models()
    assert {Account, Interaction} <= set(order)
    assert all(issubclass(model, Record) for model in order)
    position = {model: index for index, model in enumerate(order)}
    for model in order:
        for field in model._meta.concrete_fields:
            target = field.related_model if isinstance(field, models.ForeignKey) else None
            if target in position and target is not model:
                assert position[model] < position[target], (model, target)


def test_the_task_purges_what_stayed_too_long(administrator: Any) -> None:
    old = AccountFactory(owner=administrator, name="Old")
    recent = AccountFactory(owner=administrator, name="Recent")
    note = InteractionFactory(owner=administrator, account=old)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Account.all_objects.filter(pk=old.pk).update(deleted_at=long_ago)
    Interaction.all_objects.filter(pk=note.pk).update(deleted_at=long_ago)
    Account.all_objects.filter(pk=recent.pk).update(deleted_at=timezone.now())

    assert purge_recycle_bin.call() == 2
    assert list(Account.all_objects.values_list("name", flat=True)) == ["Recent"]
    assert AuditEvent.objects.filter(action="purge").count() == 2
    assert purge_recycle_bin.call() == 0
