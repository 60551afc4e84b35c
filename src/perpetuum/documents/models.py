"""Document templates, our legal entities' letterheads, and the documents generated from
them (quotes, contracts, invoices as PDF)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perpetuum.core import money
from perpetuum.core.models import Owned, Record


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    CONTRACT = "contract", _("Contract")
    INVOICE = "invoice", _("Invoice")


class DocumentLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    GERMAN = "de", "Deutsch"
    RUSSIAN = "ru", "Русский"
    FRENCH = "fr", "Français"


class Letterhead(Record):
    """What one of our legal entities prints on its documents: the letterhead text, its
    bank details and who signs for it. One per legal entity."""

    legal_entity = models.OneToOneField(
        "org.LegalEntity", on_delete=models.CASCADE, related_name="letterhead"
    )
    letterhead = models.TextField(
        _("letterhead"), blank=True, help_text=_("Name and address lines at the top of a page.")
    )
    contact_line = models.CharField(
        _("contact line"), max_length=300, blank=True, help_text=_("Phone · e-mail · web site")
    )
    bank_details = models.TextField(_("bank details"), blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True)
    footer = models.TextField(_("footer"), blank=True)

    class Meta:
        verbose_name = _("letterhead")

    def __str__(self) -> str:
        return f"{self.legal_entity}"


class DocumentTemplate(Record):
    """An editable HTML template of one kind of document in one language, for one legal
    entity or (without one) for all of them.

    `body` is written in Django's template language and rendered in a sandbox
    (`documents.rendering`): no `{% load %}`, `{% include %}` or `{% extends %}`, values
    escaped. `code` names the template across its languages and entities ("quote",
    "supply_agreement"); the seeded defaults are found again by it.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=5, choices=DocumentLanguage.choices)
    legal_entity = models.ForeignKey(
        "org.LegalEntity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_templates",
        verbose_name=_("legal entity"),
    )
    body = models.TextField(_("body"))
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used when no template is chosen.")
    )

    class Meta:
        ordering = ["kind", "code", "language", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language", "legal_entity"],
                condition=models.Q(deleted_at__isnull=True, legal_entity__isnull=False),
                name="document_template_unique_per_entity",
            ),
            models.UniqueConstraint(
                fields=["code", "language"],
                condition=models.Q(deleted_at__isnull=True, legal_entity__isnull=True),
                name="document_template_unique_shared",
            ),
        ]
        indexes = [models.Index(fields=["kind", "language"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Document(models.Model):
    """A generated document (PDF), kept as it was sent: never edited, only superseded by a
    new version. `version` counts the documents of one kind made from one source record
    (`source_type`, `source_id`: a quote, a deal, an account, an invoice).

    The PDF itself lives in `DocumentFile`, a row of its own, in the database: it then
    commits and rolls back with this record, is in every database backup, and is served
    the same by every web server without shared disk; lists of documents never load it.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=5, choices=DocumentLanguage.choices)
    account = models.ForeignKey(
        "clients.Account", on_delete=models.CASCADE, related_name="documents"
    )
    contact = models.ForeignKey(
        "clients.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_entity = models.ForeignKey(
        "org.LegalEntity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_type = models.CharField(max_length=50)
    source_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(_("version"))
    template = models.ForeignKey(
        DocumentTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_name = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    html = models.TextField(blank=True, help_text=_("The HTML the PDF was made from."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id", "version"],
                name="document_version_unique",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="document_account_at"),
            models.Index(fields=["source_type", "source_id"], name="document_source"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class DocumentFile(models.Model):
    """The bytes of a generated document."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    content = models.BinaryField()
    content_type = models.CharField(max_length=100, default="application/pdf")

    def __str__(self) -> str:
        return self.document.filename


def _money(verbose_name: str, **kwargs: object) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        verbose_name, max_digits=money.MAX_DIGITS, decimal_places=money.DECIMAL_PLACES, **kwargs
    )


def _percent(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


class Quote(Record, Owned):
    """A proposal to a client: lines from the catalogue, totals in the deal's currency.

    A quote is revised, not edited once it has left the house: `quote_revise` copies it
    with its lines into the next `revision` under the same `number`. Only a draft's lines
    change. Sending it (e-mail with the PDF) makes it "sent"; the client's answer makes it
    "accepted" (and an order) or "rejected"; a quote not answered by `valid_until` expires.
    `legal_entity` (with owner, team and office) is the scope of who may change it; `issuer`
    is the legal entity whose letterhead and prices it carries.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_revisions",
        editable=False,
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    account = models.ForeignKey("clients.Account", on_delete=models.CASCADE, related_name="quotes")
    contact = models.ForeignKey(
        "clients.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.ForeignKey(
        "sales.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    issuer = models.ForeignKey(
        "org.LegalEntity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=DocumentLanguage.choices, default="en"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=money.CURRENCY_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default="draft", editable=False
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    template = models.ForeignKey(
        DocumentTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    net_total = _money(_("net total"), editable=False)
    tax_total = _money(_("tax total"), editable=False)
    gross_total = _money(_("gross total"), editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    order = models.ForeignKey(
        "sales.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"],
                condition=~models.Q(number=""),
                name="quote_number_revision_unique",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="quote_account_at"),
            models.Index(fields=["deal", "-created_at"], name="quote_deal_at"),
            models.Index(fields=["status", "valid_until"], name="quote_status_valid"),
            models.Index(fields=["created_at", "id"], name="quote_created"),
        ]

    def __str__(self) -> str:
        return self.display_number or str(_("Quote (new)"))

    @property
    def display_number(self) -> str:
        """The number with its revision: Q-000012, then Q-000012-2, Q-000012-3…"""
        if not self.number:
            return ""
        return self.number if self.revision == 1 else f"{self.number}-{self.revision}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class QuoteLine(models.Model):
    """A line of a quote: a catalogue product (or free text), the quantity, the unit price
    (from the price list unless set by hand, with where it came from in `price_source`),
    the discount and the tax; amounts computed by `core.money.line_amounts`."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "sales.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500)
    details = models.TextField(_("details"), blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = _money(_("unit price"), validators=[MinValueValidator(Decimal("0"))])
    price_source = models.CharField(_("price source"), max_length=300, blank=True)
    discount_percent = _percent(_("discount, %"))
    tax_rate = _percent(_("tax rate, %"))
    net_amount = _money(_("net amount"))
    tax_amount = _money(_("tax amount"))
    gross_amount = _money(_("gross amount"))

    class Meta:
        ordering = ["quote", "position", "id"]
        indexes = [models.Index(fields=["product", "quote"], name="quote_line_product")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"
