"""The four lists of the workspace — accounts, contacts, leads, interactions — described once:
their columns, sorts, filters, bulk actions and export columns.

A list reads through its entity's list selector, in the user's scope, with the same filters
as the API (`core.filters.ListFilters`), and pages by the selector's keyset cursor.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from perpetuum.clients import selectors as client_selectors
from perpetuum.clients import services as client_services
from perpetuum.clients.models import Account, Lead
from perpetuum.core.filters import ListFilters
from perpetuum.core.pagination import prefetched
from perpetuum.timeline import selectors as timeline_selectors
from perpetuum.timeline import services as timeline_services
from perpetuum.timeline.models import Interaction

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    """One column of a list; `sort` is the selector's sort key, if it sorts."""

    key: str
    label: str | Promise
    sort: str | None = None
    is_secondary: bool = False


@dataclass(frozen=True)
class ChoiceFilter:
    """A filter by one of a field's choices (stage, status, kind…)."""

    name: str
    label: str | Promise
    choices: list[tuple[str, Any]]
    lookup: str


@dataclass(frozen=True)
class ExportColumn:
    label: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ListSpec:
    """Everything a list page needs to know about its entity."""

    name: str
    entity: str
    object_type: str
    title: str | Promise
    list_selector: Callable[..., Any]
    get_selector: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    default_sort: str
    sorts: tuple[str, ...]
    columns: tuple[Column, ...]
    choice_filters: tuple[ChoiceFilter, ...] = ()
    has_tags: bool = True
    has_custom_fields: bool = True
    has_time_range: bool = False
    create_label: str | Promise = ""
    export_columns: tuple[ExportColumn, ...] = field(default_factory=tuple)


def _join(values: Any) -> str:
    return ", ".join(str(value) for value in values)


def _tags(record: Any) -> str:
    return _join(tag.name for tag in prefetched(record, "tags"))


def _owner(record: Any) -> str:
    return str(record.owner) if record.owner_id else ""


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _custom(record: Any) -> str:
    return _join(f"{key}={value}" for key, value in sorted((record.custom or {}).items()))


ACCOUNTS = ListSpec(
    name="accounts",
    entity="account",
    object_type="clients.account",
    title=_("Accounts"),
    list_selector=client_selectors.account_list,
    get_selector=client_selectors.account_get,
    update=lambda *, actor, record, data, expected_version: client_services.account_update(
        actor=actor, account=record, data=data, expected_version=expected_version
    ),
    delete=lambda *, actor, record, expected_version: client_services.account_delete(
        actor=actor, account=record, expected_version=expected_version
    ),
    default_sort="name",
    sorts=tuple(client_selectors.ACCOUNT_SORTS),
    create_label=_("New account"),
    columns=(
        Column("name", _("Name"), "name"),
        Column("stage", _("Stage")),
        Column("city", _("City"), is_secondary=True),
        Column("owner", _("Owner"), is_secondary=True),
        Column("tags", _("Tags"), is_secondary=True),
        Column("updated_at", _("Updated"), "updated_at", is_secondary=True),
    ),
    choice_filters=(ChoiceFilter("stage", _("Stage"), Account.Stage.choices, "stage"),),
    export_columns=(
        ExportColumn("id", lambda r: r.pk),
        ExportColumn(_("Name"), lambda r: r.name),
        ExportColumn(_("Legal name"), lambda r: r.legal_name),
        ExportColumn(_("Stage"), lambda r: r.get_stage_display()),
        ExportColumn(_("Country"), lambda r: r.country),
        ExportColumn(_("City"), lambda r: r.city),
        ExportColumn(_("Tax id"), lambda r: r.tax_id),
        ExportColumn(_("Industry"), lambda r: r.industry),
        ExportColumn(_("Website"), lambda r: r.website),
        ExportColumn(_("E-mail"), lambda r: r.email),
        ExportColumn(_("Phone"), lambda r: r.phone),
        ExportColumn(_("Owner"), _owner),
        ExportColumn(_("Office"), lambda r: str(r.office) if r.office_id else ""),
        ExportColumn(_("Legal entity"), lambda r: str(r.legal_entity) if r.legal_entity_id else ""),
        ExportColumn(_("Tags"), _tags),
        ExportColumn(_("Custom fields"), _custom),
        ExportColumn(_("Created"), lambda r: _when(r.created_at)),
        ExportColumn(_("Updated"), lambda r: _when(r.updated_at)),
    ),
)

CONTACTS = ListSpec(
    name="contacts",
    entity="contact",
    object_type="clients.contact",
    title=_("Contacts"),
    list_selector=client_selectors.contact_list,
    get_selector=client_selectors.contact_get,
    update=lambda *, actor, record, data, expected_version: client_services.contact_update(
        actor=actor, contact=record, data=data, expected_version=expected_version
    ),
    delete=lambda *, actor, record, expected_version: client_services.contact_delete(
        actor=actor, contact=record, expected_version=expected_version
    ),
    default_sort="name",
    sorts=tuple(client_selectors.CONTACT_SORTS),
    create_label=_("New contact"),
    columns=(
        Column("name", _("Name"), "name"),
        Column("account", _("Account")),
        Column("email", _("E-mail"), is_secondary=True),
        Column("phone", _("Phone"), is_secondary=True),
        Column("owner", _("Owner"), is_secondary=True),
        Column("updated_at", _("Updated"), "updated_at", is_secondary=True),
    ),
    export_columns=(
        ExportColumn("id", lambda r: r.pk),
        ExportColumn(_("First name"), lambda r: r.first_name),
        ExportColumn(_("Middle name"), lambda r: r.middle_name),
        ExportColumn(_("Last name"), lambda r: r.last_name),
        ExportColumn(_("Account"), lambda r: str(r.account) if r.account_id else ""),
        ExportColumn(_("E-mails"), lambda r: _join(r.emails or [])),
        ExportColumn(_("Phones"), lambda r: _join(r.phones or [])),
        ExportColumn(_("Language"), lambda r: r.language),
        ExportColumn(_("Owner"), _owner),
        ExportColumn(_("Tags"), _tags),
        ExportColumn(_("Custom fields"), _custom),
        ExportColumn(_("Created"), lambda r: _when(r.created_at)),
        ExportColumn(_("Updated"), lambda r: _when(r.updated_at)),
    ),
)

LEADS = ListSpec(
    name="leads",
    entity="lead",
    object_type="clients.lead",
    title=_("Leads"),
    list_selector=client_selectors.lead_list,
    get_selector=client_selectors.lead_get,
    update=lambda *, actor, record, data, expected_version: client_services.lead_update(
        actor=actor, lead=record, data=data, expected_version=expected_version
    ),
    delete=lambda *, actor, record, expected_version: client_services.lead_delete(
        actor=actor, lead=record, expected_version=expected_version
    ),
    default_sort="-created_at",
    sorts=tuple(client_selectors.LEAD_SORTS),
    create_label=_("New lead"),
    columns=(
        Column("name", _("Name"), "name"),
        Column("company", _("Company")),
        Column("status", _("Status")),
        Column("source", _("Source"), is_secondary=True),
        Column("owner", _("Owner"), is_secondary=True),
        Column("created_at", _("Created"), "created_at", is_secondary=True),
    ),
    choice_filters=(
        ChoiceFilter("status", _("Status"), Lead.Status.choices, "status"),
        ChoiceFilter("source_channel", _("Source"), Lead.Channel.choices, "source_channel"),
    ),
    export_columns=(
        ExportColumn("id", lambda r: r.pk),
        ExportColumn(_("First name"), lambda r: r.first_name),
        ExportColumn(_("Last name"), lambda r: r.last_name),
        ExportColumn(_("Company"), lambda r: r.company_name),
        ExportColumn(_("Job title"), lambda r: r.job_title),
        ExportColumn(_("E-mail"), lambda r: r.email),
        ExportColumn(_("Phone"), lambda r: r.phone),
        ExportColumn(_("Status"), lambda r: r.get_status_display()),
        ExportColumn(_("Source"), lambda r: r.get_source_channel_display()),
        ExportColumn(_("Campaign"), lambda r: r.campaign),
        ExportColumn(_("Owner"), _owner),
        ExportColumn(_("Tags"), _tags),
        ExportColumn(_("Custom fields"), _custom),
        ExportColumn(_("Created"), lambda r: _when(r.created_at)),
    ),
)

INTERACTIONS = ListSpec(
    name="interactions",
    entity="interaction",
    object_type="timeline.interaction",
    title=_("Interactions"),
    list_selector=timeline_selectors.interaction_list,
    get_selector=timeline_selectors.interaction_get,
    update=lambda *, actor, record, data, expected_version: timeline_services.interaction_update(
        actor=actor, interaction=record, data=data, expected_version=expected_version
    ),
    delete=lambda *, actor, record, expected_version: timeline_services.interaction_delete(
        actor=actor, interaction=record, expected_version=expected_version
    ),
    default_sort="-at",
    sorts=tuple(timeline_selectors.INTERACTION_SORTS),
    columns=(
        Column("at", _("When"), "at"),
        Column("subject", _("Subject")),
        Column("kind", _("Kind")),
        Column("client", _("Client"), is_secondary=True),
        Column("interaction_status", _("Status"), is_secondary=True),
        Column("owner", _("Owner"), is_secondary=True),
    ),
    choice_filters=(
        ChoiceFilter("kind", _("Kind"), Interaction.Kind.choices, "kind"),
        ChoiceFilter("status", _("Status"), Interaction.Status.choices, "status"),
        ChoiceFilter("direction", _("Direction"), Interaction.Direction.choices, "direction"),
    ),
    has_tags=False,
    has_custom_fields=False,
    has_time_range=True,
    export_columns=(
        ExportColumn("id", lambda r: r.pk),
        ExportColumn(_("When"), lambda r: _when(r.at)),
        ExportColumn(_("Kind"), lambda r: r.get_kind_display()),
        ExportColumn(_("Status"), lambda r: r.get_status_display()),
        ExportColumn(_("Direction"), lambda r: r.get_direction_display()),
        ExportColumn(_("Channel"), lambda r: r.channel),
        ExportColumn(_("Subject"), lambda r: r.subject),
        ExportColumn(_("Account"), lambda r: str(r.account) if r.account_id else ""),
        ExportColumn(_("Contact"), lambda r: str(r.contact) if r.contact_id else ""),
        ExportColumn(_("Owner"), _owner),
        ExportColumn(_("Author"), lambda r: str(r.author) if r.author_id else ""),
    ),
)

LISTS = {spec.name: spec for spec in (ACCOUNTS, CONTACTS, LEADS, INTERACTIONS)}


def list_spec(name: str) -> ListSpec:
    try:
        return LISTS[name]
    except KeyError as missing:
        raise Http404() from missing


# --- Filters -------------------------------------------------------------------------------


class ListFilterForm(forms.Form):
    """The filters of a list, read from its query string: the API's names (`owner_id`,
    `stage`, `custom.<key>`…), with dates for the created and updated ranges (both ends
    included)."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    owner_id = forms.IntegerField(required=False, min_value=1, label=_("Owner"))
    team_id = forms.IntegerField(required=False, min_value=1, label=_("Team"))
    office_id = forms.IntegerField(required=False, min_value=1, label=_("Office"))
    legal_entity_id = forms.IntegerField(required=False, min_value=1, label=_("Legal entity"))
    tag_id = forms.IntegerField(required=False, min_value=1, label=_("Tag"))
    created_from = forms.DateField(required=False, label=_("Created from"))
    created_to = forms.DateField(required=False, label=_("Created to"))
    updated_from = forms.DateField(required=False, label=_("Updated from"))
    updated_to = forms.DateField(required=False, label=_("Updated to"))
    since = forms.DateField(required=False, label=_("From"))
    until = forms.DateField(required=False, label=_("To"))

    def __init__(
        self, data: QueryDict, *, spec: ListSpec, custom_fields: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.spec = spec
        for choice in spec.choice_filters:
            self.fields[choice.name] = forms.ChoiceField(
                required=False, choices=[("", "—"), *choice.choices], label=choice.label
            )
        self.custom_fields = custom_fields
        for definition in custom_fields:
            name = f"custom.{definition.key}"
            if definition.choices:
                self.fields[name] = forms.ChoiceField(
                    required=False,
                    choices=[("", "—"), *((value, value) for value in definition.choices)],
                    label=definition.label,
                )
            else:
                self.fields[name] = forms.CharField(
                    required=False, max_length=200, label=definition.label
                )
        if not spec.has_tags:
            del self.fields["tag_id"]
        if not spec.has_time_range:
            del self.fields["since"], self.fields["until"]

    def to_filters(self) -> ListFilters:
        """The selector's filters; call after `is_valid()`."""
        data = self.cleaned_data
        extra = {
            choice.lookup: data.get(choice.name) or None for choice in self.spec.choice_filters
        }
        if self.spec.has_time_range:
            extra["at__gte"] = _day_start(data.get("since"))
            extra["at__lt"] = _day_start(data.get("until"), next_day=True)
        custom = {
            definition.key: data[f"custom.{definition.key}"]
            for definition in self.custom_fields
            if data.get(f"custom.{definition.key}") not in (None, "")
        }
        return ListFilters(
            q=data.get("q") or "",
            owner_id=data.get("owner_id"),
            team_id=data.get("team_id"),
            office_id=data.get("office_id"),
            legal_entity_id=data.get("legal_entity_id"),
            tag_id=data.get("tag_id"),
            created_after=_day_start(data.get("created_from")),
            created_before=_day_start(data.get("created_to"), next_day=True),
            updated_after=_day_start(data.get("updated_from")),
            updated_before=_day_start(data.get("updated_to"), next_day=True),
            custom=custom,
            extra=extra,
        )

    def active_count(self) -> int:
        """How many filters besides the search are set (to open the filter panel)."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return 0
        return sum(
            1
            for name, value in self.cleaned_data.items()
            if name != "q" and value not in (None, "")
        )


def _day_start(day: datetime.date | None, *, next_day: bool = False) -> datetime.datetime | None:
    """The start of `day` (or of the day after, for an inclusive "to") in the current zone."""
    if day is None:
        return None
    if next_day:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def parse_sort(spec: ListSpec, raw: str | None) -> str:
    """The requested sort if the list allows it, else the list's default."""
    raw = (raw or "").strip()
    if raw.lstrip("-") in spec.sorts:
        return raw
    return spec.default_sort


def saved_query(query: QueryDict) -> str:
    """The part of a list's query string worth saving: filters and sort, not the cursor."""
    kept = query.copy()
    for name in ("cursor", "csrfmiddlewaretoken"):
        kept.pop(name, None)
    return kept.urlencode()
