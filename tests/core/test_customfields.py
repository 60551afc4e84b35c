"""Custom field values: validated against their definitions, stored cleaned."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from perpetuum.clients import services as clients
from perpetuum.clients.models import Account
from perpetuum.core.customfields import clean_custom_values
from perpetuum.core.models import AuditEvent, CustomFieldDefinition
from tests.factories import AccountFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db

Type = CustomFieldDefinition.FieldType
TIERS = ["gold", "silver", "bronze"]


def define(field_type: str, key: str = "field", **options: Any) -> CustomFieldDefinition:
    return CustomFieldDefinitionFactory(entity="account", key=key, field_type=field_type, **options)


def errors_of(values: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        clean_custom_values("account", values)
    return error.value.message_dict


@pytest.mark.parametrize(
    ("field_type", "options", "value", "cleaned"),
    [
        (Type.TEXT, {}, "Hello", "Hello"),
        (Type.TEXT, {"max_length": 5}, "Hello", "Hello"),
        (Type.NUMBER, {}, 42, 42),
        (Type.NUMBER, {}, "42", 42),
        (Type.NUMBER, {}, "42.0", 42),
        (Type.NUMBER, {}, 1.5, 1.5),
        (Type.NUMBER, {"min_value": 0, "max_value": 10}, 0, 0),
        (Type.NUMBER, {"min_value": 0, "max_value": 10}, "10", 10),
        (Type.MONEY, {}, "19.9", "19.90"),
        (Type.MONEY, {}, 1000, "1000.00"),
        (Type.MONEY, {}, "0.5", "0.50"),
        (Type.DATE, {}, "2024-02-29", "2024-02-29"),
        (Type.BOOLEAN, {}, True, True),
        (Type.BOOLEAN, {}, False, False),
        (Type.CHOICE, {"choices": TIERS}, "silver", "silver"),
        (Type.MULTI_CHOICE, {"choices": TIERS}, ["bronze", "gold"], ["gold", "bronze"]),
        (Type.MULTI_CHOICE, {"choices": TIERS}, ["gold", "gold"], ["gold"]),
    ],
)
def test_valid_values_are_cleaned(
    field_type: str, options: dict[str, Any], value: Any, cleaned: Any
) -> None:
    define(field_type, **options)

    assert clean_custom_values("account", {"field": value}) == {"field": cleaned}


@pytest.mark.parametrize(
    ("field_type", "options", "value"),
    [
        (Type.TEXT, {}, 42),
        (Type.TEXT, {}, ["a"]),
        (Type.TEXT, {"max_length": 5}, "Hello!"),
        (Type.NUMBER, {}, "forty-two"),
        (Type.NUMBER, {}, True),
        (Type.NUMBER, {}, "NaN"),
        (Type.NUMBER, {}, "Infinity"),
        (Type.NUMBER, {"min_value": 0}, -1),
        (Type.NUMBER, {"max_value": 10}, "10.01"),
        (Type.MONEY, {}, "12,50"),
        (Type.MONEY, {}, False),
        (Type.DATE, {}, "2023-02-29"),
        (Type.DATE, {}, "29.02.2024"),
        (Type.DATE, {}, "tomorrow"),
        (Type.BOOLEAN, {}, "yes"),
        (Type.BOOLEAN, {}, 1),
        (Type.CHOICE, {"choices": TIERS}, "platinum"),
        (Type.CHOICE, {"choices": TIERS}, ["gold"]),
        (Type.MULTI_CHOICE, {"choices": TIERS}, "gold"),
        (Type.MULTI_CHOICE, {"choices": TIERS}, ["gold", "platinum"]),
    ],
)
def test_invalid_values_are_keyed_by_the_custom_field(
    field_type: str, options: dict[str, Any], value: Any
) -> None:
    define(field_type, **options)

    assert list(errors_of({"field": value})) == ["custom.field"]


@pytest.mark.parametrize("empty", [None, "", []])
def test_a_required_field_needs_a_value(empty: Any) -> None:
    define(Type.TEXT, key="vat_group", is_required=True)

    assert errors_of({"vat_group": empty}) == {"custom.vat_group": ["This field is required."]}
    assert errors_of({}) == {"custom.vat_group": ["This field is required."]}


def test_empty_optional_values_are_dropped() -> None:
    define(Type.TEXT, key="note")
    define(Type.MULTI_CHOICE, key="tiers", choices=TIERS)

    assert clean_custom_values("account", {"note": "", "tiers": []}) == {}
    assert clean_custom_values("account", None) == {}


def test_an_unknown_key_is_refused() -> None:
    define(Type.TEXT, key="note")

    assert errors_of({"note": "ok", "nope": 1}) == {
        "custom.nope": ["There is no such custom field."]
    }


def test_every_error_is_reported_at_once() -> None:
    define(Type.NUMBER, key="employees")
    define(Type.BOOLEAN, key="is_public", is_required=True)

    assert sorted(errors_of({"employees": "many", "typo": 1})) == [
        "custom.employees",
        "custom.is_public",
        "custom.typo",
    ]


def test_definitions_of_other_entities_and_deleted_ones_do_not_apply() -> None:
    CustomFieldDefinitionFactory(entity="contact", key="birthday", field_type=Type.DATE)
    deleted = define(Type.TEXT, key="old_field", is_required=True)
    CustomFieldDefinition.all_objects.filter(pk=deleted.pk).update(deleted_at=deleted.created_at)

    assert clean_custom_values("account", {}) == {}
    assert errors_of({"birthday": "2000-01-01"}) == {
        "custom.birthday": ["There is no such custom field."]
    }


def test_account_stores_cleaned_values(sales_rep: Any) -> None:
    define(Type.MONEY, key="credit_limit")
    define(Type.MULTI_CHOICE, key="tiers", choices=TIERS)
    define(Type.NUMBER, key="employees")

    account = clients.account_create(
        actor=sales_rep,
        data={
            "name": "ACME",
            "custom": {"credit_limit": 5000, "tiers": ["silver", "gold"], "employees": "250"},
        },
    )

    stored = Account.objects.get(pk=account.pk)
    assert stored.custom == {
        "credit_limit": "5000.00",
        "tiers": ["gold", "silver"],
        "employees": 250,
    }


def test_invalid_custom_values_store_nothing(sales_rep: Any) -> None:
    define(Type.CHOICE, key="tier", choices=TIERS)

    with pytest.raises(ValidationError) as error:
        clients.account_create(actor=sales_rep, data={"name": "ACME", "custom": {"tier": "iron"}})

    assert list(error.value.message_dict) == ["custom.tier"]
    assert Account.all_objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_custom_values_on_update_are_audited_cleaned(sales_rep: Any) -> None:
    define(Type.MONEY, key="credit_limit")
    account = AccountFactory(owner=sales_rep, custom={"credit_limit": "100"})

    clients.account_update(
        actor=sales_rep,
        account=account,
        data={"custom": {"credit_limit": 250.5}},
        expected_version=1,
    )

    event = AuditEvent.objects.get(action="update", object_id=str(account.pk))
    assert event.changes == {"custom": [{"credit_limit": "100.00"}, {"credit_limit": "250.50"}]}
