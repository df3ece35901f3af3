"""Contracts-domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict, DomainError


class CustomerNotOpen(Conflict):
    """Only Open customers can sign a contract."""

    code = "customer_not_open"


class IdempotencyMismatch(DomainError):
    """The Idempotency-Key was used before with a different request body."""

    status, code = 422, "idempotency_key_reused"


class IdempotencyInFlight(Conflict):
    """Another request with this Idempotency-Key is being processed."""

    code = "idempotency_key_in_flight"
