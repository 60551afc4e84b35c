"""Our own company: legal entities, offices, teams, roles and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from perpetuum.core.models import Record


class LegalEntity(Record):
    """One of our company's legal entities; deals, invoices and interactions carry it."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=32, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    base_currency = models.CharField(_("base currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return self.name


class Office(Record):
    """A regional office, belonging to one legal entity."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="DE")
    legal_entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="offices")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(Record):
    """A group of users working together (a sales team, a support line)."""

    name = models.CharField(_("name"), max_length=200)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """What a user may see and change: a scope per entity for reading and for writing.

    `permissions` maps an entity ("account", "contact", "lead", "interaction") to
    {"read": scope, "write": scope}; scopes are listed in `core.access.Scope`.
    """

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    permissions = models.JSONField(default=dict)
    is_administrator = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person working in Perpetuum, with one role, a home office and teams."""

    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    legal_entity = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    language = models.CharField(
        _("language"),
        max_length=5,
        default="en",
        choices=[("en", "English"), ("de", "Deutsch"), ("ru", "Русский"), ("fr", "Français")],
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username
