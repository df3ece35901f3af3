"""Product catalog business rules: category rules, bundles, add-on compatibility, promotions,
what may be sold to whom, and the price snapshot a sale keeps.

Plain functions over a Session: they flush, never commit. Other domains (contracts, services,
self-care) call :func:`get_sellable_product`, :func:`check_addon_compatible` and
:func:`price_snapshot`; they never query the catalog's tables themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from omnicrm.catalog.errors import (
    AddonIncompatible,
    DuplicateProduct,
    ProductDisabled,
    ProductNotEligible,
)
from omnicrm.catalog.models import (
    BillingPeriod,
    Product,
    ProductAddonCompatibility,
    ProductBundleItem,
    ProductCategory,
)
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.fields import storable_id
from omnicrm.core.money import format_money
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import validation as v
from omnicrm.plays import declared_vars

SLUG_MAX_LENGTH = 100
PAYMENT_TYPES = ("prepaid", "postpaid")

# Which category each category-specific field belongs to.
CATEGORY_FIELDS: dict[str, ProductCategory] = {
    "bundle_children": ProductCategory.bundle,
    "addon_compatible_with": ProductCategory.addon,
    "promo_target_product_id": ProductCategory.promo,
    "promo_discount_percent": ProductCategory.promo,
    "promo_discount_amount": ProductCategory.promo,
    "promo_months": ProductCategory.promo,
}
# What a bundle may contain, what an add-on may attach to, what a promo may discount.
BUNDLE_CHILD_CATEGORIES = frozenset({ProductCategory.standalone, ProductCategory.addon})
ADDON_BASE_CATEGORIES = frozenset({ProductCategory.standalone, ProductCategory.bundle})
PROMO_TARGET_CATEGORIES = frozenset(
    {ProductCategory.standalone, ProductCategory.bundle, ProductCategory.addon}
)

# The fields a sale copies (see price_snapshot): later edits of the product never reach them.
MONEY_SNAPSHOT_FIELDS = (
    "retail_cost",
    "wholesale_cost",
    "retail_setup_cost",
    "wholesale_setup_cost",
    "rate_per_mb",
    "rate_per_minute",
    "rate_per_sms",
    "promo_discount_amount",
)
PERCENT_SNAPSHOT_FIELDS = ("tax_percentage", "promo_discount_percent")
PLAIN_SNAPSHOT_FIELDS = (
    "product_id",
    "product_slug",
    "product_name",
    "category",
    "currency",
    "billing_period",
    "data_mb",
    "voice_minutes",
    "sms",
    "contract_term_months",
    "promo_target_product_id",
    "promo_months",
)


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------
class _FieldErrors:
    """Collects every field's problem so one 422 names them all."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(
                "invalid " + ", ".join(sorted(self.errors)), errors={"json": self.errors}
            )


def slugify(name: str) -> str:
    """A URL-safe slug of a name: ``"Mobile Basic 5GB"`` -> ``"mobile-basic-5gb"``.

    Accents are dropped (``é`` -> ``e``); other non-ASCII letters cannot be spelled in a slug,
    so a name made only of them gives ``""`` (the caller must then provide a slug).
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def _given(value: Any) -> bool:
    """A category-specific field counts as given unless it is null or an empty list."""
    return value is not None and value != []


def _normalise(data: Mapping[str, Any], errors: _FieldErrors) -> dict[str, Any]:
    values = dict(data)
    for field, normalise in (
        ("product_name", v.normalise_name),
        ("currency", v.normalise_currency),
    ):
        if values.get(field) is not None:
            try:
                values[field] = normalise(values[field])
            except ValueError as exc:
                errors.add(field, str(exc))
    if "description" in values and values["description"] is not None:
        values["description"] = values["description"].strip() or None
    if values.get("inventory_items_list") is not None:
        items = [" ".join(item.split()) for item in values["inventory_items_list"]]
        if not all(items):
            errors.add("inventory_items_list", "template names must not be blank")
        values["inventory_items_list"] = items
    if values.get("addon_compatible_with") is not None:
        values["addon_compatible_with"] = list(dict.fromkeys(values["addon_compatible_with"]))
    if values.get("allowance_alerts") is not None:
        alerts = values["allowance_alerts"]
        if len(set(alerts)) != len(alerts):
            errors.add("allowance_alerts", "each percentage once")
        values["allowance_alerts"] = sorted(set(alerts))
    elif "allowance_alerts" in values:
        values["allowance_alerts"] = []
    play = values.get("exhausted_play")
    if play is not None and not declared_vars.has_play(declared_vars.current_ansible_dir(), play):
        errors.add("exhausted_play", f"no play {play!r} in the ansible directory")
    return values


def _check_category_fields(
    category: ProductCategory, values: Mapping[str, Any], errors: _FieldErrors
) -> None:
    for field, owner in CATEGORY_FIELDS.items():
        if owner != category and _given(values.get(field)):
            errors.add(field, f"only for {owner.value} products, not {category.value}")


def _check_category_requirements(
    category: ProductCategory, merged: Mapping[str, Any], errors: _FieldErrors
) -> None:
    """What each category needs, on the product as it will be (create, or stored + patch)."""
    if category == ProductCategory.bundle and not merged.get("bundle_children"):
        errors.add("bundle_children", "a bundle needs at least one child product")
    if category == ProductCategory.addon and not merged.get("addon_compatible_with"):
        errors.add("addon_compatible_with", "an add-on must name the products it attaches to")
    if category == ProductCategory.promo:
        if merged.get("promo_target_product_id") is None:
            errors.add("promo_target_product_id", "a promotion needs the product it discounts")
        if merged.get("promo_months") is None:
            errors.add("promo_months", "a promotion lasts 1-36 billing months")
        percent = merged.get("promo_discount_percent")
        amount = merged.get("promo_discount_amount")
        if (percent is None) == (amount is None):
            message = "give exactly one of promo_discount_percent and promo_discount_amount"
            errors.add("promo_discount_percent", message)
            errors.add("promo_discount_amount", message)
    if not merged.get("prepaid_eligible", True) and not merged.get("postpaid_eligible", True):
        message = "a product must be sold to prepaid or postpaid customers (or both)"
        errors.add("prepaid_eligible", message)
        errors.add("postpaid_eligible", message)


def _check_references(
    session: Session,
    *,
    product_id: int | None,
    values: Mapping[str, Any],
    errors: _FieldErrors,
) -> None:
    """Referenced products must exist, not be this product, and be of an allowed category."""
    rules: list[tuple[str, list[int], frozenset[ProductCategory], str]] = []
    if _given(values.get("bundle_children")):
        rules.append(
            ("bundle_children", values["bundle_children"], BUNDLE_CHILD_CATEGORIES, "bundle")
        )
    if _given(values.get("addon_compatible_with")):
        rules.append(
            ("addon_compatible_with", values["addon_compatible_with"], ADDON_BASE_CATEGORIES, "")
        )
    if values.get("promo_target_product_id") is not None:
        rules.append(
            (
                "promo_target_product_id",
                [values["promo_target_product_id"]],
                PROMO_TARGET_CATEGORIES,
                "",
            )
        )
    wanted = {pid for _, ids, _, _ in rules for pid in ids}
    if not wanted:
        return
    found = session.execute(
        select(Product.product_id, Product.category).where(Product.product_id.in_(wanted))
    )
    categories = {pid: category for pid, category in found}
    for field, ids, allowed, _ in rules:
        for pid in dict.fromkeys(ids):
            if pid == product_id:
                errors.add(field, "a product cannot refer to itself")
            elif pid not in categories:
                errors.add(field, f"product {pid} does not exist")
            elif categories[pid] not in allowed:
                kinds = "/".join(sorted(c.value for c in allowed))
                errors.add(
                    field, f"product {pid} is a {categories[pid].value}: only {kinds} allowed"
                )


def _check_provisioning_vars(
    provisioning_play: str | None, json_vars: Mapping[str, Any] | None, errors: _FieldErrors
) -> None:
    """``provisioning_json_vars`` reach the product's plays: only what those plays declare
    (ansible/caller_vars/<play>.yml), with values their rules accept; ``plays`` maps actions to
    play names. Errors are named ``provisioning_json_vars.<key>``."""
    if not json_vars:
        return
    problems = declared_vars.check_product_vars(
        declared_vars.current_ansible_dir(), provisioning_play, json_vars
    )
    for field, messages in problems.items():
        for message in messages:
            errors.add(field, message)


def _reject_duplicate_slug(session: Session, slug: str, exclude_id: int | None = None) -> None:
    stmt = select(Product.product_id).where(Product.product_slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Product.product_id != exclude_id)
    existing = session.scalar(stmt.limit(1))
    if existing is not None:
        raise DuplicateProduct(
            f"product {existing} already has the slug {slug!r}",
            errors={"json": {"product_slug": [f"already used by product {existing}"]}},
            extra={"existing_product_id": existing},
        )


def _set_bundle_children(product: Product, children: list[int]) -> None:
    """Reconcile the bundle's positions in place (no delete-then-insert of the same keys)."""
    by_position = {item.position: item for item in product.bundle_items}
    for position, child_id in enumerate(children):
        item = by_position.get(position)
        if item is None:
            product.bundle_items.append(
                ProductBundleItem(position=position, child_product_id=child_id)
            )
        elif item.child_product_id != child_id:
            item.child_product_id = child_id
    for position, item in by_position.items():
        if position >= len(children):
            product.bundle_items.remove(item)


def _set_addon_compatibility(product: Product, base_ids: Iterable[int]) -> None:
    wanted = list(dict.fromkeys(base_ids))
    existing = {link.base_product_id: link for link in product.addon_links}
    for base_id, link in existing.items():
        if base_id not in wanted:
            product.addon_links.remove(link)
    for base_id in wanted:
        if base_id not in existing:
            product.addon_links.append(ProductAddonCompatibility(base_product_id=base_id))


_ENUMS: dict[str, Any] = {"category": ProductCategory, "billing_period": BillingPeriod}
_COLLECTIONS = frozenset({"bundle_children", "addon_compatible_with"})


def _apply(product: Product, values: Mapping[str, Any]) -> None:
    for field, value in values.items():
        if field in _COLLECTIONS:
            continue
        setattr(product, field, _ENUMS[field](value) if field in _ENUMS else value)
    if "bundle_children" in values:
        _set_bundle_children(product, list(values["bundle_children"] or []))
    if "addon_compatible_with" in values:
        _set_addon_compatibility(product, values["addon_compatible_with"] or [])


# ---------------------------------------------------------------------------------------------
# CRUD
# ---------------------------------------------------------------------------------------------
def get_product(session: Session, *, product_id: int) -> Product:
    product = session.get(Product, product_id) if storable_id(product_id) else None
    if product is None:
        raise NotFound(f"product {product_id} not found")
    return product


def create_product(
    session: Session,
    *,
    product_name: str,
    category: str,
    retail_cost: Decimal,
    product_slug: str | None = None,
    **fields: Any,
) -> Product:
    """Create a product; 409 ``duplicate_product`` when its slug is taken.

    ``fields`` are the optional columns of the product and ``bundle_children`` /
    ``addon_compatible_with``. The slug is generated from the name when not given.
    """
    unknown = set(fields) - _CREATE_FIELDS
    if unknown:
        raise TypeError(f"unknown product fields: {', '.join(sorted(unknown))}")
    errors = _FieldErrors()
    kind = ProductCategory(category)
    values = _normalise(
        {"product_name": product_name, "retail_cost": retail_cost, **fields}, errors
    )
    if product_slug is None and "product_name" not in errors.errors:
        product_slug = slugify(values["product_name"])
        if not product_slug:
            errors.add("product_slug", "cannot be made from this name: give a product_slug")
    _check_category_fields(kind, values, errors)
    _check_category_requirements(kind, values, errors)
    _check_references(session, product_id=None, values=values, errors=errors)
    _check_provisioning_vars(
        values.get("provisioning_play"), values.get("provisioning_json_vars"), errors
    )
    errors.raise_if_any()
    assert product_slug is not None
    _reject_duplicate_slug(session, product_slug)
    product = Product(category=kind, product_slug=product_slug)
    _apply(product, values)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, *, product_id: int, changes: Mapping[str, Any]) -> Product:
    """Change a product (not its category). Prices may change: sales already made keep the
    :func:`price_snapshot` they copied, and the change is in the activity log."""
    product = get_product(session, product_id=product_id)
    unknown = set(changes) - _UPDATE_FIELDS
    if unknown:
        raise ValidationFailed(
            "invalid " + ", ".join(sorted(unknown)),
            errors={"json": {f: ["cannot be changed"] for f in sorted(unknown)}},
        )
    errors = _FieldErrors()
    values = _normalise(changes, errors)
    _check_category_fields(product.category, values, errors)
    merged = {field: getattr(product, field) for field in _MERGED_FIELDS}
    merged.update(values)
    _check_category_requirements(product.category, merged, errors)
    _check_references(session, product_id=product.product_id, values=values, errors=errors)
    if "provisioning_play" in values or "provisioning_json_vars" in values:
        _check_provisioning_vars(
            values.get("provisioning_play", product.provisioning_play),
            values.get("provisioning_json_vars", product.provisioning_json_vars),
            errors,
        )
    errors.raise_if_any()
    if "product_slug" in values and values["product_slug"] != product.product_slug:
        _reject_duplicate_slug(session, values["product_slug"], exclude_id=product.product_id)
    _apply(product, values)
    session.flush()
    return product


def disable_product(session: Session, *, product_id: int) -> Product:
    """Disable (never delete: services and invoices refer to products). Idempotent."""
    product = get_product(session, product_id=product_id)
    if product.enabled:
        product.enabled = False
        session.flush()
    return product


_UPDATE_FIELDS = frozenset(
    {
        "product_name",
        "product_slug",
        "description",
        "enabled",
        "provisioning_play",
        "provisioning_json_vars",
        "inventory_items_list",
        "currency",
        "billing_period",
        "retail_cost",
        "wholesale_cost",
        "retail_setup_cost",
        "wholesale_setup_cost",
        "tax_percentage",
        "data_mb",
        "voice_minutes",
        "sms",
        "rate_per_mb",
        "rate_per_minute",
        "rate_per_sms",
        "allowance_rollover",
        "allowance_alerts",
        "low_balance_alert",
        "exhausted_play",
        "prepaid_eligible",
        "postpaid_eligible",
        "contract_term_months",
        *CATEGORY_FIELDS,
    }
)
_CREATE_FIELDS = _UPDATE_FIELDS - {"product_name", "product_slug", "retail_cost"}
_MERGED_FIELDS = (
    "bundle_children",
    "addon_compatible_with",
    "promo_target_product_id",
    "promo_discount_percent",
    "promo_discount_amount",
    "promo_months",
    "prepaid_eligible",
    "postpaid_eligible",
)


# ---------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------
_SORT_COLUMNS: dict[str, Any] = {
    "product_name": func.lower(Product.product_name),
    "created_at": Product.created_at,
    "retail_cost": Product.retail_cost,
    "product_id": Product.product_id,
}


def products_query(
    *,
    q: str | None = None,
    category: list[str] | None = None,
    enabled: bool | None = None,
    billing_period: str | None = None,
    prepaid_eligible: bool | None = None,
    postpaid_eligible: bool | None = None,
    compatible_with: int | None = None,
    sort: str = "product_name",
) -> Select[Any]:
    """Products matching every filter (disabled ones included unless ``enabled`` is given)."""
    stmt = select(Product)
    if category:
        stmt = stmt.where(Product.category.in_([ProductCategory(c) for c in category]))
    if enabled is not None:
        stmt = stmt.where(Product.enabled.is_(enabled))
    if billing_period:
        stmt = stmt.where(Product.billing_period == BillingPeriod(billing_period))
    if prepaid_eligible is not None:
        stmt = stmt.where(Product.prepaid_eligible.is_(prepaid_eligible))
    if postpaid_eligible is not None:
        stmt = stmt.where(Product.postpaid_eligible.is_(postpaid_eligible))
    if compatible_with is not None:
        stmt = stmt.where(
            Product.addon_links.any(ProductAddonCompatibility.base_product_id == compatible_with)
        )
    if q and q.strip():
        pattern = like_pattern(q.strip())
        matches: list[ColumnElement[bool]] = [
            Product.product_name.ilike(pattern, escape="\\"),
            Product.product_slug.ilike(pattern, escape="\\"),
            Product.description.ilike(pattern, escape="\\"),
        ]
        stmt = stmt.where(or_(*matches))
    return stmt.order_by(*order_by(sort, _SORT_COLUMNS, Product.product_id))


# ---------------------------------------------------------------------------------------------
# Selling: what other domains call
# ---------------------------------------------------------------------------------------------
def _check_sellable(product: Product, customer_payment_type: str) -> None:
    if not product.enabled:
        raise ProductDisabled(
            f"product {product.product_id} ({product.product_name}) is disabled",
            extra={"product_id": product.product_id},
        )
    eligible = (
        product.prepaid_eligible
        if customer_payment_type == "prepaid"
        else product.postpaid_eligible
    )
    if not eligible:
        raise ProductNotEligible(
            f"product {product.product_id} ({product.product_name}) is not sold to "
            f"{customer_payment_type} customers",
            extra={
                "product_id": product.product_id,
                "customer_payment_type": customer_payment_type,
            },
        )


def get_sellable_product(
    session: Session, *, product_id: int, customer_payment_type: str
) -> Product:
    """The product, if it may be sold now to a customer of this payment type.

    404 when it does not exist; 409 ``product_disabled`` when it (or a product in the bundle)
    is disabled; 409 ``product_not_eligible`` when it (or a bundle child) is not sold to
    ``customer_payment_type`` (``prepaid``/``postpaid``) customers.
    """
    payment_type = str(customer_payment_type)
    if payment_type not in PAYMENT_TYPES:
        raise ValidationFailed.field("customer_payment_type", "must be prepaid or postpaid")
    product = get_product(session, product_id=product_id)
    _check_sellable(product, payment_type)
    if product.category == ProductCategory.bundle:
        children = session.scalars(
            select(Product).where(Product.product_id.in_(set(product.bundle_children)))
        )
        for child in sorted(children, key=lambda c: c.product_id):
            _check_sellable(child, payment_type)
    return product


def check_addon_compatible(session: Session, *, addon_id: int, base_product_id: int) -> Product:
    """The add-on, if it may be attached to a service of ``base_product_id``; else 409
    ``addon_incompatible`` (also when ``addon_id`` is not an add-on). 404 if it does not exist."""
    addon = get_product(session, product_id=addon_id)
    if addon.category != ProductCategory.addon:
        raise AddonIncompatible(
            f"product {addon_id} is a {addon.category.value}, not an add-on",
            extra={"addon_id": addon_id, "base_product_id": base_product_id},
        )
    if base_product_id not in addon.addon_compatible_with:
        raise AddonIncompatible(
            f"add-on {addon_id} ({addon.product_name}) cannot be attached to product "
            f"{base_product_id}",
            extra={
                "addon_id": addon_id,
                "base_product_id": base_product_id,
                "compatible_with": addon.addon_compatible_with,
            },
        )
    return addon


def price_snapshot(product: Product) -> dict[str, Any]:
    """What a sale copies from the product: prices, tax, allowances and rates (money and
    percentages as ``Decimal``, enums as their string value). Services and contracts store this
    at sale time and bill from it, so later product edits never alter what was sold."""
    snapshot: dict[str, Any] = {}
    for field in PLAIN_SNAPSHOT_FIELDS:
        value = getattr(product, field)
        snapshot[field] = value.value if hasattr(value, "value") else value
    for field in (*MONEY_SNAPSHOT_FIELDS, *PERCENT_SNAPSHOT_FIELDS):
        snapshot[field] = getattr(product, field)
    snapshot["bundle_children"] = list(product.bundle_children)
    return snapshot


def price_snapshot_json(product: Product) -> dict[str, Any]:
    """:func:`price_snapshot` with every amount as a decimal string, for a JSON column."""
    snapshot = price_snapshot(product)
    for field in MONEY_SNAPSHOT_FIELDS:
        if snapshot[field] is not None:
            snapshot[field] = format_money(snapshot[field])
    for field in PERCENT_SNAPSHOT_FIELDS:
        if snapshot[field] is not None:
            snapshot[field] = f"{snapshot[field]:f}"
    return snapshot
