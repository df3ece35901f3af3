"""Who is acting and on behalf of which request: readable from use cases, listeners and logs."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a staff/self-care user (JWT) or an integrator (API key)."""

    user_id: int | None
    email: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    roles: tuple[str, ...] = ()
    customer_id: int | None = None
    session_id: str | None = None
    token_jti: str | None = None
    token_exp: int | None = None
    api_key_id: int | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_customer(self) -> bool:
        """A self-care user: linked to a customer and holding no staff role."""
        return self.customer_id is not None and set(self.roles) <= {"customer"}


@dataclass(frozen=True)
class RequestInfo:
    request_id: str
    ip: str | None = None
    user_agent: str | None = None


current_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "current_principal", default=None
)
current_request: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "current_request", default=None
)
