"""Demo catalog for a fresh install: mobile tariffs, an add-on, a bundle, a promotion, fibre.

Idempotent: products are found by slug, and only missing ones are created (through the use
cases, so they obey the same rules as the API). Call from the demo seeding job.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.catalog import use_cases as uc
from omnicrm.catalog.models import Product

_MOBILE = ["SIM Card", "Phone Number"]

# In creation order: later products refer to earlier ones by slug ("@slug").
DEMO_PRODUCTS: list[dict[str, Any]] = [
    {
        "product_name": "Mobile Basic 5GB",
        "category": "standalone",
        "description": "Prepaid mobile: 5 GB, 200 minutes and 200 SMS every month.",
        "retail_cost": Decimal("15.00"),
        "wholesale_cost": Decimal("6.50"),
        "retail_setup_cost": Decimal("5.00"),
        "wholesale_setup_cost": Decimal("1.20"),
        "tax_percentage": Decimal("10.00"),
        "data_mb": 5 * 1024,
        "voice_minutes": 200,
        "sms": 200,
        "rate_per_mb": Decimal("0.0100"),
        "rate_per_minute": Decimal("0.1000"),
        "rate_per_sms": Decimal("0.0500"),
        "prepaid_eligible": True,
        "postpaid_eligible": False,
        "provisioning_play": "mobile_activate",
        "provisioning_json_vars": {"apn": "internet", "qos_profile": "basic", "roaming": False},
        "inventory_items_list": _MOBILE,
    },
    {
        "product_name": "Mobile Unlimited",
        "category": "standalone",
        "description": "Postpaid mobile: 100 GB fair use, 3000 minutes, 3000 SMS, 12-month term.",
        "retail_cost": Decimal("45.00"),
        "wholesale_cost": Decimal("18.00"),
        "retail_setup_cost": Decimal("0.00"),
        "tax_percentage": Decimal("10.00"),
        "data_mb": 100 * 1024,
        "voice_minutes": 3000,
        "sms": 3000,
        "rate_per_mb": Decimal("0.0050"),
        "rate_per_minute": Decimal("0.0500"),
        "rate_per_sms": Decimal("0.0500"),
        "prepaid_eligible": False,
        "postpaid_eligible": True,
        "contract_term_months": 12,
        "provisioning_play": "mobile_activate",
        "provisioning_json_vars": {"apn": "internet", "qos_profile": "unlimited", "roaming": True},
        "inventory_items_list": _MOBILE,
    },
    {
        "product_name": "Data Boost 10GB",
        "category": "addon",
        "description": "10 GB extra data for the rest of the month.",
        "retail_cost": Decimal("10.00"),
        "wholesale_cost": Decimal("3.00"),
        "tax_percentage": Decimal("10.00"),
        "billing_period": "one_off",
        "data_mb": 10 * 1024,
        "provisioning_play": "mobile_addon",
        "provisioning_json_vars": {"bucket": "data", "mb": 10240},
        "addon_compatible_with": ["@mobile-basic-5gb", "@mobile-unlimited"],
    },
    {
        "product_name": "Family Bundle",
        "category": "bundle",
        "description": "Two Mobile Unlimited lines and a Data Boost, one bill.",
        "retail_cost": Decimal("79.00"),
        "wholesale_cost": Decimal("39.00"),
        "tax_percentage": Decimal("10.00"),
        "prepaid_eligible": False,
        "postpaid_eligible": True,
        "contract_term_months": 24,
        "bundle_children": ["@mobile-unlimited", "@mobile-unlimited", "@data-boost-10gb"],
    },
    {
        "product_name": "First 3 months 50% off",
        "category": "promo",
        "description": "Half price Mobile Unlimited for the first three months.",
        "retail_cost": Decimal("0.00"),
        "promo_target_product_id": "@mobile-unlimited",
        "promo_discount_percent": Decimal("50.00"),
        "promo_months": 3,
        "prepaid_eligible": False,
        "postpaid_eligible": True,
    },
    {
        "product_name": "Home Fibre 100",
        "category": "standalone",
        "description": "100/20 Mbit/s fibre internet with a managed router.",
        "retail_cost": Decimal("55.00"),
        "wholesale_cost": Decimal("30.00"),
        "retail_setup_cost": Decimal("99.00"),
        "wholesale_setup_cost": Decimal("60.00"),
        "tax_percentage": Decimal("10.00"),
        "contract_term_months": 12,
        "provisioning_play": "router_activate",
        "provisioning_json_vars": {
            "wan_mode": "pppoe",
            "download_mbps": 100,
            "upload_mbps": 20,
            "vlan": 100,
        },
        "inventory_items_list": ["Router"],
    },
]


def _resolve(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    return value


def seed_catalog(session: Session, *, currency: str = "USD") -> list[Product]:
    """Create the demo products that do not exist yet (by slug), priced in ``currency``;
    returns the ones created."""
    found = session.execute(select(Product.product_slug, Product.product_id))
    ids: dict[str, int] = {slug: pid for slug, pid in found}
    created: list[Product] = []
    for spec in DEMO_PRODUCTS:
        slug = uc.slugify(spec["product_name"])
        if slug in ids:
            continue
        product = uc.create_product(
            session,
            currency=currency,
            **{key: _resolve(value, ids) for key, value in spec.items()},
        )
        ids[product.product_slug] = product.product_id
        created.append(product)
    return created
