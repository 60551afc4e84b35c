"""The workspace's routes, gathered from the page modules in `web/views/`.

A page module exports `urlpatterns`; modules that are not there (yet) are skipped, so each
area can be built on its own.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

PAGE_MODULES = [
    "basics",
    "auth",
    "search",
    "records",
    "cards",
    "forms",
    "merge",
    "admin_pages",
    "lists",
]


def _patterns() -> list[Any]:
    patterns: list[Any] = []
    for name in PAGE_MODULES:
        module_name = f"perpetuum.web.views.{name}"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        patterns.extend(module.urlpatterns)
    return patterns


app_name = "web"
urlpatterns = _patterns()
