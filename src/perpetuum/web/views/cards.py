"""The client cards — account (the 360° view), contact and lead: header, details and
timeline, the actions taken from the card without leaving it (htmx fragments: log, plan,
change owner, stage or status), and the lead's guided conversion."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from perpetuum.clients import selectors, services
from perpetuum.clients.duplicates import find_duplicates_for
from perpetuum.clients.models import Account, Lead
from perpetuum.core import access
from perpetuum.core.customfields import definitions_for
from perpetuum.core.errors import Conflict, PermissionDenied, VersionConflict
from perpetuum.core.filters import ListFilters
from perpetuum.core.pagination import Page, prefetched
from perpetuum.timeline import selectors as timeline_selectors
from perpetuum.timeline import services as timeline_services
from perpetuum.timeline.models import Interaction
from perpetuum.web.recent import remember
from perpetuum.web.views.forms import (
    LEAD_STATUSES,
    add_service_errors,
    conflict_rows,
    owner_choices,
    page,
    rebind,
)

TIMELINE_PAGE = 25
CONTACTS_SHOWN = 50
SIMILAR_SHOWN = 5
TIMELINE_CHANGED = "timeline-changed"

Kind = Interaction.Kind
LOG_KINDS = [Kind.CALL, Kind.EMAIL, Kind.MEETING, Kind.NOTE, Kind.DECISION]
PLAN_KINDS = [Kind.MEETING, Kind.TASK, Kind.CALL]
INTERNAL_KINDS = {Kind.NOTE, Kind.DECISION, Kind.TASK}
CHANNEL_SUGGESTIONS = ["phone", "email", "meeting", "video", "chat", "web_form", "event", "letter"]
DATETIME_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _kind_choices(kinds: list[Any]) -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in kinds]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


# --- Forms of the card -------------------------------------------------------------------


class TimelineFilters(forms.Form):
    """What the timeline is narrowed by; an invalid value is left out, never an error."""

    kind = forms.MultipleChoiceField(
        label=_("Kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.CharField(label=_("Channel"), max_length=30, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consolidated = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.is_valid()

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) or None

    @staticmethod
    def _midnight(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    @property
    def consolidated_value(self) -> bool:
        return bool(self.cleaned_data.get("consolidated"))

    def selection(self) -> dict[str, Any]:
        """The keyword arguments of `clients.selectors.account_timeline`."""
        since, until = self.value("since"), self.value("until")
        channel = self.value("channel")
        return {
            "kinds": self.value("kind"),
            "channels": [channel.strip()] if channel and channel.strip() else None,
            "since": self._midnight(since) if since else None,
            "until": self._midnight(until + datetime.timedelta(days=1)) if until else None,
        }

    def extra(self) -> dict[str, Any]:
        """The same, as the `extra` filters of `timeline.selectors.interaction_list`."""
        selection = self.selection()
        return {
            "kind__in": selection["kinds"],
            "channel__in": selection["channels"],
            "at__gte": selection["since"],
            "at__lt": selection["until"],
        }

    def query(self) -> str:
        """The filters as a query string, to carry into the next page's address."""
        pairs: list[tuple[str, str]] = [("kind", kind) for kind in self.value("kind") or []]
        for name in ("channel", "since", "until"):
            if self.value(name):
                pairs.append((name, str(self.value(name))))
        if self.consolidated_value:
            pairs.append(("consolidated", "1"))
        return urlencode(pairs)


class InteractionForm(forms.Form):
    """Log what happened or plan what will; the card adds the record it is on."""

    mode = ""
    kind = forms.ChoiceField(label=_("Kind"))
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact = forms.TypedChoiceField(
        label=_("Contact"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, contacts: list[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.mode)
        super().__init__(*args, **kwargs)
        if contacts:
            self.fields["contact"].choices = [
                ("", "—"),
                *((contact.pk, str(contact)) for contact in contacts),
            ]
        else:
            del self.fields["contact"]

    def links(self) -> dict[str, Any]:
        contact_id = self.cleaned_data.get("contact")
        return {"contact_id": contact_id} if contact_id else {}


class LogForm(InteractionForm):
    mode = "log"
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        input_formats=DATETIME_INPUT,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty for now."),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Interaction.Direction.choices,
        initial=Interaction.Direction.OUTBOUND,
    )
    channel = forms.CharField(
        label=_("Channel"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"list": "channel-suggestions"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for a decision: why it was taken."),
    )
    field_order = ["kind", "occurred_at", "direction", "channel", "contact", "subject", "body"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(LOG_KINDS)

    def service_data(self) -> dict[str, Any]:
        kind = self.cleaned_data["kind"]
        return {
            "kind": kind,
            "status": Interaction.Status.DONE,
            "occurred_at": self.cleaned_data["occurred_at"] or timezone.now(),
            "direction": (
                Interaction.Direction.INTERNAL
                if kind in INTERNAL_KINDS
                else self.cleaned_data["direction"]
            ),
            "channel": self.cleaned_data["channel"].strip(),
            "subject": self.cleaned_data["subject"],
            "body": self.cleaned_data["body"],
            "reason": self.cleaned_data["reason"],
            **self.links(),
        }


class PlanForm(InteractionForm):
    mode = "plan"
    due_at = forms.DateTimeField(
        label=_("Due"), input_formats=DATETIME_INPUT, widget=DateTimeLocalInput()
    )
    field_order = ["kind", "due_at", "contact", "subject", "body"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(PLAN_KINDS)

    def service_data(self) -> dict[str, Any]:
        return {
            "kind": self.cleaned_data["kind"],
            "status": Interaction.Status.PLANNED,
            "due_at": self.cleaned_data["due_at"],
            "direction": Interaction.Direction.OUTBOUND,
            "subject": self.cleaned_data["subject"],
            "body": self.cleaned_data["body"],
            **self.links(),
        }


class StatusForm(forms.Form):
    """Owner (and stage or status) changed from the card's header, at a known version."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args: Any, user: Any, record: Any, entity: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "status")
        initial = {"version": record.version, "owner": str(record.owner_id or "")}
        if entity == "account":
            initial["stage"] = record.stage
        elif entity == "lead":
            initial["status"] = record.status
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["owner"].choices = owner_choices(user, entity, record.owner)
        if entity == "account":
            self.fields["stage"] = forms.ChoiceField(
                label=_("Stage"), choices=Account.Stage.choices
            )
        elif entity == "lead" and record.status != Lead.Status.CONVERTED:
            self.fields["status"] = forms.ChoiceField(label=_("Status"), choices=LEAD_STATUSES)

    def service_data(self) -> dict[str, Any]:
        """Only what changes: the owner's id, the stage or the status."""
        data: dict[str, Any] = {}
        if int(self.cleaned_data["owner"]) != self.record.owner_id:
            data["owner_id"] = int(self.cleaned_data["owner"])
        for name in ("stage", "status"):
            if name in self.fields and self.cleaned_data[name] != getattr(self.record, name):
                data[name] = self.cleaned_data[name]
        return data


# --- The three kinds of card -------------------------------------------------------------


@dataclass
class CardKind:
    """What differs between the account, contact and lead cards."""

    entity: str
    template: str
    header_template: str

    def get(self, user: Any, pk: int) -> Any:
        return getattr(selectors, f"{self.entity}_get")(user, pk)

    def url(self, name: str, record: Any) -> str:
        return reverse(f"web:{self.entity}_{name}", args=[record.pk])

    def links(self, record: Any) -> dict[str, Any]:
        return {f"{self.entity}_id": record.pk}

    def timeline(self, user: Any, record: Any, filters: TimelineFilters, cursor: Any) -> Page:
        extra = {f"{self.entity}_id": record.pk, **filters.extra()}
        return timeline_selectors.interaction_list(
            user, ListFilters(extra=extra), cursor=cursor, limit=TIMELINE_PAGE
        )

    def contacts(self, user: Any, record: Any) -> list[Any]:
        return []

    def header_context(self, user: Any, record: Any, filters: TimelineFilters) -> dict[str, Any]:
        return {}

    def update(self, user: Any, record: Any, data: dict[str, Any], version: int) -> Any:
        update = getattr(services, f"{self.entity}_update")
        return update(actor=user, **{self.entity: record}, data=data, expected_version=version)


class AccountCardKind(CardKind):
    def timeline(self, user: Any, record: Any, filters: TimelineFilters, cursor: Any) -> Page:
        return selectors.account_timeline(
            user,
            record,
            **filters.selection(),
            consolidated=filters.consolidated_value,
            cursor=cursor,
            limit=TIMELINE_PAGE,
        )

    def contacts(self, user: Any, record: Any) -> list[Any]:
        filters = ListFilters(extra={"roles__account_id": record.pk})
        return selectors.contact_list(user, filters, limit=CONTACTS_SHOWN).items

    def header_context(self, user: Any, record: Any, filters: TimelineFilters) -> dict[str, Any]:
        summary = selectors.account_summary(user, record, consolidated=filters.consolidated_value)
        return {"summary": summary, "in_holding": bool(summary.parent or summary.children)}


class ContactCardKind(CardKind):
    def header_context(self, user: Any, record: Any, filters: TimelineFilters) -> dict[str, Any]:
        roles = prefetched(record, "roles")
        account_ids = [role.account_id for role in roles]
        visible: set[int] = set()
        if account_ids:
            accounts = selectors.account_list(
                user, ListFilters(extra={"pk__in": account_ids}), limit=len(account_ids)
            )
            visible = {account.pk for account in accounts.items}
        # A role at an account the user may not see is not shown, not even its name.
        return {"roles": [role for role in roles if role.account_id in visible]}


class LeadCardKind(CardKind):
    def header_context(self, user: Any, record: Any, filters: TimelineFilters) -> dict[str, Any]:
        # Converting creates or links a contact: it needs the right to create one.
        return {"may_convert": access.may_create(user, "contact")}


CARDS = {
    "account": AccountCardKind(
        "account", "web/cards/account.html", "web/cards/_account_header.html"
    ),
    "contact": ContactCardKind(
        "contact", "web/cards/contact.html", "web/cards/_contact_header.html"
    ),
    "lead": LeadCardKind("lead", "web/cards/lead.html", "web/cards/_lead_header.html"),
}


def _custom_values(record: Any, entity: str) -> list[tuple[str, Any]]:
    """The record's custom fields, labelled, in the administrator's order."""
    values = record.custom or {}
    shown = []
    for definition in definitions_for(entity):
        value = values.get(definition.key)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        if value is not None and value != "":
            shown.append((definition.label, value))
    return shown


def _details(record: Any, entity: str) -> list[tuple[Any, Any]]:
    """The record's own fields for the side panel, labelled; empty ones are not shown."""
    if entity == "account":
        return [
            (_("E-mails"), ", ".join(record.emails)),
            (_("Phones"), ", ".join(record.phones)),
            (_("Website"), record.website),
            (_("Industry"), record.industry),
            (_("Size"), record.get_size_display() if record.size else ""),
            (_("City"), record.city),
            (_("Country"), record.country),
            (_("Tax id"), record.tax_id),
            (_("KPP"), record.kpp),
        ]
    if entity == "contact":
        return [
            (_("E-mails"), ", ".join(record.emails)),
            (_("Phones"), ", ".join(record.phones)),
        ]
    return [
        (_("Company"), record.company_name),
        (_("Job title"), record.job_title),
        (_("Tax id"), record.tax_id),
        (_("Country"), record.country),
        (_("UTM source"), record.utm_source),
        (_("UTM medium"), record.utm_medium),
        (_("UTM campaign"), record.utm_campaign),
        (_("UTM term"), record.utm_term),
        (_("UTM content"), record.utm_content),
    ]


def _header(
    request: HttpRequest,
    kind: CardKind,
    record: Any,
    filters: TimelineFilters,
    *,
    can_write: bool,
    status_form: StatusForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if status_form is None and can_write:
        status_form = StatusForm(user=request.user, record=record, entity=kind.entity)
    return {
        "record": record,
        kind.entity: record,
        "entity": kind.entity,
        "can_write": can_write,
        "status_form": status_form,
        "status_url": kind.url("status", record),
        "header_url": kind.url("header", record),
        "filters": filters,
        **kind.header_context(request.user, record, filters),
        **extra,
    }


def _action_forms(request: HttpRequest, contacts: list[Any]) -> dict[str, Any]:
    if not access.may_create(request.user, "interaction"):
        return {}
    return {"log_form": LogForm(contacts=contacts), "plan_form": PlanForm(contacts=contacts)}


def _card(request: HttpRequest, kind: CardKind, pk: int) -> HttpResponse:
    record = kind.get(request.user, pk)
    filters = TimelineFilters(request.GET)
    can_write = access.can(request.user, "write", record)
    contacts = kind.contacts(request.user, record)
    timeline = kind.timeline(request.user, record, filters, None)
    context = _header(request, kind, record, filters, can_write=can_write)
    remember(request, record)
    context.update(
        contacts=contacts,
        details=_details(record, kind.entity),
        custom_values=_custom_values(record, kind.entity),
        may_add_contact=can_write and access.may_create(request.user, "contact"),
        now=timezone.now(),
        timeline=timeline,
        timeline_url=kind.url("timeline", record),
        interaction_url=kind.url("interaction", record),
        channel_suggestions=CHANNEL_SUGGESTIONS,
        **_action_forms(request, contacts),
    )
    return render(request, kind.template, context)


def _header_fragment(request: HttpRequest, kind: CardKind, pk: int) -> HttpResponse:
    record = kind.get(request.user, pk)
    filters = TimelineFilters(request.GET)
    can_write = access.can(request.user, "write", record)
    context = _header(request, kind, record, filters, can_write=can_write)
    return render(request, kind.header_template, context)


def _timeline_fragment(request: HttpRequest, kind: CardKind, pk: int) -> HttpResponse:
    record = kind.get(request.user, pk)
    filters = TimelineFilters(request.GET)
    cursor = request.GET.get("cursor") or None
    timeline = kind.timeline(request.user, record, filters, cursor)
    return render(
        request,
        "web/cards/_timeline_items.html",
        {
            "timeline": timeline,
            "timeline_url": kind.url("timeline", record),
            "filters": filters,
            "entity": kind.entity,
            "now": timezone.now(),
        },
    )


def _interaction(request: HttpRequest, kind: CardKind, pk: int) -> HttpResponse:
    """Log or plan an interaction on the record; answer with a fresh form and tell the
    page that the timeline changed, or with the form and its errors."""
    record = kind.get(request.user, pk)
    contacts = kind.contacts(request.user, record)
    form_class = PlanForm if request.POST.get("mode") == "plan" else LogForm
    form = form_class(request.POST, contacts=contacts)
    saved = None
    if form.is_valid():
        data = {**form.service_data(), **kind.links(record)}
        try:
            saved, _created = timeline_services.interaction_create(actor=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
    if saved is not None and not request.htmx:
        return redirect(kind.url("card", record))
    if saved is not None:
        form = form_class(contacts=contacts)
    response = render(
        request,
        "web/cards/_interaction_form.html",
        {"form": form, "saved": saved, "interaction_url": kind.url("interaction", record)},
    )
    if saved is not None:
        trigger_client_event(response, TIMELINE_CHANGED, {"id": saved.pk})
    return response


def _status(request: HttpRequest, kind: CardKind, pk: int) -> HttpResponse:
    """Change the owner (and stage or status) at the version the user saw; a version that
    someone else moved on is shown with their change, and nothing is overwritten."""
    record = kind.get(request.user, pk)
    if not access.can(request.user, "write", record):
        raise PermissionDenied()
    filters = TimelineFilters(request.GET)
    form = StatusForm(request.POST, user=request.user, record=record, entity=kind.entity)
    changes: list[Any] = []
    saved = False
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            record = kind.update(request.user, record, form.service_data(), version)
            saved = True
        except VersionConflict:
            changes = conflict_rows(request.user, record, version)
            rebind(form, version=record.version)
        except ValidationError as error:
            add_service_errors(form, error)
    if saved and not request.htmx:
        return redirect(kind.url("card", record))
    if saved:
        record = kind.get(request.user, pk)
        form = None
    context = _header(
        request,
        kind,
        record,
        filters,
        can_write=True,
        status_form=form,
        conflict=changes,
        status_saved=saved,
    )
    return render(request, kind.header_template, context)


# --- Routes --------------------------------------------------------------------------------


def _routes(entity: str) -> list[Any]:
    kind = CARDS[entity]

    @page
    @require_GET
    def card(request: HttpRequest, pk: int) -> HttpResponse:
        return _card(request, kind, pk)

    @page
    @require_GET
    def header(request: HttpRequest, pk: int) -> HttpResponse:
        return _header_fragment(request, kind, pk)

    @page
    @require_GET
    def timeline(request: HttpRequest, pk: int) -> HttpResponse:
        return _timeline_fragment(request, kind, pk)

    @page
    @require_POST
    def interaction(request: HttpRequest, pk: int) -> HttpResponse:
        return _interaction(request, kind, pk)

    @page
    @require_POST
    def status(request: HttpRequest, pk: int) -> HttpResponse:
        return _status(request, kind, pk)

    plural = f"{entity}s"
    return [
        path(f"{plural}/<int:pk>/", card, name=f"{entity}_card"),
        path(f"{plural}/<int:pk>/header/", header, name=f"{entity}_header"),
        path(f"{plural}/<int:pk>/timeline/", timeline, name=f"{entity}_timeline"),
        path(f"{plural}/<int:pk>/interactions/", interaction, name=f"{entity}_interaction"),
        path(f"{plural}/<int:pk>/status/", status, name=f"{entity}_status"),
    ]


# --- Lead conversion -----------------------------------------------------------------------


def _similar(user: Any, lead: Lead) -> tuple[list[Any], list[Any]]:
    """Contacts and accounts the lead may be, among those the user may see: the records
    the conversion would match first, then the duplicate detector's likely ones (same
    e-mail, phone or tax id, or a name alike in any script), then a few by name."""
    matched_contact, matched_account = services.lead_match(actor=user, lead=lead)
    contacts = [matched_contact] if matched_contact else []
    accounts = [matched_account] if matched_account else []
    person = {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
    }
    if lead.last_name or lead.email or lead.phone:
        found = find_duplicates_for(user, "contact", person, limit=SIMILAR_SHOWN)
        contacts += [match.record for match in found if match.record not in contacts]
    if lead.company_name or lead.tax_id:
        company = {"name": lead.company_name, "tax_id": lead.tax_id, "country": lead.country}
        found = find_duplicates_for(user, "account", company, limit=SIMILAR_SHOWN)
        accounts += [match.record for match in found if match.record not in accounts]
    if lead.last_name and len(contacts) < SIMILAR_SHOWN:
        named = selectors.contact_list(user, ListFilters(q=lead.last_name), limit=SIMILAR_SHOWN)
        contacts += [contact for contact in named.items if contact not in contacts]
    if lead.company_name and len(accounts) < SIMILAR_SHOWN:
        named = selectors.account_list(user, ListFilters(q=lead.company_name), limit=SIMILAR_SHOWN)
        accounts += [account for account in named.items if account not in accounts]
    return contacts[: SIMILAR_SHOWN * 2], accounts[: SIMILAR_SHOWN * 2]


class ConvertForm(forms.Form):
    """Match the lead to an existing contact and account, or create new ones."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    contact = forms.ChoiceField(widget=forms.RadioSelect, label=_("Contact"))
    account = forms.ChoiceField(widget=forms.RadioSelect, label=_("Account"))

    def __init__(
        self, *args: Any, lead: Lead, contacts: list[Any], accounts: list[Any], **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": lead.version,
                "contact": str(contacts[0].pk) if contacts else "new",
                "account": (
                    str(accounts[0].pk) if accounts else ("new" if lead.company_name else "none")
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [
            *((str(contact.pk), str(contact)) for contact in contacts),
            ("new", _("Create a new contact from the lead")),
        ]
        account_choices = [(str(account.pk), str(account)) for account in accounts]
        if lead.company_name:
            account_choices.append(("new", _("Create a new account “%s”") % lead.company_name))
        account_choices.append(("none", _("No account")))
        self.fields["account"].choices = account_choices

    def choice(self, name: str) -> int | None:
        value = self.cleaned_data[name]
        return int(value) if value.isdigit() else None


@page
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """The guided conversion: likely duplicates first, then match or create."""
    lead = selectors.lead_get(request.user, pk)
    if not access.can(request.user, "write", lead):
        raise PermissionDenied()
    if lead.status == Lead.Status.CONVERTED:
        return render(request, "web/cards/lead_convert.html", {"lead": lead, "converted": True})
    contacts, accounts = _similar(request.user, lead)
    form = ConvertForm(request.POST or None, lead=lead, contacts=contacts, accounts=accounts)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = services.lead_convert(
                actor=request.user,
                lead=lead,
                contact_id=form.choice("contact"),
                account_id=form.choice("account"),
                create_account=form.cleaned_data["account"] == "new",
                use_matches=False,
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict:
            problem = _("This lead was changed since you opened it. Check it and convert again.")
            rebind(form, version=selectors.lead_get(request.user, pk).version)
        except Conflict as error:
            problem = error.detail
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.account is not None:
                return redirect("web:account_card", result.account.pk)
            return redirect("web:contact_card", result.contact.pk)
    return render(
        request,
        "web/cards/lead_convert.html",
        {
            "lead": lead,
            "form": form,
            "contacts": contacts,
            "accounts": accounts,
            "problem": problem,
        },
    )


urlpatterns = [
    *_routes("account"),
    *_routes("contact"),
    *_routes("lead"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead_convert"),
]
