"""``Idempotency-Key``: the stored form of a caller's key, and the fingerprint of a request.

A key belongs to whoever sent it: the stored key is a hash of (caller, key), so the same key
sent by another user or API key is another key (it never replays the first caller's result).
The same caller's retry, through any of its sessions, finds the first result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from omnicrm.core.context import current_principal
from omnicrm.core.errors import Conflict, DomainError


class IdempotencyMismatch(DomainError):
    """The Idempotency-Key was used before with a different request body."""

    status, code = 422, "idempotency_key_reused"


class IdempotencyInFlight(Conflict):
    """Another request with this Idempotency-Key is being processed."""

    code = "idempotency_key_in_flight"


def caller_scope() -> str:
    """Who is acting, as idempotency keys are scoped: an API key, a user, or the system."""
    principal = current_principal.get()
    if principal is None:
        return "system"
    if principal.api_key_id is not None:
        return f"api-key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


def scoped_key(key: str | None) -> str | None:
    """The stored form of the caller's ``Idempotency-Key`` (None stays None)."""
    if key is None:
        return None
    return hashlib.sha256(f"{caller_scope()}\n{key}".encode()).hexdigest()


def request_fingerprint(body: Mapping[str, Any]) -> str:
    """A stable hash of a request body (tells an idempotent replay from a reused key)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
