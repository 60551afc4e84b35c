"""The REST API: one NinjaAPI, one router per app, under /api/v1/.

The OpenAPI document is at /api/openapi.json and the interactive docs at /api/docs.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Perpetuum API",
    version="1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)
