"""Every read of sales: the catalogue, prices and rates, deals and their boards, orders,
invoices and receivables, statistics and an account's sales summary.

Deals, orders and invoices start from the user's access scope; the catalogue, price lists,
rates and pipelines are readable by every signed-in user.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from perpetuum.clients.models import Account
from perpetuum.core.access import scoped
from perpetuum.core.errors import NotFound, PerpetuumError
from perpetuum.core.filters import ListFilters, apply_common_filters
from perpetuum.core.money import (
    ZERO,
    format_money,
    inverse_rate,
    multiply,
    round_money,
    to_decimal,
)
from perpetuum.core.pagination import Page, keyset_page
from perpetuum.sales.models import (
    CurrencyRate,
    Deal,
    DealStageChange,
    Invoice,
    Order,
    OrderLine,
    PartnerTier,
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
from perpetuum.timeline.models import Interaction

MONEY = DecimalField(max_digits=24, decimal_places=4)
COMPARE_AT_MOST = 10
BOARD_CARDS_PER_STAGE = 50
SUMMARY_ROWS = 10
CROSS_SELL_PEERS = 2000
CROSS_SELL_SUGGESTIONS = 5


class NoRate(PerpetuumError):
    """No currency rate converts between two currencies on the date asked."""

    status = 422
    title = "No currency rate"


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _shared(model: type, user: Any, *, deleted: bool = False) -> QuerySet:
    """The catalogue, price lists, rates and pipelines: every signed-in user reads them."""
    if not _signed_in(user):
        return model.objects.none()
    manager = model.all_objects
    return manager.deleted() if deleted else manager.alive()


def _shared_get(model: type, user: Any, pk: int, *, deleted: bool = False) -> Any:
    found = _shared(model, user, deleted=deleted).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _today(on_date: datetime.date | None) -> datetime.date:
    return on_date or timezone.localdate()


# --- Settings ----------------------------------------------------------------------------


def sales_settings() -> SalesSettings:
    """The one row of sales settings (made with the defaults when missing)."""
    found, _created = SalesSettings.objects.get_or_create(pk=1)
    return found


# --- Catalogue ---------------------------------------------------------------------------

PRODUCT_SORTS = {"name": "name", "sku": "sku", "created_at": "created_at"}


def category_list(user: Any, *, deleted: bool = False) -> list[ProductCategory]:
    return list(_shared(ProductCategory, user, deleted=deleted).order_by("name", "pk")[:500])


def category_get(user: Any, pk: int, *, deleted: bool = False) -> ProductCategory:
    return _shared_get(ProductCategory, user, pk, deleted=deleted)


def product_list(
    user: Any,
    *,
    q: str = "",
    category_id: int | None = None,
    kind: str | None = None,
    is_active: bool | None = None,
    sort: str = "name",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the catalogue, searched on name and SKU and filtered."""
    extra = {"categories__id": category_id, "kind": kind, "is_active": is_active}
    queryset = apply_common_filters(
        _shared(Product, user, deleted=deleted),
        ListFilters(q=q, extra=extra),
        entity=None,
        search_fields=["name", "sku"],
    ).prefetch_related("categories")
    if category_id is not None:
        queryset = queryset.distinct()
    return keyset_page(queryset, sort=sort, allowed=PRODUCT_SORTS, cursor=cursor, limit=limit)


def product_get(user: Any, pk: int, *, deleted: bool = False) -> Product:
    """One product with its categories, live options and bundle components."""
    found = (
        _shared(Product, user, deleted=deleted)
        .prefetch_related(
            "categories",
            Prefetch("options", queryset=ProductOption.objects.order_by("position", "pk")),
            "components__component",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def option_get(user: Any, product: Product, pk: int, *, deleted: bool = False) -> ProductOption:
    found = _shared(ProductOption, user, deleted=deleted).filter(product=product, pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# --- Rates and prices --------------------------------------------------------------------


@dataclass(frozen=True)
class RateUsed:
    """The rate a conversion used: units of `to_currency` per unit of `from_currency`,
    from the rate table's row of `valid_on` (the inverse of the opposite pair's row when
    `is_inverse`)."""

    from_currency: str
    to_currency: str
    rate: Decimal
    valid_on: datetime.date
    is_inverse: bool

    def describe(self) -> str:
        return _("1 %(from)s = %(rate)s %(to)s (rate of %(date)s%(inverse)s)") % {
            "from": self.from_currency,
            "to": self.to_currency,
            "rate": _plain(self.rate),
            "date": self.valid_on.isoformat(),
            "inverse": _(", inverted") if self.is_inverse else "",
        }


def _plain(value: Decimal) -> str:
    """A rate without trailing zeros and without an exponent."""
    text = format(value.normalize(), "f")
    return text


def rate_list(
    user: Any,
    *,
    base_currency: str | None = None,
    quote_currency: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    queryset = _shared(CurrencyRate, user, deleted=deleted)
    if base_currency:
        queryset = queryset.filter(base_currency=base_currency)
    if quote_currency:
        queryset = queryset.filter(quote_currency=quote_currency)
    return keyset_page(
        queryset, sort="-valid_on", allowed={"valid_on": "valid_on"}, cursor=cursor, limit=limit
    )


def rate_get(user: Any, pk: int, *, deleted: bool = False) -> CurrencyRate:
    return _shared_get(CurrencyRate, user, pk, deleted=deleted)


def rate_on(from_currency: str, to_currency: str, on_date: datetime.date) -> RateUsed | None:
    """The rate valid on `on_date`: the latest row of either direction dated on or before
    it (the direct row wins a tie); None when there is none."""
    if from_currency == to_currency:
        return RateUsed(from_currency, to_currency, Decimal(1), on_date, False)
    rows = list(
        CurrencyRate.objects.filter(
            Q(base_currency=from_currency, quote_currency=to_currency)
            | Q(base_currency=to_currency, quote_currency=from_currency),
            valid_on__lte=on_date,
        )
        .order_by("-valid_on", "-pk")
        .values("base_currency", "rate", "valid_on")[:2]
    )
    if not rows:
        return None
    best = rows[0]
    if len(rows) == 2 and rows[1]["valid_on"] == best["valid_on"]:
        best = next(row for row in rows if row["base_currency"] == from_currency)
    is_inverse = best["base_currency"] != from_currency
    rate = inverse_rate(best["rate"]) if is_inverse else to_decimal(best["rate"])
    return RateUsed(from_currency, to_currency, rate, best["valid_on"], is_inverse)


def convert_amount(
    amount: Decimal, from_currency: str, to_currency: str, on_date: datetime.date
) -> tuple[Decimal, RateUsed]:
    """`amount` in `to_currency` at the rate valid on `on_date`, rounded to its minor unit;
    `NoRate` when the rate table has none."""
    rate = rate_on(from_currency, to_currency, on_date)
    if rate is None:
        raise NoRate(
            _("There is no rate from %(from)s to %(to)s on %(date)s.")
            % {"from": from_currency, "to": to_currency, "date": on_date.isoformat()}
        )
    return round_money(to_decimal(amount) * rate.rate, to_currency), rate


@dataclass(frozen=True)
class ResolvedPrice:
    """The unit price a client gets for a product, and why: which list it comes from and
    the conversion used, if any."""

    product_id: int
    price: Decimal
    currency: str
    price_list: PriceList
    list_price: Decimal
    list_currency: str
    rate: RateUsed | None
    explanation: str


def price_list_list(
    user: Any,
    *,
    legal_entity_id: int | None = None,
    currency: str | None = None,
    partner_tier: str | None = None,
    on_date: datetime.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    queryset = _shared(PriceList, user, deleted=deleted).select_related("legal_entity")
    if legal_entity_id is not None:
        queryset = queryset.filter(legal_entity_id=legal_entity_id)
    if currency:
        queryset = queryset.filter(currency=currency)
    if partner_tier:
        queryset = queryset.filter(partner_tier=partner_tier)
    if on_date is not None:
        queryset = queryset.filter(valid_from__lte=on_date).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on_date)
        )
    return keyset_page(queryset, sort="name", allowed={"name": "name"}, cursor=cursor, limit=limit)


def price_list_get(user: Any, pk: int, *, deleted: bool = False) -> PriceList:
    found = (
        _shared(PriceList, user, deleted=deleted)
        .select_related("legal_entity")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def price_list_items(user: Any, price_list: PriceList, *, limit: int = 500) -> list[PriceListItem]:
    return list(
        _shared(PriceListItem, user)
        .filter(price_list=price_list)
        .select_related("product")
        .order_by("product__name", "pk")[:limit]
    )


def _explain(item: PriceListItem, price: Decimal, currency: str, rate: RateUsed | None) -> str:
    price_list = item.price_list
    entity = price_list.legal_entity.name if price_list.legal_entity_id else _("all entities")
    validity = (
        _("valid since %(since)s until %(until)s")
        % {"since": price_list.valid_from.isoformat(), "until": price_list.valid_until.isoformat()}
        if price_list.valid_until
        else _("valid since %(since)s") % {"since": price_list.valid_from.isoformat()}
    )
    text = _("List “%(list)s” (%(entity)s, %(tier)s), %(validity)s: %(price)s.") % {
        "list": price_list.name,
        "entity": entity,
        "tier": PartnerTier(price_list.partner_tier).label,
        "validity": validity,
        "price": format_money(item.price, price_list.currency),
    }
    if rate is not None:
        text += " " + _("Converted at %(rate)s: %(price)s.") % {
            "rate": rate.describe(),
            "price": format_money(price, currency),
        }
    return text


def price_for(
    product: Product,
    *,
    legal_entity: Any,
    currency: str,
    partner_tier: str = PartnerTier.NONE,
    on_date: datetime.date | None = None,
) -> ResolvedPrice | None:
    """The unit price of `product` for a client served by `legal_entity`, in `currency`,
    for a partner of `partner_tier`, on `on_date` (today by default); None when no list
    prices it.

    Among the active price lists valid on the date that price the product, the most
    specific wins: the partner's tier before the standard list, the entity's own list
    before a list of every entity, a list in `currency` before one that needs converting,
    then the latest `valid_from`. A list in another currency is used only if the rate
    table converts it on that date.
    """
    on_date = _today(on_date)
    tiers = {partner_tier, PartnerTier.NONE}
    entity_id = getattr(legal_entity, "pk", legal_entity)
    entity_match = Q(price_list__legal_entity__isnull=True)
    if entity_id is not None:
        entity_match |= Q(price_list__legal_entity_id=entity_id)
    candidates = list(
        PriceListItem.objects.filter(
            entity_match,
            product=product,
            price_list__deleted_at__isnull=True,
            price_list__is_active=True,
            price_list__valid_from__lte=on_date,
            price_list__partner_tier__in=tiers,
        )
        .filter(Q(price_list__valid_until__isnull=True) | Q(price_list__valid_until__gte=on_date))
        .select_related("price_list", "price_list__legal_entity")[:50]
    )

    def rank(item: PriceListItem) -> tuple[Any, ...]:
        price_list = item.price_list
        return (
            price_list.partner_tier != partner_tier,
            price_list.legal_entity_id != entity_id,
            price_list.currency != currency,
            -price_list.valid_from.toordinal(),
            -price_list.pk,
        )

    for item in sorted(candidates, key=rank):
        list_currency = item.price_list.currency
        if list_currency == currency:
            price, rate = to_decimal(item.price), None
        else:
            rate = rate_on(list_currency, currency, on_date)
            if rate is None:
                continue
            price = round_money(to_decimal(item.price) * rate.rate, currency)
        return ResolvedPrice(
            product_id=product.pk,
            price=price,
            currency=currency,
            price_list=item.price_list,
            list_price=to_decimal(item.price),
            list_currency=list_currency,
            rate=rate,
            explanation=_explain(item, price, currency, rate),
        )
    return None


# --- Configuration and comparison --------------------------------------------------------


@dataclass(frozen=True)
class ConfiguredLine:
    """A line of a configured product: the product itself, a bundle component (its price
    is part of the bundle's) or a chosen option (its price delta)."""

    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    product_id: int | None = None
    option_id: int | None = None


@dataclass(frozen=True)
class Configuration:
    """A product with its chosen options: the unit price, the total for the quantity, the
    lines it is made of and the explanation of each price."""

    product: Product
    currency: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    lines: list[ConfiguredLine]
    explanation: list[str]
    option_ids: list[int]


def product_configure(
    product: Product,
    option_ids: list[int],
    *,
    legal_entity: Any,
    currency: str,
    partner_tier: str = PartnerTier.NONE,
    on_date: datetime.date | None = None,
    quantity: Decimal | int | str = 1,
) -> Configuration:
    """The price of `product` with the options `option_ids`: its own list price (for a
    bundle without one, the sum of its components' prices), plus each option's delta
    converted to `currency`. Options of one group exclude each other."""
    on_date = _today(on_date)
    quantity = to_decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": [_("The quantity must be positive.")]})
    options = list(
        ProductOption.objects.filter(product=product, pk__in=set(option_ids)).order_by(
            "position", "pk"
        )
    )
    unknown = set(option_ids) - {option.pk for option in options}
    if unknown:
        raise ValidationError(
            {"option_ids": [_("No such options of this product: %s.") % sorted(unknown)]}
        )
    groups: dict[str, list[str]] = defaultdict(list)
    for option in options:
        if option.group:
            groups[option.group].append(option.name)
    clashes = {group: names for group, names in groups.items() if len(names) > 1}
    if clashes:
        raise ValidationError(
            {
                "option_ids": [
                    _("Choose one option of “%(group)s”, not %(names)s.")
                    % {"group": group, "names": ", ".join(names)}
                    for group, names in clashes.items()
                ]
            }
        )
    context = {
        "legal_entity": legal_entity,
        "currency": currency,
        "partner_tier": partner_tier,
        "on_date": on_date,
    }
    lines: list[ConfiguredLine] = []
    explanation: list[str] = []
    resolved = price_for(product, **context)
    components = list(product.components.select_related("component").order_by("position", "pk"))
    component_lines: list[ConfiguredLine] = []
    component_sum = ZERO
    for component in components:
        component_price = price_for(component.component, **context)
        unit = component_price.price if component_price else ZERO
        if component_price is None and resolved is None:
            raise ValidationError(
                {
                    "product": [
                        _("No price list prices the component %(name)s.")
                        % {"name": component.component}
                    ]
                }
            )
        amount = multiply(unit, component.quantity, currency)
        component_sum += amount
        component_lines.append(
            ConfiguredLine(
                kind="component",
                description=component.component.name,
                quantity=to_decimal(component.quantity),
                unit_price=unit,
                amount=amount,
                product_id=component.component_id,
            )
        )
        if resolved is None and component_price is not None:
            explanation.append(f"{component.component.name}: {component_price.explanation}")
    if resolved is not None:
        base = resolved.price
        explanation.insert(0, resolved.explanation)
    elif components:
        base = round_money(component_sum, currency)
        explanation.insert(
            0,
            _("The bundle has no price of its own: the sum of its components, %(price)s.")
            % {"price": format_money(base, currency)},
        )
    else:
        raise ValidationError(
            {"product": [_("No price list prices %(name)s for this client.") % {"name": product}]}
        )
    lines.append(
        ConfiguredLine(
            kind="product",
            description=product.name,
            quantity=Decimal(1),
            unit_price=base,
            amount=base,
            product_id=product.pk,
        )
    )
    lines.extend(component_lines)
    unit_price = base
    for option in options:
        delta = to_decimal(option.price_delta)
        if option.currency != currency:
            delta, rate = convert_amount(delta, option.currency, currency, on_date)
            explanation.append(
                _("Option %(name)s: %(delta)s, converted at %(rate)s.")
                % {
                    "name": option.name,
                    "delta": format_money(option.price_delta, option.currency),
                    "rate": rate.describe(),
                }
            )
        else:
            delta = round_money(delta, currency)
        unit_price += delta
        lines.append(
            ConfiguredLine(
                kind="option",
                description=option.name,
                quantity=Decimal(1),
                unit_price=delta,
                amount=delta,
                option_id=option.pk,
            )
        )
    return Configuration(
        product=product,
        currency=currency,
        quantity=quantity,
        unit_price=unit_price,
        total=multiply(unit_price, quantity, currency),
        lines=lines,
        explanation=explanation,
        option_ids=[option.pk for option in options],
    )


@dataclass(frozen=True)
class ComparisonRow:
    """One attribute across the compared products; `differs` marks rows worth reading."""

    name: str
    values: list[Any]
    differs: bool


@dataclass(frozen=True)
class Comparison:
    products: list[Product]
    prices: list[ResolvedPrice | None]
    rows: list[ComparisonRow]


def product_compare(
    user: Any,
    product_ids: list[int],
    *,
    legal_entity: Any,
    currency: str,
    partner_tier: str = PartnerTier.NONE,
    on_date: datetime.date | None = None,
) -> Comparison:
    """Chosen products side by side: each attribute any of them has (alphabetically), and
    their prices."""
    if len(product_ids) > COMPARE_AT_MOST:
        raise ValidationError(
            {"ids": [_("Compare at most %(count)d products.") % {"count": COMPARE_AT_MOST}]}
        )
    found = {
        product.pk: product
        for product in _shared(Product, user)
        .filter(pk__in=product_ids)
        .prefetch_related("categories")
    }
    products = [found[pk] for pk in dict.fromkeys(product_ids) if pk in found]
    # Alphabetical: PostgreSQL's jsonb keeps no order of the keys.
    names = sorted(
        {name for product in products for name in (product.attributes or {})}, key=str.casefold
    )
    rows = []
    for name in names:
        values = [(product.attributes or {}).get(name) for product in products]
        rows.append(ComparisonRow(name, values, len({repr(value) for value in values}) > 1))
    prices = [
        price_for(
            product,
            legal_entity=legal_entity,
            currency=currency,
            partner_tier=partner_tier,
            on_date=on_date,
        )
        for product in products
    ]
    return Comparison(products=products, prices=prices, rows=rows)


# --- Pipelines and deals -----------------------------------------------------------------


def pipeline_list(user: Any) -> list[Pipeline]:
    """Every pipeline with its live stages, in order."""
    return list(
        _shared(Pipeline, user)
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position", "pk")))
        .order_by("position", "name", "pk")[:100]
    )


def pipeline_get(user: Any, pk: int, *, deleted: bool = False) -> Pipeline:
    found = (
        _shared(Pipeline, user, deleted=deleted)
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position", "pk")))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def default_pipeline(user: Any) -> Pipeline | None:
    queryset = _shared(Pipeline, user).order_by("-is_default", "position", "pk")
    return queryset.first()


def stage_get(user: Any, pk: int, *, deleted: bool = False) -> Stage:
    found = _shared(Stage, user, deleted=deleted).select_related("pipeline").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


DEAL_SORTS = {
    "name": "name",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "expected_close_date": "expected_close_date",
}


def _deals(user: Any, *, action: str = "read", deleted: bool = False) -> QuerySet:
    manager = Deal.all_objects
    return scoped(user, manager.deleted() if deleted else manager.alive(), action)


def deal_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Deal:
    """One deal the user may see (or, with `deleted`, one in their recycle bin)."""
    found = (
        _deals(user, action=action, deleted=deleted)
        .select_related("account", "pipeline", "stage", "owner", "team", "office", "legal_entity")
        .prefetch_related("contacts")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def deal_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "-updated_at",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the deals the user may see; `filters.extra` takes pipeline_id, stage_id,
    status, account_id and expected_close_date ranges."""
    queryset = apply_common_filters(
        _deals(user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity=None,
        search_fields=["name", "account__name", "campaign"],
    ).select_related("account", "pipeline", "stage", "owner")
    if sort.lstrip("-") == "expected_close_date":
        queryset = queryset.filter(expected_close_date__isnull=False)
    return keyset_page(queryset, sort=sort, allowed=DEAL_SORTS, cursor=cursor, limit=limit)


@dataclass
class BoardColumn:
    """A stage of the kanban board: its deals (the most recently moved first, at most
    `BOARD_CARDS_PER_STAGE`), how many there are and their amounts per currency."""

    stage: Stage
    deals: list[Deal]
    count: int
    totals: dict[str, Decimal]

    @property
    def hidden(self) -> int:
        return self.count - len(self.deals)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]


def deal_board(
    user: Any, pipeline: Pipeline, filters: ListFilters | None = None, *, per_stage: int = 0
) -> Board:
    """The kanban board of a pipeline in three queries, whatever the number of deals:
    the stages, the top cards of each stage (a window function ranks them) and the counts
    and sums per stage and currency."""
    per_stage = per_stage or BOARD_CARDS_PER_STAGE
    # The stages prefetched by `pipeline_get` / `pipeline_list` when there, else one query.
    stages = sorted(pipeline.stages.all(), key=lambda stage: (stage.position, stage.pk))
    deals = apply_common_filters(
        _deals(user).filter(pipeline=pipeline),
        filters or ListFilters(),
        entity=None,
        search_fields=["name", "account__name"],
    )
    ranked = (
        deals.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("stage_entered_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=per_stage)
        .select_related("account", "owner")
        .order_by("stage_id", "rank")
    )
    cards: dict[int, list[Deal]] = defaultdict(list)
    for deal in ranked:
        cards[deal.stage_id].append(deal)
    counts: dict[int, int] = defaultdict(int)
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        deals.order_by()
        .values("stage_id", "currency")
        .annotate(count=Count("pk"), total=Sum("amount"))
    ):
        counts[row["stage_id"]] += row["count"]
        totals[row["stage_id"]][row["currency"]] = round_money(row["total"] or 0, row["currency"])
    return Board(
        pipeline=pipeline,
        columns=[
            BoardColumn(
                stage=stage,
                deals=cards.get(stage.pk, []),
                count=counts.get(stage.pk, 0),
                totals=dict(sorted(totals.get(stage.pk, {}).items())),
            )
            for stage in stages
        ],
    )


@dataclass(frozen=True)
class StageSpan:
    """A stretch of time a deal spent in a stage; `left_at` is None for the current one."""

    stage_id: int
    stage_name: str
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    actor_name: str

    @property
    def duration(self) -> datetime.timedelta:
        return (self.left_at or timezone.now()) - self.entered_at


def deal_stage_history(user: Any, deal: Deal) -> list[StageSpan]:
    """The stages the deal went through, oldest first, with the time spent in each (the
    caller has fetched `deal` through `deal_get`)."""
    changes = list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("to_stage")
        .order_by("at", "pk")[:500]
    )
    spans = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        spans.append(
            StageSpan(
                stage_id=change.to_stage_id,
                stage_name=change.to_stage.name,
                entered_at=change.at,
                left_at=following.at if following else None,
                actor_name=change.actor_name,
            )
        )
    return spans


def deal_cycle_length(deal: Deal) -> datetime.timedelta | None:
    """How long the deal took from its first stage to its close (None while open), from
    its stage changes."""
    changes = DealStageChange.objects.filter(deal=deal).aggregate(
        started=Min("at"),
        closed=Max("at", filter=Q(to_stage__is_won=True) | Q(to_stage__is_lost=True)),
    )
    if deal.status == Deal.Status.OPEN or changes["closed"] is None:
        return None
    return changes["closed"] - changes["started"]


def deal_timeline(user: Any, deal: Deal, *, cursor: str | None = None, limit: int = 50) -> Page:
    """The interactions linked to the deal, newest first; who may see a deal sees its
    history (the caller has fetched `deal` through `deal_get`)."""
    queryset = Interaction.objects.filter(deal=deal).select_related("author", "contact", "account")
    return keyset_page(queryset, sort="-at", allowed={"at": "at"}, cursor=cursor, limit=limit)


# --- Orders, invoices, payments ----------------------------------------------------------

ORDER_SORTS = {"order_date": "order_date", "created_at": "created_at"}
INVOICE_SORTS = {"created_at": "created_at", "due_date": "due_date", "issue_date": "issue_date"}


def _documents(model: type, user: Any, *, action: str, deleted: bool) -> QuerySet:
    manager = model.all_objects
    return scoped(user, manager.deleted() if deleted else manager.alive(), action)


def order_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Order:
    found = (
        _documents(Order, user, action=action, deleted=deleted)
        .select_related("account", "deal", "owner", "legal_entity", "office")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("position", "pk")))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def order_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "-order_date",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the orders the user may see; `filters.extra` takes account_id, deal_id,
    status and order_date ranges."""
    queryset = apply_common_filters(
        _documents(Order, user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity=None,
        search_fields=["number", "reference", "account__name"],
    ).select_related("account", "owner", "legal_entity")
    queryset = queryset.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position", "pk"))
    )
    return keyset_page(queryset, sort=sort, allowed=ORDER_SORTS, cursor=cursor, limit=limit)


def invoice_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Invoice:
    found = (
        _documents(Invoice, user, action=action, deleted=deleted)
        .select_related("account", "order", "deal", "owner", "legal_entity", "office")
        .prefetch_related(
            "lines", Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def invoice_list(
    user: Any,
    filters: ListFilters,
    *,
    overdue_on: datetime.date | None = None,
    sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the invoices the user may see; with `overdue_on`, only those unpaid after
    their due date on that day."""
    queryset = apply_common_filters(
        _documents(Invoice, user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity=None,
        search_fields=["number", "account__name"],
    ).select_related("account", "owner", "legal_entity")
    queryset = queryset.prefetch_related(
        "lines", Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk"))
    )
    if overdue_on is not None:
        queryset = queryset.filter(status__in=Invoice.OPEN_STATUSES, due_date__lt=overdue_on)
    if sort.lstrip("-") in ("due_date", "issue_date"):
        queryset = queryset.filter(**{f"{sort.lstrip('-')}__isnull": False})
    return keyset_page(queryset, sort=sort, allowed=INVOICE_SORTS, cursor=cursor, limit=limit)


def payment_get(user: Any, pk: int, *, action: str = "read") -> Payment:
    """A payment, visible to whoever may see (or, for `write`, change) its invoice."""
    invoices = _documents(Invoice, user, action=action, deleted=False)
    found = (
        Payment.objects.filter(pk=pk, invoice__in=invoices.values("pk"))
        .select_related("invoice")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def overdue_invoices(
    user: Any,
    *,
    account: Account | None = None,
    on_date: datetime.date | None = None,
    limit: int = 50,
) -> list[Invoice]:
    """Unpaid invoices past their due date, the oldest debt first; each has `days_overdue`."""
    on_date = _today(on_date)
    queryset = _documents(Invoice, user, action="read", deleted=False).filter(
        status__in=Invoice.OPEN_STATUSES, due_date__lt=on_date
    )
    if account is not None:
        queryset = queryset.filter(account=account)
    invoices = list(queryset.select_related("account").order_by("due_date", "pk")[:limit])
    for invoice in invoices:
        invoice.days_overdue = (on_date - invoice.due_date).days
    return invoices


BUCKETS = [("0-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]


@dataclass
class DebtRow:
    """What one account owes one legal entity's office in one currency, by age of the
    debt (days past the due date)."""

    account_id: int
    account_name: str
    legal_entity_id: int | None
    legal_entity_name: str
    office_id: int | None
    office_name: str
    currency: str
    buckets: dict[str, Decimal]
    total: Decimal
    invoices: int
    oldest_due_date: datetime.date
    days_overdue: int


@dataclass
class DebtReport:
    on_date: datetime.date
    rows: list[DebtRow]
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)


def _outstanding() -> ExpressionWrapper:
    return ExpressionWrapper(F("gross_total") - F("paid_total"), output_field=MONEY)


def _bucket_sums(on_date: datetime.date) -> dict[str, Any]:
    """SUM of the outstanding amounts per ageing bucket, by due date (1–30 days past due
    is the "0–30" bucket: an invoice due today is not overdue yet)."""
    sums = {}
    for label, first_day, last_day in BUCKETS:
        condition = Q(due_date__lte=on_date - datetime.timedelta(days=first_day))
        if last_day is not None:
            condition &= Q(due_date__gte=on_date - datetime.timedelta(days=last_day))
        sums[f"bucket_{label}"] = Sum(_outstanding(), filter=condition)
    return sums


def debt_collection(
    user: Any,
    *,
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    account_id: int | None = None,
    on_date: datetime.date | None = None,
    limit: int = 200,
) -> DebtReport:
    """Overdue receivables per account, legal entity, office and currency, in ageing
    buckets (0–30, 31–60, 61–90, over 90 days past due), the largest debts first; two
    aggregate queries whatever the number of invoices."""
    on_date = _today(on_date)
    invoices = _documents(Invoice, user, action="read", deleted=False).filter(
        status__in=Invoice.OPEN_STATUSES, due_date__lt=on_date
    )
    if legal_entity_id is not None:
        invoices = invoices.filter(legal_entity_id=legal_entity_id)
    if office_id is not None:
        invoices = invoices.filter(office_id=office_id)
    if account_id is not None:
        invoices = invoices.filter(account_id=account_id)
    sums = _bucket_sums(on_date)
    grouped = (
        invoices.order_by()
        .values(
            "account_id",
            "account__name",
            "legal_entity_id",
            "legal_entity__name",
            "office_id",
            "office__name",
            "currency",
        )
        .annotate(
            **sums,
            total=Sum(_outstanding()),
            invoices=Count("pk"),
            oldest=Min("due_date"),
        )
        .order_by("-total", "account__name", "account_id")[:limit]
    )
    labels = [label for label, _first, _last in BUCKETS]
    rows = []
    for row in grouped:
        currency = row["currency"]
        rows.append(
            DebtRow(
                account_id=row["account_id"],
                account_name=row["account__name"] or "",
                legal_entity_id=row["legal_entity_id"],
                legal_entity_name=row["legal_entity__name"] or "",
                office_id=row["office_id"],
                office_name=row["office__name"] or "",
                currency=currency,
                buckets={
                    label: round_money(row[f"bucket_{label}"] or 0, currency) for label in labels
                },
                total=round_money(row["total"] or 0, currency),
                invoices=row["invoices"],
                oldest_due_date=row["oldest"],
                days_overdue=(on_date - row["oldest"]).days,
            )
        )
    totals = {}
    for row in invoices.order_by().values("currency").annotate(**sums, total=Sum(_outstanding())):
        currency = row["currency"]
        totals[currency] = {
            **{label: round_money(row[f"bucket_{label}"] or 0, currency) for label in labels},
            "total": round_money(row["total"] or 0, currency),
        }
    return DebtReport(on_date=on_date, rows=rows, totals=dict(sorted(totals.items())))


# --- Statistics --------------------------------------------------------------------------


@dataclass
class Period:
    """A half-open range of days [since, until) of a statistic; either end may be open."""

    since: datetime.date | None = None
    until: datetime.date | None = None

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        def midnight(day: datetime.date | None) -> datetime.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return midnight(self.since), midnight(self.until)


@dataclass
class UserStats:
    """One salesperson's results in a period."""

    user_id: int
    user_name: str
    won: int = 0
    lost: int = 0
    won_amounts: dict[str, Decimal] = field(default_factory=dict)
    lost_amounts: dict[str, Decimal] = field(default_factory=dict)
    average_cycle: datetime.timedelta | None = None
    interactions: int = 0

    @property
    def win_rate(self) -> Decimal | None:
        """Won deals among the closed ones, in per cent (one decimal)."""
        closed = self.won + self.lost
        if not closed:
            return None
        return round_money(Decimal(self.won) * 100 / closed, "EUR").quantize(Decimal("0.1"))

    @property
    def average_cycle_days(self) -> Decimal | None:
        if self.average_cycle is None:
            return None
        seconds = Decimal(int(self.average_cycle.total_seconds()))
        return (seconds / 86400).quantize(Decimal("0.1"))


def _seconds(value: Any) -> float | None:
    """A duration from the database as seconds (SQLite answers microseconds or text)."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000


def _period_filter(prefix: str, period: Period) -> Q:
    since, until = period.bounds()
    condition = Q()
    if since is not None:
        condition &= Q(**{f"{prefix}__gte": since})
    if until is not None:
        condition &= Q(**{f"{prefix}__lt": until})
    return condition


def user_stats(
    user: Any,
    *,
    period: Period | None = None,
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    limit: int = 200,
) -> list[UserStats]:
    """Per owner, the deals won and lost (closed in the period) and their amounts per
    currency, the win rate, the average sales cycle (from each won deal's first stage change
    to its winning one) and the interactions they logged (done, not the system's own
    entries); SQL aggregates over what the user may see, a fixed number of queries."""
    period = period or Period()
    deals = _deals(user).filter(status__in=[Deal.Status.WON, Deal.Status.LOST])
    deals = deals.filter(_period_filter("closed_at", period))
    interactions = (
        scoped(user, Interaction.objects.all())
        .filter(_period_filter("at", period), status=Interaction.Status.DONE, author__isnull=False)
        .exclude(kind=Interaction.Kind.SYSTEM)
    )
    if legal_entity_id is not None:
        deals = deals.filter(legal_entity_id=legal_entity_id)
        interactions = interactions.filter(legal_entity_id=legal_entity_id)
    if office_id is not None:
        deals = deals.filter(office_id=office_id)
        interactions = interactions.filter(office_id=office_id)
    stats: dict[int, UserStats] = {}

    def row(user_id: int) -> UserStats:
        if user_id not in stats:
            stats[user_id] = UserStats(user_id=user_id, user_name="")
        return stats[user_id]

    won, lost = Q(status=Deal.Status.WON), Q(status=Deal.Status.LOST)
    for values in (
        deals.filter(owner__isnull=False)
        .order_by()
        .values("owner_id", "currency")
        .annotate(
            won=Count("pk", filter=won),
            lost=Count("pk", filter=lost),
            won_amount=Sum("amount", filter=won),
            lost_amount=Sum("amount", filter=lost),
        )
    ):
        entry = row(values["owner_id"])
        currency = values["currency"]
        entry.won += values["won"]
        entry.lost += values["lost"]
        if values["won"]:
            entry.won_amounts[currency] = round_money(values["won_amount"], currency)
        if values["lost"]:
            entry.lost_amounts[currency] = round_money(values["lost_amount"], currency)
    started = (
        DealStageChange.objects.filter(deal_id=OuterRef("deal_id"))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    cycles = (
        DealStageChange.objects.filter(
            deal__in=deals.filter(status=Deal.Status.WON).values("pk"),
            to_stage__is_won=True,
            at=F("deal__closed_at"),
            deal__owner__isnull=False,
        )
        .annotate(
            cycle=ExpressionWrapper(F("at") - Subquery(started), output_field=DurationField())
        )
        .order_by()
        .values("deal__owner_id")
        .annotate(average=Avg("cycle"))
    )
    for values in cycles:
        seconds = _seconds(values["average"])
        if seconds is not None:
            row(values["deal__owner_id"]).average_cycle = datetime.timedelta(seconds=seconds)
    for values in interactions.order_by().values("author_id").annotate(count=Count("pk")):
        row(values["author_id"]).interactions = values["count"]
    users = get_user_model().objects.filter(pk__in=list(stats)[: limit * 2])
    for person in users:
        stats[person.pk].user_name = str(person)
    ordered = sorted(
        stats.values(), key=lambda entry: (-entry.won, -entry.interactions, entry.user_name)
    )
    return [entry for entry in ordered if entry.user_name][:limit]


@dataclass
class ProductStats:
    """What one product sold in one currency in a period: quantity, revenue (net), the
    margin of the lines whose cost is known, and how many clients bought it."""

    product_id: int
    product_name: str
    sku: str
    currency: str
    quantity: Decimal
    revenue: Decimal
    margin: Decimal | None
    clients: int


REVENUE_STATUSES = [Order.Status.CONFIRMED, Order.Status.FULFILLED]


def _revenue_orders(
    user: Any,
    *,
    period: Period | None,
    legal_entity_id: int | None,
    office_id: int | None,
) -> QuerySet:
    """The orders that count as sales: confirmed or fulfilled, ordered in the period."""
    orders = _documents(Order, user, action="read", deleted=False).filter(
        status__in=REVENUE_STATUSES
    )
    period = period or Period()
    if period.since is not None:
        orders = orders.filter(order_date__gte=period.since)
    if period.until is not None:
        orders = orders.filter(order_date__lt=period.until)
    if legal_entity_id is not None:
        orders = orders.filter(legal_entity_id=legal_entity_id)
    if office_id is not None:
        orders = orders.filter(office_id=office_id)
    return orders


def _line_cost() -> ExpressionWrapper:
    return ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=MONEY)


def product_stats(
    user: Any,
    *,
    period: Period | None = None,
    legal_entity_id: int | None = None,
    office_id: int | None = None,
    limit: int = 100,
) -> list[ProductStats]:
    """Per product and currency, the best sellers first: one aggregate query."""
    orders = _revenue_orders(
        user, period=period, legal_entity_id=legal_entity_id, office_id=office_id
    )
    has_cost = Q(unit_cost__isnull=False)
    rows = (
        OrderLine.objects.filter(order__in=orders.values("pk"), product__isnull=False)
        .order_by()
        .values("product_id", "product__name", "product__sku", "order__currency")
        .annotate(
            sold=Sum("quantity"),
            revenue=Sum("net_amount"),
            costed_revenue=Sum("net_amount", filter=has_cost),
            cost=Sum(_line_cost(), filter=has_cost),
            clients=Count("order__account_id", distinct=True),
        )
        .order_by("-revenue", "product__name")[:limit]
    )
    result = []
    for row in rows:
        currency = row["order__currency"]
        margin = None
        if row["cost"] is not None:
            margin = round_money(row["costed_revenue"] - row["cost"], currency)
        result.append(
            ProductStats(
                product_id=row["product_id"],
                product_name=row["product__name"],
                sku=row["product__sku"],
                currency=currency,
                quantity=to_decimal(row["sold"]).normalize(),
                revenue=round_money(row["revenue"], currency),
                margin=margin,
                clients=row["clients"],
            )
        )
    return result


# --- The account's sales summary ---------------------------------------------------------


@dataclass(frozen=True)
class CrossSell:
    """A product the account has not bought that `clients` other clients bought along
    with `because` (one the account did buy)."""

    product_id: int
    product_name: str
    because_id: int
    because_name: str
    clients: int


@dataclass
class AccountSalesSummary:
    """The sales status of a client at a glance, for its card."""

    account: Account
    orders: int
    recent_orders: list[Order]
    revenue: dict[str, Decimal]
    margin: dict[str, Decimal]
    open_deals: list[Deal]
    open_deals_count: int
    open_amounts: dict[str, Decimal]
    overdue_invoices: list[Invoice]
    overdue_amounts: dict[str, Decimal]
    max_days_overdue: int
    average_payment_delay_days: Decimal | None
    cross_sell: list[CrossSell]


def account_sales_summary(
    user: Any, account: Account, *, on_date: datetime.date | None = None
) -> AccountSalesSummary:
    """Purchases so far, revenue and margin, open deals, overdue invoices and payment
    delays, and cross-sell suggestions for `account` (the caller has fetched it through a
    scoped selector); a fixed number of bounded queries."""
    on_date = _today(on_date)
    orders = _revenue_orders(user, period=None, legal_entity_id=None, office_id=None).filter(
        account=account
    )
    revenue: dict[str, Decimal] = {}
    order_count = 0
    for row in orders.order_by().values("currency").annotate(n=Count("pk"), net=Sum("net_total")):
        order_count += row["n"]
        revenue[row["currency"]] = round_money(row["net"] or 0, row["currency"])
    margin: dict[str, Decimal] = {}
    has_cost = Q(unit_cost__isnull=False)
    for row in (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .order_by()
        .values("order__currency")
        .annotate(
            costed=Sum("net_amount", filter=has_cost), cost=Sum(_line_cost(), filter=has_cost)
        )
    ):
        if row["cost"] is not None:
            currency = row["order__currency"]
            margin[currency] = round_money(row["costed"] - row["cost"], currency)
    recent = list(orders.order_by("-order_date", "-pk")[:5])
    deals = _deals(user).filter(account=account, status=Deal.Status.OPEN)
    open_deals = list(
        deals.select_related("stage", "owner").order_by("expected_close_date", "pk")[:SUMMARY_ROWS]
    )
    open_amounts: dict[str, Decimal] = {}
    open_count = 0
    for row in deals.order_by().values("currency").annotate(n=Count("pk"), total=Sum("amount")):
        open_count += row["n"]
        open_amounts[row["currency"]] = round_money(row["total"] or 0, row["currency"])
    overdue = overdue_invoices(user, account=account, on_date=on_date, limit=SUMMARY_ROWS)
    overdue_amounts: dict[str, Decimal] = {}
    for row in (
        _documents(Invoice, user, action="read", deleted=False)
        .filter(account=account, status__in=Invoice.OPEN_STATUSES, due_date__lt=on_date)
        .order_by()
        .values("currency")
        .annotate(total=Sum(_outstanding()))
    ):
        overdue_amounts[row["currency"]] = round_money(row["total"] or 0, row["currency"])
    max_days = max((invoice.days_overdue for invoice in overdue), default=0)
    paid = list(
        _documents(Invoice, user, action="read", deleted=False)
        .filter(account=account, status=Invoice.Status.PAID, due_date__isnull=False)
        .exclude(paid_on__isnull=True)
        .order_by("-paid_on", "-pk")
        .values_list("due_date", "paid_on")[:50]
    )
    delay = None
    if paid:
        days = [max(0, (paid_on - due_date).days) for due_date, paid_on in paid]
        delay = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
    return AccountSalesSummary(
        account=account,
        orders=order_count,
        recent_orders=recent,
        revenue=dict(sorted(revenue.items())),
        margin=dict(sorted(margin.items())),
        open_deals=open_deals,
        open_deals_count=open_count,
        open_amounts=dict(sorted(open_amounts.items())),
        overdue_invoices=overdue,
        overdue_amounts=dict(sorted(overdue_amounts.items())),
        max_days_overdue=max_days,
        average_payment_delay_days=delay,
        cross_sell=cross_sell(account),
    )


def cross_sell(account: Account, *, limit: int = CROSS_SELL_SUGGESTIONS) -> list[CrossSell]:
    """ "Clients who bought X also bought Y": products the account has not bought, ranked by
    how many other clients bought them together with one the account did buy. One SQL
    query of co-occurrence counts over accounts (the peers bounded to the most recent
    `CROSS_SELL_PEERS` orders), then one for the names.

    The counts are anonymous aggregates over all orders, so no client's purchases are
    shown to someone outside its scope."""
    table = connection.ops.quote_name
    order, line = table(Order._meta.db_table), table(OrderLine._meta.db_table)
    product = table(Product._meta.db_table)
    statuses = [str(status) for status in REVENUE_STATUSES]
    placeholders = ", ".join(["%s"] * len(statuses))
    sql = f"""
        WITH mine AS (
            SELECT DISTINCT l.product_id FROM {line} l JOIN {order} o ON o.id = l.order_id
            WHERE o.account_id = %s AND o.deleted_at IS NULL AND o.status IN ({placeholders})
              AND l.product_id IS NOT NULL
        ),
        peer_orders AS (
            SELECT o.id, o.account_id FROM {order} o
            WHERE o.account_id <> %s AND o.account_id IS NOT NULL AND o.deleted_at IS NULL
              AND o.status IN ({placeholders})
            ORDER BY o.id DESC LIMIT %s
        ),
        bought AS (
            SELECT DISTINCT po.account_id, l.product_id FROM peer_orders po
            JOIN {line} l ON l.order_id = po.id WHERE l.product_id IS NOT NULL
        )
        SELECT y.product_id, x.product_id, COUNT(DISTINCT x.account_id) AS clients
        FROM bought x JOIN bought y ON y.account_id = x.account_id
        JOIN {product} p ON p.id = y.product_id
        WHERE x.product_id IN (SELECT product_id FROM mine)
          AND y.product_id NOT IN (SELECT product_id FROM mine)
          AND p.is_active AND p.deleted_at IS NULL
        GROUP BY y.product_id, x.product_id
        ORDER BY clients DESC, y.product_id, x.product_id
        LIMIT %s
    """  # noqa: S608 (table names from the models, values as parameters)
    params = [account.pk, *statuses, account.pk, *statuses, CROSS_SELL_PEERS, limit * 10]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pairs = cursor.fetchall()
    best: dict[int, tuple[int, int]] = {}
    for suggested, because, clients in pairs:
        if suggested not in best:
            best[suggested] = (because, clients)
    chosen = list(best.items())[:limit]
    if not chosen:
        return []
    ids = {pk for suggested, (because, _n) in chosen for pk in (suggested, because)}
    names = dict(Product.all_objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        CrossSell(
            product_id=suggested,
            product_name=names.get(suggested, ""),
            because_id=because,
            because_name=names.get(because, ""),
            clients=clients,
        )
        for suggested, (because, clients) in chosen
    ]


def account_deals(user: Any, account: Account, *, limit: int = SUMMARY_ROWS) -> list[Deal]:
    """The account's deals the user may see, open ones first, then the latest closed."""
    return list(
        _deals(user)
        .filter(account=account)
        .select_related("stage", "owner")
        .order_by(F("closed_at").desc(nulls_first=True), "-updated_at", "-pk")[:limit]
    )
