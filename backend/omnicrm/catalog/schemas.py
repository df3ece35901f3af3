"""Request and response schemas of the product catalog API.

Schemas check types, ranges and lengths; cross-field and category rules (which fields belong to
which category, promo discounts, eligibility) live in ``use_cases`` so every caller gets them.
Unknown fields are refused (marshmallow's default RAISE). Money and percentages are decimal
strings; a JSON float is refused, so no amount is ever rounded through binary floating point.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from omnicrm.catalog.models import BillingPeriod, ProductCategory
from omnicrm.core.fields import ID, MAX_ID, Name, Text
from omnicrm.core.money import NON_NEGATIVE_MONEY_PATTERN, MoneyField, PercentField
from omnicrm.core.query import sort_field

CATEGORIES = [c.value for c in ProductCategory]
BILLING_PERIODS = [p.value for p in BillingPeriod]
PAYMENT_TYPES = ["prepaid", "postpaid"]
PRODUCT_SORTS = ("product_name", "created_at", "retail_cost", "product_id")

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PLAY_PATTERN = r"^[a-z0-9_\-]+$"
MAX_JSON_VARS_BYTES = 64 * 1024
MAX_JSON_DEPTH = 10
MAX_ALLOWANCE = MAX_ID  # 32-bit columns
MAX_LIST = 50


class NonNegativeMoney(MoneyField):
    """Money that cannot be below zero (prices, costs, rates)."""

    pattern = NON_NEGATIVE_MONEY_PATTERN

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount < 0:
            raise ValidationError("Must not be negative.")
        return amount


def _check_json_value(value: Any, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise ValidationError(f"Nested deeper than {MAX_JSON_DEPTH} levels.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError("Must not contain NUL characters.")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError("Numbers must be finite.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json_value(key, depth + 1)
            _check_json_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_value(item, depth + 1)


class JsonObject(fields.Dict):
    """Any JSON object (not a string, array or null): playbook variables."""

    default_error_messages = {"invalid": "Must be a JSON object."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        _check_json_value(value)
        if len(json.dumps(value)) > MAX_JSON_VARS_BYTES:
            raise ValidationError(f"At most {MAX_JSON_VARS_BYTES // 1024} KB.")
        return value


def _allowance(description: str) -> fields.Integer:
    return fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=0, max=MAX_ALLOWANCE),
        metadata={"description": description},
    )


def _rate(description: str) -> NonNegativeMoney:
    return NonNegativeMoney(allow_none=True, metadata={"description": description})


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------
class ProductSchema(Schema):
    product_id = fields.Integer()
    product_name = Text()
    product_slug = Text()
    category = Text(validate=validate.OneOf(CATEGORIES))
    description = Text(allow_none=True)
    enabled = fields.Boolean()
    provisioning_play = Text(allow_none=True)
    provisioning_json_vars = fields.Dict()
    inventory_items_list = fields.List(Text())
    currency = Text()
    billing_period = Text(validate=validate.OneOf(BILLING_PERIODS))
    retail_cost = MoneyField()
    wholesale_cost = MoneyField()
    retail_setup_cost = MoneyField()
    wholesale_setup_cost = MoneyField()
    tax_percentage = PercentField()
    data_mb = fields.Integer(allow_none=True)
    voice_minutes = fields.Integer(allow_none=True)
    sms = fields.Integer(allow_none=True)
    rate_per_mb = MoneyField(allow_none=True)
    rate_per_minute = MoneyField(allow_none=True)
    rate_per_sms = MoneyField(allow_none=True)
    allowance_rollover = fields.Boolean()
    allowance_alerts = fields.List(fields.Integer())
    low_balance_alert = MoneyField(allow_none=True)
    exhausted_play = Text(allow_none=True)
    prepaid_eligible = fields.Boolean()
    postpaid_eligible = fields.Boolean()
    contract_term_months = fields.Integer()
    bundle_children = fields.List(fields.Integer())
    addon_compatible_with = fields.List(fields.Integer())
    promo_target_product_id = fields.Integer(allow_none=True)
    promo_discount_percent = PercentField(allow_none=True)
    promo_discount_amount = MoneyField(allow_none=True)
    promo_months = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProductUpdateSchema(Schema):
    """Every field optional; ``null`` clears an optional field. The category cannot change."""

    class Meta:
        description = (
            "Category rules, checked on the product as it will be (422 on the field named): "
            "bundle_children only for bundles and at least one; addon_compatible_with only "
            "for add-ons and at least one; promo_* only for promos, which need "
            "promo_target_product_id, promo_months and exactly one of promo_discount_percent "
            "and promo_discount_amount; prepaid_eligible and postpaid_eligible not both false. "
            "Referenced products must exist, not be this product and be of an allowed category "
            "(422); product_slug is unique (409)"
        )

    product_name = Name(validate=validate.Length(min=1, max=200))
    product_slug = Text(
        validate=[validate.Length(min=1, max=100), validate.Regexp(SLUG_PATTERN)],
        metadata={"description": "Lower-case letters, digits and single hyphens; unique"},
    )
    description = Text(allow_none=True, validate=validate.Length(max=10_000))
    enabled = fields.Boolean(metadata={"description": "Disabled products cannot be sold"})
    provisioning_play = Text(
        allow_none=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(PLAY_PATTERN)],
        metadata={"description": "Ansible playbook name (a-z 0-9 _ -)"},
    )
    provisioning_json_vars = JsonObject(
        metadata={
            "description": "Variables for the product's plays: only those its plays declare "
            "(ansible/caller_vars/<play>.yml), each within its bounds, plus `plays` (an object "
            "of action -> play name); anything else is a 422 on provisioning_json_vars.<key>"
        }
    )
    inventory_items_list = fields.List(
        Text(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(max=MAX_LIST),
        metadata={"description": 'Inventory template names needed, e.g. ["SIM Card"]'},
    )
    currency = Text(
        validate=validate.Length(equal=3),
        metadata={"pattern": r"^[A-Za-z]{3}$", "description": "Stored upper-case"},
    )
    billing_period = Text(validate=validate.OneOf(BILLING_PERIODS))
    retail_cost = NonNegativeMoney(metadata={"description": "Price per billing period"})
    wholesale_cost = NonNegativeMoney(metadata={"description": "Cost per billing period"})
    retail_setup_cost = NonNegativeMoney(metadata={"description": "One-time price at sale"})
    wholesale_setup_cost = NonNegativeMoney(metadata={"description": "One-time cost at sale"})
    tax_percentage = PercentField(metadata={"description": "0-100, two decimal places"})
    data_mb = _allowance("Data included per billing period, MB (null: none)")
    voice_minutes = _allowance("Voice minutes included per billing period (null: none)")
    sms = _allowance("SMS included per billing period (null: none)")
    rate_per_mb = _rate("Price per MB beyond the allowance (null: not rated)")
    rate_per_minute = _rate("Price per minute beyond the allowance (null: not rated)")
    rate_per_sms = _rate("Price per SMS beyond the allowance (null: not rated)")
    allowance_rollover = fields.Boolean(
        metadata={
            "description": "Unused allowance carries into the next period, up to one "
            "period's size (false: it expires)"
        }
    )
    allowance_alerts = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=100)),
        validate=validate.Length(max=5),
        metadata={
            "description": "Percentages of each allowance used at which the customer is "
            "e-mailed and staff alerted, once per period, e.g. [80, 100]",
            "uniqueItems": True,
        },
    )
    low_balance_alert = NonNegativeMoney(
        allow_none=True,
        metadata={"description": "Alert once per period when money falls below this"},
    )
    exhausted_play = Text(
        allow_none=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(PLAY_PATTERN)],
        metadata={
            "description": "Play run for the service when an allowance is used up (e.g. bar "
            "data); it must exist (422)"
        },
    )
    prepaid_eligible = fields.Boolean()
    postpaid_eligible = fields.Boolean(
        metadata={"description": "At least one of prepaid/postpaid_eligible is true"}
    )
    contract_term_months = fields.Integer(strict=True, validate=validate.Range(min=0, max=60))
    bundle_children = fields.List(
        fields.Integer(strict=True, validate=ID),
        allow_none=True,
        validate=validate.Length(max=MAX_LIST),
        metadata={"description": "Bundles only: ordered standalone/add-on product ids"},
    )
    addon_compatible_with = fields.List(
        fields.Integer(strict=True, validate=ID),
        allow_none=True,
        validate=validate.Length(max=MAX_LIST),
        metadata={"description": "Add-ons only: standalone/bundle product ids it attaches to"},
    )
    promo_target_product_id = fields.Integer(
        strict=True,
        allow_none=True,
        validate=ID,
        metadata={"description": "Promos only: the product discounted"},
    )
    promo_discount_percent = PercentField(
        allow_none=True,
        metadata={"description": "Promos only: percent off (or promo_discount_amount)"},
    )
    promo_discount_amount = NonNegativeMoney(
        allow_none=True,
        metadata={"description": "Promos only: amount off (or promo_discount_percent)"},
    )
    promo_months = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=36),
        metadata={"description": "Promos only: billing months discounted (1-36)"},
    )


class ProductCreateSchema(ProductUpdateSchema):
    product_name = Name(required=True, validate=validate.Length(min=1, max=200))
    product_slug = Text(
        validate=[validate.Length(min=1, max=100), validate.Regexp(SLUG_PATTERN)],
        metadata={"description": "Generated from the name when omitted; unique"},
    )
    category = Text(required=True, validate=validate.OneOf(CATEGORIES))
    retail_cost = NonNegativeMoney(
        required=True, metadata={"description": "Price per billing period"}
    )


class ProductQuerySchema(Schema):
    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "Search name, slug and description"},
    )
    category = fields.List(
        Text(validate=validate.OneOf(CATEGORIES)), metadata={"description": "Repeatable"}
    )
    enabled = fields.Boolean()
    billing_period = Text(validate=validate.OneOf(BILLING_PERIODS))
    prepaid_eligible = fields.Boolean()
    postpaid_eligible = fields.Boolean()
    compatible_with = fields.Integer(
        validate=ID,
        metadata={"description": "Only add-ons that can be attached to this product id"},
    )
    sort = sort_field(PRODUCT_SORTS, "product_name")
