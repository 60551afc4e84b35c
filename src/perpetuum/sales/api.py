"""REST routes of sales: the catalogue, prices and rates, pipelines, deals, orders, invoices
and payments, the guard, receivables, statistics and an account's sales summary.

Amounts travel as strings ("1234.50"): a JSON number with a fraction is a float, and money
is never a float; whole numbers are accepted as numbers too.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, PlainSerializer
from pydantic_core import PydanticCustomError

from perpetuum.clients import selectors as client_selectors
from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    expected_version,
    idempotent,
    sent_fields,
    with_etag,
)
from perpetuum.core.errors import NotFound
from perpetuum.core.filters import ListFilters
from perpetuum.core.money import MINOR_UNITS, round_money, to_decimal
from perpetuum.org.models import LegalEntity
from perpetuum.sales import selectors, services
from perpetuum.sales.guard import account_problems
from perpetuum.sales.models import Deal, Invoice, Order
from perpetuum.timeline.api import InteractionOut

router = Router(tags=["sales"])


def _exact(value: Any) -> Any:
    """Refuse a JSON number with a fraction (a float); take text and whole numbers."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "money_float", 'Send amounts as text, e.g. "10.50": money is never a float.'
        )
    return value


def _text(value: Decimal) -> str:
    """A decimal as plain text without an exponent and without trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


MoneyIn = Annotated[Decimal, BeforeValidator(_exact)]
DecimalOut = Annotated[Decimal, PlainSerializer(_text, return_type=str)]
Currency = Literal[tuple(sorted(MINOR_UNITS))]  # type: ignore[valid-type]
Tier = Literal["none", "silver", "gold", "platinum"]
Channel = Literal[
    "",
    "web_form",
    "email",
    "phone",
    "chat",
    "event",
    "advertising",
    "referral",
    "partner",
    "import",
    "other",
]


def money(value: Any, currency: str) -> str:
    """An amount as text with its currency's minor unit."""
    return str(round_money(value or 0, currency))


def unit_money(value: Any, currency: str) -> str:
    """A unit price: the currency's minor unit, or up to four decimals when it has more."""
    value = to_decimal(value or 0)
    rounded = round_money(value, currency)
    return str(rounded) if rounded == value else _text(value)


def _new(payload: Schema) -> dict[str, Any]:
    """The fields of a create, defaults included; a null means "the default" too."""
    return payload.model_dump(exclude_none=True)


def _data(payload: Schema, *, nullable: set[str] | None = None) -> dict[str, Any]:
    return sent_fields(payload, nullable=nullable)


class Ownership(Schema):
    owner_id: int | None
    owner_name: str = ""
    team_id: int | None
    office_id: int | None
    legal_entity_id: int | None

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return str(obj.owner) if obj.owner_id else ""


class RecordMeta(Schema):
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None


class PricingQuery(Schema):
    """Whom a price is for: the serving legal entity (the user's by default), the currency
    (the entity's base currency by default), the partner tier and the day (today)."""

    legal_entity_id: int | None = None
    currency: Currency | None = None
    partner_tier: Tier = "none"
    on_date: datetime.date | None = None

    def context(self, request: HttpRequest) -> dict[str, Any]:
        entity_id = self.legal_entity_id or request.user.legal_entity_id
        currency = self.currency
        if currency is None:
            entity = LegalEntity.objects.filter(pk=entity_id).first() if entity_id else None
            currency = entity.base_currency if entity else "EUR"
        return {
            "legal_entity": entity_id,
            "currency": currency,
            "partner_tier": self.partner_tier,
            "on_date": self.on_date or timezone.localdate(),
        }


# --- Catalogue ---------------------------------------------------------------------------


class CategoryIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    parent_id: int | None = None


class CategoryPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    parent_id: int | None = None


class CategoryOut(RecordMeta):
    id: int
    name: str
    description: str
    parent_id: int | None


class ComponentOut(Schema):
    component_id: int
    name: str
    quantity: DecimalOut

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.component.name


class OptionOut(RecordMeta):
    id: int
    product_id: int
    name: str
    group: str
    price_delta: str
    currency: str
    position: int

    @staticmethod
    def resolve_price_delta(obj: Any) -> str:
        return money(obj.price_delta, obj.currency)


AttributeValue = str | int | bool | None


class ProductIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["product", "service"] = "product"
    unit: str = Field("pcs", max_length=20)
    tax_rate: MoneyIn = Decimal("0")
    description: str = ""
    category_ids: list[int] = []
    cost_price: MoneyIn | None = None
    cost_currency: Currency = "EUR"
    is_active: bool = True
    attributes: dict[str, AttributeValue] = Field(
        {}, description='Comparable characteristics, e.g. {"Power": "800 W"}'
    )


class ProductPatch(InputSchema):
    sku: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["product", "service"] | None = None
    unit: str | None = Field(None, max_length=20)
    tax_rate: MoneyIn | None = None
    description: str | None = None
    category_ids: list[int] | None = None
    cost_price: MoneyIn | None = None
    cost_currency: Currency | None = None
    is_active: bool | None = None
    attributes: dict[str, AttributeValue] | None = None


class ProductOut(RecordMeta):
    id: int
    sku: str
    name: str
    kind: str
    unit: str
    tax_rate: DecimalOut
    description: str
    category_ids: list[int]
    cost_price: str | None
    cost_currency: str
    is_active: bool
    attributes: dict[str, Any]
    is_bundle: bool
    components: list[ComponentOut]
    options: list[OptionOut]

    @staticmethod
    def resolve_category_ids(obj: Any) -> list[int]:
        return sorted(category.pk for category in obj.categories.all())

    @staticmethod
    def resolve_cost_price(obj: Any) -> str | None:
        return None if obj.cost_price is None else unit_money(obj.cost_price, obj.cost_currency)

    @staticmethod
    def resolve_components(obj: Any) -> list[Any]:
        return list(obj.components.all())

    @staticmethod
    def resolve_is_bundle(obj: Any) -> bool:
        return bool(list(obj.components.all()))

    @staticmethod
    def resolve_options(obj: Any) -> list[Any]:
        return list(obj.options.all())


class ComponentIn(InputSchema):
    component_id: int
    quantity: MoneyIn = Decimal("1")


class ComponentsIn(InputSchema):
    components: list[ComponentIn]


class OptionIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    group: str = Field("", max_length=100, description="Options of one group exclude each other")
    price_delta: MoneyIn = Decimal("0")
    currency: Currency = "EUR"
    position: int = Field(0, ge=0)


class OptionPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    group: str | None = Field(None, max_length=100)
    price_delta: MoneyIn | None = None
    currency: Currency | None = None
    position: int | None = Field(None, ge=0)


class RateUsedOut(Schema):
    from_currency: str
    to_currency: str
    rate: DecimalOut
    valid_on: datetime.date
    is_inverse: bool


class PriceOut(Schema):
    product_id: int
    price: str
    currency: str
    price_list_id: int
    price_list_name: str
    list_price: str
    list_currency: str
    rate: RateUsedOut | None
    explanation: str

    @staticmethod
    def resolve_price(obj: Any) -> str:
        return unit_money(obj.price, obj.currency)

    @staticmethod
    def resolve_price_list_id(obj: Any) -> int:
        return obj.price_list.pk

    @staticmethod
    def resolve_price_list_name(obj: Any) -> str:
        return obj.price_list.name

    @staticmethod
    def resolve_list_price(obj: Any) -> str:
        return unit_money(obj.list_price, obj.list_currency)


class ConfigureIn(InputSchema):
    option_ids: list[int] = []
    quantity: MoneyIn = Decimal("1")
    legal_entity_id: int | None = None
    currency: Currency | None = None
    partner_tier: Tier = "none"
    on_date: datetime.date | None = None


class ConfiguredLineOut(Schema):
    kind: str
    description: str
    quantity: DecimalOut
    unit_price: str
    amount: str
    product_id: int | None
    option_id: int | None


class ConfigurationOut(Schema):
    product_id: int
    currency: str
    quantity: DecimalOut
    unit_price: str
    total: str
    option_ids: list[int]
    lines: list[ConfiguredLineOut]
    explanation: list[str]

    @staticmethod
    def resolve_product_id(obj: Any) -> int:
        return obj.product.pk

    @staticmethod
    def resolve_unit_price(obj: Any) -> str:
        return money(obj.unit_price, obj.currency)

    @staticmethod
    def resolve_total(obj: Any) -> str:
        return money(obj.total, obj.currency)

    @staticmethod
    def resolve_lines(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                **vars(line),
                "unit_price": money(line.unit_price, obj.currency),
                "amount": money(line.amount, obj.currency),
            }
            for line in obj.lines
        ]


class ComparisonRowOut(Schema):
    name: str
    values: list[Any]
    differs: bool


class ComparisonOut(Schema):
    products: list[ProductOut]
    prices: list[PriceOut | None]
    rows: list[ComparisonRowOut]


ProductSort = Literal["name", "-name", "sku", "-sku", "created_at", "-created_at"]


@router.get("/product-categories", response=list[CategoryOut], summary="List categories")
def list_categories(request: HttpRequest, deleted: bool = False) -> Any:
    return selectors.category_list(request.user, deleted=deleted)


@router.post("/product-categories", response={201: CategoryOut, **PROBLEM_RESPONSES})
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        category = services.category_create(actor=request.user, data=_new(payload))
        return 201, CategoryOut.model_validate(category).model_dump(mode="json")

    return idempotent(request, route="categories.create", payload=payload, create=create)


@router.get("/product-categories/{category_id}", response={200: CategoryOut, **PROBLEM_RESPONSES})
def get_category(request: HttpRequest, category_id: int, response: HttpResponse) -> Any:
    category = selectors.category_get(request.user, category_id)
    with_etag(response, category)
    return category


@router.patch("/product-categories/{category_id}", response={200: CategoryOut, **PROBLEM_RESPONSES})
def update_category(
    request: HttpRequest, category_id: int, payload: CategoryPatch, response: HttpResponse
) -> Any:
    category = services.category_update(
        actor=request.user,
        category=selectors.category_get(request.user, category_id),
        data=_data(payload, nullable={"parent_id"}),
        expected_version=expected_version(request, category_id),
    )
    with_etag(response, category)
    return category


@router.delete("/product-categories/{category_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_category(request: HttpRequest, category_id: int) -> Any:
    services.catalogue_delete(
        actor=request.user,
        instance=selectors.category_get(request.user, category_id),
        expected_version=expected_version(request, category_id, required=False),
    )
    return Status(204, None)


@router.get("/products", response=CursorPage[ProductOut], summary="Search the catalogue")
def list_products(
    request: HttpRequest,
    q: str = Query("", description="Part of the name or the SKU"),
    category_id: int | None = None,
    kind: Literal["product", "service"] | None = None,
    is_active: bool | None = None,
    deleted: bool = False,
    sort: ProductSort = "name",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.product_list(
        request.user,
        q=q,
        category_id=category_id,
        kind=kind,
        is_active=is_active,
        sort=sort,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/products", response={201: ProductOut, **PROBLEM_RESPONSES})
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        product = services.product_create(actor=request.user, data=_new(payload))
        product = selectors.product_get(request.user, product.pk)
        return 201, ProductOut.model_validate(product).model_dump(mode="json")

    return idempotent(request, route="products.create", payload=payload, create=create)


@router.get(
    "/products/compare", response={200: ComparisonOut, **PROBLEM_RESPONSES}, summary="Compare"
)
def compare_products(
    request: HttpRequest, pricing: Query[PricingQuery], ids: list[int] = Query(...)
) -> Any:
    """Chosen products side by side: every attribute and the price for the client."""
    return selectors.product_compare(request.user, ids, **pricing.context(request))


@router.get("/products/{product_id}", response={200: ProductOut, **PROBLEM_RESPONSES})
def get_product(request: HttpRequest, product_id: int, response: HttpResponse) -> Any:
    product = selectors.product_get(request.user, product_id)
    with_etag(response, product)
    return product


@router.patch("/products/{product_id}", response={200: ProductOut, **PROBLEM_RESPONSES})
def update_product(
    request: HttpRequest, product_id: int, payload: ProductPatch, response: HttpResponse
) -> Any:
    services.product_update(
        actor=request.user,
        product=selectors.product_get(request.user, product_id),
        data=_data(payload, nullable={"cost_price"}),
        expected_version=expected_version(request, product_id),
    )
    product = selectors.product_get(request.user, product_id)
    with_etag(response, product)
    return product


@router.delete("/products/{product_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_product(request: HttpRequest, product_id: int) -> Any:
    services.catalogue_delete(
        actor=request.user,
        instance=selectors.product_get(request.user, product_id),
        expected_version=expected_version(request, product_id, required=False),
    )
    return Status(204, None)


@router.post("/products/{product_id}/restore", response={200: ProductOut, **PROBLEM_RESPONSES})
def restore_product(request: HttpRequest, product_id: int) -> Any:
    services.catalogue_restore(
        actor=request.user, instance=selectors.product_get(request.user, product_id, deleted=True)
    )
    return selectors.product_get(request.user, product_id)


@router.put("/products/{product_id}/components", response={200: ProductOut, **PROBLEM_RESPONSES})
def set_components(request: HttpRequest, product_id: int, payload: ComponentsIn) -> Any:
    """Make the product a bundle of these components (an empty list: no bundle)."""
    services.bundle_components_set(
        actor=request.user,
        product=selectors.product_get(request.user, product_id),
        components=[component.model_dump() for component in payload.components],
        expected_version=expected_version(request, product_id, required=False),
    )
    return selectors.product_get(request.user, product_id)


@router.post("/products/{product_id}/options", response={201: OptionOut, **PROBLEM_RESPONSES})
def create_option(request: HttpRequest, product_id: int, payload: OptionIn) -> Any:
    option = services.option_create(
        actor=request.user,
        product=selectors.product_get(request.user, product_id),
        data=_new(payload),
    )
    return Status(201, option)


@router.patch(
    "/products/{product_id}/options/{option_id}", response={200: OptionOut, **PROBLEM_RESPONSES}
)
def update_option(
    request: HttpRequest, product_id: int, option_id: int, payload: OptionPatch
) -> Any:
    product = selectors.product_get(request.user, product_id)
    return services.option_update(
        actor=request.user,
        option=selectors.option_get(request.user, product, option_id),
        data=_data(payload, nullable=set()),
        expected_version=expected_version(request, option_id, required=False),
    )


@router.delete(
    "/products/{product_id}/options/{option_id}", response={204: None, **PROBLEM_RESPONSES}
)
def delete_option(request: HttpRequest, product_id: int, option_id: int) -> Any:
    product = selectors.product_get(request.user, product_id)
    services.catalogue_delete(
        actor=request.user, instance=selectors.option_get(request.user, product, option_id)
    )
    return Status(204, None)


@router.get("/products/{product_id}/price", response={200: PriceOut, **PROBLEM_RESPONSES})
def product_price(request: HttpRequest, product_id: int, pricing: Query[PricingQuery]) -> Any:
    """The unit price a client gets, with the list it comes from and any conversion."""
    product = selectors.product_get(request.user, product_id)
    resolved = selectors.price_for(product, **pricing.context(request))
    if resolved is None:
        raise ValidationError({"product_id": ["No price list prices this product for them."]})
    return resolved


@router.post(
    "/products/{product_id}/configure", response={200: ConfigurationOut, **PROBLEM_RESPONSES}
)
def configure_product(request: HttpRequest, product_id: int, payload: ConfigureIn) -> Any:
    """The price of the product with the chosen options (and, for a bundle, its parts)."""
    product = selectors.product_get(request.user, product_id)
    pricing = PricingQuery(
        legal_entity_id=payload.legal_entity_id,
        currency=payload.currency,
        partner_tier=payload.partner_tier,
        on_date=payload.on_date,
    )
    return selectors.product_configure(
        product, payload.option_ids, quantity=payload.quantity, **pricing.context(request)
    )


# --- Price lists and rates ---------------------------------------------------------------


class PriceListIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    legal_entity_id: int | None = Field(None, description="Empty: every legal entity")
    currency: Currency
    partner_tier: Tier = "none"
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    is_active: bool = True


class PriceListPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    legal_entity_id: int | None = None
    currency: Currency | None = None
    partner_tier: Tier | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    is_active: bool | None = None


class PriceListOut(RecordMeta):
    id: int
    name: str
    legal_entity_id: int | None
    currency: str
    partner_tier: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    is_active: bool


class PriceItemIn(InputSchema):
    price: MoneyIn = Field(..., description='The unit price before tax, e.g. "99.90"')


class PriceItemOut(Schema):
    id: int
    product_id: int
    product_name: str
    sku: str
    price: str
    version: int

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return obj.product.name

    @staticmethod
    def resolve_sku(obj: Any) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_price(obj: Any) -> str:
        return unit_money(obj.price, obj.price_list.currency)


class RateIn(InputSchema):
    base_currency: Currency
    quote_currency: Currency
    rate: MoneyIn = Field(..., description='Units of the quote currency per one, e.g. "98.15"')
    valid_on: datetime.date
    source: str = Field("", max_length=100)


class RatePatch(InputSchema):
    rate: MoneyIn | None = None
    valid_on: datetime.date | None = None
    source: str | None = Field(None, max_length=100)


class RateOut(RecordMeta):
    id: int
    base_currency: str
    quote_currency: str
    rate: DecimalOut
    valid_on: datetime.date
    source: str


@router.get("/price-lists", response=CursorPage[PriceListOut], summary="List price lists")
def list_price_lists(
    request: HttpRequest,
    legal_entity_id: int | None = None,
    currency: Currency | None = None,
    partner_tier: Tier | None = None,
    valid_on: datetime.date | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.price_list_list(
        request.user,
        legal_entity_id=legal_entity_id,
        currency=currency,
        partner_tier=partner_tier,
        on_date=valid_on,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/price-lists", response={201: PriceListOut, **PROBLEM_RESPONSES})
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        price_list = services.price_list_create(actor=request.user, data=_new(payload))
        return 201, PriceListOut.model_validate(price_list).model_dump(mode="json")

    return idempotent(request, route="price_lists.create", payload=payload, create=create)


@router.get("/price-lists/{price_list_id}", response={200: PriceListOut, **PROBLEM_RESPONSES})
def get_price_list(request: HttpRequest, price_list_id: int, response: HttpResponse) -> Any:
    price_list = selectors.price_list_get(request.user, price_list_id)
    with_etag(response, price_list)
    return price_list


@router.patch("/price-lists/{price_list_id}", response={200: PriceListOut, **PROBLEM_RESPONSES})
def update_price_list(
    request: HttpRequest, price_list_id: int, payload: PriceListPatch, response: HttpResponse
) -> Any:
    price_list = services.price_list_update(
        actor=request.user,
        price_list=selectors.price_list_get(request.user, price_list_id),
        data=_data(payload, nullable={"legal_entity_id", "valid_until"}),
        expected_version=expected_version(request, price_list_id),
    )
    with_etag(response, price_list)
    return price_list


@router.delete("/price-lists/{price_list_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_price_list(request: HttpRequest, price_list_id: int) -> Any:
    services.catalogue_delete(
        actor=request.user,
        instance=selectors.price_list_get(request.user, price_list_id),
        expected_version=expected_version(request, price_list_id, required=False),
    )
    return Status(204, None)


@router.get(
    "/price-lists/{price_list_id}/items", response={200: list[PriceItemOut], **PROBLEM_RESPONSES}
)
def list_price_items(request: HttpRequest, price_list_id: int) -> Any:
    price_list = selectors.price_list_get(request.user, price_list_id)
    return selectors.price_list_items(request.user, price_list)


@router.put(
    "/price-lists/{price_list_id}/items/{product_id}",
    response={200: PriceItemOut, **PROBLEM_RESPONSES},
)
def set_price(
    request: HttpRequest, price_list_id: int, product_id: int, payload: PriceItemIn
) -> Any:
    """Put the product in the list at this price, or change its price there."""
    return services.price_set(
        actor=request.user,
        price_list=selectors.price_list_get(request.user, price_list_id),
        product=selectors.product_get(request.user, product_id),
        price=payload.price,
    )


@router.delete(
    "/price-lists/{price_list_id}/items/{product_id}", response={204: None, **PROBLEM_RESPONSES}
)
def remove_price(request: HttpRequest, price_list_id: int, product_id: int) -> Any:
    price_list = selectors.price_list_get(request.user, price_list_id)
    item = next(
        (
            item
            for item in selectors.price_list_items(request.user, price_list)
            if item.product_id == product_id
        ),
        None,
    )
    if item is None:
        raise NotFound("The product is not in this list.")
    services.catalogue_delete(actor=request.user, instance=item)
    return Status(204, None)


@router.get("/currency-rates", response=CursorPage[RateOut], summary="List currency rates")
def list_rates(
    request: HttpRequest,
    base_currency: Currency | None = None,
    quote_currency: Currency | None = None,
    deleted: bool = False,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.rate_list(
        request.user,
        base_currency=base_currency,
        quote_currency=quote_currency,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/currency-rates", response={201: RateOut, **PROBLEM_RESPONSES})
def create_rate(request: HttpRequest, payload: RateIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        rate = services.rate_create(actor=request.user, data=_new(payload))
        return 201, RateOut.model_validate(rate).model_dump(mode="json")

    return idempotent(request, route="rates.create", payload=payload, create=create)


@router.get("/currency-rates/{rate_id}", response={200: RateOut, **PROBLEM_RESPONSES})
def get_rate(request: HttpRequest, rate_id: int, response: HttpResponse) -> Any:
    rate = selectors.rate_get(request.user, rate_id)
    with_etag(response, rate)
    return rate


@router.patch("/currency-rates/{rate_id}", response={200: RateOut, **PROBLEM_RESPONSES})
def update_rate(
    request: HttpRequest, rate_id: int, payload: RatePatch, response: HttpResponse
) -> Any:
    rate = services.rate_update(
        actor=request.user,
        rate=selectors.rate_get(request.user, rate_id),
        data=_data(payload, nullable=set()),
        expected_version=expected_version(request, rate_id),
    )
    with_etag(response, rate)
    return rate


@router.delete("/currency-rates/{rate_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_rate(request: HttpRequest, rate_id: int) -> Any:
    services.catalogue_delete(
        actor=request.user,
        instance=selectors.rate_get(request.user, rate_id),
        expected_version=expected_version(request, rate_id, required=False),
    )
    return Status(204, None)


# --- Pipelines ---------------------------------------------------------------------------


class StageIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    probability: int = Field(0, ge=0, le=100)
    is_won: bool = False
    is_lost: bool = False
    position: int | None = Field(None, ge=0)


class StagePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    probability: int | None = Field(None, ge=0, le=100)
    is_won: bool | None = None
    is_lost: bool | None = None
    position: int | None = Field(None, ge=0)


class StageOut(RecordMeta):
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int
    is_won: bool
    is_lost: bool


class PipelineIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    is_default: bool = False
    position: int = Field(0, ge=0)
    stages: list[StageIn] = Field(..., min_length=1)


class PipelinePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    is_default: bool | None = None
    position: int | None = Field(None, ge=0)


class PipelineOut(RecordMeta):
    id: int
    name: str
    is_default: bool
    position: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())


class DealCard(Schema):
    id: int
    name: str
    account_id: int | None
    account_name: str
    amount: str
    currency: str
    probability: int
    expected_close_date: datetime.date | None
    owner_id: int | None
    owner_name: str
    version: int

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj.account.name if obj.account_id else ""

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount, obj.currency)

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return str(obj.owner) if obj.owner_id else ""


class BoardColumnOut(Schema):
    stage: StageOut
    deals: list[DealCard]
    count: int
    totals: dict[str, str]

    @staticmethod
    def resolve_totals(obj: Any) -> dict[str, str]:
        return {currency: money(total, currency) for currency, total in obj.totals.items()}


class BoardOut(Schema):
    pipeline_id: int
    columns: list[BoardColumnOut]

    @staticmethod
    def resolve_pipeline_id(obj: Any) -> int:
        return obj.pipeline.pk


@router.get("/pipelines", response=list[PipelineOut], summary="List pipelines and stages")
def list_pipelines(request: HttpRequest) -> Any:
    return selectors.pipeline_list(request.user)


@router.post("/pipelines", response={201: PipelineOut, **PROBLEM_RESPONSES})
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        data = _new(payload)
        data["stages"] = [
            {key: value for key, value in stage.items() if value is not None}
            for stage in data["stages"]
        ]
        pipeline = services.pipeline_create(actor=request.user, data=data)
        pipeline = selectors.pipeline_get(request.user, pipeline.pk)
        return 201, PipelineOut.model_validate(pipeline).model_dump(mode="json")

    return idempotent(request, route="pipelines.create", payload=payload, create=create)


@router.get("/pipelines/{pipeline_id}", response={200: PipelineOut, **PROBLEM_RESPONSES})
def get_pipeline(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Any:
    pipeline = selectors.pipeline_get(request.user, pipeline_id)
    with_etag(response, pipeline)
    return pipeline


@router.patch("/pipelines/{pipeline_id}", response={200: PipelineOut, **PROBLEM_RESPONSES})
def update_pipeline(
    request: HttpRequest, pipeline_id: int, payload: PipelinePatch, response: HttpResponse
) -> Any:
    services.pipeline_update(
        actor=request.user,
        pipeline=selectors.pipeline_get(request.user, pipeline_id),
        data=_data(payload, nullable=set()),
        expected_version=expected_version(request, pipeline_id),
    )
    pipeline = selectors.pipeline_get(request.user, pipeline_id)
    with_etag(response, pipeline)
    return pipeline


@router.delete("/pipelines/{pipeline_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_pipeline(request: HttpRequest, pipeline_id: int) -> Any:
    services.catalogue_delete(
        actor=request.user,
        instance=selectors.pipeline_get(request.user, pipeline_id),
        expected_version=expected_version(request, pipeline_id, required=False),
    )
    return Status(204, None)


@router.get("/pipelines/{pipeline_id}/board", response={200: BoardOut, **PROBLEM_RESPONSES})
def pipeline_board(
    request: HttpRequest,
    pipeline_id: int,
    q: str = "",
    owner_id: int | None = None,
    per_stage: int = Query(50, ge=1, le=200),
) -> Any:
    """The kanban board: each stage with its most recently moved deals, count and sums."""
    pipeline = selectors.pipeline_get(request.user, pipeline_id)
    return selectors.deal_board(
        request.user, pipeline, ListFilters(q=q, owner_id=owner_id), per_stage=per_stage
    )


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut, **PROBLEM_RESPONSES})
def create_stage(request: HttpRequest, pipeline_id: int, payload: StageIn) -> Any:
    data = _new(payload)
    stage = services.stage_create(
        actor=request.user, pipeline=selectors.pipeline_get(request.user, pipeline_id), data=data
    )
    return Status(201, stage)


@router.patch("/stages/{stage_id}", response={200: StageOut, **PROBLEM_RESPONSES})
def update_stage(
    request: HttpRequest, stage_id: int, payload: StagePatch, response: HttpResponse
) -> Any:
    stage = services.stage_update(
        actor=request.user,
        stage=selectors.stage_get(request.user, stage_id),
        data=_data(payload, nullable=set()),
        expected_version=expected_version(request, stage_id),
    )
    with_etag(response, stage)
    return stage


@router.delete("/stages/{stage_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_stage(request: HttpRequest, stage_id: int) -> Any:
    services.stage_delete(
        actor=request.user,
        stage=selectors.stage_get(request.user, stage_id),
        expected_version=expected_version(request, stage_id, required=False),
    )
    return Status(204, None)


# --- Deals -------------------------------------------------------------------------------


class ProblemOut(Schema):
    reason: str
    link: str
    severity: str
    provider: str


class GuardOut(Schema):
    mode: str
    problems: list[ProblemOut]
    overridden: bool = False
    decision_id: int | None = None

    @staticmethod
    def resolve_decision_id(obj: Any) -> int | None:
        decision = getattr(obj, "decision", None)
        return decision.pk if decision is not None else None


class DealIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    account_id: int
    contact_ids: list[int] = []
    amount: MoneyIn = Decimal("0")
    currency: Currency = "EUR"
    expected_close_date: datetime.date | None = None
    probability: int | None = Field(None, ge=0, le=100, description="Default: the stage's")
    pipeline_id: int | None = Field(None, description="Default: the default pipeline")
    stage_id: int | None = Field(None, description="Default: the pipeline's first open stage")
    source_channel: Channel = ""
    campaign: str = Field("", max_length=200)
    lost_reason: str = ""
    custom: dict[str, Any] = {}
    owner_id: int | None = None
    legal_entity_id: int | None = Field(None, description="Default: the owner's")
    office_id: int | None = Field(None, description="Default: the owner's")
    override_reason: str | None = Field(
        None, description="Overrides a block of the guard; recorded as a decision"
    )


class DealPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    account_id: int | None = None
    contact_ids: list[int] | None = None
    amount: MoneyIn | None = None
    currency: Currency | None = None
    expected_close_date: datetime.date | None = None
    probability: int | None = Field(None, ge=0, le=100)
    source_channel: Channel | None = None
    campaign: str | None = Field(None, max_length=200)
    lost_reason: str | None = None
    custom: dict[str, Any] | None = None
    owner_id: int | None = None
    legal_entity_id: int | None = None
    office_id: int | None = None


class DealOut(Ownership, RecordMeta):
    id: int
    name: str
    account_id: int | None
    account_name: str
    contact_ids: list[int]
    amount: str
    currency: str
    expected_close_date: datetime.date | None
    probability: int
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: str
    source_channel: str
    campaign: str
    lost_reason: str
    custom: dict[str, Any]
    stage_entered_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj.account.name if obj.account_id else ""

    @staticmethod
    def resolve_contact_ids(obj: Any) -> list[int]:
        return sorted(contact.pk for contact in obj.contacts.all())

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount, obj.currency)

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return obj.stage.name


class DealCreated(DealOut):
    guard: GuardOut


class MoveIn(InputSchema):
    stage_id: int
    lost_reason: str | None = None


class StageSpanOut(Schema):
    stage_id: int
    stage_name: str
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    seconds: int
    actor_name: str

    @staticmethod
    def resolve_seconds(obj: Any) -> int:
        return int(obj.duration.total_seconds())


class DealHistoryOut(Schema):
    stages: list[StageSpanOut]
    cycle_seconds: int | None


DealSort = Literal[
    "name", "-name", "created_at", "-created_at", "updated_at", "-updated_at",
    "expected_close_date", "-expected_close_date",
]  # fmt: skip
DealStatus = Literal["open", "won", "lost"]


def _deal(request: HttpRequest, deal_id: int, **kwargs: Any) -> Deal:
    return selectors.deal_get(request.user, deal_id, **kwargs)


@router.get("/deals", response=CursorPage[DealOut], summary="List deals")
def list_deals(
    request: HttpRequest,
    q: str = "",
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    status: DealStatus | None = None,
    account_id: int | None = None,
    owner_id: int | None = None,
    office_id: int | None = None,
    legal_entity_id: int | None = None,
    expected_close_after: datetime.date | None = None,
    expected_close_before: datetime.date | None = None,
    deleted: bool = False,
    sort: DealSort = "-updated_at",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    extra = {
        "pipeline_id": pipeline_id,
        "stage_id": stage_id,
        "status": status,
        "account_id": account_id,
        "expected_close_date__gte": expected_close_after,
        "expected_close_date__lt": expected_close_before,
    }
    filters = ListFilters(
        q=q, owner_id=owner_id, office_id=office_id, legal_entity_id=legal_entity_id, extra=extra
    )
    page = selectors.deal_list(
        request.user,
        filters,
        sort=sort,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/deals", response={201: DealCreated, **PROBLEM_RESPONSES})
def create_deal(request: HttpRequest, payload: DealIn) -> Any:
    """Open a deal. The guard checks the account first: its problems come back in `guard`
    (warn mode), or the deal is refused with 409 listing them unless `override_reason` is
    given (block mode; the override is recorded as a decision on the account)."""

    def create() -> tuple[int, dict[str, Any]]:
        data = _new(payload)
        override = data.pop("override_reason", None)
        deal, guard = services.deal_create(actor=request.user, data=data, override_reason=override)
        body = DealOut.model_validate(_deal(request, deal.pk)).model_dump(mode="json")
        body["guard"] = GuardOut.model_validate(guard).model_dump(mode="json")
        return 201, body

    return idempotent(request, route="deals.create", payload=payload, create=create)


@router.get("/deals/{deal_id}", response={200: DealOut, **PROBLEM_RESPONSES})
def get_deal(request: HttpRequest, deal_id: int, response: HttpResponse) -> Any:
    deal = _deal(request, deal_id)
    with_etag(response, deal)
    return deal


@router.patch("/deals/{deal_id}", response={200: DealOut, **PROBLEM_RESPONSES})
def update_deal(
    request: HttpRequest, deal_id: int, payload: DealPatch, response: HttpResponse
) -> Any:
    services.deal_update(
        actor=request.user,
        deal=_deal(request, deal_id),
        data=_data(payload, nullable={"expected_close_date", "office_id", "legal_entity_id"}),
        expected_version=expected_version(request, deal_id),
    )
    deal = _deal(request, deal_id)
    with_etag(response, deal)
    return deal


@router.delete("/deals/{deal_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_deal(request: HttpRequest, deal_id: int) -> Any:
    services.deal_delete(
        actor=request.user,
        deal=_deal(request, deal_id),
        expected_version=expected_version(request, deal_id, required=False),
    )
    return Status(204, None)


@router.post("/deals/{deal_id}/restore", response={200: DealOut, **PROBLEM_RESPONSES})
def restore_deal(request: HttpRequest, deal_id: int) -> Any:
    services.deal_restore(actor=request.user, deal=_deal(request, deal_id, deleted=True))
    return _deal(request, deal_id)


@router.post("/deals/{deal_id}/move", response={200: DealOut, **PROBLEM_RESPONSES})
def move_deal(request: HttpRequest, deal_id: int, payload: MoveIn, response: HttpResponse) -> Any:
    """Move the deal to a stage; `If-Match` (optional) refuses a move from a stale view."""
    services.deal_move_stage(
        actor=request.user,
        deal=_deal(request, deal_id),
        stage_id=payload.stage_id,
        lost_reason=payload.lost_reason,
        expected_version=expected_version(request, deal_id, required=False),
    )
    deal = _deal(request, deal_id)
    with_etag(response, deal)
    return deal


@router.get("/deals/{deal_id}/history", response={200: DealHistoryOut, **PROBLEM_RESPONSES})
def deal_history(request: HttpRequest, deal_id: int) -> Any:
    """The stages the deal went through, the time in each, and its cycle once closed."""
    deal = _deal(request, deal_id)
    cycle = selectors.deal_cycle_length(deal)
    return {
        "stages": selectors.deal_stage_history(request.user, deal),
        "cycle_seconds": int(cycle.total_seconds()) if cycle is not None else None,
    }


@router.get(
    "/deals/{deal_id}/timeline", response={200: CursorPage[InteractionOut], **PROBLEM_RESPONSES}
)
def deal_timeline(
    request: HttpRequest,
    deal_id: int,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.deal_timeline(
        request.user, _deal(request, deal_id), cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


# --- Orders, invoices, payments ----------------------------------------------------------


class LineIn(InputSchema):
    product_id: int | None = None
    description: str = Field("", max_length=500, description="Default: the product's name")
    quantity: MoneyIn = Decimal("1")
    unit: str = Field("", max_length=20)
    unit_price: MoneyIn | None = Field(None, description="Default: the resolved list price")
    discount_percent: MoneyIn = Decimal("0")
    tax_rate: MoneyIn | None = Field(None, description="Default: the product's")


class LineOut(Schema):
    position: int
    product_id: int | None
    description: str
    quantity: DecimalOut
    unit: str
    unit_price: DecimalOut
    discount_percent: DecimalOut
    tax_rate: DecimalOut
    net_amount: DecimalOut
    tax_amount: DecimalOut
    gross_amount: DecimalOut


class DocumentOut(Ownership, RecordMeta):
    id: int
    number: str
    account_id: int | None
    account_name: str
    deal_id: int | None
    status: str
    currency: str
    net_total: str
    tax_total: str
    gross_total: str
    lines: list[LineOut]

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj.account.name if obj.account_id else ""

    @staticmethod
    def resolve_net_total(obj: Any) -> str:
        return money(obj.net_total, obj.currency)

    @staticmethod
    def resolve_tax_total(obj: Any) -> str:
        return money(obj.tax_total, obj.currency)

    @staticmethod
    def resolve_gross_total(obj: Any) -> str:
        return money(obj.gross_total, obj.currency)

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class OrderIn(InputSchema):
    account_id: int
    deal_id: int | None = None
    currency: Currency = "EUR"
    lines: list[LineIn] = Field(..., min_length=1)
    legal_entity_id: int | None = None
    office_id: int | None = None
    order_date: datetime.date | None = None
    status: Literal["draft", "confirmed"] = "confirmed"
    source: str = Field("", max_length=30)
    reference: str = Field("", max_length=100)
    notes: str = ""
    partner_tier: Tier = "none"
    owner_id: int | None = None


class OrderPatch(InputSchema):
    notes: str | None = None
    reference: str | None = Field(None, max_length=100)
    order_date: datetime.date | None = None
    status: Literal["draft", "confirmed", "fulfilled", "cancelled"] | None = None
    lines: list[LineIn] | None = Field(None, min_length=1)


class OrderOut(DocumentOut):
    order_date: datetime.date
    source: str
    reference: str
    notes: str


class InvoiceIn(InputSchema):
    account_id: int
    deal_id: int | None = None
    currency: Currency = "EUR"
    lines: list[LineIn] = Field(..., min_length=1)
    legal_entity_id: int | None = None
    office_id: int | None = None
    due_date: datetime.date | None = None
    payment_terms_days: int = Field(14, ge=0, le=3650)
    notes: str = ""
    partner_tier: Tier = "none"
    owner_id: int | None = None


class InvoicePatch(InputSchema):
    due_date: datetime.date | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)
    notes: str | None = None
    lines: list[LineIn] | None = Field(None, min_length=1)


class FromOrderIn(InputSchema):
    due_date: datetime.date | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)
    notes: str = ""


class IssueIn(InputSchema):
    issue_date: datetime.date | None = Field(None, description="Default: today")


class CancelIn(InputSchema):
    reason: str = ""


class PaymentIn(InputSchema):
    amount: MoneyIn
    paid_on: datetime.date | None = None
    method: Literal["bank_transfer", "card", "cash", "other"] = "bank_transfer"
    reference: str = Field("", max_length=200)
    note: str = ""


class PaymentOut(RecordMeta):
    id: int
    invoice_id: int
    amount: str
    paid_on: datetime.date
    method: str
    reference: str
    note: str

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount, obj.invoice.currency)


class InvoiceOut(DocumentOut):
    order_id: int | None
    issue_date: datetime.date | None
    due_date: datetime.date | None
    payment_terms_days: int
    paid_total: str
    outstanding: str
    paid_on: datetime.date | None
    notes: str
    payments: list[PaymentOut]

    @staticmethod
    def resolve_paid_total(obj: Any) -> str:
        return money(obj.paid_total, obj.currency)

    @staticmethod
    def resolve_outstanding(obj: Any) -> str:
        return money(obj.outstanding, obj.currency)

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())


def _lines(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("lines") is not None:
        data["lines"] = [
            {key: value for key, value in dict(line).items() if value not in (None, "")}
            for line in data["lines"]
        ]
    return data


def _order(request: HttpRequest, order_id: int, **kwargs: Any) -> Order:
    return selectors.order_get(request.user, order_id, **kwargs)


def _invoice(request: HttpRequest, invoice_id: int, **kwargs: Any) -> Invoice:
    return selectors.invoice_get(request.user, invoice_id, **kwargs)


OrderSort = Literal["order_date", "-order_date", "created_at", "-created_at"]
InvoiceSort = Literal[
    "created_at", "-created_at", "due_date", "-due_date", "issue_date", "-issue_date"
]


@router.get("/orders", response=CursorPage[OrderOut], summary="List orders")
def list_orders(
    request: HttpRequest,
    q: str = "",
    account_id: int | None = None,
    deal_id: int | None = None,
    status: Literal["draft", "confirmed", "fulfilled", "cancelled"] | None = None,
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    deleted: bool = False,
    sort: OrderSort = "-order_date",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    filters = ListFilters(
        q=q,
        legal_entity_id=legal_entity_id,
        office_id=office_id,
        extra={"account_id": account_id, "deal_id": deal_id, "status": status},
    )
    page = selectors.order_list(
        request.user, filters, sort=sort, cursor=cursor, limit=limit, deleted=deleted
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/orders", response={201: OrderOut, **PROBLEM_RESPONSES})
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        order = services.order_create(actor=request.user, data=_lines(_new(payload)))
        return 201, OrderOut.model_validate(_order(request, order.pk)).model_dump(mode="json")

    return idempotent(request, route="orders.create", payload=payload, create=create)


@router.get("/orders/{order_id}", response={200: OrderOut, **PROBLEM_RESPONSES})
def get_order(request: HttpRequest, order_id: int, response: HttpResponse) -> Any:
    order = _order(request, order_id)
    with_etag(response, order)
    return order


@router.patch("/orders/{order_id}", response={200: OrderOut, **PROBLEM_RESPONSES})
def update_order(
    request: HttpRequest, order_id: int, payload: OrderPatch, response: HttpResponse
) -> Any:
    services.order_update(
        actor=request.user,
        order=_order(request, order_id),
        data=_lines(_data(payload, nullable=set())),
        expected_version=expected_version(request, order_id),
    )
    order = _order(request, order_id)
    with_etag(response, order)
    return order


@router.delete("/orders/{order_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_order(request: HttpRequest, order_id: int) -> Any:
    services.order_delete(
        actor=request.user,
        order=_order(request, order_id),
        expected_version=expected_version(request, order_id, required=False),
    )
    return Status(204, None)


@router.post("/orders/{order_id}/restore", response={200: OrderOut, **PROBLEM_RESPONSES})
def restore_order(request: HttpRequest, order_id: int) -> Any:
    services.order_restore(actor=request.user, order=_order(request, order_id, deleted=True))
    return _order(request, order_id)


@router.post("/orders/{order_id}/invoice", response={201: InvoiceOut, **PROBLEM_RESPONSES})
def invoice_order(request: HttpRequest, order_id: int, payload: FromOrderIn) -> Any:
    """A draft invoice of the whole order."""
    invoice = services.invoice_create_from_order(
        actor=request.user, order=_order(request, order_id), **_new(payload)
    )
    return Status(201, _invoice(request, invoice.pk))


@router.get("/invoices", response=CursorPage[InvoiceOut], summary="List invoices")
def list_invoices(
    request: HttpRequest,
    q: str = "",
    account_id: int | None = None,
    deal_id: int | None = None,
    order_id: int | None = None,
    status: Literal["draft", "issued", "partly_paid", "paid", "cancelled"] | None = None,
    overdue: bool = Query(False, description="Only unpaid invoices past their due date"),
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    deleted: bool = False,
    sort: InvoiceSort = "-created_at",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    filters = ListFilters(
        q=q,
        legal_entity_id=legal_entity_id,
        office_id=office_id,
        extra={
            "account_id": account_id,
            "deal_id": deal_id,
            "order_id": order_id,
            "status": status,
        },
    )
    page = selectors.invoice_list(
        request.user,
        filters,
        overdue_on=timezone.localdate() if overdue else None,
        sort=sort,
        cursor=cursor,
        limit=limit,
        deleted=deleted,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/invoices", response={201: InvoiceOut, **PROBLEM_RESPONSES})
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    """A draft invoice; it is numbered when issued."""

    def create() -> tuple[int, dict[str, Any]]:
        invoice = services.invoice_create(actor=request.user, data=_lines(_new(payload)))
        return 201, InvoiceOut.model_validate(_invoice(request, invoice.pk)).model_dump(mode="json")

    return idempotent(request, route="invoices.create", payload=payload, create=create)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **PROBLEM_RESPONSES})
def get_invoice(request: HttpRequest, invoice_id: int, response: HttpResponse) -> Any:
    invoice = _invoice(request, invoice_id)
    with_etag(response, invoice)
    return invoice


@router.patch("/invoices/{invoice_id}", response={200: InvoiceOut, **PROBLEM_RESPONSES})
def update_invoice(
    request: HttpRequest, invoice_id: int, payload: InvoicePatch, response: HttpResponse
) -> Any:
    services.invoice_update(
        actor=request.user,
        invoice=_invoice(request, invoice_id),
        data=_lines(_data(payload, nullable={"due_date"})),
        expected_version=expected_version(request, invoice_id),
    )
    invoice = _invoice(request, invoice_id)
    with_etag(response, invoice)
    return invoice


@router.delete("/invoices/{invoice_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_invoice(request: HttpRequest, invoice_id: int) -> Any:
    """Only a draft is deleted; an issued invoice is cancelled."""
    services.invoice_delete(
        actor=request.user,
        invoice=_invoice(request, invoice_id),
        expected_version=expected_version(request, invoice_id, required=False),
    )
    return Status(204, None)


@router.post("/invoices/{invoice_id}/restore", response={200: InvoiceOut, **PROBLEM_RESPONSES})
def restore_invoice(request: HttpRequest, invoice_id: int) -> Any:
    services.invoice_restore(
        actor=request.user, invoice=_invoice(request, invoice_id, deleted=True)
    )
    return _invoice(request, invoice_id)


@router.post("/invoices/{invoice_id}/issue", response={200: InvoiceOut, **PROBLEM_RESPONSES})
def issue_invoice(request: HttpRequest, invoice_id: int, payload: IssueIn) -> Any:
    """Number the draft (its legal entity's series for the year) and set its due date."""
    services.invoice_issue(
        actor=request.user,
        invoice=_invoice(request, invoice_id),
        issue_date=payload.issue_date,
        expected_version=expected_version(request, invoice_id, required=False),
    )
    return _invoice(request, invoice_id)


@router.post("/invoices/{invoice_id}/cancel", response={200: InvoiceOut, **PROBLEM_RESPONSES})
def cancel_invoice(request: HttpRequest, invoice_id: int, payload: CancelIn) -> Any:
    services.invoice_cancel(
        actor=request.user,
        invoice=_invoice(request, invoice_id),
        reason=payload.reason,
        expected_version=expected_version(request, invoice_id, required=False),
    )
    return _invoice(request, invoice_id)


@router.get(
    "/invoices/{invoice_id}/payments", response={200: list[PaymentOut], **PROBLEM_RESPONSES}
)
def list_payments(request: HttpRequest, invoice_id: int) -> Any:
    return list(_invoice(request, invoice_id).payments.all())


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **PROBLEM_RESPONSES})
def record_payment(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Any:
    """Record a full or partial payment; the invoice becomes partly paid or paid."""

    def create() -> tuple[int, dict[str, Any]]:
        data = _new(payload)
        payment = services.payment_record(
            actor=request.user, invoice=_invoice(request, invoice_id), data=data
        )
        payment = selectors.payment_get(request.user, payment.pk)
        return 201, PaymentOut.model_validate(payment).model_dump(mode="json")

    return idempotent(
        request, route=f"invoices.{invoice_id}.payments", payload=payload, create=create
    )


@router.delete("/payments/{payment_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_payment(request: HttpRequest, payment_id: int) -> Any:
    """Take back a payment recorded by mistake."""
    services.payment_delete(
        actor=request.user, payment=selectors.payment_get(request.user, payment_id, action="read")
    )
    return Status(204, None)


# --- The guard, receivables, statistics, the account's summary ---------------------------


class ReminderIn(InputSchema):
    due_at: datetime.datetime | None = Field(None, description="Default: in a day")
    owner_id: int | None = None


class DebtRowOut(Schema):
    account_id: int
    account_name: str
    legal_entity_id: int | None
    legal_entity_name: str
    office_id: int | None
    office_name: str
    currency: str
    buckets: dict[str, str]
    total: str
    invoices: int
    oldest_due_date: datetime.date
    days_overdue: int

    @staticmethod
    def resolve_buckets(obj: Any) -> dict[str, str]:
        return {label: money(value, obj.currency) for label, value in obj.buckets.items()}

    @staticmethod
    def resolve_total(obj: Any) -> str:
        return money(obj.total, obj.currency)


class DebtReportOut(Schema):
    on_date: datetime.date
    rows: list[DebtRowOut]
    totals: dict[str, dict[str, str]]

    @staticmethod
    def resolve_totals(obj: Any) -> dict[str, dict[str, str]]:
        return {
            currency: {label: money(value, currency) for label, value in buckets.items()}
            for currency, buckets in obj.totals.items()
        }


def _amounts(values: dict[str, Decimal]) -> dict[str, str]:
    return {currency: money(value, currency) for currency, value in values.items()}


class UserStatsOut(Schema):
    user_id: int
    user_name: str
    won: int
    lost: int
    won_amounts: dict[str, str]
    lost_amounts: dict[str, str]
    win_rate: DecimalOut | None
    average_cycle_days: DecimalOut | None
    interactions: int

    @staticmethod
    def resolve_won_amounts(obj: Any) -> dict[str, str]:
        return _amounts(obj.won_amounts)

    @staticmethod
    def resolve_lost_amounts(obj: Any) -> dict[str, str]:
        return _amounts(obj.lost_amounts)


class ProductStatsOut(Schema):
    product_id: int
    product_name: str
    sku: str
    currency: str
    quantity: DecimalOut
    revenue: str
    margin: str | None
    clients: int

    @staticmethod
    def resolve_revenue(obj: Any) -> str:
        return money(obj.revenue, obj.currency)

    @staticmethod
    def resolve_margin(obj: Any) -> str | None:
        return None if obj.margin is None else money(obj.margin, obj.currency)


class StatsQuery(Schema):
    since: datetime.date | None = Field(None, description="First day, included")
    until: datetime.date | None = Field(None, description="Last day, excluded")
    legal_entity_id: int | None = None
    office_id: int | None = None

    def selection(self) -> dict[str, Any]:
        return {
            "period": selectors.Period(since=self.since, until=self.until),
            "legal_entity_id": self.legal_entity_id,
            "office_id": self.office_id,
        }


class OrderBrief(Schema):
    id: int
    number: str
    order_date: datetime.date
    status: str
    gross_total: str
    currency: str

    @staticmethod
    def resolve_gross_total(obj: Any) -> str:
        return money(obj.gross_total, obj.currency)


class InvoiceBrief(Schema):
    id: int
    number: str
    due_date: datetime.date | None
    outstanding: str
    currency: str
    days_overdue: int = 0

    @staticmethod
    def resolve_outstanding(obj: Any) -> str:
        return money(obj.outstanding, obj.currency)


class DealBrief(Schema):
    id: int
    name: str
    stage_name: str
    amount: str
    currency: str
    probability: int
    expected_close_date: datetime.date | None

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount, obj.currency)


class CrossSellOut(Schema):
    product_id: int
    product_name: str
    because_id: int
    because_name: str
    clients: int


class SalesSummaryOut(Schema):
    account_id: int
    orders: int
    recent_orders: list[OrderBrief]
    revenue: dict[str, str]
    margin: dict[str, str]
    open_deals: list[DealBrief]
    open_deals_count: int
    open_amounts: dict[str, str]
    overdue_invoices: list[InvoiceBrief]
    overdue_amounts: dict[str, str]
    max_days_overdue: int
    average_payment_delay_days: DecimalOut | None
    cross_sell: list[CrossSellOut]

    @staticmethod
    def resolve_account_id(obj: Any) -> int:
        return obj.account.pk

    @staticmethod
    def resolve_revenue(obj: Any) -> dict[str, str]:
        return _amounts(obj.revenue)

    @staticmethod
    def resolve_margin(obj: Any) -> dict[str, str]:
        return _amounts(obj.margin)

    @staticmethod
    def resolve_open_amounts(obj: Any) -> dict[str, str]:
        return _amounts(obj.open_amounts)

    @staticmethod
    def resolve_overdue_amounts(obj: Any) -> dict[str, str]:
        return _amounts(obj.overdue_amounts)


class SettingsIn(InputSchema):
    guard_mode: Literal["warn", "block"]


class SettingsOut(Schema):
    guard_mode: str
    updated_at: datetime.datetime


@router.get("/accounts/{account_id}/guard", response={200: GuardOut, **PROBLEM_RESPONSES})
def account_guard(request: HttpRequest, account_id: int) -> Any:
    """The account's unresolved problems and what the guard would do with them, without
    recording anything: check before offering a deal or sending a quote."""
    account = client_selectors.account_get(request.user, account_id)
    return {
        "mode": selectors.sales_settings().guard_mode,
        "problems": account_problems(account),
    }


@router.get(
    "/accounts/{account_id}/sales-summary", response={200: SalesSummaryOut, **PROBLEM_RESPONSES}
)
def account_sales_summary(request: HttpRequest, account_id: int) -> Any:
    """Purchases, revenue and margin, open deals, overdue invoices and payment delays,
    cross-sell suggestions: the account card's sales panel."""
    account = client_selectors.account_get(request.user, account_id)
    return selectors.account_sales_summary(request.user, account)


@router.post(
    "/accounts/{account_id}/payment-reminders",
    response={201: InteractionOut, **PROBLEM_RESPONSES},
)
def create_reminder(request: HttpRequest, account_id: int, payload: ReminderIn) -> Any:
    """A task to collect the account's overdue invoices, in one step."""
    account = client_selectors.account_get(request.user, account_id)
    task = services.debt_reminder_create(
        actor=request.user, account=account, due_at=payload.due_at, owner_id=payload.owner_id
    )
    return Status(201, task)


@router.get("/debts", response={200: DebtReportOut, **PROBLEM_RESPONSES})
def debts(
    request: HttpRequest,
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    account_id: int | None = None,
    on_date: datetime.date | None = None,
    limit: int = Query(200, ge=1, le=1000),
) -> Any:
    """Overdue receivables per account, entity, office and currency, by age: 0–30, 31–60,
    61–90 and over 90 days past due."""
    return selectors.debt_collection(
        request.user,
        legal_entity_id=legal_entity_id,
        office_id=office_id,
        account_id=account_id,
        on_date=on_date,
        limit=limit,
    )


@router.get("/stats/users", response={200: list[UserStatsOut], **PROBLEM_RESPONSES})
def stats_per_user(request: HttpRequest, filters: Query[StatsQuery]) -> Any:
    """Deals won and lost, amounts, win rate, sales cycle and interactions per user."""
    return selectors.user_stats(request.user, **filters.selection())


@router.get("/stats/products", response={200: list[ProductStatsOut], **PROBLEM_RESPONSES})
def stats_per_product(request: HttpRequest, filters: Query[StatsQuery]) -> Any:
    """Quantity, revenue, margin and number of clients per product."""
    return selectors.product_stats(request.user, **filters.selection())


@router.get("/sales-settings", response={200: SettingsOut, **PROBLEM_RESPONSES})
def get_settings(request: HttpRequest) -> Any:
    return selectors.sales_settings()


@router.patch("/sales-settings", response={200: SettingsOut, **PROBLEM_RESPONSES})
def update_settings(request: HttpRequest, payload: SettingsIn) -> Any:
    """Whether the guard warns or blocks (administrators)."""
    return services.sales_settings_update(actor=request.user, data=_data(payload))
