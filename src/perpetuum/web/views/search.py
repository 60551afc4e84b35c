"""The global search: accounts, contacts and leads matching what the user types.

The search box asks for `/search/` through htmx while the user types and shows the
fragment under the box; without JavaScript, or on Enter, the same address is a full page.
Every match comes from the clients' list selectors, in the user's scope.
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
from perpetuum.core.filters import ListFilters

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
    """Up to `limit` accounts, contacts and leads matching `query`, by name."""
    filters = ListFilters(q=query)
    groups = [
        ("accounts", _("Accounts"), client_selectors.account_list, "name"),
        ("contacts", _("Contacts"), client_selectors.contact_list, "name"),
        ("leads", _("Leads"), client_selectors.lead_list, "name"),
    ]
    result = []
    for list_name, title, selector, sort in groups:
        page = selector(user, filters, sort=sort, limit=limit)
        result.append(ResultGroup(list_name, title, page.items, page.next_cursor is not None))
    return result


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
