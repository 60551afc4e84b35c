"""factory_boy factories for the whole suite.

Organisation and users are plain model factories. Client records (accounts, contacts, leads,
interactions) are created *through the services*, so their derived columns — `root`,
`full_name`, the primary `email` / `phone`, `at`, and the team, office and legal entity that
follow from the owner — are exactly what the application itself would store, and each
creation writes its audit event like any other.

How the client factories call the services:

- `owner` is the user the record belongs to (by default a new sales representative).
- `actor` is who performs the create. By default it is a built-in superuser
  (username `factory`), created once per test database, so a factory never trips over
  the owner's own permissions; pass `actor=some_user` to create as someone else.
- Everything else is passed as the service's `data`, e.g.
  `AccountFactory(owner=rep, name="ACME", tax_id="DE136695976", country="DE")`,
  `ContactFactory(owner=rep, emails=["a@example.com"], roles=[{"account_id": 1}])`,
  `InteractionFactory(owner=rep, account=account, status="planned", due_at=...)`.
  Related records may be given as objects (`parent=`, `account=`, `contact=`, `lead=`,
  `tags=`); the factory turns them into the `*_id` keys the services take.

`Factory.build()` returns an unsaved instance without calling any service.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from perpetuum.clients import services as client_services
from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core.models import CustomFieldDefinition, Tag
from perpetuum.org.models import LegalEntity, Office, Role, Team
from perpetuum.timeline import services as timeline_services
from perpetuum.timeline.models import Interaction

User = get_user_model()

FACTORY_ACTOR_USERNAME = "factory"


def factory_actor() -> Any:
    """The superuser client factories create records as, unless told otherwise."""
    user, created = User.objects.get_or_create(
        username=FACTORY_ACTOR_USERNAME,
        defaults={"is_superuser": True, "is_staff": True, "email": "factory@example.com"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def role_by_code(code: str | Role | None) -> Role | None:
    """A role from its code (`perpetuum.core.access.DEFAULT_ROLES`), or None for no role."""
    if code is None or isinstance(code, Role):
        return code
    return Role.objects.get(code=code)


def _id(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


# --- Organisation ---------------------------------------------------------------------------


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    name = factory.Sequence(lambda n: f"Perpetuum Entity {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} GmbH")
    country = "DE"
    base_currency = "EUR"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office {n}")
    city = factory.Sequence(lambda n: f"City {n}")
    country = factory.SelfAttribute("legal_entity.country")
    legal_entity = factory.SubFactory(LegalEntityFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    office = factory.SubFactory(OfficeFactory)


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a role given by its code (`role="sales_manager"`; `role=None` for none).

    `legal_entity` follows `office` unless given. `teams` is a list of teams
    (`UserFactory(teams=[team])`); by default the user is in no team.
    The password is "password".
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("password")
    role = "sales_representative"
    office = factory.SubFactory(OfficeFactory)
    legal_entity = factory.LazyAttribute(lambda o: o.office.legal_entity if o.office else None)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["role"] = role_by_code(kwargs.get("role"))
        return kwargs

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.teams.set(extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")
    color = "#6b7280"


class CustomFieldDefinitionFactory(factory.django.DjangoModelFactory):
    """A custom field on accounts (`entity=`, `field_type=`, `choices=` to change it)."""

    class Meta:
        model = CustomFieldDefinition

    entity = CustomFieldDefinition.Entity.ACCOUNT
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    field_type = CustomFieldDefinition.FieldType.TEXT


# --- Client records, created through the services --------------------------------------------


class ServiceFactory(factory.django.DjangoModelFactory):
    """Base of the client-record factories: `_create` calls the entity's create service."""

    class Meta:
        abstract = True

    owner = factory.SubFactory(UserFactory)

    # Keys given as objects that the services take as ids.
    _id_keys: tuple[str, ...] = ()

    @classmethod
    def _service_data(cls, owner: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        data = dict(kwargs)
        data["owner_id"] = _id(owner)
        for key in cls._id_keys:
            if key in data:
                data[f"{key}_id"] = _id(data.pop(key))
        if "tags" in data:
            data["tag_ids"] = [_id(tag) for tag in data.pop("tags")]
        return data

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        actor = kwargs.pop("actor", None) or factory_actor()
        owner = kwargs.pop("owner")
        return cls._call_service(actor, cls._service_data(owner, kwargs))

    @classmethod
    def _call_service(cls, actor: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("actor", None)
        kwargs.pop("tags", None)
        kwargs.pop("roles", None)
        return model_class(*args, **kwargs)


class AccountFactory(ServiceFactory):
    """An account created with `clients.services.account_create`."""

    class Meta:
        model = Account

    _id_keys = ("parent",)

    name = factory.Sequence(lambda n: f"Account {n}")
    country = "DE"

    @classmethod
    def _call_service(cls, actor: Any, data: dict[str, Any]) -> Account:
        return client_services.account_create(actor=actor, data=data)


class ContactFactory(ServiceFactory):
    """A contact created with `clients.services.contact_create`.

    `account=` is a shortcut for one current role at that account.
    """

    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Anna{n}")
    last_name = factory.Sequence(lambda n: f"Schmidt{n}")

    @classmethod
    def _service_data(cls, owner: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        account = kwargs.pop("account", None)
        data = super()._service_data(owner, kwargs)
        if account is not None:
            data.setdefault("roles", []).insert(0, {"account_id": _id(account), "title": ""})
        return data

    @classmethod
    def _call_service(cls, actor: Any, data: dict[str, Any]) -> Contact:
        return client_services.contact_create(actor=actor, data=data)


class LeadFactory(ServiceFactory):
    """A lead created with `clients.services.lead_create` (status "new" by default)."""

    class Meta:
        model = Lead

    first_name = factory.Sequence(lambda n: f"Lena{n}")
    last_name = factory.Sequence(lambda n: f"Meyer{n}")
    company_name = factory.Sequence(lambda n: f"Lead Company {n}")
    source_channel = Lead.Channel.WEB_FORM

    @classmethod
    def _call_service(cls, actor: Any, data: dict[str, Any]) -> Lead:
        return client_services.lead_create(actor=actor, data=data)


class InteractionFactory(ServiceFactory):
    """An interaction created with `timeline.services.interaction_create`.

    By default a note that happened an hour ago, linked to a new account of the same owner;
    pass `account=None` with a `contact=` or `lead=` to link it elsewhere only. For a
    planned one: `status="planned", occurred_at=None, due_at=...`.
    """

    class Meta:
        model = Interaction

    _id_keys = ("account", "contact", "lead")

    kind = Interaction.Kind.NOTE
    status = Interaction.Status.DONE
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    subject = factory.Sequence(lambda n: f"Interaction {n}")
    account = factory.LazyAttribute(
        lambda o: None if (o.contact or o.lead) else AccountFactory(owner=o.owner)
    )
    contact = None
    lead = None

    @classmethod
    def _call_service(cls, actor: Any, data: dict[str, Any]) -> Interaction:
        interaction, _created = timeline_services.interaction_create(actor=actor, data=data)
        return interaction
