"""Checking a generated PDF against the values its template was filled with."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from perpetuum.documents import services

_VARIABLE = re.compile(r"{{\s*([a-z_][\w.]*)")
LOOPS = {"line": ("lines",), "tax": ("totals", "taxes")}


def _lookup(context: dict[str, Any], path: list[str]) -> Any:
    value: Any = context
    for part in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(part, "")
    return value


def filled_values(body: str, context: dict[str, Any]) -> set[str]:
    """Every non-empty value the template body shows from `context`: its `{{ variables }}`,
    those of loops once per item."""
    values: set[str] = set()
    for match in _VARIABLE.finditer(body):
        head, *rest = match.group(1).split(".")
        if head in LOOPS:
            items = _lookup(context, list(LOOPS[head]))
            found = [_lookup(item, rest) for item in items]
        else:
            found = [_lookup(context, [head, *rest])]
        for value in found:
            if isinstance(value, str | int) and str(value).strip():
                values.add(re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip())
    return values


@contextmanager
def captured_contexts() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The (template body, context) of every document rendered inside the block."""
    captured: list[tuple[str, dict[str, Any]]] = []
    original = services.render_sandboxed

    def recording(source: str, context: dict[str, Any], *, language: str) -> str:
        captured.append((source, context))
        return original(source, context, language=language)

    services.render_sandboxed = recording
    try:
        yield captured
    finally:
        services.render_sandboxed = original
