"""Validation of custom field values against their administrator-made definitions."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from perpetuum.core.models import CustomFieldDefinition


def definitions_for(entity: str) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(entity=entity))


def _clean_one(definition: CustomFieldDefinition, value: Any) -> Any:
    kind = CustomFieldDefinition.FieldType
    if definition.field_type == kind.TEXT:
        if not isinstance(value, str):
            raise ValidationError("Enter text.")
        if definition.max_length and len(value) > definition.max_length:
            raise ValidationError(f"At most {definition.max_length} characters.")
        return value
    if definition.field_type in (kind.NUMBER, kind.MONEY):
        if isinstance(value, bool):
            raise ValidationError("Enter a number.")
        try:
            number = Decimal(str(value))
        except InvalidOperation as error:
            raise ValidationError("Enter a number.") from error
        if not number.is_finite():
            raise ValidationError("Enter a number.")
        if definition.min_value is not None and number < definition.min_value:
            raise ValidationError(f"At least {definition.min_value}.")
        if definition.max_value is not None and number > definition.max_value:
            raise ValidationError(f"At most {definition.max_value}.")
        if definition.field_type == kind.MONEY:
            return str(number.quantize(Decimal("0.01")))
        return int(number) if number == number.to_integral_value() else float(number)
    if definition.field_type == kind.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError as error:
            raise ValidationError("Enter a date as YYYY-MM-DD.") from error
    if definition.field_type == kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationError("Enter true or false.")
        return value
    if definition.field_type == kind.CHOICE:
        if value not in definition.choices:
            raise ValidationError(f"Choose one of: {', '.join(map(str, definition.choices))}.")
        return value
    if definition.field_type == kind.MULTI_CHOICE:
        if not isinstance(value, list) or any(item not in definition.choices for item in value):
            raise ValidationError(f"Choose any of: {', '.join(map(str, definition.choices))}.")
        return sorted(set(value), key=definition.choices.index)
    raise ValidationError("Unknown field type.")


def clean_custom_values(entity: str, values: dict[str, Any] | None) -> dict[str, Any]:
    """The values, validated and normalised; errors keyed `custom.<key>`. Unknown keys and
    missing required fields are errors; empty values (None, "", []) are dropped."""
    values = dict(values or {})
    definitions = {definition.key: definition for definition in definitions_for(entity)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in values:
        if key not in definitions:
            errors[f"custom.{key}"] = ["There is no such custom field."]
    for key, definition in definitions.items():
        value = values.get(key)
        if value is None or value == "" or value == []:
            if definition.is_required:
                errors[f"custom.{key}"] = ["This field is required."]
            continue
        try:
            cleaned[key] = _clean_one(definition, value)
        except ValidationError as error:
            errors[f"custom.{key}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def filter_value(definition: CustomFieldDefinition, raw: str) -> Any:
    """A query-string value turned into what the JSON column holds, for list filters."""
    kind = CustomFieldDefinition.FieldType
    if definition.field_type == kind.BOOLEAN:
        return raw.lower() in {"1", "true", "yes"}
    if definition.field_type == kind.NUMBER:
        try:
            number = Decimal(raw)
        except InvalidOperation as error:
            raise ValidationError({f"custom.{definition.key}": ["Enter a number."]}) from error
        return int(number) if number == number.to_integral_value() else float(number)
    return raw
