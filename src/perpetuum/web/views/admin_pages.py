"""Administration pages: users, roles and their scope matrix, teams, offices, legal
entities and custom field definitions. For administrators only; to anyone else they do not
exist (404). Every write goes through an audited service."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from perpetuum.core import access
from perpetuum.core import selectors as core_selectors
from perpetuum.core import services as core_services
from perpetuum.core.errors import VersionConflict
from perpetuum.core.models import CustomFieldDefinition
from perpetuum.org import selectors as org_selectors
from perpetuum.org import services as org_services
from perpetuum.org.models import LegalEntity, Office, Role, Team, User
from perpetuum.web.views.forms import add_service_errors, conflict_rows, page, rebind

CUSTOM_FIELDS_SHOWN = 200
CUSTOM_FIELD_INITIAL = [
    "entity",
    "key",
    "label",
    "field_type",
    "is_required",
    "max_length",
    "min_value",
    "max_value",
    "help_text",
    "position",
    "version",
]


def admin_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that exists for administrators only; everyone else gets a 404."""

    @page
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_administrator(request.user):
            raise Http404()
        return view(request, *args, **kwargs)

    return wrapper


SECTIONS = [
    ("web:admin_users", gettext_lazy("Users")),
    ("web:admin_roles", gettext_lazy("Roles")),
    ("web:admin_teams", gettext_lazy("Teams")),
    ("web:admin_offices", gettext_lazy("Offices")),
    ("web:admin_legal_entities", gettext_lazy("Legal entities")),
    ("web:admin_custom_fields", gettext_lazy("Custom fields")),
]


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    sections = [
        (url, label, request.path.startswith(url))
        for url, label in ((reverse(name), label) for name, label in SECTIONS)
    ]
    return render(request, template, {"sections": sections, **context})


def _list(
    request: HttpRequest,
    *,
    title: str,
    columns: list[str],
    rows: list[tuple[str, list[Any]]],
    new_url: str | None,
) -> HttpResponse:
    return _render(
        request,
        "web/admin/list.html",
        {"title": title, "columns": columns, "rows": rows, "new_url": new_url},
    )


def _form_page(request: HttpRequest, form: forms.Form, **context: Any) -> HttpResponse:
    return _render(request, "web/admin/form.html", {"form": form, **context})


@admin_page
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("web:admin_users")


# --- Users ---------------------------------------------------------------------------------


class UserForm(forms.Form):
    """A user's identity, role, place in our organisation and language."""

    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    office = forms.ChoiceField(label=gettext_lazy("Office"), required=False)
    legal_entity = forms.ChoiceField(
        label=gettext_lazy("Legal entity"),
        required=False,
        help_text=gettext_lazy("Empty: the office's."),
    )
    teams = forms.MultipleChoiceField(
        label=gettext_lazy("Teams"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=User._meta.get_field("language").choices
    )
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
    )

    def __init__(self, *args: Any, user: Any, edited: Any = None, **kwargs: Any) -> None:
        if edited is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": edited.username,
                    "first_name": edited.first_name,
                    "last_name": edited.last_name,
                    "email": edited.email,
                    "role": str(edited.role_id or ""),
                    "office": str(edited.office_id or ""),
                    "legal_entity": str(edited.legal_entity_id or ""),
                    "teams": [str(team.pk) for team in edited.teams.all()],
                    "language": edited.language,
                },
            )
        super().__init__(*args, **kwargs)
        self.options = {
            "role": {str(obj.pk): obj for obj in org_selectors.role_list(user)},
            "office": {str(obj.pk): obj for obj in org_selectors.office_choices(user)},
            "legal_entity": {str(obj.pk): obj for obj in org_selectors.legal_entity_choices(user)},
            "teams": {str(obj.pk): obj for obj in org_selectors.team_choices(user)},
        }
        for name, objects in self.options.items():
            choices = [(pk, str(obj)) for pk, obj in objects.items()]
            if name in ("office", "legal_entity"):
                choices.insert(0, ("", "—"))
            self.fields[name].choices = choices
        if edited is not None:
            del self.fields["password"]

    def service_data(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if name != "password"}
        for name in ("role", "office", "legal_entity"):
            data[name] = self.options[name].get(data[name])
        if data["legal_entity"] is None and data["office"] is not None:
            data["legal_entity"] = data["office"].legal_entity
        data["teams"] = [self.options["teams"][pk] for pk in data["teams"]]
        return data


@admin_page
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    rows = [
        (
            reverse("web:admin_user", args=[person.pk]),
            [
                person.username,
                person.get_full_name(),
                person.role or "—",
                person.office or "—",
                person.legal_entity or "—",
                ", ".join(team.name for team in person.teams.all()),
                _("active") if person.is_active else _("deactivated"),
            ],
        )
        for person in org_selectors.user_admin_list(request.user, q=query)
    ]
    columns = [
        _("User name"),
        _("Name"),
        _("Role"),
        _("Office"),
        _("Legal entity"),
        _("Teams"),
        _("Status"),
    ]
    return _list(
        request,
        title=_("Users"),
        columns=columns,
        rows=rows,
        new_url=reverse("web:admin_user_create"),
    )


@admin_page
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = org_services.user_create(
                actor=request.user,
                data=form.service_data(),
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User “%s” created.") % created.username)
            return redirect("web:admin_users")
    return _form_page(request, form, title=_("New user"), cancel_url=reverse("web:admin_users"))


@admin_page
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    edited = org_selectors.user_admin_get(request.user, pk)
    form = UserForm(request.POST or None, user=request.user, edited=edited)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.user_update(actor=request.user, user=edited, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User “%s” saved.") % edited.username)
            return redirect("web:admin_users")
    return _form_page(
        request,
        form,
        title=_("User %s") % edited.username,
        cancel_url=reverse("web:admin_users"),
        toggle_url=reverse("web:admin_user_active", args=[edited.pk]),
        toggle_label=_("Deactivate") if edited.is_active else _("Reactivate"),
        toggle_value="0" if edited.is_active else "1",
        edited_inactive=not edited.is_active,
    )


@admin_page
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate a user; users are never deleted."""
    edited = org_selectors.user_admin_get(request.user, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        org_services.user_set_active(actor=request.user, user=edited, is_active=is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("User “%s” deactivated.") if not is_active else _("User “%s” reactivated."))
            % edited.username,
        )
    return redirect("web:admin_user", edited.pk)


# --- Roles ---------------------------------------------------------------------------------

ENTITY_LABELS = {
    "account": gettext_lazy("Accounts"),
    "contact": gettext_lazy("Contacts"),
    "lead": gettext_lazy("Leads"),
    "interaction": gettext_lazy("Interactions"),
    "deal": gettext_lazy("Deals"),
    "order": gettext_lazy("Orders"),
    "invoice": gettext_lazy("Invoices"),
}


def entity_label(entity: str) -> Any:
    return ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())


SCOPE_LABELS = [
    ("none", gettext_lazy("none")),
    ("own", gettext_lazy("own")),
    ("team", gettext_lazy("team")),
    ("office", gettext_lazy("office")),
    ("legal_entity", gettext_lazy("legal entity")),
    ("all", gettext_lazy("all")),
]


class RoleForm(forms.Form):
    """A role's name and, per entity, the scope it may read and the scope it may change."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=50)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        if role is not None:
            initial: dict[str, Any] = {"code": role.code, "name": role.name}
            for entity in access.SCOPED_ENTITIES.values():
                for action in ("read", "write"):
                    initial[f"{entity}__{action}"] = role.permissions.get(entity, {}).get(
                        action, "none"
                    )
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for entity in access.SCOPED_ENTITIES.values():
            for action in ("read", "write"):
                self.fields[f"{entity}__{action}"] = forms.ChoiceField(
                    label=f"{entity_label(entity)} · {action}", choices=SCOPE_LABELS
                )
        if role is not None:
            self.fields["code"].disabled = True

    def matrix(self) -> list[dict[str, Any]]:
        return [
            {
                "label": entity_label(entity),
                "read": self[f"{entity}__read"],
                "write": self[f"{entity}__write"],
            }
            for entity in access.SCOPED_ENTITIES.values()
        ]

    def permissions(self) -> dict[str, dict[str, str]]:
        return {
            entity: {
                "read": self.cleaned_data[f"{entity}__read"],
                "write": self.cleaned_data[f"{entity}__write"],
            }
            for entity in access.SCOPED_ENTITIES.values()
        }


@admin_page
@require_GET
def roles(request: HttpRequest) -> HttpResponse:
    names = dict(SCOPE_LABELS)

    def scopes(role: Role) -> list[str]:
        return [
            f"{names.get(role.permissions.get(entity, {}).get('read', 'none'), '?')} / "
            f"{names.get(role.permissions.get(entity, {}).get('write', 'none'), '?')}"
            for entity in access.SCOPED_ENTITIES.values()
        ]

    rows = [
        (
            reverse("web:admin_role", args=[role.pk]),
            [role.name, role.code, *scopes(role), _("yes") if role.is_administrator else ""],
        )
        for role in org_selectors.role_list(request.user)
    ]
    read_change = _("read / change")
    columns = [
        _("Name"),
        _("Code"),
        *(f"{entity_label(entity)} ({read_change})" for entity in access.SCOPED_ENTITIES.values()),
        _("Administrator"),
    ]
    return _list(
        request,
        title=_("Roles"),
        columns=columns,
        rows=rows,
        new_url=reverse("web:admin_role_create"),
    )


def _role_page(request: HttpRequest, form: RoleForm, title: str) -> HttpResponse:
    return _render(
        request,
        "web/admin/role_form.html",
        {"form": form, "title": title, "cancel_url": reverse("web:admin_roles")},
    )


@admin_page
@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = org_services.role_create(
                actor=request.user,
                data={
                    "code": form.cleaned_data["code"],
                    "name": form.cleaned_data["name"],
                    "permissions": form.permissions(),
                },
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Role “%s” created.") % role.name)
            return redirect("web:admin_roles")
    return _role_page(request, form, _("New role"))


@admin_page
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = org_selectors.role_admin_get(request.user, pk)
    form = RoleForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.role_update(
                actor=request.user,
                role=role,
                data={"name": form.cleaned_data["name"], "permissions": form.permissions()},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Role “%s” saved.") % form.cleaned_data["name"])
            return redirect("web:admin_roles")
    return _role_page(request, form, _("Role %s") % role.name)


# --- Legal entities, offices and teams -----------------------------------------------------


class OrganisationKind:
    """How the pages show and edit one kind of our own organisation's records."""

    def __init__(
        self,
        model: type,
        slug: str,
        title: Any,
        new_title: Any,
        columns: list[tuple[Any, Callable[[Any], Any]]],
    ) -> None:
        self.model = model
        self.slug = slug
        self.title = title
        self.new_title = new_title
        self.columns = columns
        self.fields = org_services.ORGANISATION_FIELDS[model]

    def form_class(self) -> type[forms.ModelForm]:
        return forms.modelform_factory(self.model, fields=self.fields)


ORGANISATION = {
    "legal_entities": OrganisationKind(
        LegalEntity,
        "legal_entities",
        gettext_lazy("Legal entities"),
        gettext_lazy("New legal entity"),
        [
            (gettext_lazy("Name"), lambda obj: obj.name),
            (gettext_lazy("Legal name"), lambda obj: obj.legal_name),
            (gettext_lazy("Country"), lambda obj: obj.country),
            (gettext_lazy("Currency"), lambda obj: obj.base_currency),
        ],
    ),
    "offices": OrganisationKind(
        Office,
        "offices",
        gettext_lazy("Offices"),
        gettext_lazy("New office"),
        [
            (gettext_lazy("Name"), lambda obj: obj.name),
            (gettext_lazy("City"), lambda obj: obj.city),
            (gettext_lazy("Country"), lambda obj: obj.country),
            (gettext_lazy("Legal entity"), lambda obj: obj.legal_entity),
        ],
    ),
    "teams": OrganisationKind(
        Team,
        "teams",
        gettext_lazy("Teams"),
        gettext_lazy("New team"),
        [
            (gettext_lazy("Name"), lambda obj: obj.name),
            (gettext_lazy("Office"), lambda obj: obj.office or "—"),
        ],
    ),
}


def _organisation_list(request: HttpRequest, kind: OrganisationKind) -> HttpResponse:
    rows = [
        (
            reverse(f"web:admin_{kind.slug}_edit", args=[obj.pk]),
            [value(obj) for _label, value in kind.columns],
        )
        for obj in org_selectors.organisation_admin_list(request.user, kind.model)
    ]
    return _list(
        request,
        title=str(kind.title),
        columns=[str(label) for label, _value in kind.columns],
        rows=rows,
        new_url=reverse(f"web:admin_{kind.slug}_create"),
    )


def _organisation_create(request: HttpRequest, kind: OrganisationKind) -> HttpResponse:
    form = kind.form_class()(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in kind.fields}
        try:
            created = org_services.organisation_create(
                actor=request.user, model=kind.model, data=data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%s” created.") % created)
            return redirect(f"web:admin_{kind.slug}")
    return _form_page(
        request, form, title=str(kind.new_title), cancel_url=reverse(f"web:admin_{kind.slug}")
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _organisation_edit(request: HttpRequest, kind: OrganisationKind, pk: int) -> HttpResponse:
    instance = org_selectors.organisation_admin_get(request.user, kind.model, pk)
    # The model form validates and renders; it gets a copy, so nothing is saved through it.
    copy = org_selectors.organisation_admin_get(request.user, kind.model, pk)
    form = kind.form_class()(request.POST or None, instance=copy)
    version = VersionForm(request.POST or None, initial={"version": instance.version})
    changes: list[Any] = []
    if request.method == "POST" and form.is_valid() and version.is_valid():
        data = {name: form.cleaned_data[name] for name in kind.fields}
        try:
            org_services.organisation_update(
                actor=request.user,
                instance=instance,
                data=data,
                expected_version=version.cleaned_data["version"],
            )
        except VersionConflict:
            changes = conflict_rows(request.user, instance, version.cleaned_data["version"])
            rebind(version, version=instance.version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%s” saved.") % data["name"])
            return redirect(f"web:admin_{kind.slug}")
    return _form_page(
        request,
        form,
        version_form=version,
        title=str(instance),
        cancel_url=reverse(f"web:admin_{kind.slug}"),
        conflict=changes,
        conflicted=bool(changes),
    )


def _organisation_routes(slug: str, url: str) -> list[Any]:
    kind = ORGANISATION[slug]

    @admin_page
    @require_GET
    def listing(request: HttpRequest) -> HttpResponse:
        return _organisation_list(request, kind)

    @admin_page
    @require_http_methods(["GET", "POST"])
    def create(request: HttpRequest) -> HttpResponse:
        return _organisation_create(request, kind)

    @admin_page
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        return _organisation_edit(request, kind, pk)

    return [
        path(f"administration/{url}/", listing, name=f"admin_{slug}"),
        path(f"administration/{url}/new/", create, name=f"admin_{slug}_create"),
        path(f"administration/{url}/<int:pk>/", edit, name=f"admin_{slug}_edit"),
    ]


# --- Custom field definitions --------------------------------------------------------------


class CustomFieldForm(forms.Form):
    entity = forms.ChoiceField(
        label=gettext_lazy("For"), choices=CustomFieldDefinition.Entity.choices
    )
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=50,
        help_text=gettext_lazy("Letters, digits, _ and -; used by the API and imports."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    field_type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=CustomFieldDefinition.FieldType.choices
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For choice fields: one per line."),
    )
    is_required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    max_length = forms.IntegerField(label=gettext_lazy("Longest text"), required=False, min_value=1)
    min_value = forms.DecimalField(label=gettext_lazy("Smallest number"), required=False)
    max_value = forms.DecimalField(label=gettext_lazy("Largest number"), required=False)
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=200, required=False)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, initial=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, definition: Any = None, **kwargs: Any) -> None:
        if definition is not None:
            initial = {name: getattr(definition, name) for name in CUSTOM_FIELD_INITIAL}
            initial["choices"] = "\n".join(map(str, definition.choices or []))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if definition is not None:
            # What a field is for and holds is fixed once values exist.
            for name in ("entity", "key", "field_type"):
                self.fields[name].disabled = True

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        names = list(core_services.CUSTOM_FIELD_FIELDS)
        if creating:
            names += ["entity", "key", "field_type"]
        data = {name: self.cleaned_data.get(name) for name in names if name != "choices"}
        data["choices"] = [
            line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()
        ]
        data["help_text"] = data.get("help_text") or ""
        return data


@admin_page
@require_GET
def custom_fields(request: HttpRequest) -> HttpResponse:
    page_ = core_selectors.custom_field_list(
        request.user, entity=None, deleted=False, cursor=None, limit=CUSTOM_FIELDS_SHOWN
    )
    rows = [
        (
            reverse("web:admin_custom_field", args=[definition.pk]),
            [
                definition.get_entity_display(),
                definition.key,
                definition.label,
                definition.get_field_type_display(),
                _("yes") if definition.is_required else "",
                ", ".join(map(str, definition.choices or [])),
            ],
        )
        for definition in page_.items
    ]
    columns = [_("For"), _("Key"), _("Label"), _("Type"), _("Required"), _("Choices")]
    return _list(
        request,
        title=_("Custom fields"),
        columns=columns,
        rows=rows,
        new_url=reverse("web:admin_custom_field_create"),
    )


@admin_page
@require_http_methods(["GET", "POST"])
def custom_field_create(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = core_services.custom_field_create(
                actor=request.user, data=form.service_data(creating=True)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Custom field “%s” created.") % definition.label)
            return redirect("web:admin_custom_fields")
    return _form_page(
        request, form, title=_("New custom field"), cancel_url=reverse("web:admin_custom_fields")
    )


@admin_page
@require_http_methods(["GET", "POST"])
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    definition = core_selectors.custom_field_get(request.user, pk)
    form = CustomFieldForm(request.POST or None, definition=definition)
    changes: list[Any] = []
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            core_services.custom_field_update(
                actor=request.user,
                definition=definition,
                data=form.service_data(creating=False),
                expected_version=version,
            )
        except VersionConflict:
            changes = conflict_rows(request.user, definition, version or 0)
            rebind(form, version=definition.version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Custom field “%s” saved.") % definition.key)
            return redirect("web:admin_custom_fields")
    return _form_page(
        request,
        form,
        title=_("Custom field %s") % definition.key,
        cancel_url=reverse("web:admin_custom_fields"),
        conflict=changes,
        conflicted=bool(changes),
        delete_url=reverse("web:admin_custom_field_delete", args=[definition.pk]),
    )


@admin_page
@require_POST
def custom_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a custom field definition in the recycle bin (values stay on the records)."""
    definition = core_selectors.custom_field_get(request.user, pk)
    core_services.vocabulary_delete(actor=request.user, instance=definition)
    messages.success(request, _("Custom field “%s” moved to the recycle bin.") % definition.key)
    return redirect("web:admin_custom_fields")


urlpatterns = [
    path("administration/", index, name="admin_index"),
    path("administration/users/", users, name="admin_users"),
    path("administration/users/new/", user_create, name="admin_user_create"),
    path("administration/users/<int:pk>/", user_edit, name="admin_user"),
    path("administration/users/<int:pk>/active/", user_active, name="admin_user_active"),
    path("administration/roles/", roles, name="admin_roles"),
    path("administration/roles/new/", role_create, name="admin_role_create"),
    path("administration/roles/<int:pk>/", role_edit, name="admin_role"),
    *_organisation_routes("teams", "teams"),
    *_organisation_routes("offices", "offices"),
    *_organisation_routes("legal_entities", "legal-entities"),
    path("administration/custom-fields/", custom_fields, name="admin_custom_fields"),
    path(
        "administration/custom-fields/new/", custom_field_create, name="admin_custom_field_create"
    ),
    path("administration/custom-fields/<int:pk>/", custom_field_edit, name="admin_custom_field"),
    path(
        "administration/custom-fields/<int:pk>/delete/",
        custom_field_delete,
        name="admin_custom_field_delete",
    ),
]
