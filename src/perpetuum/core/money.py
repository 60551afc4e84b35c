"""Money: `Decimal` amounts with one rounding rule, and never a float.

The rule: an amount is rounded half up (0.005 → 0.01) to the minor unit of its currency as
ISO 4217 defines it (two decimals for EUR, none for JPY, three for BHD). Documents round
each line once — its net amount, then its tax — and their totals are the sums of the rounded
lines, so the lines of a quote, an order or an invoice always add up to its totals.

A float is refused with `TypeError` wherever an amount, a quantity, a percentage or a rate
enters: 0.1 + 0.2 is not 0.3 in binary floating point, and money must be exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units (the number of decimals) of the currencies Perpetuum knows.
MINOR_UNITS: dict[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BGN": 2,
    "BHD": 3,
    "BRL": 2,
    "BYN": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "GEL": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "KZT": 2,
    "MXN": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PLN": 2,
    "RON": 2,
    "RSD": 2,
    "RUB": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "UAH": 2,
    "USD": 2,
    "UZS": 2,
    "VND": 0,
    "ZAR": 2,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
ZERO = Decimal("0")
HUNDRED = Decimal("100")
# Money columns keep four decimals: enough for every minor unit above, and for unit prices.
MAX_DIGITS = 20
DECIMAL_PLACES = 4


def to_decimal(value: Decimal | int | str) -> Decimal:
    """`value` as a `Decimal`; a float (or a bool) is refused, as is text that is no number."""
    if isinstance(value, bool | float):
        raise TypeError(f"Money is never a float: got {value!r}; pass a Decimal or a string.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as error:
            raise ValueError(f"Not a number: {value!r}") from error
    else:
        raise TypeError(f"Not an amount: {value!r}")
    if not result.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return result


def check_currency(currency: str) -> str:
    """The currency code, refused unless it is one Perpetuum knows."""
    if currency not in MINOR_UNITS:
        raise ValueError(f"Unknown currency: {currency!r}")
    return currency


def minor_unit(currency: str) -> int:
    """The number of decimals of `currency` (ISO 4217)."""
    return MINOR_UNITS[check_currency(currency)]


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for EUR, 1 for JPY, 0.001 for BHD."""
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """The one rounding rule: half up, to the currency's minor unit."""
    return to_decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def add(amounts: Iterable[Decimal | int | str], currency: str) -> Decimal:
    """The sum of amounts of one currency, each already rounded (so the sum is exact)."""
    total = ZERO
    for amount in amounts:
        total += round_money(amount, currency)
    return round_money(total, currency)


def multiply(amount: Decimal | int | str, factor: Decimal | int | str, currency: str) -> Decimal:
    """`amount` × `factor` (a quantity, a share), rounded once."""
    return round_money(to_decimal(amount) * to_decimal(factor), currency)


def percent_of(amount: Decimal | int | str, percent: Decimal | int | str, currency: str) -> Decimal:
    """`percent` % of `amount`, rounded once (a tax, a discount)."""
    return round_money(to_decimal(amount) * to_decimal(percent) / HUNDRED, currency)


def convert(amount: Decimal | int | str, rate: Decimal | int | str, to_currency: str) -> Decimal:
    """`amount` converted with `rate` (units of `to_currency` for one unit of the amount's
    currency), rounded to `to_currency`."""
    rate = to_decimal(rate)
    if rate <= 0:
        raise ValueError("A currency rate is positive.")
    return round_money(to_decimal(amount) * rate, to_currency)


def inverse_rate(rate: Decimal | int | str) -> Decimal:
    """The rate of the opposite direction, to 28 significant digits."""
    rate = to_decimal(rate)
    if rate <= 0:
        raise ValueError("A currency rate is positive.")
    return Decimal(1) / rate


def format_money(amount: Decimal | int | str | None, currency: str) -> str:
    """The amount with its minor unit and currency code, e.g. "1234.50 EUR"."""
    if amount is None:
        return ""
    return f"{round_money(amount, currency)} {currency}"


@dataclass(frozen=True)
class LineAmounts:
    """What one document line comes to: net (after discount), tax, gross, each rounded."""

    net: Decimal
    tax: Decimal
    gross: Decimal
    discount: Decimal


def line_amounts(
    *,
    quantity: Decimal | int | str,
    unit_price: Decimal | int | str,
    currency: str,
    discount_percent: Decimal | int | str = ZERO,
    tax_rate: Decimal | int | str = ZERO,
) -> LineAmounts:
    """The amounts of a line: net = quantity × unit price less the discount, rounded; tax =
    net × rate, rounded; gross = net + tax. Every document line goes through here."""
    quantity = to_decimal(quantity)
    discount_percent = to_decimal(discount_percent)
    tax_rate = to_decimal(tax_rate)
    if quantity < 0:
        raise ValueError("A quantity is not negative.")
    if not ZERO <= discount_percent <= HUNDRED:
        raise ValueError("A discount is between 0 and 100 %.")
    if tax_rate < 0:
        raise ValueError("A tax rate is not negative.")
    gross_before_discount = multiply(unit_price, quantity, currency)
    net = round_money(
        to_decimal(unit_price) * quantity * (HUNDRED - discount_percent) / HUNDRED, currency
    )
    tax = percent_of(net, tax_rate, currency)
    return LineAmounts(net=net, tax=tax, gross=net + tax, discount=gross_before_discount - net)


@dataclass(frozen=True)
class Totals:
    """A document's totals: the sums of its lines' rounded amounts."""

    net: Decimal
    tax: Decimal
    gross: Decimal


def document_totals(lines: Iterable[LineAmounts], currency: str) -> Totals:
    """The totals of a document from its lines; never rounded again, so they add up."""
    lines = list(lines)
    return Totals(
        net=add((line.net for line in lines), currency),
        tax=add((line.tax for line in lines), currency),
        gross=add((line.gross for line in lines), currency),
    )
