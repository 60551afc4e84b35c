"""The recycle bin and the history (audit trail) of one record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from perpetuum.clients import selectors as client_selectors
from perpetuum.clients import services as client_services
from perpetuum.core.errors import NotFound
from perpetuum.core.filters import ListFilters
from perpetuum.timeline import selectors as timeline_selectors
from perpetuum.timeline import services as timeline_services
from perpetuum.web import selectors as web_selectors

RECYCLE_BIN_PAGE = 50


@dataclass(frozen=True)
class Kind:
    """A kind of record that goes to the recycle bin and has a history."""

    name: str
    title: str | Promise
    list_selector: Callable[..., Any]
    get_selector: Callable[..., Any]
    restore: Callable[[Any, Any], Any]
    sort: str


KINDS = {
    "account": Kind(
        "account",
        gettext_lazy("Accounts"),
        client_selectors.account_list,
        client_selectors.account_get,
        lambda actor, record: client_services.account_restore(actor=actor, account=record),
        "name",
    ),
    "contact": Kind(
        "contact",
        gettext_lazy("Contacts"),
        client_selectors.contact_list,
        client_selectors.contact_get,
        lambda actor, record: client_services.contact_restore(actor=actor, contact=record),
        "name",
    ),
    "lead": Kind(
        "lead",
        gettext_lazy("Leads"),
        client_selectors.lead_list,
        client_selectors.lead_get,
        lambda actor, record: client_services.lead_restore(actor=actor, lead=record),
        "name",
    ),
    "interaction": Kind(
        "interaction",
        gettext_lazy("Interactions"),
        timeline_selectors.interaction_list,
        timeline_selectors.interaction_get,
        lambda actor, record: timeline_services.interaction_restore(
            actor=actor, interaction=record
        ),
        "-updated_at",
    ),
}


def _kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError as missing:
        raise Http404() from missing


@login_required
def recycle_bin(request: HttpRequest) -> HttpResponse:
    """The deleted records of one kind that the user may restore (their write scope)."""
    kind = _kind(request.GET.get("type", "account"))
    cursor = request.GET.get("cursor") or None
    error = ""
    try:
        page = kind.list_selector(
            request.user,
            ListFilters(q=str(request.GET.get("q", ""))[:200]),
            sort=kind.sort,
            cursor=cursor,
            limit=RECYCLE_BIN_PAGE,
            deleted=True,
        )
        items, next_cursor = page.items, page.next_cursor
    except ValidationError as invalid:
        items, next_cursor, error = [], None, " ".join(invalid.messages)
    context = {
        "kind": kind,
        "kinds": KINDS.values(),
        "items": items,
        "next_cursor": next_cursor,
        "is_first_page": cursor is None,
        "error": error,
        "query": str(request.GET.get("q", ""))[:200],
    }
    return render(request, "web/records/recycle_bin.html", context)


@login_required
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    """Take one record out of the recycle bin; outside the user's write scope it is a 404."""
    kind = _kind(str(request.POST.get("type", "")))
    raw_id = str(request.POST.get("id", ""))
    if not raw_id.isdigit():
        raise Http404()
    record = kind.get_selector(request.user, int(raw_id), action="write", deleted=True)
    try:
        kind.restore(request.user, record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” was restored.") % {"name": record})
    return HttpResponseRedirect(f"{reverse('web:recycle_bin')}?type={kind.name}")


def readable_record(user: Any, kind: Kind, pk: int) -> Any:
    """The record if the user may read it, alive or in the recycle bin; else NotFound."""
    try:
        return kind.get_selector(user, pk)
    except NotFound:
        return kind.get_selector(user, pk, deleted=True)


@login_required
def history(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    """Every audited change of one record, newest first; only for who may read the record."""
    kind = _kind(object_type)
    record = readable_record(request.user, kind, pk)
    cursor = request.GET.get("cursor") or None
    try:
        page = web_selectors.record_history(record, cursor=cursor, limit=50)
    except ValidationError as invalid:
        raise Http404() from invalid
    context = {
        "kind": kind,
        "record": record,
        "events": page.items,
        "next_cursor": page.next_cursor,
        "is_first_page": cursor is None,
    }
    return render(request, "web/records/history.html", context)


urlpatterns = [
    path("recycle-bin/", recycle_bin, name="recycle_bin"),
    path("recycle-bin/restore/", restore, name="restore"),
    path("history/<str:object_type>/<int:pk>/", history, name="history"),
]
