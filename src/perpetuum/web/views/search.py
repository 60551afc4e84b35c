"""The global search: accounts, contacts and leads matching what the user types.

The search box asks for `/search/` through htmx while the user types and shows the
fragment under the box; without JavaScript, or on Enter, the same address is a full page.
Every match comes from the clients' ranked search selector, in the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from perpetuum.clients import selectors as client_selectors

SUGGESTIONS_PER_KIND = 5
RESULTS_PER_KIND = 20
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@dataclass
class ResultGroup:
    """The matches of one kind of record."""

    list_name: str
    title: str | Promise
    items: list[Any]
    has_more: bool


def search_groups(user: Any, query: str, *, limit: int) -> list[ResultGroup]:
    """Up to `limit` accounts, contacts and leads matching `query`, best match first, among
    the records the user may see (the clients' ranked search)."""
    found = client_selectors.global_search(user, query, limit=limit)
    groups = [
        ("accounts", "account", _("Accounts")),
        ("contacts", "contact", _("Contacts")),
        ("leads", "lead", _("Leads")),
    ]
    return [
        ResultGroup(list_name, title, found.get(entity, []), len(found.get(entity, [])) >= limit)
        for list_name, entity, title in groups
    ]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = str(request.GET.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    is_fragment = bool(request.htmx) and not request.htmx.boosted
    groups: list[ResultGroup] = []
    if len(query) >= MIN_QUERY_LENGTH:
        limit = SUGGESTIONS_PER_KIND if is_fragment else RESULTS_PER_KIND
        groups = search_groups(request.user, query, limit=limit)
    context = {
        "query": query,
        "search_query": query,
        "groups": groups,
        "has_results": any(group.items for group in groups),
        "too_short": 0 < len(query) < MIN_QUERY_LENGTH,
        "min_length": MIN_QUERY_LENGTH,
    }
    template = "web/search/suggestions.html" if is_fragment else "web/search/page.html"
    return render(request, template, context)


urlpatterns = [path("search/", search, name="search")]
