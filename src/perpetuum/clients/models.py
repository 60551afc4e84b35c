"""Accounts (organisations, with holdings), contacts (people, with roles at accounts) and
leads (inquiries not yet qualified)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perpetuum.core.models import Owned, Record


class Account(Record, Owned):
    """An organisation, client or prospect.

    `parent` builds holdings; `root` is the top of the holding (itself for a top-level
    account), kept by `clients.services` so a whole holding is one indexed filter.
    """

    class Stage(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        FORMER_CUSTOMER = "former_customer", _("Former customer")
        PARTNER = "partner", _("Partner")

    class Size(models.TextChoices):
        MICRO = "1-9", "1–9"
        SMALL = "10-49", "10–49"
        MEDIUM = "50-249", "50–249"
        LARGE = "250-999", "250–999"
        ENTERPRISE = "1000+", "1000+"

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    email = models.CharField(_("primary e-mail"), max_length=254, blank=True, editable=False)
    phone = models.CharField(_("primary phone"), max_length=20, blank=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holding_members",
        editable=False,
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default="prospect")
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="accounts")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    name_key = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_("The name as duplicate detection compares it (clients.duplicates)."),
    )

    class Meta:
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["name_key"]),
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["tax_id"]),
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(Record, Owned):
    """A person. `email` and `phone` are the first of `emails` and `phones`, indexed for
    matching; every e-mail is lower-cased and every phone is in E.164."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    full_name = models.CharField(max_length=310, editable=False)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    email = models.CharField(_("primary e-mail"), max_length=254, blank=True, editable=False)
    phone = models.CharField(_("primary phone"), max_length=20, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=5, blank=True)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_contacts",
        editable=False,
        help_text=_("The account of the contact's current primary role."),
    )
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="contacts")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    name_key = models.CharField(
        max_length=255,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_("The name as duplicate detection compares it (clients.duplicates)."),
    )

    class Meta:
        indexes = [
            models.Index(fields=["full_name", "id"]),
            models.Index(fields=["last_name", "id"]),
            models.Index(fields=["name_key"]),
            models.Index(fields=["owner", "full_name"]),
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class ContactRole(models.Model):
    """A contact's position at an account, over time."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="roles")
    # Indexed by (account, contact) below.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contact_roles", db_index=False
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "-since", "id"]
        indexes = [models.Index(fields=["account", "contact"])]

    def __str__(self) -> str:
        return f"{self.contact} – {self.title} @ {self.account}"


class Lead(Record, Owned):
    """An inquiry not yet qualified, from any channel, with where it came from."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        WORKING = "working", _("Working")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")
        EVENT = "event", _("Event")
        ADVERTISING = "advertising", _("Advertising")
        REFERRAL = "referral", _("Referral")
        PARTNER = "partner", _("Partner")
        IMPORT = "import", _("Import")
        OTHER = "other", _("Other")

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    full_name = models.CharField(max_length=210, editable=False)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="new")
    source_channel = models.CharField(
        _("source channel"), max_length=20, choices=Channel.choices, default="other"
    )
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    converted_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    converted_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    converted_at = models.DateTimeField(null=True, blank=True, editable=False)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="leads")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["full_name", "id"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.full_name or self.company_name or self.email


class DuplicateCandidate(models.Model):
    """Two accounts or two contacts that the duplicate scan found alike, waiting for someone
    to merge or dismiss them (`clients.duplicates`).

    A pair is stored once, as (`left_id`, `right_id`) with `left_id` < `right_id`, however
    often the scan runs; a dismissed pair stays dismissed.
    """

    class Entity(models.TextChoices):
        ACCOUNT = "account", _("Account")
        CONTACT = "contact", _("Contact")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Dismissed")

    entity = models.CharField(_("entity"), max_length=10, choices=Entity.choices)
    left_id = models.BigIntegerField()
    right_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField(_("score"), help_text=_("0–100"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # The two records, set by `clients.duplicates` when it reads pairs.
    left: Any = None
    right: Any = None

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "left_id", "right_id"], name="duplicate_pair_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(left_id__lt=models.F("right_id")),
                name="duplicate_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["entity", "status", "score", "id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.left_id} ~ {self.right_id} ({self.score})"

    @property
    def first(self) -> Any:
        return self.left

    @property
    def second(self) -> Any:
        return self.right

    @property
    def reason(self) -> str:
        """The strongest evidence, as one word: email, phone, tax_id or name."""
        names = {"same_email": "email", "same_phone": "phone", "same_tax_id": "tax_id"}
        for reason in self.reasons:
            if reason in names:
                return names[reason]
        return "name"
