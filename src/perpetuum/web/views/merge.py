"""Duplicates: the review page of the pairs the duplicate scan suspects (`clients.duplicates`),
and the side-by-side merge that picks each field's value and keeps both histories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from perpetuum.clients import selectors, services
from perpetuum.clients.duplicates import (
    duplicate_candidate_get,
    duplicate_candidates,
    duplicate_dismiss,
)
from perpetuum.clients.tasks import scan_duplicates
from perpetuum.core import access
from perpetuum.core.errors import PermissionDenied
from perpetuum.web.views.forms import add_service_errors, page

PAIRS_SHOWN = 50

# Field by field, what the merge page offers to choose; the rest is united.
MERGE_FIELDS = {
    "account": list(services.ACCOUNT_MERGE_FIELDS),
    "contact": list(services.CONTACT_MERGE_FIELDS),
}
UNITED = {
    "account": ["emails", "phones", "addresses", "tags", "custom"],
    "contact": ["emails", "phones", "tags", "custom"],
}


REASONS = {
    "same_email": gettext_lazy("same e-mail"),
    "same_phone": gettext_lazy("same phone"),
    "same_tax_id": gettext_lazy("same tax id"),
    "similar_name": gettext_lazy("similar name"),
}


@page
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Suspected duplicates among the accounts and contacts the user may see, most certain
    first, as the duplicate scan found them."""
    sections = []
    for entity, title in (("account", _("Accounts")), ("contact", _("Contacts"))):
        if access.scope_of(request.user, entity, "read") == access.Scope.NONE:
            continue
        cursor = request.GET.get(f"{entity}_cursor") or None
        found = duplicate_candidates(request.user, entity, PAIRS_SHOWN, cursor)
        pairs = [
            {
                "pk": pair.pk,
                "first": pair.left,
                "second": pair.right,
                "score": pair.score,
                "reasons": [REASONS.get(reason, reason) for reason in pair.reasons],
            }
            for pair in found.items
            if pair.left is not None and pair.right is not None
        ]
        sections.append(
            {"entity": entity, "title": title, "pairs": pairs, "next_cursor": found.next_cursor}
        )
    return render(
        request,
        "web/merge/duplicates.html",
        {"sections": sections, "may_scan": access.is_administrator(request.user)},
    )


@page
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a pair as two different clients; the scan will not propose it again."""
    candidate = duplicate_candidate_get(request.user, pk)
    duplicate_dismiss(actor=request.user, candidate=candidate)
    messages.success(request, _("The pair is marked as two different records."))
    return redirect("web:duplicates")


@page
@require_POST
def scan(request: HttpRequest) -> HttpResponse:
    """Start the duplicate scan of all accounts and contacts in the background
    (administrators: it reads the whole base)."""
    if not access.is_administrator(request.user):
        raise PermissionDenied()
    for entity in ("account", "contact"):
        scan_duplicates.enqueue(entity)
    messages.success(request, _("The duplicate scan has started; new pairs appear here."))
    return redirect("web:duplicates")


def _display(record: Any, name: str) -> str:
    """A field's value as the merge page shows it."""
    if name == "owner":
        return str(record.owner) if record.owner_id else ""
    display = getattr(record, f"get_{name}_display", None)
    value = getattr(record, name)
    if display is not None and value:
        return str(display())
    return "" if value is None else str(value)


def _united(record: Any, name: str) -> str:
    if name == "tags":
        return ", ".join(tag.name for tag in record.tags.all())
    if name == "custom":
        return ", ".join(f"{key}: {value}" for key, value in (record.custom or {}).items())
    if name == "addresses":
        return "; ".join(
            ", ".join(str(part) for part in address.values() if part)
            for address in record.addresses or []
        )
    return ", ".join(map(str, getattr(record, name) or []))


class MergeForm(forms.Form):
    """Which record survives, and for each field whose value to keep."""

    survivor = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "a"), ("b", "b")])
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, entity: str, first: Any, second: Any, **kwargs: Any) -> None:
        initial: dict[str, Any] = {
            "survivor": "a",
            "version_a": first.version,
            "version_b": second.version,
        }
        for name in MERGE_FIELDS[entity]:
            # The first record's value, unless it has none and the second has one.
            empty_first = _display(first, name) == "" and _display(second, name) != ""
            initial[f"field_{name}"] = "b" if empty_first else "a"
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.entity = entity
        for name in MERGE_FIELDS[entity]:
            self.fields[f"field_{name}"] = forms.ChoiceField(
                widget=forms.RadioSelect, choices=[("a", "a"), ("b", "b")], required=False
            )

    def choices(self) -> dict[str, str]:
        """The service's `choices`: "other" for every field taken from the other record."""
        survivor = self.cleaned_data["survivor"]
        return {
            name: "other"
            for name in MERGE_FIELDS[self.entity]
            if self.cleaned_data.get(f"field_{name}") not in ("", None, survivor)
        }


def _rows(entity: str, first: Any, second: Any, form: MergeForm) -> list[dict[str, Any]]:
    model = type(first)
    rows = []
    for name in MERGE_FIELDS[entity]:
        field = model._meta.get_field(name)
        bound = form[f"field_{name}"]
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "a": _display(first, name),
                "b": _display(second, name),
                "options": list(bound),
                "same": _display(first, name) == _display(second, name),
            }
        )
    return rows


def _united_rows(entity: str, first: Any, second: Any) -> list[dict[str, Any]]:
    model = type(first)
    rows = []
    for name in UNITED[entity]:
        label = _("Tags") if name == "tags" else model._meta.get_field(name).verbose_name
        rows.append({"label": label, "a": _united(first, name), "b": _united(second, name)})
    return rows


def _merge(request: HttpRequest, entity: str, first_id: int, second_id: int) -> HttpResponse:
    get = getattr(selectors, f"{entity}_get")
    first, second = get(request.user, first_id), get(request.user, second_id)
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different records."))
    if not (access.can(request.user, "write", first) and access.can(request.user, "write", second)):
        raise PermissionDenied()
    form = MergeForm(request.POST or None, entity=entity, first=first, second=second)
    conflicted = False
    if request.method == "POST" and form.is_valid():
        if (form.cleaned_data["version_a"], form.cleaned_data["version_b"]) != (
            first.version,
            second.version,
        ):
            # Someone saved one of them while this page was open: show the values as they
            # are now and let the user choose again.
            conflicted = True
            form = MergeForm(entity=entity, first=first, second=second)
        else:
            survivor, other = (
                (first, second) if form.cleaned_data["survivor"] == "a" else (second, first)
            )
            merge = getattr(services, f"{entity}_merge")
            try:
                merged = merge(
                    actor=request.user, survivor=survivor, other=other, choices=form.choices()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Merged “%(other)s” into “%(survivor)s”; both histories are kept.")
                    % {"other": other, "survivor": merged},
                )
                return redirect(f"web:{entity}_card", merged.pk)
    return render(
        request,
        "web/merge/merge.html",
        {
            "entity": entity,
            "first": first,
            "second": second,
            "form": form,
            "rows": _rows(entity, first, second, form),
            "united": _united_rows(entity, first, second),
            "conflicted": conflicted,
        },
    )


@page
@require_http_methods(["GET", "POST"])
def account_merge(request: HttpRequest, first_id: int, second_id: int) -> HttpResponse:
    return _merge(request, "account", first_id, second_id)


@page
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, first_id: int, second_id: int) -> HttpResponse:
    return _merge(request, "contact", first_id, second_id)


urlpatterns = [
    path("duplicates/", duplicates, name="duplicates"),
    path("duplicates/scan/", scan, name="duplicates_scan"),
    path("duplicates/<int:pk>/dismiss/", dismiss, name="duplicate_dismiss"),
    path(
        "duplicates/accounts/<int:first_id>/<int:second_id>/",
        account_merge,
        name="account_merge",
    ),
    path(
        "duplicates/contacts/<int:first_id>/<int:second_id>/",
        contact_merge,
        name="contact_merge",
    ),
]
