"""Every write of sales: the catalogue, prices and rates, pipelines, deals, orders, invoices
and payments, debt reminders, the guard and its setting.

Each service takes the acting user and typed arguments, runs in one transaction, writes one
audit event per record it writes, and a timeline entry where the write concerns a client.
The catalogue, price lists, rates, pipelines and the guard's setting are administrators'
to change; deals, orders and invoices follow the role's scopes on "deal", "order" and
"invoice".

For the documents app: an accepted quote becomes an order with `order_create_from_lines`,
and a quote is checked with `guard_check` before it is sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from perpetuum.clients.models import Account, Contact
from perpetuum.core import access
from perpetuum.core.access import is_administrator
from perpetuum.core.audit import audit
from perpetuum.core.errors import Conflict, PermissionDenied, VersionConflict
from perpetuum.core.money import (
    ZERO,
    check_currency,
    document_totals,
    format_money,
    line_amounts,
    round_money,
    to_decimal,
)
from perpetuum.core.ownership import apply_ownership, require, require_create, resolve_owner
from perpetuum.core.services import (
    diff,
    field_values,
    record_create,
    record_delete,
    record_restore,
    record_update,
)
from perpetuum.org.models import LegalEntity, Office
from perpetuum.sales import selectors
from perpetuum.sales.guard import GuardBlocked, Problem, account_problems
from perpetuum.sales.models import (
    BundleComponent,
    CurrencyRate,
    Deal,
    DealStageChange,
    DocumentLine,
    Invoice,
    InvoiceLine,
    NumberSeries,
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
from perpetuum.timeline import services as timeline_services
from perpetuum.timeline.models import Interaction

OWNERSHIP_FIELDS = ["owner", "team", "office", "legal_entity"]


def _require_administrator(actor: Any) -> None:
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators change the catalogue, prices and pipelines.")


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _timeline_entry(
    *,
    actor: Any,
    subject: str,
    account: Account | None,
    deal: Deal | None = None,
    kind: str = Interaction.Kind.SYSTEM,
    body: str = "",
    reason: str = "",
) -> Interaction:
    """An entry on the client's timeline (and the deal's), written on behalf of the actor."""
    now = timezone.now()
    interaction = Interaction(
        kind=kind,
        status=Interaction.Status.DONE,
        occurred_at=now,
        at=now,
        subject=subject[:300],
        body=body,
        reason=reason,
        account=account,
        deal=deal,
        author=actor if _is_user(actor) else None,
    )
    apply_ownership(interaction, actor if _is_user(actor) else None)
    return record_create(actor=actor, instance=interaction)


def _pop_id(data: dict[str, Any], key: str, model: type, *, queryset: Any = None) -> Any:
    """Replace `<key>_id` in `data` by the live record it names (None stays None)."""
    record_id = data.pop(f"{key}_id")
    if record_id is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=record_id).first()
    if found is None:
        raise ValidationError({f"{key}_id": [_("There is no such record.")]})
    return found


def _decimals(data: dict[str, Any], names: Iterable[str]) -> None:
    """Turn the money and percentages of `data` into `Decimal`s (a float is refused)."""
    for name in names:
        if data.get(name) is not None:
            data[name] = to_decimal(data[name])


# --- Catalogue ---------------------------------------------------------------------------

CATEGORY_FIELDS = ["name", "description", "parent"]
PRODUCT_FIELDS = [
    "sku",
    "name",
    "kind",
    "unit",
    "tax_rate",
    "description",
    "categories",
    "cost_price",
    "cost_currency",
    "is_active",
    "attributes",
]
OPTION_FIELDS = ["name", "group", "price_delta", "currency", "position"]


def _category_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "parent_id" in data:
        data["parent"] = _pop_id(data, "parent", ProductCategory)
    return data


def _category_clean(category: ProductCategory) -> None:
    seen = {category.pk}
    node = category.parent
    while node is not None:
        if node.pk in seen:
            raise ValidationError({"parent_id": [_("A category cannot be inside itself.")]})
        seen.add(node.pk)
        node = node.parent


def category_create(*, actor: Any, data: dict[str, Any]) -> ProductCategory:
    _require_administrator(actor)
    category = ProductCategory(**_category_data(data))
    return record_create(actor=actor, instance=category)


def category_update(
    *, actor: Any, category: ProductCategory, data: dict[str, Any], expected_version: int | None
) -> ProductCategory:
    _require_administrator(actor)
    return record_update(
        actor=actor,
        instance=category,
        data=_category_data(data),
        allowed=CATEGORY_FIELDS,
        expected_version=expected_version,
        before_save=_category_clean,
    )


def _product_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "category_ids" in data:
        ids = data.pop("category_ids") or []
        categories = list(ProductCategory.objects.filter(pk__in=ids))
        missing = set(ids) - {category.pk for category in categories}
        if missing:
            raise ValidationError(
                {"category_ids": [_("No such categories: %s.") % sorted(missing)]}
            )
        data["categories"] = categories
    if "sku" in data and data["sku"] is not None:
        data["sku"] = data["sku"].strip()
    _decimals(data, ["tax_rate", "cost_price"])
    return data


def _product_clean(product: Product) -> None:
    attributes = product.attributes
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": [_("Give the attributes as names and values.")]})
    for name, value in attributes.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError({"attributes": [_("Every attribute has a name.")]})
        if isinstance(value, float):
            raise ValidationError(
                {"attributes": [_("Give numbers with decimals as text: %s.") % name]}
            )
        if not isinstance(value, str | int | bool) and value is not None:
            raise ValidationError({"attributes": [_("Attributes are text, numbers or yes/no.")]})
    check_currency(product.cost_currency)


def product_create(*, actor: Any, data: dict[str, Any]) -> Product:
    """Add a product or a service to the catalogue (`category_ids` for its categories)."""
    _require_administrator(actor)
    data = _product_data(data)
    categories = data.pop("categories", [])
    product = Product(**data)
    _product_clean(product)
    return record_create(actor=actor, instance=product, many_to_many={"categories": categories})


def product_update(
    *, actor: Any, product: Product, data: dict[str, Any], expected_version: int | None
) -> Product:
    _require_administrator(actor)
    return record_update(
        actor=actor,
        instance=product,
        data=_product_data(data),
        allowed=PRODUCT_FIELDS,
        expected_version=expected_version,
        before_save=_product_clean,
    )


def bundle_components_set(
    *,
    actor: Any,
    product: Product,
    components: list[dict[str, Any]],
    expected_version: int | None = None,
) -> Product:
    """Make `product` a bundle of `components` ([{component_id, quantity}]), or an ordinary
    product again with an empty list. A bundle's components are not bundles themselves."""
    _require_administrator(actor)
    wanted: list[tuple[int, Decimal]] = []
    for index, entry in enumerate(components):
        quantity = to_decimal(entry.get("quantity", 1))
        if quantity <= 0:
            raise ValidationError({f"components.{index}.quantity": [_("Must be positive.")]})
        wanted.append((int(entry["component_id"]), quantity))
    ids = [component_id for component_id, _quantity in wanted]
    if len(set(ids)) != len(ids):
        raise ValidationError({"components": [_("Name each component once.")]})
    if product.pk in ids:
        raise ValidationError({"components": [_("A bundle cannot contain itself.")]})
    found = {item.pk: item for item in Product.objects.filter(pk__in=ids)}
    missing = set(ids) - set(found)
    if missing:
        raise ValidationError({"components": [_("No such products: %s.") % sorted(missing)]})
    if wanted and BundleComponent.objects.filter(bundle_id__in=ids).exists():
        raise ValidationError({"components": [_("A component cannot be a bundle itself.")]})
    if wanted and BundleComponent.objects.filter(component=product).exists():
        raise ValidationError({"components": [_("This product is a component of a bundle.")]})
    with transaction.atomic():
        current = Product.all_objects.select_for_update().get(pk=product.pk)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(current_version=current.version)
        before = [
            [row.component_id, str(row.quantity.normalize())]
            for row in BundleComponent.objects.filter(bundle=current).order_by("position", "pk")
        ]
        after = [[component_id, str(quantity.normalize())] for component_id, quantity in wanted]
        if before != after:
            BundleComponent.objects.filter(bundle=current).delete()
            BundleComponent.objects.bulk_create(
                BundleComponent(
                    bundle=current, component=found[component_id], quantity=quantity, position=index
                )
                for index, (component_id, quantity) in enumerate(wanted)
            )
            current.version += 1
            current.updated_at = timezone.now()
            current.save(update_fields=["version", "updated_at"])
            audit(
                actor=actor,
                action="update",
                instance=current,
                changes={"components": [before, after]},
            )
    return current


def option_create(*, actor: Any, product: Product, data: dict[str, Any]) -> ProductOption:
    _require_administrator(actor)
    data = dict(data)
    _decimals(data, ["price_delta"])
    option = ProductOption(product=product, **data)
    check_currency(option.currency)
    return record_create(actor=actor, instance=option)


def option_update(
    *, actor: Any, option: ProductOption, data: dict[str, Any], expected_version: int | None
) -> ProductOption:
    _require_administrator(actor)
    data = dict(data)
    _decimals(data, ["price_delta"])
    return record_update(
        actor=actor,
        instance=option,
        data=data,
        allowed=OPTION_FIELDS,
        expected_version=expected_version,
    )


def catalogue_delete(*, actor: Any, instance: Any, expected_version: int | None = None) -> Any:
    """Move a category, product, option, price list, price, rate or pipeline to the recycle
    bin (administrators)."""
    _require_administrator(actor)
    if isinstance(instance, Pipeline) and Deal.objects.filter(pipeline=instance).exists():
        raise Conflict("The pipeline still has deals; move them to another pipeline first.")
    if isinstance(instance, Stage):
        return stage_delete(actor=actor, stage=instance, expected_version=expected_version)
    return record_delete(actor=actor, instance=instance, expected_version=expected_version)


def catalogue_restore(*, actor: Any, instance: Any) -> Any:
    _require_administrator(actor)
    return record_restore(actor=actor, instance=instance)


# --- Prices and rates --------------------------------------------------------------------

PRICE_LIST_FIELDS = [
    "name",
    "legal_entity",
    "currency",
    "partner_tier",
    "valid_from",
    "valid_until",
    "is_active",
]
RATE_FIELDS = ["base_currency", "quote_currency", "rate", "valid_on", "source"]


def _price_list_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "legal_entity_id" in data:
        data["legal_entity"] = _pop_id(data, "legal_entity", LegalEntity)
    return data


def _price_list_clean(price_list: PriceList) -> None:
    check_currency(price_list.currency)
    if price_list.valid_until and price_list.valid_until < price_list.valid_from:
        raise ValidationError({"valid_until": [_("The list ends before it starts.")]})


def price_list_create(*, actor: Any, data: dict[str, Any]) -> PriceList:
    _require_administrator(actor)
    price_list = PriceList(**_price_list_data(data))
    _price_list_clean(price_list)
    return record_create(actor=actor, instance=price_list)


def price_list_update(
    *, actor: Any, price_list: PriceList, data: dict[str, Any], expected_version: int | None
) -> PriceList:
    _require_administrator(actor)
    return record_update(
        actor=actor,
        instance=price_list,
        data=_price_list_data(data),
        allowed=PRICE_LIST_FIELDS,
        expected_version=expected_version,
        before_save=_price_list_clean,
    )


def price_set(
    *, actor: Any, price_list: PriceList, product: Product, price: Decimal | str
) -> PriceListItem:
    """Put `product` in `price_list` at `price`, or change its price there."""
    _require_administrator(actor)
    price = to_decimal(price)
    if price < 0:
        raise ValidationError({"price": [_("A price is not negative.")]})
    with transaction.atomic():
        existing = (
            PriceListItem.objects.select_for_update()
            .filter(price_list=price_list, product=product)
            .first()
        )
        if existing is None:
            item = PriceListItem(price_list=price_list, product=product, price=price)
            return record_create(actor=actor, instance=item)
        return record_update(
            actor=actor,
            instance=existing,
            data={"price": price},
            allowed=["price"],
            expected_version=None,
        )


def _rate_clean(rate: CurrencyRate) -> None:
    check_currency(rate.base_currency)
    check_currency(rate.quote_currency)
    if rate.rate is not None and to_decimal(rate.rate) <= 0:
        raise ValidationError({"rate": [_("A rate is positive.")]})


def rate_create(*, actor: Any, data: dict[str, Any]) -> CurrencyRate:
    """Record the rate of a currency pair from a date on."""
    _require_administrator(actor)
    data = dict(data)
    _decimals(data, ["rate"])
    rate = CurrencyRate(**data)
    _rate_clean(rate)
    return record_create(actor=actor, instance=rate)


def rate_update(
    *, actor: Any, rate: CurrencyRate, data: dict[str, Any], expected_version: int | None
) -> CurrencyRate:
    _require_administrator(actor)
    data = dict(data)
    _decimals(data, ["rate"])
    return record_update(
        actor=actor,
        instance=rate,
        data=data,
        allowed=RATE_FIELDS,
        expected_version=expected_version,
        before_save=_rate_clean,
    )


# --- Pipelines ---------------------------------------------------------------------------

PIPELINE_FIELDS = ["name", "is_default", "position"]
STAGE_FIELDS = ["name", "position", "probability", "is_won", "is_lost"]


def _make_default(pipeline: Pipeline) -> None:
    """Only one pipeline is the default: the others lose the flag."""
    Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)


def pipeline_create(*, actor: Any, data: dict[str, Any]) -> Pipeline:
    """A pipeline with its stages (`stages`: [{name, probability, is_won, is_lost}], in
    order); it needs at least one open stage."""
    _require_administrator(actor)
    data = dict(data)
    stages = data.pop("stages", [])
    if not any(not (stage.get("is_won") or stage.get("is_lost")) for stage in stages):
        raise ValidationError({"stages": [_("A pipeline needs at least one open stage.")]})
    with transaction.atomic():
        pipeline = record_create(actor=actor, instance=Pipeline(**data))
        if pipeline.is_default:
            _make_default(pipeline)
        for position, stage in enumerate(stages):
            stage = {"position": position, **stage}
            record_create(actor=actor, instance=Stage(pipeline=pipeline, **stage))
    return pipeline


def pipeline_update(
    *, actor: Any, pipeline: Pipeline, data: dict[str, Any], expected_version: int | None
) -> Pipeline:
    _require_administrator(actor)
    with transaction.atomic():
        updated = record_update(
            actor=actor,
            instance=pipeline,
            data=data,
            allowed=PIPELINE_FIELDS,
            expected_version=expected_version,
        )
        if updated.is_default:
            _make_default(updated)
    return updated


def stage_create(*, actor: Any, pipeline: Pipeline, data: dict[str, Any]) -> Stage:
    _require_administrator(actor)
    data = dict(data)
    if "position" not in data:
        last = Stage.objects.filter(pipeline=pipeline).order_by("-position").first()
        data["position"] = last.position + 1 if last else 0
    return record_create(actor=actor, instance=Stage(pipeline=pipeline, **data))


def stage_update(
    *, actor: Any, stage: Stage, data: dict[str, Any], expected_version: int | None
) -> Stage:
    """Rename, reorder or re-weigh a stage; whether it wins or loses is fixed once it holds
    deals, so that closed deals stay closed."""
    _require_administrator(actor)
    closes_otherwise = (
        data.get("is_won", stage.is_won) != stage.is_won
        or data.get("is_lost", stage.is_lost) != stage.is_lost
    )
    if closes_otherwise and Deal.all_objects.filter(stage=stage).exists():
        raise Conflict("The stage holds deals; whether it wins or loses stays as it is.")
    return record_update(
        actor=actor,
        instance=stage,
        data=data,
        allowed=STAGE_FIELDS,
        expected_version=expected_version,
    )


def stage_delete(*, actor: Any, stage: Stage, expected_version: int | None = None) -> Stage:
    """Move an empty stage to the recycle bin; a pipeline keeps at least one open stage."""
    _require_administrator(actor)
    if Deal.all_objects.filter(stage=stage).exists():
        raise Conflict("The stage holds deals; move them to another stage first.")
    if not stage.is_closed:
        others = Stage.objects.filter(pipeline_id=stage.pipeline_id, is_won=False, is_lost=False)
        if not others.exclude(pk=stage.pk).exists():
            raise Conflict("A pipeline keeps at least one open stage.")
    return record_delete(actor=actor, instance=stage, expected_version=expected_version)


# --- The guard ---------------------------------------------------------------------------


@dataclass
class GuardResult:
    """What the guard found: the problems (empty when there are none), the mode it was in,
    and the decision recorded when a block was overridden. True when there are problems;
    iterating it gives the problems."""

    problems: list[Problem] = field(default_factory=list)
    mode: str = SalesSettings.GuardMode.WARN
    decision: Interaction | None = None

    @property
    def overridden(self) -> bool:
        return self.decision is not None

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)


def guard_check(
    actor: Any,
    account: Account,
    override_reason: str | None = None,
    *,
    action: str = "",
) -> GuardResult:
    """Check `account` for unresolved problems before a new deal or a quote is sent
    (`action` names it, for the record).

    No problems: an empty result. In "warn" mode the problems are returned for the caller
    to show. In "block" mode `GuardBlocked` is raised (HTTP 409 with the problems) unless
    an `override_reason` is given: then the override is recorded as a decision on the
    account's timeline, with that reason, and the problems are returned. Call it inside
    the transaction of the write it guards, so a failed write takes its decision along.
    """
    problems = account_problems(account)
    mode = selectors.sales_settings().guard_mode
    if not problems:
        return GuardResult(mode=mode)
    if mode != SalesSettings.GuardMode.BLOCK:
        return GuardResult(problems=problems, mode=mode)
    reason = (override_reason or "").strip()
    if not reason:
        raise GuardBlocked(problems)
    decision = _timeline_entry(
        actor=actor,
        kind=Interaction.Kind.DECISION,
        subject=_("Guard overridden: %(action)s") % {"action": action or _("new business")},
        body="\n".join(f"• {problem.reason} ({problem.link})" for problem in problems),
        reason=reason,
        account=account,
    )
    return GuardResult(problems=problems, mode=mode, decision=decision)


def sales_settings_update(*, actor: Any, data: dict[str, Any]) -> SalesSettings:
    """Change the sales settings (administrators): today, whether the guard warns or
    blocks."""
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators change the sales settings.")
    unknown = set(data) - {"guard_mode"}
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    with transaction.atomic():
        selectors.sales_settings()
        current = SalesSettings.objects.select_for_update().get(pk=1)
        before = field_values(current, data)
        for name, value in data.items():
            setattr(current, name, value)
        current.full_clean()
        changes = diff(before, field_values(current, data))
        if changes:
            current.updated_at = timezone.now()
            current.updated_by = actor if _is_user(actor) else None
            current.save()
            audit(actor=actor, action="update", instance=current, changes=changes)
    return current


# --- Deals -------------------------------------------------------------------------------

DEAL_FIELDS = [
    "name",
    "account",
    "contacts",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "source_channel",
    "campaign",
    "lost_reason",
    "custom",
]


def _account_in_scope(actor: Any, account_id: Any, key: str = "account_id") -> Account:
    found = access.scoped(actor, Account.objects.filter(pk=getattr(account_id, "pk", account_id)))
    account = found.first()
    if account is None:
        raise ValidationError({key: [_("There is no such account.")]})
    return account


def _deal_data(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the ids of the input into records the actor may see."""
    data = dict(data)
    if "account_id" in data:
        account_id = data.pop("account_id")
        if account_id is None:
            raise ValidationError({"account_id": [_("A deal is made with an account.")]})
        data["account"] = _account_in_scope(actor, account_id)
    if "contact_ids" in data:
        ids = data.pop("contact_ids") or []
        contacts = list(access.scoped(actor, Contact.objects.filter(pk__in=ids)))
        missing = set(ids) - {contact.pk for contact in contacts}
        if missing:
            raise ValidationError({"contact_ids": [_("No such contacts: %s.") % sorted(missing)]})
        data["contacts"] = contacts
    _decimals(data, ["amount"])
    return data


def _deal_clean(deal: Deal) -> None:
    check_currency(deal.currency)
    deal.amount = round_money(deal.amount or ZERO, deal.currency)
    if not isinstance(deal.custom, dict):
        raise ValidationError({"custom": [_("Give custom fields as names and values.")]})


def _serving_unit(data: dict[str, Any], deal: Any) -> None:
    """Set the legal entity and office that serve a deal or a document, when given; the
    office must belong to the entity."""
    if "legal_entity_id" in data:
        deal.legal_entity = _pop_id(data, "legal_entity", LegalEntity)
        if deal.office_id and deal.office.legal_entity_id != deal.legal_entity_id:
            deal.office = None
    if "office_id" in data:
        deal.office = _pop_id(data, "office", Office)
    if deal.office_id and deal.legal_entity_id is None:
        deal.legal_entity_id = deal.office.legal_entity_id
    if deal.office_id and deal.office.legal_entity_id != deal.legal_entity_id:
        raise ValidationError({"office_id": [_("The office belongs to another legal entity.")]})


def _stage_of(data: dict[str, Any]) -> tuple[Pipeline, Stage]:
    """The pipeline and stage a new deal starts in: those named, else the default
    pipeline's first open stage."""
    pipeline_id = data.pop("pipeline_id", None)
    stage_id = data.pop("stage_id", None)
    stage = None
    if stage_id is not None:
        stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
        if stage is None or stage.pipeline.is_deleted:
            raise ValidationError({"stage_id": [_("There is no such stage.")]})
        if pipeline_id is not None and stage.pipeline_id != pipeline_id:
            raise ValidationError({"stage_id": [_("The stage is not in this pipeline.")]})
        return stage.pipeline, stage
    pipelines = Pipeline.objects.order_by("-is_default", "position", "pk")
    pipeline = (
        pipelines.filter(pk=pipeline_id).first() if pipeline_id is not None else pipelines.first()
    )
    if pipeline is None:
        raise ValidationError({"pipeline_id": [_("There is no such pipeline.")]})
    stage = (
        Stage.objects.filter(pipeline=pipeline, is_won=False, is_lost=False)
        .order_by("position", "pk")
        .first()
    )
    if stage is None:
        raise ValidationError({"stage_id": [_("The pipeline has no open stage.")]})
    return pipeline, stage


def _status_of(stage: Stage) -> str:
    if stage.is_won:
        return Deal.Status.WON
    if stage.is_lost:
        return Deal.Status.LOST
    return Deal.Status.OPEN


def _stage_change(
    actor: Any, deal: Deal, from_stage: Stage | None, to_stage: Stage, at: Any
) -> None:
    """Keep the deal's entry into `to_stage`, for time in stage and cycle length."""
    DealStageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=to_stage,
        at=at,
        actor=actor if _is_user(actor) else None,
        actor_name=(actor.get_username() if _is_user(actor) else "system")[:150],
    )


def _amount_text(deal: Deal) -> str:
    return format_money(deal.amount, deal.currency)


def deal_create(
    *, actor: Any, data: dict[str, Any], override_reason: str | None = None
) -> tuple[Deal, GuardResult]:
    """Open a deal with an account, owned by the actor (or by `owner_id`, where the role
    allows), in the stage named or the default pipeline's first open stage.

    The guard looks at the account first: the problems come back with the deal (warn), or
    the deal is refused with `GuardBlocked` unless `override_reason` is given (block).
    Returns the deal and what the guard found.
    """
    require_create(actor, "deal")
    data = _deal_data(actor, data)
    if data.get("account") is None:
        raise ValidationError({"account_id": [_("A deal is made with an account.")]})
    pipeline, stage = _stage_of(data)
    contacts = data.pop("contacts", [])
    owner = resolve_owner(actor=actor, entity="deal", owner_id=data.pop("owner_id", None))
    serving = {key: data.pop(key) for key in ("legal_entity_id", "office_id") if key in data}
    if data.get("probability") is None:
        data["probability"] = stage.probability
    now = timezone.now()
    deal = Deal(**data, pipeline=pipeline, stage=stage, status=_status_of(stage))
    deal.stage_entered_at = now
    deal.created_at = now
    deal.updated_at = now
    if stage.is_closed:
        deal.closed_at = now
    apply_ownership(deal, owner)
    _serving_unit(serving, deal)
    _deal_clean(deal)
    with transaction.atomic():
        guard = guard_check(
            actor,
            deal.account,
            override_reason,
            action=_("new deal “%(name)s”") % {"name": deal.name},
        )
        deal = record_create(actor=actor, instance=deal, many_to_many={"contacts": contacts})
        _stage_change(actor, deal, None, stage, now)
        _timeline_entry(
            actor=actor,
            subject=_("Deal opened: %(name)s, %(amount)s, %(stage)s")
            % {"name": deal.name, "amount": _amount_text(deal), "stage": stage.name},
            account=deal.account,
            deal=deal,
        )
    return deal, guard


def deal_update(
    *, actor: Any, deal: Deal, data: dict[str, Any], expected_version: int | None
) -> Deal:
    """Change a deal's allowed fields (its stage moves with `deal_move_stage`)."""
    require(actor, "write", deal)
    data = _deal_data(actor, data)
    allowed = list(DEAL_FIELDS)
    probe = Deal(
        owner=deal.owner,
        team=deal.team,
        office=deal.office,
        legal_entity=deal.legal_entity,
    )
    ownership_changed = False
    if "owner_id" in data:
        owner = resolve_owner(
            actor=actor, entity="deal", owner_id=data.pop("owner_id"), current=deal.owner
        )
        if owner != deal.owner:
            apply_ownership(probe, owner)
            ownership_changed = True
    serving = {key: data.pop(key) for key in ("legal_entity_id", "office_id") if key in data}
    if serving:
        _serving_unit(serving, probe)
        ownership_changed = True
    if ownership_changed:
        data.update({name: getattr(probe, name) for name in OWNERSHIP_FIELDS})
        allowed += OWNERSHIP_FIELDS
    return record_update(
        actor=actor,
        instance=deal,
        data=data,
        allowed=allowed,
        expected_version=expected_version,
        before_save=_deal_clean,
    )


def deal_move_stage(
    *,
    actor: Any,
    deal: Deal,
    stage_id: int,
    expected_version: int | None = None,
    lost_reason: str | None = None,
) -> Deal:
    """Move a deal to another stage (of its pipeline or another one): its probability
    becomes the stage's, a won or lost stage closes it and an open one reopens it. The
    change is kept with its time, audited and written on the timeline."""
    require(actor, "write", deal)
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None or stage.pipeline.is_deleted:
        raise ValidationError({"stage_id": [_("There is no such stage.")]})
    with transaction.atomic():
        current = Deal.all_objects.select_for_update().select_related("stage").get(pk=deal.pk)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(
                f"The deal was changed since version {expected_version}; "
                f"it is now at version {current.version}.",
                current_version=current.version,
            )
        previous = current.stage
        if previous.pk == stage.pk and lost_reason is None:
            current.changes = {}
            return current
        now = timezone.now()
        status = _status_of(stage)
        data: dict[str, Any] = {
            "pipeline": stage.pipeline,
            "stage": stage,
            "probability": stage.probability,
            "status": status,
        }
        if lost_reason is not None:
            data["lost_reason"] = lost_reason

        def follow_stage(moved: Deal) -> None:
            if previous.pk != stage.pk:
                moved.stage_entered_at = now
                moved.closed_at = now if stage.is_closed else None

        updated = record_update(
            actor=actor,
            instance=current,
            data=data,
            allowed=["pipeline", "stage", "probability", "status", "lost_reason"],
            expected_version=None,
            before_save=follow_stage,
        )
        if previous.pk != stage.pk:
            _stage_change(actor, updated, previous, stage, now)
            if stage.is_won:
                subject = _("Deal won: %(name)s, %(amount)s")
            elif stage.is_lost:
                subject = _("Deal lost: %(name)s, %(amount)s")
            else:
                subject = _("Deal moved: %(name)s, %(from)s → %(to)s")
            _timeline_entry(
                actor=actor,
                subject=subject
                % {
                    "name": updated.name,
                    "amount": _amount_text(updated),
                    "from": previous.name,
                    "to": stage.name,
                },
                body=updated.lost_reason if stage.is_lost else "",
                account=updated.account,
                deal=updated,
            )
    return updated


def deal_delete(*, actor: Any, deal: Deal, expected_version: int | None = None) -> Deal:
    require(actor, "write", deal)
    return record_delete(actor=actor, instance=deal, expected_version=expected_version)


def deal_restore(*, actor: Any, deal: Deal) -> Deal:
    require(actor, "write", deal)
    return record_restore(actor=actor, instance=deal)


# --- Document lines and numbers ----------------------------------------------------------


def _unit_cost(product: Product | None, currency: str, on_date: datetime.date) -> Decimal | None:
    """The product's cost in the document's currency on the date; None when unknown."""
    if product is None or product.cost_price is None:
        return None
    if product.cost_currency == currency:
        return to_decimal(product.cost_price)
    rate = selectors.rate_on(product.cost_currency, currency, on_date)
    if rate is None:
        return None
    return (to_decimal(product.cost_price) * rate.rate).quantize(Decimal("0.0001"))


def build_lines(
    model: type[DocumentLine],
    lines: list[dict[str, Any]],
    *,
    currency: str,
    legal_entity: Any,
    partner_tier: str = PartnerTier.NONE,
    on_date: datetime.date | None = None,
) -> tuple[list[Any], Any]:
    """Unsaved lines of `model` and the document's totals, from plain line data:
    {product_id? (or product), description?, quantity, unit_price?, discount_percent?,
    tax_rate?, unit?}.

    A line without a unit price takes the product's price from `price_for`; without a tax
    rate or a description, the product's. Amounts follow `core.money.line_amounts`."""
    on_date = on_date or timezone.localdate()
    check_currency(currency)
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    lines = [
        {**line, "product_id": line["product"].pk, "product": None}
        if line.get("product") is not None
        else line
        for line in lines
    ]
    ids = {line.get("product_id") for line in lines if line.get("product_id") is not None}
    products = {product.pk: product for product in Product.objects.filter(pk__in=ids)}
    built: list[Any] = []
    amounts = []
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        key = f"lines.{index}"
        product_id = line.get("product_id")
        product = products.get(product_id) if product_id is not None else None
        if product_id is not None and product is None:
            errors[f"{key}.product_id"] = [_("There is no such product.")]
            continue
        unit_price = line.get("unit_price")
        if unit_price is None:
            resolved = (
                selectors.price_for(
                    product,
                    legal_entity=legal_entity,
                    currency=currency,
                    partner_tier=partner_tier,
                    on_date=on_date,
                )
                if product is not None
                else None
            )
            if resolved is None:
                errors[f"{key}.unit_price"] = [_("No price list prices this line; give a price.")]
                continue
            unit_price = resolved.price
        tax_rate = line.get("tax_rate")
        if tax_rate is None:
            tax_rate = product.tax_rate if product is not None else ZERO
        description = (line.get("description") or (product.name if product else "")).strip()
        if not description:
            errors[f"{key}.description"] = [_("Describe the line or choose a product.")]
            continue
        quantity = to_decimal(line.get("quantity", 1))
        if quantity <= 0:
            errors[f"{key}.quantity"] = [_("The quantity must be positive.")]
            continue
        discount = to_decimal(line.get("discount_percent") or 0)
        try:
            amount = line_amounts(
                quantity=quantity,
                unit_price=unit_price,
                currency=currency,
                discount_percent=discount,
                tax_rate=tax_rate,
            )
        except ValueError as error:
            errors[key] = [str(error)]
            continue
        amounts.append(amount)
        built.append(
            model(
                position=index,
                product=product,
                description=description[:500],
                quantity=quantity,
                unit=(line.get("unit") or (product.unit if product else ""))[:20],
                unit_price=to_decimal(unit_price),
                discount_percent=discount,
                tax_rate=to_decimal(tax_rate),
                net_amount=amount.net,
                tax_amount=amount.tax,
                gross_amount=amount.gross,
                unit_cost=_unit_cost(product, currency, on_date),
            )
        )
    if errors:
        raise ValidationError(errors)
    return built, document_totals(amounts, currency)


DEFAULT_PREFIXES = {NumberSeries.Kind.INVOICE: "INV-", NumberSeries.Kind.ORDER: "ORD-"}


def take_number(legal_entity_id: int, kind: str, year: int) -> str:
    """The next number of a legal entity's series for the year, e.g. "INV-2025-00042".

    Call it inside the transaction that stores the document: the series row stays locked
    until it commits (so two documents never get one number), and a rollback gives the
    number back (so the series has no gaps)."""
    series = (
        NumberSeries.objects.select_for_update()
        .filter(legal_entity_id=legal_entity_id, kind=kind, year=year)
        .first()
    )
    if series is None:
        earlier = (
            NumberSeries.objects.filter(legal_entity_id=legal_entity_id, kind=kind)
            .order_by("-year")
            .values_list("prefix", flat=True)
            .first()
        )
        try:
            with transaction.atomic():
                NumberSeries.objects.create(
                    legal_entity_id=legal_entity_id,
                    kind=kind,
                    year=year,
                    prefix=earlier if earlier is not None else DEFAULT_PREFIXES[kind],
                )
        except IntegrityError:
            pass  # another transaction made the row first; lock theirs below
        series = NumberSeries.objects.select_for_update().get(
            legal_entity_id=legal_entity_id, kind=kind, year=year
        )
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return f"{series.prefix}{year}-{series.last_number:05d}"


def _document_owner(actor: Any, entity: str, document: Any, data: dict[str, Any]) -> None:
    """The owner named by `owner_id` (the actor by default), with the team, office and
    legal entity that come with them; the callers then set the serving entity."""
    owner = resolve_owner(actor=actor, entity=entity, owner_id=data.pop("owner_id", None))
    apply_ownership(document, owner)


def _require_serving_entity(document: Any) -> None:
    if document.legal_entity_id is None:
        raise ValidationError(
            {"legal_entity_id": [_("Say which legal entity this document is from.")]}
        )


# --- Orders ------------------------------------------------------------------------------

ORDER_TRANSITIONS = {
    Order.Status.DRAFT: {Order.Status.CONFIRMED, Order.Status.CANCELLED},
    Order.Status.CONFIRMED: {Order.Status.FULFILLED, Order.Status.CANCELLED},
    Order.Status.FULFILLED: set(),
    Order.Status.CANCELLED: set(),
}


def order_create_from_lines(
    *,
    actor: Any,
    account: Account,
    currency: str,
    lines: list[dict[str, Any]],
    deal: Deal | None = None,
    legal_entity: LegalEntity | None = None,
    office: Office | None = None,
    order_date: datetime.date | None = None,
    status: str = Order.Status.CONFIRMED,
    source: str = "",
    reference: str = "",
    notes: str = "",
    partner_tier: str = PartnerTier.NONE,
    owner_id: int | None = None,
) -> Order:
    """Make an order of `lines` for `account` — from an accepted quote (`source="quote"`,
    `reference` its number) or entered directly. The legal entity and office are those
    given, else the deal's, else the owner's; the order takes the next number of its
    entity's order series. Lines are plain data, as `build_lines` takes them."""
    require_create(actor, "order")
    account = _account_in_scope(actor, account)
    if deal is not None:
        if not access.can(actor, "read", deal):
            raise ValidationError({"deal_id": [_("There is no such deal.")]})
        if deal.account_id != account.pk:
            raise ValidationError({"deal_id": [_("The deal is with another account.")]})
    if status not in (Order.Status.DRAFT, Order.Status.CONFIRMED):
        raise ValidationError({"status": [_("A new order is a draft or confirmed.")]})
    order_date = order_date or timezone.localdate()
    order = Order(
        account=account,
        deal=deal,
        currency=currency,
        order_date=order_date,
        status=status,
        source=source,
        reference=reference,
        notes=notes,
    )
    _document_owner(actor, "order", order, {"owner_id": owner_id})
    if legal_entity is not None or office is not None:
        _serving_unit(
            {
                **({"legal_entity_id": legal_entity.pk} if legal_entity else {}),
                **({"office_id": office.pk} if office else {}),
            },
            order,
        )
    elif deal is not None and deal.legal_entity_id:
        order.legal_entity_id, order.office_id = deal.legal_entity_id, deal.office_id
    _require_serving_entity(order)
    built, totals = build_lines(
        OrderLine,
        lines,
        currency=currency,
        legal_entity=order.legal_entity_id,
        partner_tier=partner_tier,
        on_date=order_date,
    )
    order.net_total, order.tax_total, order.gross_total = totals.net, totals.tax, totals.gross
    with transaction.atomic():
        order.number = take_number(order.legal_entity_id, NumberSeries.Kind.ORDER, order_date.year)
        order = record_create(actor=actor, instance=order)
        for line in built:
            line.order = order
        OrderLine.objects.bulk_create(built)
        _timeline_entry(
            actor=actor,
            subject=_("Order %(number)s: %(amount)s")
            % {"number": order.number, "amount": format_money(order.gross_total, currency)},
            account=account,
            deal=deal,
        )
    return order


def order_create(*, actor: Any, data: dict[str, Any]) -> Order:
    """An order entered directly, from API or page input with ids."""
    data = dict(data)
    account = _account_in_scope(actor, data.pop("account_id", None))
    deal = None
    deal_id = data.pop("deal_id", None)
    if deal_id is not None:
        deal = access.scoped(actor, Deal.objects.filter(pk=deal_id)).first()
        if deal is None:
            raise ValidationError({"deal_id": [_("There is no such deal.")]})
    legal_entity = _pop_id(data, "legal_entity", LegalEntity) if "legal_entity_id" in data else None
    office = _pop_id(data, "office", Office) if "office_id" in data else None
    return order_create_from_lines(
        actor=actor,
        account=account,
        deal=deal,
        legal_entity=legal_entity,
        office=office,
        **data,
    )


def _live_invoices(order: Order) -> Any:
    return Invoice.objects.filter(order=order).exclude(status=Invoice.Status.CANCELLED)


def order_update(
    *, actor: Any, order: Order, data: dict[str, Any], expected_version: int | None
) -> Order:
    """Change an order's notes, reference, date or status (draft → confirmed → fulfilled,
    or cancelled), or replace its lines while it is not invoiced."""
    require(actor, "write", order)
    data = dict(data)
    lines = data.pop("lines", None)
    status = data.get("status")
    if status is not None and status != order.status:
        if status not in ORDER_TRANSITIONS[order.status]:
            raise Conflict(f"An order that is {order.status} cannot become {status}.")
        if status == Order.Status.CANCELLED and _live_invoices(order).exists():
            raise Conflict("Cancel the order's invoices first.")
    allowed = ["notes", "reference", "order_date", "status"]
    with transaction.atomic():
        built = None
        if lines is not None:
            if order.status not in (Order.Status.DRAFT, Order.Status.CONFIRMED):
                raise Conflict("Only a draft or confirmed order has its lines changed.")
            if _live_invoices(order).exists():
                raise Conflict("The order is invoiced; its lines stay as they are.")
            built, totals = build_lines(
                OrderLine,
                lines,
                currency=order.currency,
                legal_entity=order.legal_entity_id,
                on_date=data.get("order_date") or order.order_date,
            )
            data.update(net_total=totals.net, tax_total=totals.tax, gross_total=totals.gross)
            allowed += ["net_total", "tax_total", "gross_total"]
        updated = record_update(
            actor=actor,
            instance=order,
            data=data,
            allowed=allowed,
            expected_version=expected_version,
        )
        if built is not None:
            OrderLine.objects.filter(order=updated).delete()
            for line in built:
                line.order = updated
            OrderLine.objects.bulk_create(built)
        if status is not None and "status" in updated.changes:
            _timeline_entry(
                actor=actor,
                subject=_("Order %(number)s is now %(status)s")
                % {"number": updated.number, "status": updated.get_status_display()},
                account=updated.account,
                deal=updated.deal,
            )
    return updated


def order_delete(*, actor: Any, order: Order, expected_version: int | None = None) -> Order:
    require(actor, "write", order)
    if _live_invoices(order).exists():
        raise Conflict("The order is invoiced; cancel its invoices first.")
    return record_delete(actor=actor, instance=order, expected_version=expected_version)


def order_restore(*, actor: Any, order: Order) -> Order:
    require(actor, "write", order)
    return record_restore(actor=actor, instance=order)


# --- Invoices ----------------------------------------------------------------------------

INVOICE_DRAFT_FIELDS = ["due_date", "payment_terms_days", "notes"]


def _copy_lines(source: Iterable[DocumentLine]) -> list[InvoiceLine]:
    names = [
        "position",
        "product_id",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "tax_rate",
        "net_amount",
        "tax_amount",
        "gross_amount",
        "unit_cost",
    ]
    return [InvoiceLine(**{name: getattr(line, name) for name in names}) for line in source]


def _save_invoice(actor: Any, invoice: Invoice, lines: list[InvoiceLine]) -> Invoice:
    with transaction.atomic():
        invoice = record_create(actor=actor, instance=invoice)
        for line in lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(lines)
    return invoice


def invoice_create_from_order(
    *,
    actor: Any,
    order: Order,
    due_date: datetime.date | None = None,
    payment_terms_days: int | None = None,
    notes: str = "",
) -> Invoice:
    """A draft invoice of the whole order: its lines, account, deal, entity and office."""
    require_create(actor, "invoice")
    require(actor, "read", order)
    if order.status not in (Order.Status.CONFIRMED, Order.Status.FULFILLED):
        raise Conflict("Only a confirmed or fulfilled order is invoiced.")
    if _live_invoices(order).exists():
        raise Conflict("The order is invoiced already.")
    invoice = Invoice(
        account=order.account,
        order=order,
        deal=order.deal,
        currency=order.currency,
        due_date=due_date,
        notes=notes,
        net_total=order.net_total,
        tax_total=order.tax_total,
        gross_total=order.gross_total,
    )
    if payment_terms_days is not None:
        invoice.payment_terms_days = payment_terms_days
    _document_owner(actor, "invoice", invoice, {})
    invoice.legal_entity_id, invoice.office_id = order.legal_entity_id, order.office_id
    return _save_invoice(actor, invoice, _copy_lines(order.lines.order_by("position", "pk")))


def invoice_create(*, actor: Any, data: dict[str, Any]) -> Invoice:
    """A draft invoice entered directly: account_id, currency, lines, and optionally
    deal_id, legal_entity_id, office_id, due_date, payment_terms_days, notes, owner_id."""
    require_create(actor, "invoice")
    data = dict(data)
    account = _account_in_scope(actor, data.pop("account_id", None))
    deal = None
    deal_id = data.pop("deal_id", None)
    if deal_id is not None:
        deal = access.scoped(actor, Deal.objects.filter(pk=deal_id)).first()
        if deal is None or deal.account_id != account.pk:
            raise ValidationError({"deal_id": [_("There is no such deal of this account.")]})
    lines = data.pop("lines", [])
    partner_tier = data.pop("partner_tier", PartnerTier.NONE)
    invoice = Invoice(account=account, deal=deal)
    _document_owner(actor, "invoice", invoice, data)
    serving = {key: data.pop(key) for key in ("legal_entity_id", "office_id") if key in data}
    if serving:
        _serving_unit(serving, invoice)
    elif deal is not None and deal.legal_entity_id:
        invoice.legal_entity_id, invoice.office_id = deal.legal_entity_id, deal.office_id
    _require_serving_entity(invoice)
    unknown = set(data) - {"currency", "due_date", "payment_terms_days", "notes"}
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    for name, value in data.items():
        setattr(invoice, name, value)
    built, totals = build_lines(
        InvoiceLine,
        lines,
        currency=invoice.currency,
        legal_entity=invoice.legal_entity_id,
        partner_tier=partner_tier,
    )
    invoice.net_total, invoice.tax_total, invoice.gross_total = totals.net, totals.tax, totals.gross
    return _save_invoice(actor, invoice, built)


def invoice_update(
    *, actor: Any, invoice: Invoice, data: dict[str, Any], expected_version: int | None
) -> Invoice:
    """Change a draft's due date, terms, notes or lines; an issued invoice only its due
    date and notes (a cancellation and a new invoice correct the rest)."""
    require(actor, "write", invoice)
    data = dict(data)
    lines = data.pop("lines", None)
    allowed = list(INVOICE_DRAFT_FIELDS)
    if invoice.status != Invoice.Status.DRAFT:
        if lines is not None or "payment_terms_days" in data:
            raise Conflict("An issued invoice keeps its lines; cancel it and issue another.")
        if invoice.status in (Invoice.Status.PAID, Invoice.Status.CANCELLED):
            raise Conflict(f"A {invoice.status} invoice is not changed.")
    with transaction.atomic():
        built = None
        if lines is not None:
            built, totals = build_lines(
                InvoiceLine, lines, currency=invoice.currency, legal_entity=invoice.legal_entity_id
            )
            data.update(net_total=totals.net, tax_total=totals.tax, gross_total=totals.gross)
            allowed += ["net_total", "tax_total", "gross_total"]
        updated = record_update(
            actor=actor,
            instance=invoice,
            data=data,
            allowed=allowed,
            expected_version=expected_version,
        )
        if built is not None:
            InvoiceLine.objects.filter(invoice=updated).delete()
            for line in built:
                line.invoice = updated
            InvoiceLine.objects.bulk_create(built)
    return updated


def invoice_issue(
    *,
    actor: Any,
    invoice: Invoice,
    issue_date: datetime.date | None = None,
    expected_version: int | None = None,
) -> Invoice:
    """Issue a draft: it takes the next number of its legal entity's series for the year
    of `issue_date` (today by default) and its due date (the one set, else the issue date
    plus the payment terms)."""
    require(actor, "write", invoice)
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        current = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
        if current.status != Invoice.Status.DRAFT:
            raise Conflict("Only a draft invoice is issued.")
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(current_version=current.version)
        if not current.lines.exists():
            raise ValidationError({"lines": [_("An invoice needs at least one line.")]})
        _require_serving_entity(current)
        due_date = current.due_date or issue_date + datetime.timedelta(
            days=current.payment_terms_days
        )
        if due_date < issue_date:
            raise ValidationError({"due_date": [_("The due date is before the issue date.")]})
        number = take_number(current.legal_entity_id, NumberSeries.Kind.INVOICE, issue_date.year)
        issued = record_update(
            actor=actor,
            instance=current,
            data={
                "number": number,
                "status": Invoice.Status.ISSUED,
                "issue_date": issue_date,
                "due_date": due_date,
            },
            allowed=["number", "status", "issue_date", "due_date"],
            expected_version=None,
        )
        _timeline_entry(
            actor=actor,
            subject=_("Invoice %(number)s issued: %(amount)s, due %(due)s")
            % {
                "number": number,
                "amount": format_money(issued.gross_total, issued.currency),
                "due": due_date.isoformat(),
            },
            account=issued.account,
            deal=issued.deal,
        )
    return issued


def invoice_cancel(
    *, actor: Any, invoice: Invoice, expected_version: int | None = None, reason: str = ""
) -> Invoice:
    """Cancel a draft or an issued invoice that has no payments; an issued one keeps its
    number, so the series stays without gaps."""
    require(actor, "write", invoice)
    with transaction.atomic():
        current = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
        if current.status not in (Invoice.Status.DRAFT, Invoice.Status.ISSUED):
            raise Conflict("Only a draft or an unpaid issued invoice is cancelled.")
        if Payment.objects.filter(invoice=current).exists():
            raise Conflict("The invoice has payments; delete them first.")
        cancelled = record_update(
            actor=actor,
            instance=current,
            data={"status": Invoice.Status.CANCELLED},
            allowed=["status"],
            expected_version=expected_version,
        )
        if cancelled.number:
            _timeline_entry(
                actor=actor,
                subject=_("Invoice %(number)s cancelled") % {"number": cancelled.number},
                body=reason,
                account=cancelled.account,
                deal=cancelled.deal,
            )
    return cancelled


def invoice_delete(*, actor: Any, invoice: Invoice, expected_version: int | None = None) -> Invoice:
    """Only a draft goes to the recycle bin; an issued invoice is cancelled instead."""
    require(actor, "write", invoice)
    if invoice.status != Invoice.Status.DRAFT:
        raise Conflict("An issued invoice is cancelled, not deleted.")
    return record_delete(actor=actor, instance=invoice, expected_version=expected_version)


def invoice_restore(*, actor: Any, invoice: Invoice) -> Invoice:
    require(actor, "write", invoice)
    return record_restore(actor=actor, instance=invoice)


# --- Payments ----------------------------------------------------------------------------

PAYMENT_FIELDS = ["amount", "paid_on", "method", "reference", "note"]


def _settle(actor: Any, invoice: Invoice) -> Invoice:
    """Bring the invoice's paid total, status and paid date in step with its payments."""
    paid = Payment.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
    paid = round_money(paid or ZERO, invoice.currency)
    if paid >= invoice.gross_total and paid > 0:
        status = Invoice.Status.PAID
        paid_on = Payment.objects.filter(invoice=invoice).order_by("-paid_on").first().paid_on
    else:
        status = Invoice.Status.PARTLY_PAID if paid > 0 else Invoice.Status.ISSUED
        paid_on = None
    return record_update(
        actor=actor,
        instance=invoice,
        data={"paid_total": paid, "status": status, "paid_on": paid_on},
        allowed=["paid_total", "status", "paid_on"],
        expected_version=None,
    )


def payment_record(*, actor: Any, invoice: Invoice, data: dict[str, Any]) -> Payment:
    """Record money received against an issued invoice, in its currency; a payment larger
    than what is still due is refused. The invoice becomes partly paid or paid."""
    require(actor, "write", invoice)
    data = dict(data)
    _decimals(data, ["amount"])
    with transaction.atomic():
        current = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
        if current.status not in Invoice.OPEN_STATUSES:
            raise Conflict("Payments are recorded against issued, unpaid invoices.")
        amount = data.get("amount")
        if amount is None or amount <= 0:
            raise ValidationError({"amount": [_("A payment is a positive amount.")]})
        if round_money(amount, current.currency) != amount:
            raise ValidationError(
                {"amount": [_("Give the amount in whole %(unit)s.") % {"unit": current.currency}]}
            )
        outstanding = current.gross_total - current.paid_total
        if amount > outstanding:
            raise ValidationError(
                {
                    "amount": [
                        _("Only %(due)s is due on this invoice.")
                        % {"due": format_money(outstanding, current.currency)}
                    ]
                }
            )
        payment = record_create(actor=actor, instance=Payment(invoice=current, **data))
        settled = _settle(actor, current)
        _timeline_entry(
            actor=actor,
            subject=_("Payment of %(amount)s for %(number)s; %(due)s still due")
            % {
                "amount": format_money(payment.amount, current.currency),
                "number": current.number,
                "due": format_money(settled.outstanding, current.currency),
            },
            account=current.account,
            deal=current.deal,
        )
    return payment


def payment_delete(*, actor: Any, payment: Payment) -> Payment:
    """Take back a payment recorded by mistake; the invoice's status follows."""
    invoice = payment.invoice
    require(actor, "write", invoice)
    with transaction.atomic():
        current = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
        deleted = record_delete(actor=actor, instance=payment)
        _settle(actor, current)
    return deleted


# --- Receivables -------------------------------------------------------------------------

REMINDER_DELAY = datetime.timedelta(days=1)


def debt_reminder_create(
    *,
    actor: Any,
    account: Account,
    due_at: datetime.datetime | None = None,
    owner_id: int | None = None,
) -> Interaction:
    """In one step, a task on the account's timeline to collect its overdue invoices,
    listing them; due tomorrow unless `due_at` says otherwise."""
    require_create(actor, "interaction")
    invoices = selectors.overdue_invoices(actor, account=account, limit=20)
    if not invoices:
        raise Conflict("The account has no overdue invoices.")
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        totals[invoice.currency] = totals.get(invoice.currency, ZERO) + invoice.outstanding
    amount = ", ".join(format_money(total, currency) for currency, total in sorted(totals.items()))
    lines = [
        _("%(number)s: %(amount)s, due %(due)s, %(days)d days overdue")
        % {
            "number": invoice.number,
            "amount": format_money(invoice.outstanding, invoice.currency),
            "due": invoice.due_date.isoformat(),
            "days": invoice.days_overdue,
        }
        for invoice in invoices
    ]
    data: dict[str, Any] = {
        "kind": Interaction.Kind.TASK,
        "status": Interaction.Status.PLANNED,
        "due_at": due_at or timezone.now() + REMINDER_DELAY,
        "subject": _("Collect overdue payment: %(amount)s") % {"amount": amount},
        "body": "\n".join(lines),
        "account_id": account.pk,
    }
    if owner_id is not None:
        data["owner_id"] = owner_id
    interaction, _created = timeline_services.interaction_create(actor=actor, data=data)
    return interaction
