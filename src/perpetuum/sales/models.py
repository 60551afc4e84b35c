"""Sales: the catalogue and its prices, pipelines of deals, orders, invoices and payments,
and the settings of the guard.

Every amount is a `Decimal` in a column of four decimals, rounded to its currency's minor
unit by `perpetuum.core.money` before it is stored; a document's totals are the sums of its
lines' rounded amounts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perpetuum.clients.models import Lead
from perpetuum.core.models import Owned, Record
from perpetuum.core.money import CURRENCY_CHOICES, DECIMAL_PLACES, MAX_DIGITS

LIVE = models.Q(deleted_at__isnull=True)


def money_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    """A column for an amount of money (four decimals; the currency decides the rounding)."""
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def currency_field(verbose_name: str = _("currency"), **kwargs: object) -> models.CharField:
    return models.CharField(verbose_name, max_length=3, choices=CURRENCY_CHOICES, **kwargs)


def percent_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        **kwargs,
    )


class PartnerTier(models.TextChoices):
    """The tier of a partner a price list is for; the partners issue extends it."""

    NONE = "none", _("No tier")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


# --- Catalogue ---------------------------------------------------------------------------


class ProductCategory(Record):
    """A shelf of the catalogue; categories nest through `parent`."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(Record):
    """A product or a service we sell. With components it is a bundle; with options it can
    be configured. `attributes` holds the comparable characteristics ({"Weight": "12 kg"}).
    `cost_price` (in `cost_currency`) is what it costs us, for the margin."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default="product")
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    tax_rate = percent_field(_("tax rate, %"))
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(
        ProductCategory, blank=True, related_name="products", verbose_name=_("categories")
    )
    cost_price = models.DecimalField(
        _("cost price"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        null=True,
        blank=True,
    )
    cost_currency = currency_field(_("cost currency"), default="EUR")
    is_active = models.BooleanField(_("active"), default=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["is_active", "name"]),
        ]
        constraints = [
            models.UniqueConstraint(Lower("sku"), condition=LIVE, name="product_sku_unique_live"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class ProductOption(Record):
    """A configurable option of a product with its price delta (in `currency`). Options that
    share a non-empty `group` exclude each other (one colour of several)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(_("group"), max_length=100, blank=True)
    price_delta = money_field(_("price delta"))
    currency = currency_field(default="EUR")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("product option")
        verbose_name_plural = _("product options")

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name}"


class BundleComponent(models.Model):
    """One component of a bundle, with its quantity per bundle."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="in_bundles", verbose_name=_("component")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=4, default=Decimal("1")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["bundle", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
            models.CheckConstraint(
                condition=~models.Q(bundle=models.F("component")), name="bundle_not_itself"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bundle_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle.name} ⊃ {self.quantity} × {self.component.name}"


# --- Prices ------------------------------------------------------------------------------


class PriceList(Record):
    """Prices in one currency for one legal entity (or every entity, when empty) and one
    partner tier, valid from a date until another (or open-ended)."""

    name = models.CharField(_("name"), max_length=200)
    legal_entity = models.ForeignKey(
        "org.LegalEntity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("legal entity"),
    )
    currency = currency_field()
    partner_tier = models.CharField(
        _("partner tier"), max_length=20, choices=PartnerTier.choices, default="none"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        indexes = [models.Index(fields=["legal_entity", "partner_tier", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="price_list_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(Record):
    """The price of one product in one price list (per unit, before tax)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_items")
    price = money_field(_("price"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["price_list", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product"], condition=LIVE, name="price_item_unique_live"
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.product_id} = {self.price}"


class CurrencyRate(Record):
    """How many units of `quote_currency` one unit of `base_currency` buys, from
    `valid_on` until the next rate of the pair."""

    base_currency = currency_field(_("base currency"))
    quote_currency = currency_field(_("quote currency"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=24,
        decimal_places=10,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
    )
    valid_on = models.DateField(_("valid on"))
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["base_currency", "quote_currency", "-valid_on"]
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [
            models.UniqueConstraint(
                fields=["base_currency", "quote_currency", "valid_on"],
                condition=LIVE,
                name="currency_rate_unique_live",
            ),
            models.CheckConstraint(
                condition=~models.Q(base_currency=models.F("quote_currency")),
                name="currency_rate_two_currencies",
            ),
        ]
        indexes = [models.Index(fields=["base_currency", "quote_currency", "valid_on"])]

    def __str__(self) -> str:
        return f"1 {self.base_currency} = {self.rate} {self.quote_currency} ({self.valid_on})"


# --- Deals -------------------------------------------------------------------------------


class Pipeline(Record):
    """A sales process: its ordered stages. A company may run several (new business,
    renewals, projects)."""

    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(Record):
    """A step of a pipeline, with the probability a deal in it usually has. A won or lost
    stage closes the deal."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=0, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_won=True) & models.Q(is_lost=True)),
                name="stage_not_won_and_lost",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Deal(Record, Owned):
    """An opportunity to sell to an account, moving through the stages of a pipeline.

    `status` (open, won, lost) follows the stage; `stage_entered_at` and `closed_at` follow
    the stage changes, which are all kept in `DealStageChange`. `legal_entity` and
    `office` are those that serve the deal — the owner's, unless set otherwise.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "clients.Account",
        null=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        verbose_name=_("account"),
    )
    contacts = models.ManyToManyField(
        "clients.Contact", blank=True, related_name="deals", verbose_name=_("contacts")
    )
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0"))])
    currency = currency_field(default="EUR")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=0, validators=[MaxValueValidator(100)]
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default="open", editable=False
    )
    source_channel = models.CharField(
        _("source channel"), max_length=20, choices=Lead.Channel.choices, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    stage_entered_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["pipeline", "stage", "id"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "closed_at"]),
            models.Index(fields=["expected_close_date", "id"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.name


class DealStageChange(models.Model):
    """A deal entering a stage: the first one (from no stage) when it is created, then
    every move. Time in stage and sales-cycle length are computed from these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["deal", "at", "id"]
        indexes = [
            models.Index(fields=["deal", "at", "id"]),
            models.Index(fields=["to_stage", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id} at {self.at}"


# --- Orders, invoices, payments ----------------------------------------------------------


class DocumentLine(models.Model):
    """A line of an order or an invoice: what, how many, at what price, the discount and the
    tax; the amounts are computed by `core.money.line_amounts` when the line is written.
    `unit_cost` is the cost in the document's currency at that time, for the margin."""

    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = money_field(_("unit price"), validators=[MinValueValidator(Decimal("0"))])
    discount_percent = percent_field(_("discount, %"))
    tax_rate = percent_field(_("tax rate, %"))
    net_amount = money_field(_("net amount"))
    tax_amount = money_field(_("tax amount"))
    gross_amount = money_field(_("gross amount"))
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class Totalled(models.Model):
    """The totals of a document: the sums of its lines' rounded amounts."""

    currency = currency_field()
    net_total = money_field(_("net total"), editable=False)
    tax_total = money_field(_("tax total"), editable=False)
    gross_total = money_field(_("gross total"), editable=False)

    class Meta:
        abstract = True


class Order(Record, Owned, Totalled):
    """What a client ordered: from an accepted quote or entered directly. Numbered per
    legal entity and year when created."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    account = models.ForeignKey(
        "clients.Account",
        null=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("account"),
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("deal"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default="confirmed"
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    source = models.CharField(_("source"), max_length=30, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["account", "order_date"]),
            models.Index(fields=["order_date", "id"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["status", "order_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "number"],
                condition=~models.Q(number=""),
                name="order_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number or str(_("Order (draft)"))


class OrderLine(DocumentLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        indexes = [models.Index(fields=["product", "order"])]


class Invoice(Record, Owned, Totalled):
    """A bill to a client. A draft has no number; issuing it takes the next number of its
    legal entity's series for the year, without gaps. Payments move it to partly paid and
    paid; it is overdue while unpaid after its due date."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = ("issued", "partly_paid")

    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    account = models.ForeignKey(
        "clients.Account",
        null=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        verbose_name=_("account"),
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default="draft", editable=False
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True, editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms, days"), default=14)
    paid_total = money_field(_("paid"), editable=False)
    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["account", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["issue_date", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "number"],
                condition=~models.Q(number=""),
                name="invoice_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number or str(_("Invoice (draft)"))

    @property
    def outstanding(self) -> Decimal:
        return self.gross_total - self.paid_total


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")


class Payment(Record):
    """Money received against an invoice, in the invoice's currency; full or partial."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0.0001"))])
    paid_on = models.DateField(_("paid on"), default=timezone.localdate)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default="bank_transfer"
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["invoice", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class NumberSeries(models.Model):
    """The counter of one legal entity's invoice (or order) numbers in one year. The row is
    locked while a number is taken, so two documents never get the same one and a rolled
    back transaction gives its number back."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        ORDER = "order", _("Order")

    legal_entity = models.ForeignKey("org.LegalEntity", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=20, blank=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "kind", "year"], name="number_series_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last_number}"


class SalesSettings(models.Model):
    """The one row of sales settings an administrator edits: whether the guard warns or
    blocks when a deal or a quote is made for a client with open problems."""

    class GuardMode(models.TextChoices):
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    guard_mode = models.CharField(
        _("guard"), max_length=10, choices=GuardMode.choices, default="warn"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return f"guard: {self.guard_mode}"
