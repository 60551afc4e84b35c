"""The list pages of accounts, contacts, leads and interactions: filters, sortable columns,
keyset pages, saved views, bulk actions and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, path, register_converter, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from perpetuum.core import selectors as core_selectors
from perpetuum.core.access import Scope, may_create, scope_of
from perpetuum.core.errors import NotFound, PermissionDenied, VersionConflict
from perpetuum.org import selectors as org_selectors
from perpetuum.web import exports
from perpetuum.web import selectors as web_selectors
from perpetuum.web import services as web_services
from perpetuum.web.lists import (
    LISTS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    ListFilterForm,
    ListSpec,
    list_spec,
    parse_sort,
    saved_query,
)

BULK_LIMIT = MAX_PAGE_SIZE
FAILURES_SHOWN = 10


@dataclass
class HeaderCell:
    """A column header, with the link that sorts by it."""

    label: str
    key: str
    sort_query: str | None
    direction: str  # "ascending", "descending" or "" (aria-sort)
    is_secondary: bool


def _custom_fields(user: Any, spec: ListSpec) -> list[Any]:
    if not spec.has_custom_fields:
        return []
    page = core_selectors.custom_field_list(
        user, entity=spec.entity, deleted=False, cursor=None, limit=100
    )
    return page.items


def _headers(request: HttpRequest, spec: ListSpec, sort: str) -> list[HeaderCell]:
    current_key, descending = sort.lstrip("-"), sort.startswith("-")
    cells = []
    for column in spec.columns:
        sort_query = direction = ""
        if column.sort:
            query = request.GET.copy()
            query.pop("cursor", None)
            is_current = column.sort == current_key
            query["sort"] = f"-{column.sort}" if is_current and not descending else column.sort
            sort_query = f"?{query.urlencode()}"
            if is_current:
                direction = "descending" if descending else "ascending"
        cells.append(
            HeaderCell(
                label=str(column.label),
                key=column.key,
                sort_query=sort_query or None,
                direction=direction,
                is_secondary=column.is_secondary,
            )
        )
    return cells


def _create_url(spec: ListSpec) -> str | None:
    """The form that creates a record of this list, where there is one."""
    try:
        return reverse(f"web:{spec.entity}_create")
    except NoReverseMatch:
        return None


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("limit", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


@login_required
def list_page(request: HttpRequest, list_name: str) -> HttpResponse:
    """One page of a list, filtered and sorted as the query string says."""
    spec = list_spec(list_name)
    user = request.user
    custom_fields = _custom_fields(user, spec)
    form = ListFilterForm(request.GET, spec=spec, custom_fields=custom_fields)
    sort = parse_sort(spec, request.GET.get("sort"))
    cursor = request.GET.get("cursor") or None
    items: list[Any] = []
    next_cursor = None
    errors: list[str] = []
    if form.is_valid():
        try:
            page = spec.list_selector(
                user, form.to_filters(), sort=sort, cursor=cursor, limit=_page_size(request)
            )
            items, next_cursor = page.items, page.next_cursor
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [
            f"{form.fields[name].label}: {' '.join(field_errors)}"
            for name, field_errors in form.errors.items()
            if name in form.fields
        ]
    context = {
        "spec": spec,
        "form": form,
        "items": items,
        "next_cursor": next_cursor,
        "is_first_page": cursor is None,
        "errors": errors,
        "sort": sort,
        "headers": _headers(request, spec, sort),
        "current_query": saved_query(request.GET),
        "owners": core_selectors.user_list(user, q="", cursor=None, limit=200).items,
        "teams": org_selectors.team_choices(user),
        "offices": org_selectors.office_choices(user),
        "legal_entities": org_selectors.legal_entity_choices(user),
        "tags": (
            core_selectors.tag_list(user, q="", deleted=False, cursor=None, limit=200).items
            if spec.has_tags
            else []
        ),
        "custom_fields": custom_fields,
        "saved_views": web_selectors.saved_view_list(user, spec.name),
        "assignable_owners": org_selectors.assignable_owners(user, spec.entity),
        "can_write": scope_of(user, spec.entity, "write") != Scope.NONE,
        "create_url": _create_url(spec) if may_create(user, spec.entity) else None,
        "bulk_limit": BULK_LIMIT,
    }
    return render(request, "web/lists/list.html", context)


def _back_to_list(request: HttpRequest, spec: ListSpec) -> HttpResponseRedirect:
    query = saved_query(QueryDict(str(request.POST.get("query", ""))))
    url = reverse("web:list", args=[spec.name])
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _ids(request: HttpRequest) -> list[int]:
    ids: list[int] = []
    for raw in request.POST.getlist("ids"):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids[:BULK_LIMIT]


def _version(request: HttpRequest, pk: int) -> int | None:
    raw = request.POST.get(f"version_{pk}", "")
    return int(raw) if raw.isdigit() else None


def _optional_int(raw: Any) -> int | None:
    raw = str(raw or "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def bulk_action(request: HttpRequest, list_name: str) -> HttpResponse:
    """Apply one action to the checked rows, each through its service and in its own
    transaction; report how many succeeded and which failed, and why."""
    spec = list_spec(list_name)
    user = request.user
    action = request.POST.get("action", "")
    ids = _ids(request)
    owner_id = _optional_int(request.POST.get("owner_id"))
    tag_id = _optional_int(request.POST.get("tag_id"))
    if not ids:
        messages.warning(request, _("Check at least one row first."))
        return _back_to_list(request, spec)
    if action not in ("assign_owner", "add_tag", "delete"):
        messages.error(request, _("Choose an action."))
        return _back_to_list(request, spec)
    if action == "assign_owner" and owner_id is None:
        messages.error(request, _("Choose the new owner."))
        return _back_to_list(request, spec)
    if action == "add_tag" and (tag_id is None or not spec.has_tags):
        messages.error(request, _("Choose the tag to add."))
        return _back_to_list(request, spec)
    succeeded = 0
    failures: list[str] = []
    for pk in ids:
        record = None
        try:
            record = spec.get_selector(user, pk)
            version = _version(request, pk)
            if action == "assign_owner":
                spec.update(
                    actor=user, record=record, data={"owner_id": owner_id}, expected_version=version
                )
            elif action == "add_tag":
                tag_ids = sorted({tag.pk for tag in record.tags.all()} | {tag_id})
                spec.update(
                    actor=user, record=record, data={"tag_ids": tag_ids}, expected_version=version
                )
            else:
                spec.delete(actor=user, record=record, expected_version=version)
            succeeded += 1
        except NotFound:
            failures.append(_("#%(id)s: not found") % {"id": pk})
        except VersionConflict:
            failures.append(_("%(name)s: changed since you opened it") % {"name": record})
        except PermissionDenied:
            failures.append(_("%(name)s: your role may not change it") % {"name": record})
        except ValidationError as error:
            failures.append(f"{record or '#' + str(pk)}: {' '.join(error.messages)}")
    if succeeded:
        messages.success(
            request,
            ngettext("%(count)d record changed.", "%(count)d records changed.", succeeded)
            % {"count": succeeded},
        )
    if failures:
        shown = "; ".join(failures[:FAILURES_SHOWN])
        more = len(failures) - FAILURES_SHOWN
        if more > 0:
            shown += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {
                "count": more
            }
        messages.error(
            request,
            ngettext(
                "%(count)d record was not changed: %(list)s",
                "%(count)d records were not changed: %(list)s",
                len(failures),
            )
            % {"count": len(failures), "list": shown},
        )
    return _back_to_list(request, spec)


@login_required
@require_POST
def export(request: HttpRequest, list_name: str) -> HttpResponse:
    """Download the current view of a list as CSV or XLSX (POST: an export is audited)."""
    spec = list_spec(list_name)
    query = QueryDict(str(request.POST.get("query", "")))
    form = ListFilterForm(query, spec=spec, custom_fields=_custom_fields(request.user, spec))
    file_format = request.POST.get("format", "csv")
    if file_format not in exports.FORMATS or not form.is_valid():
        messages.error(request, _("The export could not start: check the filters."))
        return _back_to_list(request, spec)
    return exports.export_response(
        request,
        spec=spec,
        filters=form.to_filters(),
        sort=parse_sort(spec, query.get("sort")),
        file_format=file_format,
        query=saved_query(query),
    )


@login_required
@require_POST
def saved_view_create(request: HttpRequest, list_name: str) -> HttpResponse:
    spec = list_spec(list_name)
    name = str(request.POST.get("name", "")).strip()
    query = saved_query(QueryDict(str(request.POST.get("query", ""))))
    if not name:
        messages.error(request, _("Give the view a name."))
        return _back_to_list(request, spec)
    try:
        web_services.saved_view_create(
            actor=request.user, list_name=spec.name, name=name, query=query
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The view “%(name)s” was saved.") % {"name": name})
    return _back_to_list(request, spec)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, list_name: str, view_id: int) -> HttpResponse:
    spec = list_spec(list_name)
    web_services.saved_view_delete(actor=request.user, view_id=view_id)
    messages.success(request, _("The saved view was deleted."))
    return _back_to_list(request, spec)


class ListNameConverter:
    """Matches only the names of the lists, so other pages' addresses stay theirs."""

    regex = "|".join(LISTS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ListNameConverter, "listname")

urlpatterns = [
    path("<listname:list_name>/", list_page, name="list"),
    path("<listname:list_name>/bulk/", bulk_action, name="list_bulk"),
    path("<listname:list_name>/export/", export, name="list_export"),
    path("<listname:list_name>/views/", saved_view_create, name="saved_view_create"),
    path(
        "<listname:list_name>/views/<int:view_id>/delete/",
        saved_view_delete,
        name="saved_view_delete",
    ),
]
