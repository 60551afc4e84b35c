"""Record-level access: what `scoped()` lets each role read and write.

Every role is checked against the same five kinds of record, owned by the viewer
themselves, a teammate, someone else in the same office, someone in another office of the
same legal entity, and someone in the other legal entity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core import access
from perpetuum.core.errors import NotFound, PermissionDenied
from perpetuum.core.ownership import require
from perpetuum.timeline.models import Interaction
from tests.conftest import Org
from tests.factories import AccountFactory, ContactFactory, InteractionFactory, LeadFactory

pytestmark = pytest.mark.django_db

MODELS = {"account": Account, "contact": Contact, "lead": Lead, "interaction": Interaction}
BUCKETS = ["own", "team", "office", "legal_entity", "other_legal_entity"]

NONE: set[str] = set()
OWN = {"own"}
TEAM = OWN | {"team"}
OFFICE = TEAM | {"office"}
LEGAL_ENTITY = OFFICE | {"legal_entity"}
ALL = LEGAL_ENTITY | {"other_legal_entity"}


def same(read: set[str], write: set[str]) -> dict[str, dict[str, set[str]]]:
    return {entity: {"read": read, "write": write} for entity in MODELS}


# Written out by hand so that a change to the default roles is a deliberate one.
EXPECTED = {
    "administrator": same(ALL, ALL),
    "executive": same(ALL, OWN),
    "sales_manager": same(OFFICE, TEAM),
    "sales_representative": same(TEAM, OWN),
    "support_agent": {
        "account": {"read": LEGAL_ENTITY, "write": NONE},
        "contact": {"read": LEGAL_ENTITY, "write": OWN},
        "lead": {"read": NONE, "write": NONE},
        "interaction": {"read": LEGAL_ENTITY, "write": OWN},
    },
    "marketer": {
        "account": {"read": LEGAL_ENTITY, "write": NONE},
        "contact": {"read": LEGAL_ENTITY, "write": NONE},
        "lead": {"read": LEGAL_ENTITY, "write": TEAM},
        "interaction": {"read": OWN, "write": OWN},
    },
    "read_only": same(OFFICE, NONE),
}


def test_the_matrix_covers_every_default_role() -> None:
    assert sorted(EXPECTED) == sorted(access.ROLE_CODES)


def make_records(org: Org, make_user: Callable[..., Any], viewer: Any) -> dict[str, dict]:
    """One account, contact, lead and interaction per bucket: {entity: {bucket: record}}."""
    owners = {
        "own": viewer,
        "team": make_user(office=org.berlin, teams=[org.berlin_sales]),
        "office": make_user(office=org.berlin, teams=[org.berlin_key_accounts]),
        "legal_entity": make_user(office=org.munich, teams=[org.munich_sales]),
        "other_legal_entity": make_user(office=org.moscow, teams=[org.moscow_sales]),
    }
    records: dict[str, dict] = {entity: {} for entity in MODELS}
    for bucket, owner in owners.items():
        account = AccountFactory(owner=owner)
        records["account"][bucket] = account
        records["contact"][bucket] = ContactFactory(owner=owner, account=account)
        records["lead"][bucket] = LeadFactory(owner=owner)
        records["interaction"][bucket] = InteractionFactory(owner=owner, account=account)
    return records


def visible(user: Any, records: dict[str, dict]) -> dict[str, dict[str, set[str]]]:
    """{entity: {action: buckets}} of what `scoped()` returns for the user."""
    result: dict[str, dict[str, set[str]]] = {}
    for entity, model in MODELS.items():
        bucket_of = {record.pk: bucket for bucket, record in records[entity].items()}
        result[entity] = {}
        for action in ("read", "write"):
            pks = scoped_pks(user, model, action)
            result[entity][action] = {bucket_of[pk] for pk in pks if pk in bucket_of}
    return result


def scoped_pks(user: Any, model: type, action: str) -> list[int]:
    return list(access.scoped(user, model.objects.all(), action).values_list("pk", flat=True))


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_scopes(role: str, org: Org, make_user: Callable[..., Any]) -> None:
    viewer = make_user(role, office=org.berlin, teams=[org.berlin_sales])
    records = make_records(org, make_user, viewer)

    assert visible(viewer, records) == EXPECTED[role]


def test_superuser_without_role_sees_and_writes_everything(
    org: Org, make_user: Callable[..., Any]
) -> None:
    viewer = make_user(None, is_superuser=True)
    records = make_records(org, make_user, viewer)

    assert visible(viewer, records) == same(ALL, ALL)


def test_inactive_user_sees_nothing(org: Org, make_user: Callable[..., Any]) -> None:
    viewer = make_user("administrator")
    records = make_records(org, make_user, viewer)
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])

    assert visible(viewer, records) == same(NONE, NONE)


def test_inactive_superuser_sees_nothing(org: Org, make_user: Callable[..., Any]) -> None:
    viewer = make_user(None, is_superuser=True)
    records = make_records(org, make_user, viewer)
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])

    assert visible(viewer, records) == same(NONE, NONE)


def test_user_without_role_sees_nothing(org: Org, make_user: Callable[..., Any]) -> None:
    viewer = make_user(None)
    records = make_records(org, make_user, viewer)

    assert visible(viewer, records) == same(NONE, NONE)


def test_team_scope_without_a_team_is_own_records_only(
    org: Org, make_user: Callable[..., Any]
) -> None:
    viewer = make_user("sales_representative", office=org.berlin, teams=[])
    records = make_records(org, make_user, viewer)

    assert visible(viewer, records) == same(OWN, OWN)


def test_records_in_the_recycle_bin_are_not_in_the_scope(
    org: Org, make_user: Callable[..., Any]
) -> None:
    viewer = make_user("administrator")
    kept, deleted = AccountFactory(owner=viewer), AccountFactory(owner=viewer)
    Account.all_objects.filter(pk=deleted.pk).update(deleted_at=deleted.created_at)

    assert scoped_pks(viewer, Account, "read") == [kept.pk]


def test_scope_of_names_the_granted_scope(make_user: Callable[..., Any]) -> None:
    manager = make_user("sales_manager")

    assert access.scope_of(manager, "account", "read") == access.Scope.OFFICE
    assert access.scope_of(manager, "account", "write") == access.Scope.TEAM
    assert access.may_create(manager, "lead") is True
    assert access.may_create(make_user("read_only"), "lead") is False


def test_require_answers_out_of_scope_as_missing_and_read_only_as_forbidden(
    org: Org, make_user: Callable[..., Any]
) -> None:
    executive = make_user("executive")
    colleague_account = AccountFactory(owner=make_user(office=org.berlin))
    foreign_rep = make_user("sales_representative", office=org.moscow)

    with pytest.raises(PermissionDenied):
        require(executive, "write", colleague_account)
    with pytest.raises(NotFound):
        require(foreign_rep, "read", colleague_account)
    with pytest.raises(NotFound):
        require(foreign_rep, "write", colleague_account)
    require(executive, "read", colleague_account)
