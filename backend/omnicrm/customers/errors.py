"""Customer-domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class DuplicateCustomer(Conflict):
    """Another live (non-archived) customer has the same e-mail or phone."""

    code = "duplicate_customer"


class CustomerArchived(Conflict):
    """The customer is archived: restore it before changing it or adding to it."""

    code = "customer_archived"
