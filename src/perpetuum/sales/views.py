"""The sales pages: the catalogue (search, product, configure, compare), deals (list,
kanban board with drag-and-drop and a keyboard way to move, card, create and edit with the
guard's warning), orders, invoices and payments, debt collection with reminders in one
step, statistics, the guard's setting, and the account card's sales panel.

They call the same services and selectors as the API; forms only parse and show errors.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from perpetuum.clients import selectors as client_selectors
from perpetuum.clients.models import Lead
from perpetuum.core import access
from perpetuum.core.errors import Conflict, VersionConflict
from perpetuum.core.filters import ListFilters
from perpetuum.core.money import CURRENCY_CHOICES, round_money
from perpetuum.org import selectors as org_selectors
from perpetuum.sales import selectors, services
from perpetuum.sales.guard import GuardBlocked, account_problems
from perpetuum.sales.models import Deal, Invoice, Order, PartnerTier, Payment, Product
from perpetuum.web.views.forms import add_service_errors, owner_choices, page

PAGE_SIZE = 50
ORDER_LINES = 5
ACCOUNTS_OFFERED = 300


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a POST: a `next` on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _pricing(request: HttpRequest) -> dict[str, Any]:
    """Whom the prices shown are for: the user's legal entity and its base currency, unless
    the page was asked for another currency or partner tier."""
    entity_id = _int(request.GET.get("legal_entity")) or request.user.legal_entity_id
    entities = {entity.pk: entity for entity in org_selectors.legal_entity_choices(request.user)}
    entity = entities.get(entity_id)
    currency = request.GET.get("currency") or (entity.base_currency if entity else "EUR")
    if currency not in dict(CURRENCY_CHOICES):
        currency = "EUR"
    tier = request.GET.get("tier") or PartnerTier.NONE
    if tier not in PartnerTier.values:
        tier = PartnerTier.NONE
    return {
        "legal_entity": entity.pk if entity else None,
        "currency": currency,
        "partner_tier": tier,
        "on_date": _date(request.GET.get("on")) or timezone.localdate(),
        "entities": list(entities.values()),
        "entity": entity,
    }


def _price_context(pricing: dict[str, Any]) -> dict[str, Any]:
    return {key: pricing[key] for key in ("legal_entity", "currency", "partner_tier", "on_date")}


def _page_query(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


# --- Catalogue ---------------------------------------------------------------------------


@page
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue: search by name or SKU, filter by category and kind, tick products to
    compare them."""
    q = request.GET.get("q", "").strip()
    category_id = _int(request.GET.get("category"))
    kind = request.GET.get("kind") or None
    if kind not in (None, *Product.Kind.values):
        kind = None
    show_inactive = request.GET.get("inactive") == "1"
    products = selectors.product_list(
        request.user,
        q=q,
        category_id=category_id,
        kind=kind,
        is_active=None if show_inactive else True,
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "sales/catalogue.html",
        {
            "products": products.items,
            "next_query": _page_query(request, cursor=products.next_cursor)
            if products.next_cursor
            else "",
            "categories": selectors.category_list(request.user),
            "q": q,
            "category_id": category_id,
            "kind": kind or "",
            "kinds": Product.Kind.choices,
            "show_inactive": show_inactive,
            "section": "catalogue",
        },
    )


@page
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A product: its description, attributes, bundle and options, its price for the
    chosen entity, currency and tier with the explanation, and the configurator."""
    product = selectors.product_get(request.user, pk)
    pricing = _pricing(request)
    chosen = [value for value in (_int(v) for v in request.GET.getlist("option")) if value]
    configuration, errors = None, []
    try:
        configuration = selectors.product_configure(
            product,
            chosen,
            quantity=request.GET.get("quantity") or "1",
            **_price_context(pricing),
        )
    except (ValidationError, selectors.NoRate, ValueError) as error:
        errors = error.messages if isinstance(error, ValidationError) else [str(error)]
    context = {
        "product": product,
        "pricing": pricing,
        "configuration": configuration,
        "errors": errors,
        "chosen": chosen,
        "quantity": request.GET.get("quantity") or "1",
        "currencies": [code for code, _label in CURRENCY_CHOICES],
        "tiers": PartnerTier.choices,
        "section": "catalogue",
    }
    if request.htmx and request.htmx.target == "configuration":
        return render(request, "sales/_configuration.html", context)
    return render(request, "sales/product.html", context)


@page
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Chosen products side by side, with their prices for the chosen client."""
    ids = [value for value in (_int(v) for v in request.GET.getlist("ids")) if value]
    pricing = _pricing(request)
    comparison, errors = None, []
    try:
        comparison = selectors.product_compare(request.user, ids, **_price_context(pricing))
    except ValidationError as error:
        errors = error.messages
    columns = []
    if comparison is not None:
        columns = list(zip(comparison.products, comparison.prices, strict=True))
    return render(
        request,
        "sales/compare.html",
        {
            "comparison": comparison,
            "columns": columns,
            "errors": errors,
            "pricing": pricing,
            "ids": ids,
            "currencies": [code for code, _label in CURRENCY_CHOICES],
            "tiers": PartnerTier.choices,
            "section": "catalogue",
        },
    )


# --- Deals -------------------------------------------------------------------------------


def _deal_filters(request: HttpRequest) -> tuple[ListFilters, dict[str, Any]]:
    values = {
        "q": request.GET.get("q", "").strip(),
        "pipeline": _int(request.GET.get("pipeline")),
        "stage": _int(request.GET.get("stage")),
        "status": request.GET.get("status") or "",
        "mine": request.GET.get("mine") == "1",
    }
    if values["status"] not in ("", *Deal.Status.values):
        values["status"] = ""
    filters = ListFilters(
        q=values["q"],
        owner_id=request.user.pk if values["mine"] else None,
        extra={
            "pipeline_id": values["pipeline"],
            "stage_id": values["stage"],
            "status": values["status"] or None,
        },
    )
    return filters, values


@page
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    """Deals the user may see, filtered and paged."""
    filters, values = _deal_filters(request)
    deals = selectors.deal_list(
        request.user, filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
    )
    return render(
        request,
        "sales/deal_list.html",
        {
            "deals": deals.items,
            "next_query": _page_query(request, cursor=deals.next_cursor)
            if deals.next_cursor
            else "",
            "values": values,
            "pipelines": selectors.pipeline_list(request.user),
            "statuses": Deal.Status.choices,
            "may_create": access.may_create(request.user, "deal"),
            "section": "deals",
        },
    )


def _board_context(request: HttpRequest, pipeline: Any, notice: str = "") -> dict[str, Any]:
    filters = ListFilters(
        q=request.GET.get("q", "").strip(),
        owner_id=request.user.pk if request.GET.get("mine") == "1" else None,
    )
    board = selectors.deal_board(request.user, pipeline, filters)
    return {
        "board": board,
        "stages": [column.stage for column in board.columns],
        "notice": notice,
        "may_create": access.may_create(request.user, "deal"),
        "q": filters.q,
        "mine": filters.owner_id is not None,
    }


@page
@require_GET
def board(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    """The kanban board of a pipeline: drag a card to another stage, or use its "Move to"
    menu from the keyboard."""
    pipelines = selectors.pipeline_list(request.user)
    pipeline_id = pipeline_id or _int(request.GET.get("pipeline"))
    if pipeline_id is None:
        pipeline = next((item for item in pipelines if item.is_default), None) or (
            pipelines[0] if pipelines else None
        )
    else:
        pipeline = next((item for item in pipelines if item.pk == pipeline_id), None)
        pipeline = pipeline or selectors.pipeline_get(request.user, pipeline_id)
    context: dict[str, Any] = {"pipelines": pipelines, "pipeline": pipeline, "section": "board"}
    if pipeline is not None:
        context.update(_board_context(request, pipeline))
    return render(request, "sales/board.html", context)


@page
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to the stage posted (from the board's drag-and-drop or the "Move to"
    menu, or the deal card). From the board through htmx, the board comes back."""
    deal = selectors.deal_get(request.user, pk)
    stage_id = _int(request.POST.get("stage_id"))
    version = _int(request.POST.get("version"))
    lost_reason = request.POST.get("lost_reason")
    notice = ""
    try:
        moved = services.deal_move_stage(
            actor=request.user,
            deal=deal,
            stage_id=stage_id or 0,
            expected_version=version,
            lost_reason=lost_reason.strip() if lost_reason else None,
        )
        notice = _("“%(deal)s” is now in %(stage)s.") % {
            "deal": moved.name,
            "stage": moved.stage.name,
        }
        level = messages.SUCCESS
    except VersionConflict:
        notice = _("“%(deal)s” was changed by someone else; the board shows it as it is now.") % {
            "deal": deal.name
        }
        level = messages.WARNING
    except ValidationError as error:
        notice = " ".join(error.messages)
        level = messages.ERROR
    if request.htmx and request.POST.get("board"):
        pipeline = selectors.pipeline_get(request.user, deal.pipeline_id)
        context = {"pipeline": pipeline, **_board_context(request, pipeline, notice)}
        return render(request, "sales/_board.html", context)
    messages.add_message(request, level, notice)
    return redirect(_next(request, reverse("sales:deal_detail", args=[pk])))


class DealForm(forms.Form):
    """A deal's fields as the create and edit pages take them."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    account = forms.TypedChoiceField(label=gettext_lazy("Account"), coerce=int)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), min_value=Decimal("0"), max_digits=16, decimal_places=4
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=CURRENCY_CHOICES)
    stage = forms.TypedChoiceField(label=gettext_lazy("Stage"), coerce=int, required=False)
    probability = forms.IntegerField(
        label=gettext_lazy("Probability, %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=gettext_lazy("Empty: the stage's probability."),
    )
    expected_close_date = forms.DateField(
        label=gettext_lazy("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contacts = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Contacts"), coerce=int, required=False
    )
    owner = forms.TypedChoiceField(label=gettext_lazy("Owner"), coerce=int, required=False)
    source_channel = forms.ChoiceField(
        label=gettext_lazy("Source channel"),
        choices=[("", "—"), *Lead.Channel.choices],
        required=False,
    )
    campaign = forms.CharField(label=gettext_lazy("Campaign"), max_length=200, required=False)
    lost_reason = forms.CharField(
        label=gettext_lazy("Lost reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason to go ahead despite the problems"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Recorded as a decision on the client's timeline."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, deal: Deal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = client_selectors.account_list(user, ListFilters(), limit=ACCOUNTS_OFFERED).items
        choices = [(account.pk, account.name) for account in accounts]
        chosen = _int(self.data.get("account")) or _int(self.initial.get("account"))
        if chosen and chosen not in dict(choices):
            extra = client_selectors.account_get(user, chosen)
            choices.insert(0, (extra.pk, extra.name))
        self.fields["account"].choices = [("", "—"), *choices]
        stages = [
            (stage.pk, f"{pipeline.name} · {stage.name}")
            for pipeline in selectors.pipeline_list(user)
            for stage in pipeline.stages.all()
        ]
        self.fields["stage"].choices = [("", gettext_lazy("The first stage")), *stages]
        self.fields["owner"].choices = [
            ("", gettext_lazy("Me")),
            *owner_choices(user, "deal", deal.owner if deal and deal.owner_id else None),
        ]
        account_id = chosen or (deal.account_id if deal else None)
        contacts = []
        if account_id:
            contacts = client_selectors.contact_list(
                user, ListFilters(extra={"roles__account_id": account_id}), limit=100
            ).items
        self.fields["contacts"].choices = [(contact.pk, contact.full_name) for contact in contacts]
        if deal is not None:
            for name in ("stage", "override_reason"):
                del self.fields[name]

    def data_for_service(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            "name": cleaned["name"],
            "account_id": cleaned["account"],
            "amount": cleaned["amount"],
            "currency": cleaned["currency"],
            "expected_close_date": cleaned.get("expected_close_date"),
            "contact_ids": cleaned.get("contacts") or [],
            "source_channel": cleaned.get("source_channel") or "",
            "campaign": cleaned.get("campaign") or "",
            "lost_reason": cleaned.get("lost_reason") or "",
        }
        if cleaned.get("probability") is not None:
            data["probability"] = cleaned["probability"]
        if cleaned.get("owner"):
            data["owner_id"] = cleaned["owner"]
        if cleaned.get("stage"):
            data["stage_id"] = cleaned["stage"]
        return data


FIELD_NAMES = {"account_id": "account", "contact_ids": "contacts", "owner_id": "owner"}


def _service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {FIELD_NAMES.get(key, key): value for key, value in error.error_dict.items()}
        )
    add_service_errors(form, error)


@page
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    """Open a deal. The guard looks at the account as soon as it is chosen; a block is
    passed only with a reason, which is recorded as a decision."""
    initial = {"currency": "EUR", "account": _int(request.GET.get("account"))}
    if request.user.legal_entity_id:
        initial["currency"] = request.user.legal_entity.base_currency
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    blocked: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            deal, guard = services.deal_create(
                actor=request.user,
                data=form.data_for_service(),
                override_reason=form.cleaned_data.get("override_reason") or None,
            )
        except GuardBlocked as error:
            blocked = error.problems
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if guard.overridden:
                messages.warning(request, _("The guard's block was overridden; it is recorded."))
            elif guard:
                messages.warning(request, _("The deal is open, but the client has problems."))
            query = "?warned=1" if guard else ""
            return redirect(reverse("sales:deal_detail", args=[deal.pk]) + query)
    account_id = _int(form.data.get("account")) or initial["account"]
    return render(
        request,
        "sales/deal_form.html",
        {
            "form": form,
            "blocked": blocked,
            "guard": _guard_context(request, account_id) if account_id and not blocked else None,
            "section": "deals",
        },
    )


def _guard_context(request: HttpRequest, account_id: int) -> dict[str, Any] | None:
    account = client_selectors.account_get(request.user, account_id)
    return {
        "account": account,
        "problems": account_problems(account),
        "mode": selectors.sales_settings().guard_mode,
    }


@page
@require_GET
def guard_panel(request: HttpRequest) -> HttpResponse:
    """The guard's findings for the account chosen in the deal form (an htmx fragment)."""
    account_id = _int(request.GET.get("account"))
    guard = _guard_context(request, account_id) if account_id else None
    return render(request, "sales/_guard.html", {"guard": guard})


@page
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal card: its figures, its stages and the time in each, the move menu, its
    orders and its timeline."""
    deal = selectors.deal_get(request.user, pk)
    history = selectors.deal_stage_history(request.user, deal)
    timeline = selectors.deal_timeline(request.user, deal, limit=PAGE_SIZE)
    orders = selectors.order_list(request.user, ListFilters(extra={"deal_id": deal.pk}), limit=20)
    stages = list(deal.pipeline.stages.all())
    guard = None
    if deal.status == Deal.Status.OPEN and deal.account_id:
        guard = {
            "account": deal.account,
            "problems": account_problems(deal.account),
            "mode": selectors.sales_settings().guard_mode,
        }
    return render(
        request,
        "sales/deal.html",
        {
            "deal": deal,
            "history": history,
            "cycle": selectors.deal_cycle_length(deal),
            "timeline": timeline.items,
            "orders": orders.items,
            "stages": stages,
            "guard": guard,
            "warned": request.GET.get("warned") == "1",
            "may_write": access.can(request.user, "write", deal),
            "may_order": access.may_create(request.user, "order"),
            "now": timezone.now(),
            "section": "deals",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a deal; a change saved by someone else since the page was opened is refused
    with a notice, never overwritten."""
    deal = selectors.deal_get(request.user, pk, action="write")
    initial = {
        "name": deal.name,
        "account": deal.account_id,
        "amount": deal.amount,
        "currency": deal.currency,
        "probability": deal.probability,
        "expected_close_date": deal.expected_close_date,
        "contacts": [contact.pk for contact in deal.contacts.all()],
        "owner": deal.owner_id,
        "source_channel": deal.source_channel,
        "campaign": deal.campaign,
        "lost_reason": deal.lost_reason,
        "version": deal.version,
    }
    form = DealForm(request.POST or None, user=request.user, deal=deal, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        if data.get("owner_id") in (None, deal.owner_id):
            data.pop("owner_id", None)
        try:
            services.deal_update(
                actor=request.user,
                deal=deal,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
        except VersionConflict:
            conflict = True
            form.add_error(
                None, _("Someone changed this deal since you opened it; reload to see it.")
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("The deal is saved."))
            return redirect("sales:deal_detail", pk=pk)
    return render(
        request,
        "sales/deal_form.html",
        {"form": form, "deal": deal, "conflict": conflict, "section": "deals"},
    )


# --- Orders, invoices, payments ----------------------------------------------------------


class LineForm(forms.Form):
    product = forms.TypedChoiceField(label=gettext_lazy("Product"), coerce=int, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=500, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), min_value=Decimal("0"), decimal_places=4, required=False
    )
    unit_price = forms.DecimalField(
        label=gettext_lazy("Unit price"),
        min_value=Decimal("0"),
        decimal_places=4,
        required=False,
        help_text=gettext_lazy("Empty: the price list's."),
    )
    discount_percent = forms.DecimalField(
        label=gettext_lazy("Discount, %"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
    )

    def line(self) -> dict[str, Any] | None:
        cleaned = self.cleaned_data
        if not cleaned.get("product") and not cleaned.get("description"):
            return None
        line: dict[str, Any] = {"quantity": cleaned.get("quantity") or Decimal("1")}
        if cleaned.get("product"):
            line["product_id"] = cleaned["product"]
        for name in ("description", "unit_price", "discount_percent"):
            if cleaned.get(name) not in (None, ""):
                line[name] = cleaned[name]
        return line


class OrderForm(forms.Form):
    account = forms.TypedChoiceField(label=gettext_lazy("Account"), coerce=int)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=CURRENCY_CHOICES)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("confirmed", gettext_lazy("Confirmed")), ("draft", gettext_lazy("Draft"))],
    )
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=100, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = client_selectors.account_list(user, ListFilters(), limit=ACCOUNTS_OFFERED).items
        choices = [(account.pk, account.name) for account in accounts]
        chosen = _int(self.data.get("account")) or _int(self.initial.get("account"))
        if chosen and chosen not in dict(choices):
            extra = client_selectors.account_get(user, chosen)
            choices.insert(0, (extra.pk, extra.name))
        self.fields["account"].choices = [("", "—"), *choices]


@page
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    account_id = _int(request.GET.get("account"))
    orders = selectors.order_list(
        request.user,
        ListFilters(q=request.GET.get("q", "").strip(), extra={"account_id": account_id}),
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "sales/order_list.html",
        {
            "orders": orders.items,
            "next_query": _page_query(request, cursor=orders.next_cursor)
            if orders.next_cursor
            else "",
            "q": request.GET.get("q", ""),
            "may_create": access.may_create(request.user, "order"),
            "section": "orders",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    """Enter an order directly: an account, a currency and up to five lines; a line with a
    product and no price takes the price list's."""
    initial = {"account": _int(request.GET.get("account")), "currency": "EUR"}
    if request.user.legal_entity_id:
        initial["currency"] = request.user.legal_entity.base_currency
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    products = selectors.product_list(request.user, is_active=True, limit=200).items
    product_choices = [("", "—"), *[(p.pk, f"{p.name} ({p.sku})") for p in products]]
    lines = []
    for index in range(ORDER_LINES):
        line = LineForm(request.POST or None, prefix=f"line-{index}")
        line.fields["product"].choices = product_choices
        lines.append(line)
    if request.method == "POST" and form.is_valid() and all(line.is_valid() for line in lines):
        data = [line.line() for line in lines]
        data = [line for line in data if line]
        deal_id = _int(request.POST.get("deal"))
        try:
            order = services.order_create(
                actor=request.user,
                data={
                    "account_id": form.cleaned_data["account"],
                    "deal_id": deal_id,
                    "currency": form.cleaned_data["currency"],
                    "status": form.cleaned_data["status"],
                    "reference": form.cleaned_data.get("reference") or "",
                    "notes": form.cleaned_data.get("notes") or "",
                    "lines": data,
                },
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, _("Order %(number)s is saved.") % {"number": order.number})
            return redirect("sales:order_detail", pk=order.pk)
    return render(
        request,
        "sales/order_form.html",
        {
            "form": form,
            "lines": lines,
            "deal_id": _int(request.GET.get("deal") or request.POST.get("deal")),
            "section": "orders",
        },
    )


@page
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(request.user, pk)
    invoices = selectors.invoice_list(
        request.user, ListFilters(extra={"order_id": order.pk}), limit=20
    )
    return render(
        request,
        "sales/order.html",
        {
            "order": order,
            "invoices": invoices.items,
            "may_invoice": access.may_create(request.user, "invoice")
            and order.status in (Order.Status.CONFIRMED, Order.Status.FULFILLED)
            and not any(invoice.status != "cancelled" for invoice in invoices.items),
            "may_write": access.can(request.user, "write", order),
            "transitions": sorted(services.ORDER_TRANSITIONS[order.status]),
            "section": "orders",
        },
    )


@page
@require_POST
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(request.user, pk)
    try:
        services.order_update(
            actor=request.user,
            order=order,
            data={"status": request.POST.get("status", "")},
            expected_version=_int(request.POST.get("version")),
        )
    except (Conflict, VersionConflict) as error:
        messages.error(request, error.detail)
    return redirect("sales:order_detail", pk=pk)


@page
@require_POST
def order_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft invoice of the whole order, in one step."""
    order = selectors.order_get(request.user, pk)
    try:
        invoice = services.invoice_create_from_order(actor=request.user, order=order)
    except Conflict as error:
        messages.error(request, error.detail)
        return redirect("sales:order_detail", pk=pk)
    messages.success(request, _("A draft invoice is made; issue it to number it."))
    return redirect("sales:invoice_detail", pk=invoice.pk)


@page
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *Invoice.Status.values):
        status = None
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    invoices = selectors.invoice_list(
        request.user,
        ListFilters(
            q=request.GET.get("q", "").strip(),
            extra={"status": status, "account_id": _int(request.GET.get("account"))},
        ),
        overdue_on=today if overdue else None,
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    for invoice in invoices.items:
        invoice.is_overdue = bool(
            invoice.status in Invoice.OPEN_STATUSES
            and invoice.due_date
            and invoice.due_date < today
        )
    return render(
        request,
        "sales/invoice_list.html",
        {
            "invoices": invoices.items,
            "next_query": _page_query(request, cursor=invoices.next_cursor)
            if invoices.next_cursor
            else "",
            "statuses": Invoice.Status.choices,
            "status": status or "",
            "overdue": overdue,
            "q": request.GET.get("q", ""),
            "section": "invoices",
        },
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), min_value=Decimal("0.001"), decimal_places=3
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=200, required=False)


@page
@require_http_methods(["GET", "POST"])
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice: its lines and payments; issue or cancel it, record a payment."""
    invoice = selectors.invoice_get(request.user, pk)
    form = PaymentForm(
        request.POST or None,
        initial={
            "amount": round_money(invoice.outstanding, invoice.currency),
            "paid_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_record(actor=request.user, invoice=invoice, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect("sales:invoice_detail", pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "sales/invoice.html",
        {
            "invoice": invoice,
            "form": form,
            "may_write": access.can(request.user, "write", invoice),
            "days_overdue": (today - invoice.due_date).days
            if invoice.due_date
            and invoice.status in Invoice.OPEN_STATUSES
            and invoice.due_date < today
            else 0,
            "section": "invoices",
        },
    )


@page
@require_POST
def invoice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Issue or cancel an invoice from its page."""
    invoice = selectors.invoice_get(request.user, pk)
    version = _int(request.POST.get("version"))
    try:
        if action == "issue":
            issued = services.invoice_issue(
                actor=request.user, invoice=invoice, expected_version=version
            )
            messages.success(
                request, _("Invoice %(number)s is issued.") % {"number": issued.number}
            )
        else:
            services.invoice_cancel(
                actor=request.user,
                invoice=invoice,
                expected_version=version,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The invoice is cancelled."))
    except (Conflict, VersionConflict) as error:
        messages.error(request, error.detail)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sales:invoice_detail", pk=pk)


# --- Receivables, statistics, settings ---------------------------------------------------


@page
@require_GET
def debts(request: HttpRequest) -> HttpResponse:
    """Debt collection: overdue receivables per account, entity and office by age, with a
    reminder task made in one step."""
    legal_entity_id = _int(request.GET.get("legal_entity"))
    office_id = _int(request.GET.get("office"))
    report = selectors.debt_collection(
        request.user, legal_entity_id=legal_entity_id, office_id=office_id
    )
    return render(
        request,
        "sales/debts.html",
        {
            "report": report,
            "buckets": [label for label, _first, _last in selectors.BUCKETS],
            "legal_entities": org_selectors.legal_entity_choices(request.user),
            "offices": org_selectors.office_choices(request.user),
            "legal_entity_id": legal_entity_id,
            "office_id": office_id,
            "may_remind": access.may_create(request.user, "interaction"),
            "section": "debts",
        },
    )


@page
@require_POST
def debt_reminder(request: HttpRequest) -> HttpResponse:
    """A task to collect an account's overdue invoices, from the debt list."""
    account = client_selectors.account_get(request.user, _int(request.POST.get("account")) or 0)
    try:
        task = services.debt_reminder_create(actor=request.user, account=account)
    except Conflict as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("A reminder for %(account)s is on your list for %(date)s.")
            % {"account": account.name, "date": timezone.localtime(task.due_at).date().isoformat()},
        )
    return redirect(_next(request, reverse("sales:debts")))


@page
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    """Statistics per user and per product for a period, entity and office."""
    today = timezone.localdate()
    since = _date(request.GET.get("since")) or today.replace(month=1, day=1)
    until = _date(request.GET.get("until")) or today + datetime.timedelta(days=1)
    legal_entity_id = _int(request.GET.get("legal_entity"))
    office_id = _int(request.GET.get("office"))
    selection = {
        "period": selectors.Period(since=since, until=until),
        "legal_entity_id": legal_entity_id,
        "office_id": office_id,
    }
    return render(
        request,
        "sales/stats.html",
        {
            "users": selectors.user_stats(request.user, **selection),
            "products": selectors.product_stats(request.user, **selection),
            "since": since,
            "until": until,
            "legal_entities": org_selectors.legal_entity_choices(request.user),
            "offices": org_selectors.office_choices(request.user),
            "legal_entity_id": legal_entity_id,
            "office_id": office_id,
            "section": "stats",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def sales_settings(request: HttpRequest) -> HttpResponse:
    """The guard's mode, for administrators to switch between warning and blocking."""
    if request.method == "POST":
        services.sales_settings_update(
            actor=request.user, data={"guard_mode": request.POST.get("guard_mode", "")}
        )
        messages.success(request, _("The sales settings are saved."))
        return redirect("sales:settings")
    return render(
        request,
        "sales/settings.html",
        {
            "settings": selectors.sales_settings(),
            "may_change": access.is_administrator(request.user),
            "section": "settings",
        },
    )


# --- The account card's panel ------------------------------------------------------------


def account_panel_context(user: Any, account: Any) -> dict[str, Any]:
    """What `sales/_account_panel.html` shows, for an account the user may see."""
    return {
        "sales_summary": selectors.account_sales_summary(user, account),
        "sales_deals": selectors.account_deals(user, account),
        "sales_account": account,
        "sales_may_create_deal": access.may_create(user, "deal"),
    }


@page
@require_GET
def account_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account card's sales panel, as an htmx fragment."""
    account = client_selectors.account_get(request.user, account_id)
    return render(
        request, "sales/_account_panel.html", account_panel_context(request.user, account)
    )


def compare_url(ids: list[int]) -> str:
    return reverse("sales:compare") + "?" + urlencode([("ids", pk) for pk in ids])
