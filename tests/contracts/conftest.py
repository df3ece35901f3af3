"""A sellable product, a customer with a site and free SIMs and numbers, for contract tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnicrm.customers.models import PaymentType
from omnicrm.inventory import use_cases as inv
from tests.factories import (
    CustomerFactory,
    PhoneNumberFactory,
    ProductFactory,
    SimFactory,
    SiteFactory,
)


@pytest.fixture
def stock(db_session):
    inv.sync_inventory_templates(db_session)
    SimFactory.create_batch(3)
    PhoneNumberFactory.create_batch(3)
    db_session.commit()


@pytest.fixture
def customer(db_session):
    customer = CustomerFactory(
        customer_name="Harbour Cafe", customer_payment_type=PaymentType.prepaid
    )
    db_session.commit()
    return customer


@pytest.fixture
def site(db_session, customer):
    site = SiteFactory(
        customer=customer, site_name="Head office", address_line_1="1 Main Street", city="Sydney"
    )
    db_session.commit()
    return site


@pytest.fixture
def product(db_session):
    product = ProductFactory(
        product_name="Mobile 20",
        retail_cost=Decimal("20"),
        retail_setup_cost=Decimal("0"),
        tax_percentage=Decimal("10.00"),
        contract_term_months=12,
    )
    db_session.commit()
    return product
