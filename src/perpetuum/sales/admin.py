"""The operators' back office for sales: read-mostly views of the catalogue, prices,
pipelines, deals and documents. Day-to-day changes go through the workspace and the API,
whose services audit them; here, the records that have no page of their own yet (number
series, the sales settings) can be corrected."""

from __future__ import annotations

from django.contrib import admin

from perpetuum.sales.models import (
    BundleComponent,
    CurrencyRate,
    Deal,
    DealStageChange,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Order,
    OrderLine,
    Payment,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    ProductOption,
    SalesSettings,
    Stage,
)

READ_ONLY_RECORD = ("created_at", "updated_at", "version", "deleted_at", "deleted_by")


class OptionInline(admin.TabularInline):
    model = ProductOption
    extra = 0
    fields = ("name", "group", "price_delta", "currency", "position")


class ComponentInline(admin.TabularInline):
    model = BundleComponent
    fk_name = "bundle"
    extra = 0
    raw_id_fields = ("component",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "kind", "unit", "tax_rate", "is_active")
    list_filter = ("kind", "is_active", "categories")
    search_fields = ("sku", "name")
    readonly_fields = READ_ONLY_RECORD
    inlines = (OptionInline, ComponentInline)


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
    readonly_fields = READ_ONLY_RECORD


class PriceItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    raw_id_fields = ("product",)
    fields = ("product", "price")


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("name", "legal_entity", "currency", "partner_tier", "valid_from", "valid_until")
    list_filter = ("currency", "partner_tier", "legal_entity", "is_active")
    readonly_fields = READ_ONLY_RECORD
    inlines = (PriceItemInline,)


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ("base_currency", "quote_currency", "rate", "valid_on", "source")
    list_filter = ("base_currency", "quote_currency")
    date_hierarchy = "valid_on"
    readonly_fields = READ_ONLY_RECORD


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("name", "position", "probability", "is_won", "is_lost")


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "position")
    readonly_fields = READ_ONLY_RECORD
    inlines = (StageInline,)


class StageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_stage", "to_stage", "at", "actor_name")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "stage", "status", "amount", "currency", "owner")
    list_filter = ("status", "pipeline", "legal_entity")
    search_fields = ("name", "account__name")
    raw_id_fields = ("account", "contacts", "owner")
    readonly_fields = (*READ_ONLY_RECORD, "status", "stage_entered_at", "closed_at")
    inlines = (StageChangeInline,)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)
    readonly_fields = ("net_amount", "tax_amount", "gross_amount")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "order_date", "status", "gross_total", "currency")
    list_filter = ("status", "legal_entity")
    search_fields = ("number", "reference", "account__name")
    raw_id_fields = ("account", "deal", "owner")
    readonly_fields = (*READ_ONLY_RECORD, "number", "net_total", "tax_total", "gross_total")
    inlines = (OrderLineInline,)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    raw_id_fields = ("product",)
    readonly_fields = ("net_amount", "tax_amount", "gross_amount")


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("amount", "paid_on", "method", "reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "account", "status", "issue_date", "due_date", "gross_total")
    list_filter = ("status", "legal_entity")
    search_fields = ("number", "account__name")
    raw_id_fields = ("account", "order", "deal", "owner")
    readonly_fields = (
        *READ_ONLY_RECORD,
        "number",
        "status",
        "issue_date",
        "net_total",
        "tax_total",
        "gross_total",
        "paid_total",
        "paid_on",
    )
    inlines = (InvoiceLineInline, PaymentInline)


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    """The prefix of a series may be set; its counter only grows through issued documents."""

    list_display = ("legal_entity", "kind", "year", "prefix", "last_number")
    list_filter = ("kind", "year")
    readonly_fields = ("legal_entity", "kind", "year", "last_number")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SalesSettings)
class SalesSettingsAdmin(admin.ModelAdmin):
    list_display = ("guard_mode", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return not SalesSettings.objects.exists()
