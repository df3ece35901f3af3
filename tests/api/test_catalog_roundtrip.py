"""Property: any valid product round-trips through the API exactly (POST, then GET returns what
was sent; money and percentages to the last decimal place), whatever its category."""

from __future__ import annotations

import secrets
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicrm.core.money import format_money

MONEY = st.decimals(
    min_value=Decimal(0), max_value=Decimal("9999999999.9999"), places=4, allow_nan=False
)
PERCENT = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2, allow_nan=False)
ALLOWANCE = st.none() | st.integers(min_value=0, max_value=2**31 - 1)
NAME_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
# Product variables must be declared by the product's play (ansible/caller_vars/<play>.yml):
# values mobile_activate accepts; the test gives them that play.
JSON_VARS = st.fixed_dictionaries(
    {},
    optional={
        "apn": st.from_regex(r"\A[a-z0-9]{1,20}(\.[a-z0-9]{1,20}){0,2}\Z"),
        "qos_profile": st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z"),
        "roaming": st.booleans(),
    },
)

PRODUCTS = st.fixed_dictionaries(
    {
        "product_name": st.text(NAME_CHARS, min_size=1, max_size=30).filter(
            lambda s: any(c.isalnum() for c in s)
        ),
        "retail_cost": MONEY,
    },
    optional={
        "wholesale_cost": MONEY,
        "retail_setup_cost": MONEY,
        "wholesale_setup_cost": MONEY,
        "rate_per_mb": st.none() | MONEY,
        "rate_per_minute": st.none() | MONEY,
        "rate_per_sms": st.none() | MONEY,
        "tax_percentage": PERCENT,
        "data_mb": ALLOWANCE,
        "voice_minutes": ALLOWANCE,
        "sms": ALLOWANCE,
        "billing_period": st.sampled_from(["monthly", "weekly", "daily", "one_off"]),
        "contract_term_months": st.integers(min_value=0, max_value=60),
        "enabled": st.booleans(),
        "currency": st.sampled_from(["USD", "EUR", "KZT", "AUD"]),
        "provisioning_play": st.none() | st.from_regex(r"\A[a-z0-9_\-]{1,30}\Z"),
        "provisioning_json_vars": JSON_VARS,
        "inventory_items_list": st.lists(
            st.sampled_from(["SIM Card", "Phone Number", "Router", "eSIM"]), max_size=4
        ),
        "description": st.none()
        | st.text(
            st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp"]),
            min_size=1,
            max_size=50,
        ),
    },
).filter(lambda p: p.get("prepaid_eligible", True) or p.get("postpaid_eligible", True))

DECIMAL_FIELDS = {
    "promo_discount_percent",
    "promo_discount_amount",
    "retail_cost",
    "wholesale_cost",
    "retail_setup_cost",
    "wholesale_setup_cost",
    "rate_per_mb",
    "rate_per_minute",
    "rate_per_sms",
    "tax_percentage",
}


def _wire(value):
    """As JSON would carry it: money as a decimal string."""
    return format_money(value) if isinstance(value, Decimal) else value


def _category_fields(data, category, bases):
    """The fields a category needs, drawn against existing standalone products ``bases``."""
    if category == "bundle":
        return {
            "bundle_children": data.draw(st.lists(st.sampled_from(bases), min_size=1, max_size=4))
        }
    if category == "addon":
        chosen = data.draw(st.lists(st.sampled_from(bases), min_size=1, max_size=3, unique=True))
        return {"addon_compatible_with": sorted(chosen)}
    if category == "promo":
        discount = data.draw(
            st.one_of(
                PERCENT.map(lambda p: {"promo_discount_percent": f"{p:f}"}),
                MONEY.map(lambda m: {"promo_discount_amount": format_money(m)}),
            )
        )
        return {
            "promo_target_product_id": data.draw(st.sampled_from(bases)),
            "promo_months": data.draw(st.integers(min_value=1, max_value=36)),
            **discount,
        }
    return {}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    product=PRODUCTS,
    category=st.sampled_from(["standalone", "bundle", "addon", "promo"]),
    eligibility=st.sampled_from([(True, True), (True, False), (False, True)]),
    data=st.data(),
)
def test_any_valid_product_round_trips(api, admin_headers, product, category, eligibility, data):
    bases = []
    for _ in range(2):
        base = {
            "product_name": "Base",
            "product_slug": f"b-{secrets.token_hex(6)}",
            "category": "standalone",
            "retail_cost": "1",
        }
        response = api.client.post("/crm/product/", json=base, headers=admin_headers)
        bases.append(response.get_json()["product_id"])
    payload = {key: _wire(value) for key, value in product.items()}
    payload["category"] = category
    payload["prepaid_eligible"], payload["postpaid_eligible"] = eligibility
    payload["product_slug"] = f"p-{secrets.token_hex(6)}"  # names may collide across examples
    payload.update(_category_fields(data, category, bases))
    if payload.get("provisioning_json_vars"):
        payload["provisioning_play"] = "mobile_activate"  # the play that declares them

    created = api.client.post("/crm/product/", json=payload, headers=admin_headers)
    assert created.status_code == 201, (payload, created.get_json())
    product_id = created.get_json()["product_id"]
    fetched = api.client.get(f"/crm/product/{product_id}", headers=admin_headers)
    assert fetched.status_code == 200
    body = fetched.get_json()
    assert body == created.get_json()
    for key, sent in payload.items():
        got = body[key]
        if key in DECIMAL_FIELDS and sent is not None:
            assert isinstance(got, str)
            assert Decimal(got) == Decimal(sent), key
        elif key == "product_name":
            assert got == " ".join(sent.split())
        else:
            assert got == sent, key
