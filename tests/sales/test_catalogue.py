"""The catalogue: price resolution with its explanation, rates by date, configuration with
options and bundles, search and comparison."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from perpetuum.core.errors import PermissionDenied
from perpetuum.sales import selectors, services
from perpetuum.sales.models import Product

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 15)


@pytest.fixture
def drill(make_product):
    return make_product(sku="DR-100", name="Drill 100", attributes={"Power": "800 W"})


def test_the_entity_list_wins_over_the_group_list(org, drill, make_price_list):
    make_price_list({drill: "120.00"}, name="Group list")
    make_price_list({drill: "100.00"}, name="GmbH list", legal_entity=org.gmbh)
    resolved = selectors.price_for(drill, legal_entity=org.gmbh, currency="EUR", on_date=DAY)
    assert resolved.price == Decimal("100.00")
    assert resolved.price_list.name == "GmbH list"
    assert resolved.explanation == (
        "List “GmbH list” (Perpetuum GmbH, No tier), valid since 2020-01-01: 100.00 EUR."
    )
    # Another entity gets the group's list.
    other = selectors.price_for(drill, legal_entity=org.ooo, currency="EUR", on_date=DAY)
    assert (other.price, other.price_list.name) == (Decimal("120.00"), "Group list")
    assert "all entities" in other.explanation


def test_a_partner_tier_gets_its_own_list_and_falls_back_to_the_standard_one(
    org, drill, make_price_list
):
    make_price_list({drill: "100.00"}, name="Standard", legal_entity=org.gmbh)
    make_price_list({drill: "85.00"}, name="Gold", legal_entity=org.gmbh, partner_tier="gold")
    gold = selectors.price_for(
        drill, legal_entity=org.gmbh, currency="EUR", partner_tier="gold", on_date=DAY
    )
    silver = selectors.price_for(
        drill, legal_entity=org.gmbh, currency="EUR", partner_tier="silver", on_date=DAY
    )
    assert (gold.price, gold.price_list.name) == (Decimal("85.00"), "Gold")
    assert "Gold" in gold.explanation
    assert (silver.price, silver.price_list.name) == (Decimal("100.00"), "Standard")


def test_validity_dates_decide_which_list_applies(org, drill, make_price_list):
    make_price_list(
        {drill: "90.00"},
        name="2024",
        legal_entity=org.gmbh,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2024, 12, 31),
    )
    make_price_list(
        {drill: "100.00"}, name="2025", legal_entity=org.gmbh, valid_from=datetime.date(2025, 1, 1)
    )

    def on(day: datetime.date):
        return selectors.price_for(drill, legal_entity=org.gmbh, currency="EUR", on_date=day)

    assert on(datetime.date(2024, 12, 31)).price == Decimal("90.00")
    assert "valid since 2024-01-01 until 2024-12-31" in on(datetime.date(2024, 6, 1)).explanation
    assert on(datetime.date(2025, 1, 1)).price == Decimal("100.00")
    assert on(datetime.date(2023, 12, 31)) is None


def test_an_inactive_or_deleted_list_is_not_used(org, drill, make_price_list, admin_actor):
    inactive = make_price_list({drill: "80.00"}, legal_entity=org.gmbh, is_active=False)
    deleted = make_price_list({drill: "70.00"}, legal_entity=org.gmbh)
    services.catalogue_delete(actor=admin_actor, instance=deleted)
    assert inactive.is_active is False
    assert selectors.price_for(drill, legal_entity=org.gmbh, currency="EUR", on_date=DAY) is None


def test_a_list_in_another_currency_is_converted_at_the_rate_of_the_day(
    org, drill, make_price_list, make_rate
):
    make_price_list({drill: "100.00"}, name="EUR list", legal_entity=org.gmbh)
    make_rate("EUR", "RUB", "95.5", datetime.date(2025, 3, 1))
    make_rate("EUR", "RUB", "99.25", datetime.date(2025, 3, 20))
    resolved = selectors.price_for(drill, legal_entity=org.gmbh, currency="RUB", on_date=DAY)
    assert resolved.price == Decimal("9550.00")
    assert (resolved.list_price, resolved.list_currency) == (Decimal("100"), "EUR")
    assert resolved.rate.rate == Decimal("95.5")
    assert resolved.explanation.endswith(
        "Converted at 1 EUR = 95.5 RUB (rate of 2025-03-01): 9550.00 RUB."
    )
    later = selectors.price_for(
        drill, legal_entity=org.gmbh, currency="RUB", on_date=datetime.date(2025, 3, 20)
    )
    assert later.price == Decimal("9925.00")


def test_the_opposite_pair_is_inverted_and_a_list_in_the_currency_wins(
    org, drill, make_price_list, make_rate
):
    make_price_list({drill: "100.00"}, name="EUR list", legal_entity=org.gmbh)
    make_rate("USD", "EUR", "0.8", datetime.date(2025, 1, 1))
    resolved = selectors.price_for(drill, legal_entity=org.gmbh, currency="USD", on_date=DAY)
    assert resolved.price == Decimal("125.00")
    assert resolved.rate.is_inverse is True
    assert "inverted" in resolved.explanation
    make_price_list({drill: "110.00"}, name="USD list", legal_entity=org.gmbh, currency="USD")
    direct = selectors.price_for(drill, legal_entity=org.gmbh, currency="USD", on_date=DAY)
    assert (direct.price, direct.rate) == (Decimal("110.00"), None)


def test_without_a_rate_a_foreign_list_is_skipped(org, drill, make_price_list):
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    assert selectors.price_for(drill, legal_entity=org.gmbh, currency="JPY", on_date=DAY) is None
    with pytest.raises(selectors.NoRate):
        selectors.convert_amount(Decimal("1"), "EUR", "JPY", DAY)


def test_configure_adds_the_chosen_options(org, drill, make_price_list, admin_actor):
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    case = services.option_create(
        actor=admin_actor, product=drill, data={"name": "Carry case", "price_delta": "15.50"}
    )
    red = services.option_create(
        actor=admin_actor,
        product=drill,
        data={"name": "Red", "group": "Colour", "price_delta": "0", "currency": "EUR"},
    )
    blue = services.option_create(
        actor=admin_actor,
        product=drill,
        data={"name": "Blue", "group": "Colour", "price_delta": "5", "currency": "EUR"},
    )
    configured = selectors.product_configure(
        drill,
        [case.pk, blue.pk],
        legal_entity=org.gmbh,
        currency="EUR",
        on_date=DAY,
        quantity=3,
    )
    assert configured.unit_price == Decimal("120.50")
    assert configured.total == Decimal("361.50")
    assert [(line.kind, line.description, line.amount) for line in configured.lines] == [
        ("product", "Drill 100", Decimal("100.00")),
        ("option", "Carry case", Decimal("15.50")),
        ("option", "Blue", Decimal("5.00")),
    ]
    with pytest.raises(ValidationError, match="Choose one option of “Colour”"):
        selectors.product_configure(
            drill, [red.pk, blue.pk], legal_entity=org.gmbh, currency="EUR", on_date=DAY
        )


def test_an_option_in_another_currency_is_converted(
    org, drill, make_price_list, make_rate, admin_actor
):
    make_price_list({drill: "100.00"}, legal_entity=org.gmbh)
    make_rate("USD", "EUR", "0.9", datetime.date(2025, 1, 1))
    option = services.option_create(
        actor=admin_actor,
        product=drill,
        data={"name": "US charger", "price_delta": "10", "currency": "USD"},
    )
    configured = selectors.product_configure(
        drill, [option.pk], legal_entity=org.gmbh, currency="EUR", on_date=DAY
    )
    assert configured.unit_price == Decimal("109.00")
    assert any("converted at 1 USD = 0.9 EUR" in text for text in configured.explanation)


def test_a_bundle_without_its_own_price_is_the_sum_of_its_components(
    org, make_product, make_price_list, admin_actor
):
    drill, battery = make_product(name="Drill"), make_product(name="Battery")
    kit = make_product(name="Drill kit")
    services.bundle_components_set(
        actor=admin_actor,
        product=kit,
        components=[
            {"component_id": drill.pk, "quantity": Decimal("1")},
            {"component_id": battery.pk, "quantity": Decimal("2")},
        ],
    )
    price_list = make_price_list({drill: "100.00", battery: "30.00"}, legal_entity=org.gmbh)
    configured = selectors.product_configure(
        kit, [], legal_entity=org.gmbh, currency="EUR", on_date=DAY
    )
    assert configured.unit_price == Decimal("160.00")
    assert [(line.kind, line.description, line.amount) for line in configured.lines] == [
        ("product", "Drill kit", Decimal("160.00")),
        ("component", "Drill", Decimal("100.00")),
        ("component", "Battery", Decimal("60.00")),
    ]
    # With a package price of its own, the bundle costs that.
    services.price_set(actor=admin_actor, price_list=price_list, product=kit, price="149.00")
    packaged = selectors.product_configure(
        kit, [], legal_entity=org.gmbh, currency="EUR", on_date=DAY
    )
    assert packaged.unit_price == Decimal("149.00")


def test_bundles_do_not_nest_or_contain_themselves(make_product, admin_actor):
    part, kit, box = make_product(), make_product(), make_product()
    services.bundle_components_set(
        actor=admin_actor, product=kit, components=[{"component_id": part.pk, "quantity": 1}]
    )
    with pytest.raises(ValidationError, match="cannot be a bundle"):
        services.bundle_components_set(
            actor=admin_actor, product=box, components=[{"component_id": kit.pk, "quantity": 1}]
        )
    with pytest.raises(ValidationError, match="cannot contain itself"):
        services.bundle_components_set(
            actor=admin_actor, product=box, components=[{"component_id": box.pk, "quantity": 1}]
        )
    with pytest.raises(ValidationError, match="component of a bundle"):
        services.bundle_components_set(
            actor=admin_actor, product=part, components=[{"component_id": box.pk, "quantity": 1}]
        )


def test_search_and_filters(make_product, admin_actor, sales_rep):
    category = services.category_create(actor=admin_actor, data={"name": "Tools"})
    make_product(sku="HAM-1", name="Hammer", category_ids=[category.pk])
    make_product(sku="SAW-1", name="Saw", kind="product", is_active=False)
    make_product(sku="SRV-1", name="Installation", kind="service")

    def names(**kwargs):
        return [product.name for product in selectors.product_list(sales_rep, **kwargs).items]

    assert names(q="ham") == ["Hammer"]
    assert names(q="srv-") == ["Installation"]
    assert names(category_id=category.pk) == ["Hammer"]
    assert names(kind="service") == ["Installation"]
    assert names(is_active=True) == ["Hammer", "Installation"]


def test_compare_lists_every_attribute_and_the_prices(
    org, make_product, make_price_list, sales_rep
):
    small = make_product(name="Small", attributes={"Power": "500 W", "Weight": "1.2 kg"})
    large = make_product(name="Large", attributes={"Power": "900 W", "Chuck": "13 mm"})
    make_price_list({small: "50.00"}, legal_entity=org.gmbh)
    comparison = selectors.product_compare(
        sales_rep, [large.pk, small.pk], legal_entity=org.gmbh, currency="EUR", on_date=DAY
    )
    assert [product.name for product in comparison.products] == ["Large", "Small"]
    assert [(row.name, row.values, row.differs) for row in comparison.rows] == [
        ("Chuck", ["13 mm", None], True),
        ("Power", ["900 W", "500 W"], True),
        ("Weight", [None, "1.2 kg"], True),
    ]
    assert comparison.prices[0] is None
    assert comparison.prices[1].price == Decimal("50.00")


def test_only_administrators_change_the_catalogue(sales_manager):
    with pytest.raises(PermissionDenied):
        services.product_create(actor=sales_manager, data={"sku": "X", "name": "X"})
    assert Product.objects.count() == 0


def test_a_sku_is_unique_whatever_its_case(make_product):
    make_product(sku="ABC-1")
    with pytest.raises(ValidationError):
        make_product(sku="abc-1")


def test_attributes_refuse_floats(make_product):
    with pytest.raises(ValidationError, match="as text"):
        make_product(attributes={"Weight": 1.2})
