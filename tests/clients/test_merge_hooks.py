"""Other apps move what they keep of a merged record through merge hooks."""

from __future__ import annotations

from typing import Any

import pytest

from perpetuum.clients import services
from perpetuum.core.models import AuditEvent
from tests.factories import AccountFactory, ContactFactory


def test_documents_and_surveys_register_their_hooks() -> None:
    modules = {
        entity: sorted(hook.__module__ for hook in hooks)
        for entity, hooks in services.MERGE_HOOKS.items()
    }
    assert modules == {
        "account": ["perpetuum.documents.apps"],
        "contact": ["perpetuum.surveys.apps"],
    }


@pytest.fixture
def recorded_hooks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, Any]]:
    calls: list[tuple[str, Any, Any]] = []
    for entity in ("account", "contact"):

        def hook(other: Any, survivor: Any, entity: str = entity) -> dict[str, int]:
            calls.append((entity, other.pk, survivor.pk))
            return {f"{entity}_things": 3}

        monkeypatch.setitem(services.MERGE_HOOKS, entity, [hook])
    return calls


def test_an_account_merge_runs_the_hooks_and_audits_their_counts(
    administrator: Any, recorded_hooks: list[tuple[str, Any, Any]]
) -> None:
    survivor = AccountFactory(owner=administrator, name="Keep")
    other = AccountFactory(owner=administrator, name="Drop")
    services.account_merge(actor=administrator, survivor=survivor, other=other)
    assert recorded_hooks == [("account", other.pk, survivor.pk)]
    event = AuditEvent.objects.get(action="merge", object_id=str(survivor.pk))
    assert event.changes["moved_account_things"] == [0, 3]


def test_a_contact_merge_runs_the_hooks(
    administrator: Any, recorded_hooks: list[tuple[str, Any, Any]]
) -> None:
    survivor = ContactFactory(owner=administrator)
    other = ContactFactory(owner=administrator)
    services.contact_merge(actor=administrator, survivor=survivor, other=other)
    assert recorded_hooks == [("contact", other.pk, survivor.pk)]
