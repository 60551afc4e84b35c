"""The generic record services: optimistic versions, the audit trail, the recycle bin."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account, Contact
from perpetuum.core.errors import NotFound, VersionConflict
from perpetuum.core.models import AuditEvent, Tag
from perpetuum.core.services import record_update, recycle_bin_purge
from tests.factories import AccountFactory, ContactFactory, TagFactory

pytestmark = pytest.mark.django_db


def events(instance: Any, action: str | None = None) -> list[AuditEvent]:
    """The audit events of one record, oldest first."""
    queryset = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    )
    if action is not None:
        queryset = queryset.filter(action=action)
    return list(queryset.order_by("at", "id"))


# --- Versions ------------------------------------------------------------------------------


def test_update_with_the_current_version_bumps_it_by_one(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep, name="Old name")
    assert account.version == 1

    updated = clients.account_update(
        actor=sales_rep, account=account, data={"name": "New name"}, expected_version=1
    )

    assert updated.version == 2
    stored = Account.objects.get(pk=account.pk)
    assert (stored.name, stored.version) == ("New name", 2)
    assert stored.updated_at > account.updated_at


def test_update_with_a_stale_version_is_refused_and_changes_nothing(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep, name="Old name")
    clients.account_update(
        actor=sales_rep, account=account, data={"city": "Berlin"}, expected_version=1
    )
    event_count = AuditEvent.objects.count()

    with pytest.raises(VersionConflict) as error:
        clients.account_update(
            actor=sales_rep, account=account, data={"name": "Lost update"}, expected_version=1
        )

    assert error.value.extra == {"current_version": 2}
    stored = Account.objects.get(pk=account.pk)
    assert (stored.name, stored.city, stored.version) == ("Old name", "Berlin", 2)
    assert AuditEvent.objects.count() == event_count


def test_update_without_an_expected_version_skips_the_check(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    clients.account_update(actor=sales_rep, account=account, data={"city": "A"}, expected_version=1)

    updated = clients.account_update(
        actor=sales_rep, account=account, data={"city": "B"}, expected_version=None
    )

    assert (updated.city, updated.version) == ("B", 3)


def test_update_that_changes_nothing_keeps_the_version_and_writes_no_event(
    sales_rep: Any,
) -> None:
    account = AccountFactory(owner=sales_rep, name="ACME", emails=["info@acme.example"])
    event_count = AuditEvent.objects.count()

    # The same e-mail written differently normalises to the stored value: no change.
    updated = clients.account_update(
        actor=sales_rep,
        account=account,
        data={"name": "ACME", "emails": [" INFO@acme.example "]},
        expected_version=1,
    )

    assert updated.version == 1
    stored = Account.objects.get(pk=account.pk)
    assert (stored.version, stored.updated_at) == (1, account.updated_at)
    assert AuditEvent.objects.count() == event_count


def test_update_refuses_fields_outside_the_allow_list(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)

    for data in ({"version": 7}, {"root": account.pk}, {"owner": sales_rep}, {"deleted_at": None}):
        with pytest.raises(ValueError, match="fields not allowed"):
            clients.account_update(
                actor=sales_rep, account=account, data=data, expected_version=None
            )

    assert Account.objects.get(pk=account.pk).version == 1


def test_record_update_refuses_unknown_fields(administrator: Any) -> None:
    tag = TagFactory(name="vip")

    with pytest.raises(ValueError, match="fields not allowed: \\['color', 'secret'\\]"):
        record_update(
            actor=administrator,
            instance=tag,
            data={"name": "VIP", "color": "#000000", "secret": 1},
            allowed=["name"],
            expected_version=None,
        )

    assert Tag.objects.get(pk=tag.pk).name == "vip"


def test_update_of_a_missing_record_is_not_found(administrator: Any) -> None:
    tag = TagFactory()
    Tag.all_objects.filter(pk=tag.pk).delete()

    with pytest.raises(NotFound):
        record_update(actor=administrator, instance=tag, data={}, allowed=[], expected_version=None)


# --- The audit trail -----------------------------------------------------------------------


def test_create_writes_one_event_with_the_new_values(sales_rep: Any, request_id: str) -> None:
    account = clients.account_create(actor=sales_rep, data={"name": "ACME", "city": "Bonn"})

    (event,) = events(account)
    assert event.action == "create"
    assert (event.actor, event.actor_name, event.request_id) == (sales_rep, "rep", request_id)
    assert (event.object_type, event.object_id, event.object_repr) == (
        "clients.account",
        str(account.pk),
        "ACME",
    )
    assert event.changes["name"] == [None, "ACME"]
    assert event.changes["city"] == [None, "Bonn"]
    assert event.changes["owner"] == [None, sales_rep.pk]
    assert AuditEvent.objects.count() == 1


def test_update_writes_one_event_with_each_changed_field(sales_rep: Any, request_id: str) -> None:
    account = AccountFactory(owner=sales_rep, name="ACME", city="Bonn", industry="Steel")
    tag = TagFactory()

    clients.account_update(
        actor=sales_rep,
        account=account,
        data={"name": "ACME AG", "city": "Köln", "industry": "Steel", "tag_ids": [tag.pk]},
        expected_version=1,
    )

    (event,) = events(account, "update")
    assert event.changes == {
        "name": ["ACME", "ACME AG"],
        "city": ["Bonn", "Köln"],
        "tags": [[], [tag.pk]],
    }
    assert (event.actor, event.actor_name, event.request_id) == (sales_rep, "rep", request_id)
    assert len(events(account)) == 2


def test_delete_and_restore_write_one_event_each(sales_rep: Any, request_id: str) -> None:
    account = AccountFactory(owner=sales_rep)

    clients.account_delete(actor=sales_rep, account=account)
    clients.account_restore(actor=sales_rep, account=account)

    assert [event.action for event in events(account)] == ["create", "delete", "restore"]
    for event in events(account)[1:]:
        assert (event.actor, event.actor_name, event.request_id) == (sales_rep, "rep", request_id)


def test_the_trail_outlives_the_actor(make_user: Callable[..., Any]) -> None:
    leaving = make_user("sales_representative", username="leaving")
    account = clients.account_create(actor=leaving, data={"name": "ACME"})
    clients.account_update(
        actor=leaving, account=account, data={"name": "ACME AG"}, expected_version=1
    )

    leaving.delete()

    trail = events(account)
    assert [(event.action, event.actor_id, event.actor_name) for event in trail] == [
        ("create", None, "leaving"),
        ("update", None, "leaving"),
    ]
    assert Account.objects.get(pk=account.pk).owner is None


def test_a_write_without_a_user_is_audited_as_the_system(administrator: Any) -> None:
    account = AccountFactory(owner=administrator)
    Account.all_objects.filter(pk=account.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=60)
    )

    recycle_bin_purge(models_to_purge=[Account])

    (event,) = events(account, "purge")
    assert (event.actor, event.actor_name) == (None, "system")


# --- The recycle bin -----------------------------------------------------------------------


def test_deleted_records_leave_the_default_manager_and_come_back_on_restore(
    sales_rep: Any,
) -> None:
    account = AccountFactory(owner=sales_rep)

    deleted = clients.account_delete(actor=sales_rep, account=account, expected_version=1)

    assert deleted.version == 2
    assert Account.objects.filter(pk=account.pk).count() == 0
    in_bin = Account.all_objects.get(pk=account.pk)
    assert in_bin.is_deleted is True
    assert in_bin.deleted_by == sales_rep

    restored = clients.account_restore(actor=sales_rep, account=account)

    assert restored.version == 3
    live = Account.objects.get(pk=account.pk)
    assert (live.deleted_at, live.deleted_by, live.version) == (None, None, 3)


def test_delete_with_a_stale_version_is_refused(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    clients.account_update(actor=sales_rep, account=account, data={"city": "X"}, expected_version=1)

    with pytest.raises(VersionConflict):
        clients.account_delete(actor=sales_rep, account=account, expected_version=1)

    assert Account.objects.filter(pk=account.pk).count() == 1


def test_deleting_twice_and_restoring_a_live_record_are_not_found(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    with pytest.raises(NotFound):
        clients.account_restore(actor=sales_rep, account=account)

    clients.account_delete(actor=sales_rep, account=account)
    with pytest.raises(NotFound):
        clients.account_delete(actor=sales_rep, account=account)

    assert [event.action for event in events(account)] == ["create", "delete"]


def _deleted_days_ago(instance: Any, days: float) -> None:
    type(instance).all_objects.filter(pk=instance.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_purge_removes_only_what_stayed_longer_than_the_retention(
    sales_rep: Any, settings: Any
) -> None:
    settings.PERPETUUM_RECYCLE_BIN_DAYS = 30
    live = AccountFactory(owner=sales_rep)
    recent = AccountFactory(owner=sales_rep)
    old = AccountFactory(owner=sales_rep)
    older = AccountFactory(owner=sales_rep)
    old_contact = ContactFactory(owner=sales_rep)
    _deleted_days_ago(recent, 29)
    _deleted_days_ago(old, 31)
    _deleted_days_ago(older, 400)
    _deleted_days_ago(old_contact, 31)

    purged = recycle_bin_purge(models_to_purge=[Account, Contact])

    assert purged == 3
    assert sorted(Account.all_objects.values_list("pk", flat=True)) == [live.pk, recent.pk]
    assert Contact.all_objects.count() == 0
    purge_events = AuditEvent.objects.filter(action="purge")
    assert sorted(purge_events.values_list("object_type", "object_id")) == sorted(
        [
            ("clients.account", str(old.pk)),
            ("clients.account", str(older.pk)),
            ("clients.contact", str(old_contact.pk)),
        ]
    )


def test_purge_is_idempotent(sales_rep: Any) -> None:
    old = AccountFactory(owner=sales_rep)
    _deleted_days_ago(old, 90)

    assert recycle_bin_purge(models_to_purge=[Account]) == 1
    assert recycle_bin_purge(models_to_purge=[Account]) == 0

    assert Account.all_objects.count() == 0
    assert AuditEvent.objects.filter(action="purge").count() == 1


def test_purge_takes_an_explicit_retention(sales_rep: Any) -> None:
    kept = AccountFactory(owner=sales_rep)
    week_old = AccountFactory(owner=sales_rep)
    _deleted_days_ago(kept, 2)
    _deleted_days_ago(week_old, 7.5)

    assert recycle_bin_purge(models_to_purge=[Account], older_than_days=7) == 1

    assert list(Account.all_objects.values_list("pk", flat=True)) == [kept.pk]


def test_purging_an_account_keeps_its_contacts(sales_rep: Any) -> None:
    account = AccountFactory(owner=sales_rep)
    contact = ContactFactory(owner=sales_rep, account=account)
    _deleted_days_ago(account, 90)

    recycle_bin_purge(models_to_purge=[Account])

    contact.refresh_from_db()
    assert contact.account_id is None
    assert contact.roles.count() == 0
