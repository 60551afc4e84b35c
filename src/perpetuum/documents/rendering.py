"""Rendering document templates: a sandboxed Django template engine, and HTML to PDF with
WeasyPrint.

Templates are written by administrators and filled with client data, so the engine is
narrowed to what a document needs:

- no `{% load %}`, `{% include %}`, `{% extends %}`, `{% block %}` (nothing outside the
  template itself can be read), no `{% url %}`, `{% debug %}`, `{% csrf_token %}`;
- autoescaping is always on: `{% autoescape %}` and the `safe` / `safeseq` filters are not
  there, so a client's name can never become markup;
- the context holds plain values (dicts, lists, strings), never model instances, so no
  template can follow a relation to data it was not given;
- WeasyPrint may fetch `data:` URLs only — no files from the server's disk, no network.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.engine import Engine
from django.utils import translation

MAX_TEMPLATE_LENGTH = 200_000

ALLOWED_TAGS = {
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "lorem",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
}
REFUSED_FILTERS = {"safe", "safeseq", "pprint"}

register = Library()
for _name in ALLOWED_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name, _function in defaultfilters.register.filters.items():
    if _name not in REFUSED_FILTERS:
        register.filters[_name] = _function


class SandboxEngine(Engine):
    """An engine with no built-in libraries but the allowed tags and filters above."""

    default_builtins: list[str] = []


@functools.cache
def sandbox_engine() -> SandboxEngine:
    return SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=["perpetuum.documents.rendering"],
        autoescape=True,
        debug=False,
        string_if_invalid="",
    )


def template_check(source: str) -> None:
    """Refuse a template body that the sandbox cannot compile, with the reason."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise ValidationError({"body": [f"At most {MAX_TEMPLATE_LENGTH} characters."]})
    try:
        sandbox_engine().from_string(source)
    except TemplateSyntaxError as error:
        raise ValidationError({"body": [f"The template is not valid here: {error}"]}) from error


def render_sandboxed(source: str, context: dict[str, Any], *, language: str) -> str:
    """The template body filled with `context`, dates and numbers in `language`."""
    template_check(source)
    template = sandbox_engine().from_string(source)
    with translation.override(language):
        return template.render(Context(context, autoescape=True))


BASE_STYLESHEET = """
@page {
  size: A4;
  margin: 22mm 18mm 22mm 20mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }
}
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 11pt; margin: 6mm 0 2mm; }
p { margin: 0 0 2.5mm; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 1.5mm 2mm; }
.number, td.number, th.number { text-align: right; white-space: nowrap; }
.muted { color: #555; }
.pre { white-space: pre-line; }
"""


def html_document(body_html: str, *, language: str, title: str) -> str:
    """A whole HTML page around a rendered template body, with the base print styles."""
    from django.utils.html import escape

    return (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{BASE_STYLESHEET}</style></head>"
        f"<body>{body_html}</body></html>"
    )


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML page; only `data:` URLs are fetched."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
