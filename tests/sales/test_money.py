"""Money: one rounding rule, documents that add up, conversions that come back, no floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpetuum.core import money

CURRENCIES = sorted(money.MINOR_UNITS)

amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("1000000"), places=4, allow_nan=False
)
quantities = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=4, allow_nan=False
)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=6, allow_nan=False
)
lines = st.lists(
    st.tuples(quantities, amounts, percents, st.sampled_from(["0", "7", "10", "19", "20"])),
    min_size=1,
    max_size=20,
)


def test_minor_units_follow_iso_4217() -> None:
    assert [money.minor_unit(code) for code in ("EUR", "USD", "GBP", "RUB", "CHF")] == [2] * 5
    assert money.minor_unit("JPY") == 0
    assert money.minor_unit("BHD") == 3
    with pytest.raises(ValueError, match="Unknown currency"):
        money.minor_unit("XXX")


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert money.round_money(Decimal("0.005"), "EUR") == Decimal("0.01")
    assert money.round_money(Decimal("0.015"), "EUR") == Decimal("0.02")
    assert money.round_money(Decimal("0.0049"), "EUR") == Decimal("0.00")
    assert money.round_money(Decimal("2.5"), "JPY") == Decimal("3")
    assert money.round_money(Decimal("1.0005"), "BHD") == Decimal("1.001")


def test_a_line_rounds_its_net_then_its_tax() -> None:
    line = money.line_amounts(
        quantity=Decimal("3"),
        unit_price=Decimal("19.99"),
        currency="EUR",
        discount_percent=Decimal("10"),
        tax_rate=Decimal("19"),
    )
    # 3 × 19.99 = 59.97; less 10 % = 53.973 → 53.97; tax 19 % = 10.2543 → 10.25.
    assert (line.net, line.tax, line.gross, line.discount) == (
        Decimal("53.97"),
        Decimal("10.25"),
        Decimal("64.22"),
        Decimal("6.00"),
    )


@pytest.mark.parametrize(
    "value", [0.1, 1.0, float("nan"), True], ids=["float", "whole float", "nan", "bool"]
)
def test_floats_never_enter(value: object) -> None:
    with pytest.raises(TypeError):
        money.to_decimal(value)  # type: ignore[arg-type]


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_no_float_is_ever_accepted(value: float) -> None:
    for call in (
        lambda: money.round_money(value, "EUR"),  # type: ignore[arg-type]
        lambda: money.multiply(Decimal("1"), value, "EUR"),  # type: ignore[arg-type]
        lambda: money.convert(value, Decimal("1.1"), "USD"),  # type: ignore[arg-type]
        lambda: money.line_amounts(quantity=value, unit_price="1", currency="EUR"),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError):
            call()


@given(document=lines, currency=st.sampled_from(CURRENCIES))
@settings(max_examples=200)
def test_line_totals_add_up_to_the_document_totals(document: list, currency: str) -> None:
    computed = [
        money.line_amounts(
            quantity=quantity,
            unit_price=price,
            currency=currency,
            discount_percent=discount,
            tax_rate=tax,
        )
        for quantity, price, discount, tax in document
    ]
    totals = money.document_totals(computed, currency)
    assert totals.net == sum((line.net for line in computed), Decimal(0))
    assert totals.tax == sum((line.tax for line in computed), Decimal(0))
    assert totals.gross == sum((line.gross for line in computed), Decimal(0))
    assert totals.gross == totals.net + totals.tax
    quantum = money.quantum(currency)
    for value in (totals.net, totals.tax, totals.gross):
        assert value == value.quantize(quantum)
    for line in computed:
        assert line.gross == line.net + line.tax


@given(
    amount=amounts,
    rate=rates,
    pair=st.tuples(st.sampled_from(CURRENCIES), st.sampled_from(CURRENCIES)),
)
@settings(max_examples=300)
def test_conversion_comes_back_within_one_minor_unit(
    amount: Decimal, rate: Decimal, pair: tuple[str, str]
) -> None:
    """Converting there and back loses at most half a minor unit of each currency: one
    minor unit of the coarser of the two, counted in the source currency."""
    source, target = pair
    original = money.round_money(amount, source)
    there = money.convert(original, rate, target)
    back = money.convert(there, money.inverse_rate(rate), source)
    coarser = max(money.quantum(source), money.quantum(target) / rate)
    assert abs(back - original) <= coarser
    if money.quantum(target) <= money.quantum(source) * rate:
        assert abs(back - original) <= money.quantum(source)


@given(amount=amounts, rate=st.decimals(min_value=Decimal("50"), max_value=Decimal("150")))
def test_euro_to_rouble_and_back_within_a_cent(amount: Decimal, rate: Decimal) -> None:
    original = money.round_money(amount, "EUR")
    back = money.convert(money.convert(original, rate, "RUB"), money.inverse_rate(rate), "EUR")
    assert abs(back - original) <= Decimal("0.01")


def test_conversion_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        money.convert(Decimal("1"), Decimal("0"), "EUR")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": Decimal("-1")}, "quantity"),
        ({"discount_percent": Decimal("101")}, "discount"),
        ({"tax_rate": Decimal("-1")}, "tax rate"),
    ],
)
def test_a_line_refuses_impossible_figures(kwargs: dict, message: str) -> None:
    values = {"quantity": Decimal("1"), "unit_price": Decimal("10"), "currency": "EUR"}
    with pytest.raises(ValueError, match=message):
        money.line_amounts(**{**values, **kwargs})
