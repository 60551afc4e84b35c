"""Create and edit pages of accounts, contacts and leads, and the form machinery the other
page modules share: domain errors turned into 404 / 403, service validation errors put on
the form fields they concern, custom fields rendered by type, the owners a user may assign,
and the "changed since you opened it" notice of a version conflict."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from perpetuum.clients import selectors, services
from perpetuum.clients.duplicates import find_duplicates_for
from perpetuum.clients.models import Account, Lead
from perpetuum.core import access
from perpetuum.core import selectors as core_selectors
from perpetuum.core.customfields import definitions_for
from perpetuum.core.errors import NotFound, PermissionDenied, VersionConflict
from perpetuum.core.models import CustomFieldDefinition
from perpetuum.org import selectors as org_selectors

TAGS_SHOWN = 200

# --- What every page module of the cards, forms, merge and administration shares ---------


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A workspace page for signed-in users: a record outside the user's scope is a 404
    (the same as a missing one), an action the role does not allow a 403, and input the
    services refuse that no form could show a 400."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404() from error
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.detail) from error
        except ValidationError as error:
            return HttpResponseBadRequest("; ".join(error.messages))

    return wrapper


FIELD_ALIASES = {"owner_id": "owner", "tag_ids": "tags", "__all__": None}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the errors a service raised on the form fields they name (`custom.<key>` on the
    custom field's input); errors of fields the form lacks go to the top of the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        name: str | None = key
        if key.startswith("custom."):
            name = f"custom__{key.removeprefix('custom.')}"
        name = FIELD_ALIASES.get(name, name)
        if name is not None and name not in form.fields:
            messages = [f"{key}: {message}" for message in messages]
            name = None
        for message in messages:
            form.add_error(name, message)


def conflict_rows(user: Any, record: Any, version: int) -> list[Any]:
    """What someone else changed on `record` since the user opened it at `version`."""
    return core_selectors.record_changes_since(user, record, version)


def rebind(form: forms.Form, **values: Any) -> None:
    """Change a bound form's submitted values (the version after a conflict), keeping the
    rest of what the user typed."""
    data = form.data.copy()
    for name, value in values.items():
        data[form.add_prefix(name)] = value
    form.data = data


def owner_choices(user: Any, entity: str, current: Any = None) -> list[tuple[str, str]]:
    """The owners the user may pick: those their write scope allows, and the current one."""
    users = org_selectors.assignable_owners(user, entity)
    choices = [(str(person.pk), str(person)) for person in users]
    if current is not None and str(current.pk) not in dict(choices):
        choices.insert(0, (str(current.pk), str(current)))
    return choices


def tag_choices(user: Any) -> list[tuple[str, str]]:
    tags = core_selectors.tag_list(user, q="", deleted=False, cursor=None, limit=TAGS_SHOWN)
    return [(str(tag.pk), tag.name) for tag in tags.items]


def custom_field(definition: CustomFieldDefinition) -> forms.Field:
    """The form field of one custom field definition, by its type."""
    kind = CustomFieldDefinition.FieldType
    common: dict[str, Any] = {
        "label": definition.label,
        "required": definition.is_required,
        "help_text": definition.help_text,
    }
    bounds = {"min_value": definition.min_value, "max_value": definition.max_value}
    field_type = definition.field_type
    if field_type == kind.NUMBER:
        return forms.DecimalField(**bounds, **common)
    if field_type == kind.MONEY:
        return forms.DecimalField(
            decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}), **bounds, **common
        )
    if field_type == kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field_type == kind.CHOICE:
        options = [(str(choice), str(choice)) for choice in definition.choices]
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if field_type == kind.MULTI_CHOICE:
        options = [(str(choice), str(choice)) for choice in definition.choices]
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if field_type == kind.BOOLEAN:
        # Yes, no, or not given: a required one is enforced by the service.
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
            label=definition.label,
            required=False,
            help_text=definition.help_text,
        )
    return forms.CharField(max_length=definition.max_length or None, **common)


def lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class RecordForm(forms.Form):
    """Base of the account, contact and lead forms: owner, tags, custom fields, version.

    `main` lists the entity's own fields in order; the custom fields follow them.
    """

    entity = ""
    main: list[str] = []
    list_fields: list[str] = []

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tags = forms.MultipleChoiceField(
        label=_("Tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args: Any, user: Any, record: Any = None, **kwargs: Any) -> None:
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(record)
        elif record is None:
            kwargs.setdefault("initial", {}).setdefault("owner", str(user.pk))
        super().__init__(*args, **kwargs)
        self.user = user
        self.record = record
        self.definitions = definitions_for(self.entity)
        for definition in self.definitions:
            self.fields[f"custom__{definition.key}"] = custom_field(definition)
        self.fields["tags"].choices = tag_choices(user)
        self.fields["owner"].choices = owner_choices(
            user, self.entity, record.owner if record is not None else None
        )

    def initial_from(self, record: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(record, name, "") for name in self.main}
        for name in self.list_fields:
            initial[name] = "\n".join(getattr(record, name) or [])
        initial["version"] = record.version
        initial["tags"] = [str(tag.pk) for tag in record.tags.all()]
        initial["owner"] = str(record.owner_id) if record.owner_id else ""
        for key, value in (record.custom or {}).items():
            initial[f"custom__{key}"] = value
        return initial

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.main if name in self.fields]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        """The entity's extra fields beyond `main` (a new contact's account and title)."""
        shared = {"version", "tags", "owner", *self.main}
        return [
            self[name]
            for name in self.fields
            if name not in shared and not name.startswith("custom__")
        ]

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"custom__{definition.key}"] for definition in self.definitions]

    def custom_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(f"custom__{definition.key}")
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            values[definition.key] = value
        return values

    def service_data(self) -> dict[str, Any]:
        """What the create or update service takes; the owner only when it changes."""
        data: dict[str, Any] = {name: self.cleaned_data[name] for name in self.main}
        for name in self.list_fields:
            data[name] = lines(self.cleaned_data[name])
        data["tag_ids"] = [int(pk) for pk in self.cleaned_data["tags"]]
        data["custom"] = self.custom_values()
        owner_id = int(self.cleaned_data["owner"])
        if self.record is None or owner_id != self.record.owner_id:
            data["owner_id"] = owner_id
        return data


class AccountForm(RecordForm):
    entity = "account"
    main = [
        "name",
        "legal_name",
        "stage",
        "country",
        "tax_id",
        "kpp",
        "industry",
        "size",
        "website",
        "city",
        "emails",
        "phones",
        "parent_id",
    ]
    list_fields = ["emails", "phones"]

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=300, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Account.Stage.choices)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. DE or RU; the tax id is checked for it."),
    )
    tax_id = forms.CharField(label=_("Tax id"), max_length=32, required=False)
    kpp = forms.CharField(label=_("KPP"), max_length=9, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    size = forms.ChoiceField(
        label=_("Size"), choices=[("", "—"), *Account.Size.choices], required=False
    )
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    emails = forms.CharField(
        label=_("E-mails"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line; the first is the primary one."),
    )  # fmt: skip
    phones = forms.CharField(
        label=_("Phones"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line; the first is the primary one."),
    )  # fmt: skip
    parent_id = forms.IntegerField(
        label=_("Holding parent"),
        required=False,
        min_value=1,
        help_text=_("The number of the parent account, shown on its card."),
    )


class ContactForm(RecordForm):
    entity = "contact"
    main = ["first_name", "middle_name", "last_name", "emails", "phones", "language"]
    list_fields = ["emails", "phones"]

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    emails = forms.CharField(
        label=_("E-mails"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line; the first is the primary one."),
    )  # fmt: skip
    phones = forms.CharField(
        label=_("Phones"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line; the first is the primary one."),
    )  # fmt: skip
    language = forms.CharField(label=_("Language"), max_length=5, required=False)
    account_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title at the account"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.record is not None:
            # Roles are kept as they are by an edit; they change on the account's side.
            del self.fields["account_id"]
            del self.fields["title"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.record is None and self.cleaned_data.get("account_id"):
            data["roles"] = [
                {"account_id": self.cleaned_data["account_id"], "title": self.cleaned_data["title"]}
            ]
        return data


LEAD_STATUSES = [choice for choice in Lead.Status.choices if choice[0] != Lead.Status.CONVERTED]


class LeadForm(RecordForm):
    entity = "lead"
    main = [
        "first_name",
        "last_name",
        "company_name",
        "job_title",
        "email",
        "phone",
        "tax_id",
        "country",
        "status",
        "source_channel",
        "campaign",
        "description",
    ]

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    tax_id = forms.CharField(label=_("Tax id"), max_length=32, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=LEAD_STATUSES)
    source_channel = forms.ChoiceField(label=_("Source channel"), choices=Lead.Channel.choices)
    campaign = forms.CharField(label=_("Campaign"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.record is not None and self.record.status == Lead.Status.CONVERTED:
            self.fields["status"].choices = Lead.Status.choices
            self.fields["status"].disabled = True


# --- The create and edit pages ------------------------------------------------------------


class Entity:
    """How the pages create, fetch and update one kind of client record."""

    def __init__(
        self,
        *,
        name: str,
        form: type[RecordForm],
        get: Callable[..., Any],
        create: Callable[..., Any],
        update: Callable[..., Any],
        card: str,
        title_new: Any,
        title_edit: Any,
    ) -> None:
        self.name = name
        self.form = form
        self.get = get
        self.create = create
        self.update = update
        self.card = card
        self.title_new = title_new
        self.title_edit = title_edit


ENTITIES = {
    "account": Entity(
        name="account",
        form=AccountForm,
        get=selectors.account_get,
        create=lambda actor, data: services.account_create(actor=actor, data=data),
        update=lambda actor, record, data, version: services.account_update(
            actor=actor, account=record, data=data, expected_version=version
        ),
        card="web:account_card",
        title_new=_("New account"),
        title_edit=_("Edit account"),
    ),
    "contact": Entity(
        name="contact",
        form=ContactForm,
        get=selectors.contact_get,
        create=lambda actor, data: services.contact_create(actor=actor, data=data),
        update=lambda actor, record, data, version: services.contact_update(
            actor=actor, contact=record, data=data, expected_version=version
        ),
        card="web:contact_card",
        title_new=_("New contact"),
        title_edit=_("Edit contact"),
    ),
    "lead": Entity(
        name="lead",
        form=LeadForm,
        get=selectors.lead_get,
        create=lambda actor, data: services.lead_create(actor=actor, data=data),
        update=lambda actor, record, data, version: services.lead_update(
            actor=actor, lead=record, data=data, expected_version=version
        ),
        card="web:lead_card",
        title_new=_("New lead"),
        title_edit=_("Edit lead"),
    ),
}


def _form_page(request: HttpRequest, entity: Entity, form: RecordForm, **context: Any) -> Any:
    return render(
        request,
        "web/forms/record_form.html",
        {
            "form": form,
            "entity": entity.name,
            "record": form.record,
            "title": entity.title_edit if form.record is not None else entity.title_new,
            "card_url": entity.card,
            "cancel_url": (
                reverse(entity.card, args=[form.record.pk])
                if form.record is not None
                else reverse("web:home")
            ),
            **context,
        },
    )


DUPLICATE_CHECKED = ("account", "contact")


def _create(request: HttpRequest, entity: Entity) -> HttpResponse:
    if not access.may_create(request.user, entity.name):
        raise PermissionDenied()
    initial: dict[str, Any] = {"owner": str(request.user.pk)}
    if entity.name == "contact" and request.GET.get("account", "").isdigit():
        account = selectors.account_get(request.user, int(request.GET["account"]))
        initial["account_id"] = account.pk
    duplicates: list[Any] = []
    if request.method == "POST":
        form = entity.form(request.POST, user=request.user)
        if form.is_valid():
            data = form.service_data()
            # An account or contact that looks like one the user can see is shown first;
            # "Create anyway" sends the form again with `create_anyway`.
            if entity.name in DUPLICATE_CHECKED and not request.POST.get("create_anyway"):
                duplicates = find_duplicates_for(request.user, entity.name, data, limit=5)
            if not duplicates:
                try:
                    record = entity.create(request.user, data)
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    return redirect(entity.card, record.pk)
    else:
        form = entity.form(user=request.user, initial=initial)
    return _form_page(request, entity, form, duplicates=duplicates)


def _edit(request: HttpRequest, entity: Entity, pk: int) -> HttpResponse:
    record = entity.get(request.user, pk)
    if not access.can(request.user, "write", record):
        raise PermissionDenied()
    changes: list[Any] = []
    if request.method == "POST":
        form = entity.form(request.POST, user=request.user, record=record)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                entity.update(request.user, record, form.service_data(), version)
            except VersionConflict:
                # Keep what the user typed; the next save knowingly goes over the other one.
                changes = conflict_rows(request.user, record, version or 0)
                rebind(form, version=record.version)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(entity.card, record.pk)
    else:
        form = entity.form(user=request.user, record=record)
    return _form_page(request, entity, form, conflict=changes, conflicted=bool(changes))


@page
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    return _create(request, ENTITIES["account"])


@page
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, ENTITIES["account"], pk)


@page
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    return _create(request, ENTITIES["contact"])


@page
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, ENTITIES["contact"], pk)


@page
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    return _create(request, ENTITIES["lead"])


@page
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, ENTITIES["lead"], pk)


urlpatterns = [
    path("accounts/new/", account_create, name="account_create"),
    path("accounts/<int:pk>/edit/", account_edit, name="account_edit"),
    path("contacts/new/", contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact_edit"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
]
