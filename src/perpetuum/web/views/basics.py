"""Pages every installation has: "My day", the start page, and the liveness probe."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from perpetuum.clients import selectors as client_selectors
from perpetuum.core.filters import ListFilters
from perpetuum.timeline import selectors as timeline_selectors
from perpetuum.timeline.models import Interaction
from perpetuum.web.recent import recent_entries

MY_DAY_ROWS = 20

RECENT_SELECTORS = {
    "account": client_selectors.account_list,
    "contact": client_selectors.contact_list,
    "lead": client_selectors.lead_list,
}


def _recent(request: HttpRequest) -> list[tuple[str, Any]]:
    """The recently viewed clients the user may still see, most recent first."""
    entries = recent_entries(request)
    found: dict[tuple[str, int], Any] = {}
    for entity, selector in RECENT_SELECTORS.items():
        ids = [pk for kind, pk in entries if kind == entity]
        if not ids:
            continue
        page = selector(request.user, ListFilters(extra={"pk__in": ids}), limit=len(ids))
        found.update({(entity, record.pk): record for record in page.items})
    return [(entity, found[(entity, pk)]) for entity, pk in entries if (entity, pk) in found]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My day: what is planned for today, overdue tasks, recent clients and waiting leads."""
    user = request.user
    now = timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + datetime.timedelta(days=1)
    planned = Interaction.Status.PLANNED
    # A planned interaction's `at` is its due date: asked by due date, both lists read a
    # range of the user's planned ones in `interaction_owner_due`, whatever the history.
    today = timeline_selectors.interaction_list(
        user,
        ListFilters(
            owner_id=user.pk,
            extra={"status": planned, "due_at__gte": start_of_day, "due_at__lt": end_of_day},
        ),
        sort="at",
        limit=MY_DAY_ROWS,
    )
    overdue = timeline_selectors.interaction_list(
        user,
        ListFilters(
            owner_id=user.pk,
            extra={
                "status": planned,
                "kind": Interaction.Kind.TASK,
                "due_at__isnull": False,
                "due_at__lt": start_of_day,
            },
        ),
        sort="at",
        limit=MY_DAY_ROWS,
    )
    leads = client_selectors.lead_list(
        user,
        ListFilters(owner_id=user.pk, extra={"status__in": ["new", "working"]}),
        sort="created_at",
        limit=MY_DAY_ROWS,
    )
    context = {
        "now": now,
        "today": today,
        "overdue": overdue,
        "leads": leads,
        "recent": _recent(request),
    }
    return render(request, "web/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers; touches no database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
]
