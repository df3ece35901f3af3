"""Catalog-domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class DuplicateProduct(Conflict):
    """Another product already has this slug."""

    code = "duplicate_product"


class ProductDisabled(Conflict):
    """The product (or a product in the bundle) is disabled: it cannot be sold."""

    code = "product_disabled"


class ProductNotEligible(Conflict):
    """The product is not sold to customers of this payment type (prepaid/postpaid)."""

    code = "product_not_eligible"


class AddonIncompatible(Conflict):
    """The add-on cannot be attached to that product."""

    code = "addon_incompatible"
