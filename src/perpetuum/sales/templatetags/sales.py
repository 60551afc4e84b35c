"""Template helpers of the sales pages: money with its currency, durations in days, and
the account card's sales panel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from perpetuum.core.money import minor_unit, round_money

register = template.Library()


@register.filter
def money(value: Any, currency: str) -> str:
    """An amount rounded to its currency's minor unit, in the reader's number format, with
    the currency code: "1,234.50 EUR" (English), "1.234,50 EUR" (German)."""
    if value is None or value == "":
        return ""
    amount = round_money(Decimal(str(value)) if not isinstance(value, Decimal) else value, currency)
    text = number_format(
        amount, decimal_pos=minor_unit(currency), use_l10n=True, force_grouping=True
    )
    return f"{text}\u00a0{currency}"


@register.filter
def amounts(values: dict[str, Any]) -> str:
    """Sums per currency, as "1,000.00 EUR · 50,000.00 RUB"."""
    return " · ".join(money(value, currency) for currency, value in (values or {}).items())


@register.filter
def days(value: datetime.timedelta | None) -> str:
    """A duration as days with one decimal ("3.5")."""
    if value is None:
        return ""
    return number_format(Decimal(value.total_seconds()) / 86400, decimal_pos=1, use_l10n=True)


@register.filter
def plain(value: Any) -> str:
    """A decimal without trailing zeros (a quantity, a rate, a percentage)."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return number_format(Decimal(text), use_l10n=True) if text else text


@register.inclusion_tag("sales/_account_panel.html", takes_context=True)
def sales_account_panel(context: template.Context, account: Any) -> dict[str, Any]:
    """The account card's sales panel: `{% load sales %}{% sales_account_panel account %}`
    (the account as the card fetched it, through a scoped selector)."""
    from perpetuum.sales.views import account_panel_context

    request = context["request"]
    return {**account_panel_context(request.user, account), "request": request}
