"""Catalog use cases other domains call: what may be sold, add-on compatibility, the price
snapshot; slugs; the Percent column; the demo catalog."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from omnicrm.catalog import use_cases as uc
from omnicrm.catalog.demo import DEMO_PRODUCTS, seed_catalog
from omnicrm.catalog.errors import (
    AddonIncompatible,
    ProductDisabled,
    ProductNotEligible,
)
from omnicrm.catalog.models import Product
from omnicrm.core.errors import NotFound, ValidationFailed
from tests.factories import AddonFactory, BundleFactory, ProductFactory


# --------------------------------------------------------------------------------------------
# get_sellable_product
# --------------------------------------------------------------------------------------------
def test_an_enabled_product_is_sellable_to_eligible_customers(db_session):
    product = ProductFactory(prepaid_eligible=True, postpaid_eligible=False)
    found = uc.get_sellable_product(
        db_session, product_id=product.product_id, customer_payment_type="prepaid"
    )
    assert found is product


def test_a_disabled_product_is_not_sellable(db_session):
    product = ProductFactory()
    uc.disable_product(db_session, product_id=product.product_id)
    with pytest.raises(ProductDisabled) as caught:
        uc.get_sellable_product(
            db_session, product_id=product.product_id, customer_payment_type="prepaid"
        )
    assert caught.value.status == 409
    assert caught.value.code == "product_disabled"
    assert caught.value.extra["product_id"] == product.product_id


@pytest.mark.parametrize(
    ("prepaid", "postpaid", "customer", "sellable"),
    [
        (True, False, "postpaid", False),
        (False, True, "prepaid", False),
        (False, True, "postpaid", True),
        (True, True, "prepaid", True),
    ],
)
def test_payment_type_eligibility(db_session, prepaid, postpaid, customer, sellable):
    product = ProductFactory(prepaid_eligible=prepaid, postpaid_eligible=postpaid)
    if sellable:
        uc.get_sellable_product(
            db_session, product_id=product.product_id, customer_payment_type=customer
        )
        return
    with pytest.raises(ProductNotEligible) as caught:
        uc.get_sellable_product(
            db_session, product_id=product.product_id, customer_payment_type=customer
        )
    assert caught.value.code == "product_not_eligible"
    assert caught.value.status == 409


def test_a_bundle_with_a_disabled_or_ineligible_child_is_not_sellable(db_session):
    good = ProductFactory()
    child = ProductFactory()
    bundle = BundleFactory(children=[good, child])
    db_session.flush()
    uc.get_sellable_product(
        db_session, product_id=bundle.product_id, customer_payment_type="prepaid"
    )
    child.prepaid_eligible = False
    with pytest.raises(ProductNotEligible):
        uc.get_sellable_product(
            db_session, product_id=bundle.product_id, customer_payment_type="prepaid"
        )
    child.enabled = False
    with pytest.raises(ProductDisabled) as caught:
        uc.get_sellable_product(
            db_session, product_id=bundle.product_id, customer_payment_type="postpaid"
        )
    assert caught.value.extra["product_id"] == child.product_id


def test_sellable_checks_its_inputs(db_session):
    with pytest.raises(NotFound):
        uc.get_sellable_product(db_session, product_id=10**20, customer_payment_type="prepaid")
    product = ProductFactory()
    with pytest.raises(ValidationFailed):
        uc.get_sellable_product(
            db_session, product_id=product.product_id, customer_payment_type="credit"
        )


# --------------------------------------------------------------------------------------------
# check_addon_compatible
# --------------------------------------------------------------------------------------------
def test_addon_compatibility(db_session):
    basic, unlimited, fibre = ProductFactory(), ProductFactory(), ProductFactory()
    boost = AddonFactory(compatible_with=[basic, unlimited])
    db_session.flush()
    for base in (basic, unlimited):
        found = uc.check_addon_compatible(
            db_session, addon_id=boost.product_id, base_product_id=base.product_id
        )
        assert found is boost
    with pytest.raises(AddonIncompatible) as caught:
        uc.check_addon_compatible(
            db_session, addon_id=boost.product_id, base_product_id=fibre.product_id
        )
    assert caught.value.status == 409
    assert caught.value.code == "addon_incompatible"
    assert caught.value.extra["compatible_with"] == sorted([basic.product_id, unlimited.product_id])


def test_only_an_addon_can_be_compatible(db_session):
    basic, other = ProductFactory(), ProductFactory()
    with pytest.raises(AddonIncompatible, match="not an add-on"):
        uc.check_addon_compatible(
            db_session, addon_id=basic.product_id, base_product_id=other.product_id
        )
    with pytest.raises(NotFound):
        uc.check_addon_compatible(db_session, addon_id=999_999, base_product_id=basic.product_id)


# --------------------------------------------------------------------------------------------
# price_snapshot
# --------------------------------------------------------------------------------------------
def test_price_snapshot_is_a_copy_that_later_edits_do_not_change(db_session):
    product = uc.create_product(
        db_session,
        product_name="Mobile Unlimited",
        category="standalone",
        retail_cost=Decimal("45.00"),
        wholesale_cost=Decimal("18.00"),
        tax_percentage=Decimal("10.00"),
        data_mb=102400,
        rate_per_mb=Decimal("0.0050"),
    )
    snapshot = uc.price_snapshot(product)
    assert snapshot["retail_cost"] == Decimal("45.00")
    assert isinstance(snapshot["retail_cost"], Decimal)
    assert snapshot["tax_percentage"] == Decimal("10.00")
    assert snapshot["rate_per_mb"] == Decimal("0.0050")
    assert snapshot["rate_per_sms"] is None
    assert snapshot["data_mb"] == 102400
    assert snapshot["category"] == "standalone"
    assert snapshot["billing_period"] == "monthly"
    assert snapshot["currency"] == "USD"

    uc.update_product(
        db_session, product_id=product.product_id, changes={"retail_cost": Decimal("50.00")}
    )
    assert product.retail_cost == Decimal("50.00")
    assert snapshot["retail_cost"] == Decimal("45.00")

    stored = uc.price_snapshot_json(product)
    assert json.loads(json.dumps(stored)) == stored  # storable in a JSON column as is
    assert stored["retail_cost"] == "50.00"
    assert stored["rate_per_mb"] == "0.005"
    assert stored["tax_percentage"] == "10.00"


# --------------------------------------------------------------------------------------------
# Slugs, the Percent column
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Mobile Basic 5GB", "mobile-basic-5gb"),
        ("First 3 months 50% off", "first-3-months-50-off"),
        ("  Home   Fibre_100!! ", "home-fibre-100"),
        ("Crème Brûlée", "creme-brulee"),
        ("Тариф", ""),
        ("a" * 150, "a" * 100),
        ("x" * 99 + " y", "x" * 99),
    ],
)
def test_slugify(name, slug):
    assert uc.slugify(name) == slug


@pytest.mark.parametrize("value", ["0.00", "0.01", "7.25", "33.33", "99.99", "100.00"])
def test_percent_column_is_exact(db_session, value):
    product = ProductFactory(tax_percentage=Decimal(value))
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(Product, product.product_id).tax_percentage
    assert stored == Decimal(value)
    assert str(stored) == value


# --------------------------------------------------------------------------------------------
# Demo catalog
# --------------------------------------------------------------------------------------------
def test_seed_catalog_is_realistic_and_idempotent(db_session):
    created = seed_catalog(db_session)
    assert len(created) == len(DEMO_PRODUCTS)
    assert seed_catalog(db_session) == []
    by_slug = {p.product_slug: p for p in db_session.scalars(select(Product))}
    basic = by_slug["mobile-basic-5gb"]
    unlimited = by_slug["mobile-unlimited"]
    boost = by_slug["data-boost-10gb"]
    assert basic.provisioning_play == unlimited.provisioning_play == "mobile_activate"
    assert basic.prepaid_eligible and not unlimited.prepaid_eligible
    assert boost.provisioning_play == "mobile_addon"
    assert boost.addon_compatible_with == sorted([basic.product_id, unlimited.product_id])
    family = by_slug["family-bundle"]
    assert family.bundle_children[:2] == [unlimited.product_id, unlimited.product_id]
    promo = by_slug["first-3-months-50-off"]
    assert promo.promo_target_product_id == unlimited.product_id
    assert promo.promo_discount_percent == Decimal("50.00") and promo.promo_months == 3
    fibre = by_slug["home-fibre-100"]
    assert fibre.provisioning_play == "router_activate"
    assert fibre.inventory_items_list == ["Router"]
    # Every play the demo catalog names is a playbook that exists.
    from omnicrm.settings import REPO_ROOT

    for product in by_slug.values():
        if product.provisioning_play:
            assert (REPO_ROOT / "ansible" / f"{product.provisioning_play}.yml").is_file()
    uc.get_sellable_product(
        db_session, product_id=family.product_id, customer_payment_type="postpaid"
    )
    uc.check_addon_compatible(
        db_session, addon_id=boost.product_id, base_product_id=basic.product_id
    )
