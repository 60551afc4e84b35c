"""The one timeline table: every interaction with a client, past and planned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from perpetuum.core.models import Owned, Record


class Interaction(Record, Owned):
    """A call, e-mail, meeting, chat, form submission, link click, note, task, decision,
    document or system event, linked to the account, contact, lead and deal it concerns.
    A complaint (`is_complaint`) stays open until it is marked `is_resolved`.

    `at` is `occurred_at` for what happened and `due_at` for what is planned: the timeline
    of a client is then one indexed scan on `(account, at)`. `(source, external_id)` is
    unique, so intake from a channel that sends the same event twice stores it once.
    """

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Meeting")
        CHAT = "chat", _("Chat")
        WEB_FORM = "web_form", _("Web form")
        LINK_CLICK = "link_click", _("Link click")
        NOTE = "note", _("Note")
        TASK = "task", _("Task")
        DECISION = "decision", _("Decision")
        DOCUMENT = "document", _("Document")
        SYSTEM = "system", _("System")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")
        INTERNAL = "internal", _("Internal")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default="internal"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="done")
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    at = models.DateTimeField(editable=False)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    is_complaint = models.BooleanField(_("open complaint"), default=False)
    is_resolved = models.BooleanField(_("resolved"), default=False)
    # No index of their own on the owner and the author: no query looks interactions up by
    # either but `my_planned` (by `interaction_owner_due`), and deleting a user for good.
    # Two index builds fewer when loading ten million interactions.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
    )
    account = models.ForeignKey(
        "clients.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,  # led by its (…, at, id) index below
    )
    contact = models.ForeignKey(
        "clients.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,  # led by its (…, at, id) index below
    )
    lead = models.ForeignKey(
        "clients.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,  # led by its (…, at, id) index below
    )
    deal = models.ForeignKey(
        "sales.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,  # led by its (…, at, id) index below
    )
    source = models.CharField(_("source"), max_length=50, blank=True)
    external_id = models.CharField(_("external id"), max_length=200, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-at", "-id"], name="interaction_account_at"),
            models.Index(fields=["contact", "-at", "-id"], name="interaction_contact_at"),
            # Most interactions concern no lead and no deal: these index only those that do.
            models.Index(
                fields=["lead", "-at", "-id"],
                name="interaction_lead_at",
                condition=models.Q(lead__isnull=False),
            ),
            models.Index(
                fields=["deal", "-at", "-id"],
                name="interaction_deal_at",
                condition=models.Q(deal__isnull=False),
            ),
            # A user's planned interactions (`my_planned`): the 8 % that have a due date.
            models.Index(
                fields=["owner", "status", "due_at"],
                name="interaction_owner_due",
                condition=models.Q(due_at__isnull=False),
            ),
            models.Index(fields=["-at", "-id"], name="interaction_at"),
            # Covers the account card's counts (by kind, open and overdue tasks) so that
            # they read the index alone, not every interaction of a busy client.
            models.Index(
                fields=["account", "kind", "status", "due_at", "deleted_at"],
                name="interaction_account_summary",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="interaction_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(occurred_at__isnull=False) | models.Q(due_at__isnull=False),
                name="interaction_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()

    @property
    def author_name(self) -> str:
        """Who wrote the entry down, as people read it; empty for imported ones."""
        return str(self.author) if self.author_id else ""

    def save(self, *args, **kwargs) -> None:
        self.at = self.occurred_at or self.due_at
        super().save(*args, **kwargs)
