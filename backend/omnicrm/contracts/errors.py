"""Contracts-domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict
from omnicrm.core.idempotency import IdempotencyInFlight, IdempotencyMismatch

__all__ = ["CustomerNotOpen", "IdempotencyInFlight", "IdempotencyMismatch"]


class CustomerNotOpen(Conflict):
    """Only Open customers can sign a contract."""

    code = "customer_not_open"
