"""What every workspace page needs in its template: the navigation and the languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from perpetuum.core.access import Scope, is_administrator, scope_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    is_current: bool


def _url(names: tuple[str, ...], fallback: str) -> str:
    """The first of `names` that resolves; pages built elsewhere may not exist yet."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return fallback


def navigation(request: HttpRequest) -> list[NavItem]:
    """The main navigation for the signed-in user; lists their role cannot read are left out."""
    user = request.user
    items: list[tuple[str | Promise, str, str | None]] = [
        (_("My day"), reverse("web:home"), None),
        (_("Accounts"), reverse("web:list", args=["accounts"]), "account"),
        (_("Contacts"), reverse("web:list", args=["contacts"]), "contact"),
        (_("Leads"), reverse("web:list", args=["leads"]), "lead"),
        (_("Interactions"), reverse("web:list", args=["interactions"]), "interaction"),
        (_("Duplicates"), _url(("web:duplicates",), "/duplicates/"), "contact"),
        (_("Sales"), _url(("sales:board",), "/sales/"), "deal"),
        (_("Quotes"), _url(("documents:quote_list",), "/documents/quotes/"), "deal"),
        (_("Surveys"), _url(("surveys:list",), "/surveys/"), "contact"),
        (_("Recycle bin"), reverse("web:recycle_bin"), None),
    ]
    if is_administrator(user):
        items.append((_("Admin"), _url(("web:admin_index",), "/administration/"), None))
    path = request.path
    result = []
    for label, url, entity in items:
        if entity is not None and scope_of(user, entity, "read") == Scope.NONE:
            continue
        current = path == url if url == "/" else path.startswith(url)
        result.append(NavItem(label=label, url=url, is_current=current))
    return result


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    return {"navigation": navigation(request), "languages": settings.LANGUAGES}
