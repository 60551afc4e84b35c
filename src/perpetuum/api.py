"""The REST API: one NinjaAPI, one router per app, under /api/v1/.

The OpenAPI document is at /api/openapi.json and the interactive docs at /api/docs.
Custom fields that administrators define at run time appear in the document: every
schema property marked `x-custom-fields` is filled with the current definitions.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from perpetuum.clients.api import router as clients_router
from perpetuum.core.api import router as core_router
from perpetuum.core.api_support import AUTH, JSONRenderer, install_error_handlers
from perpetuum.core.models import CustomFieldDefinition
from perpetuum.documents.api import router as documents_router
from perpetuum.sales.api import router as sales_router
from perpetuum.surveys.api import router as surveys_router
from perpetuum.timeline.api import router as timeline_router

JSON_TYPES = {
    "text": {"type": "string"},
    "number": {"type": "number"},
    "money": {"type": "string", "format": "decimal"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}
# Which entity each schema's `custom` property belongs to.
SCHEMA_ENTITIES = {"Account": "account", "Contact": "contact", "Lead": "lead"}


def custom_field_schema(entity: str) -> dict[str, Any]:
    """The JSON schema of an entity's `custom` object, from the live definitions."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for definition in CustomFieldDefinition.objects.filter(entity=entity):
        if definition.field_type == "choice":
            schema: dict[str, Any] = {"type": "string", "enum": definition.choices}
        elif definition.field_type == "multi_choice":
            schema = {"type": "array", "items": {"type": "string", "enum": definition.choices}}
        else:
            schema = dict(JSON_TYPES[definition.field_type])
        schema["title"] = definition.label
        if definition.help_text:
            schema["description"] = definition.help_text
        properties[definition.key] = schema
        if definition.is_required:
            required.append(definition.key)
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    result["additionalProperties"] = False
    return result


class PerpetuumAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document describes the custom fields defined right now."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        cache: dict[str, dict[str, Any]] = {}
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            custom = component.get("properties", {}).get("custom")
            if not custom or not custom.get("x-custom-fields"):
                continue
            entity = next(
                (value for prefix, value in SCHEMA_ENTITIES.items() if name.startswith(prefix)),
                None,
            )
            if entity is None:
                continue
            if entity not in cache:
                cache[entity] = custom_field_schema(entity)
            described = dict(cache[entity])
            if "anyOf" in custom:  # optional in a PATCH body
                described = {"anyOf": [described, {"type": "null"}]}
            component["properties"]["custom"] = {
                "title": "Custom fields",
                "x-custom-fields": entity,
                **described,
            }
        return schema


api = PerpetuumAPI(
    title="Perpetuum API",
    version="1",
    description=(
        "The REST API of Perpetuum. Authenticate with the browser session (and its CSRF "
        "token) or a personal token: `Authorization: Bearer <token>`. Errors are "
        "`application/problem+json`. Reads return an `ETag`; updates require `If-Match`. "
        "Creates accept an `Idempotency-Key`. Lists are cursor-paginated: pass "
        "`next_cursor` back as `cursor`; `custom.<key>=<value>` filters on custom fields."
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
    auth=AUTH,
    renderer=JSONRenderer(),
)
install_error_handlers(api)
api.add_router("/v1/", core_router)
api.add_router("/v1/", clients_router)
api.add_router("/v1/", timeline_router)
api.add_router("/v1/", documents_router)
api.add_router("/v1/", sales_router)
api.add_router("/v1/", surveys_router)
