"""Secure by default: every endpoint needs a principal unless marked ``@public``.

The auth domain supplies how a request is turned into a :class:`Principal` (JWT or API key);
this module only enforces and documents the rule, so no endpoint can forget it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint

from omnicrm.core.context import Principal, current_principal
from omnicrm.core.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])
Resolver = Callable[[], Principal | None]

_ERR = "#/components/responses/"


def public(func: F) -> F:
    """Mark an endpoint as reachable without credentials (documented with ``security: []``)."""
    wrapped = Blueprint.doc(security=[])(func)
    wrapped._omnicrm_public = True
    return wrapped  # type: ignore[no-any-return]


def require_permission(*permissions: str) -> Callable[[F], F]:
    """Require every listed ``resource.action`` permission; 403 otherwise."""

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_permissions(get_principal(), permissions)
            return func(*args, **kwargs)

        wrapper._omnicrm_permissions = permissions  # type: ignore[attr-defined]
        note = "Requires permission: " + ", ".join(f"`{p}`" for p in permissions) + "."
        documented = Blueprint.doc(
            description=note, responses={"403": {"$ref": _ERR + "FORBIDDEN"}}
        )(wrapper)
        documented._omnicrm_permissions = permissions
        return documented  # type: ignore[no-any-return]

    return decorator


def check_permissions(principal: Principal, permissions: tuple[str, ...]) -> None:
    """403 unless ``principal`` holds every one of ``permissions``."""
    missing = [p for p in permissions if not principal.can(p)]
    if missing:
        raise Forbidden(
            f"missing permission: {', '.join(missing)}",
            code="permission_denied",
            extra={"required": list(permissions)},
        )


def get_principal() -> Principal:
    principal: Principal | None = g.get("principal")
    if principal is None:
        raise Unauthorized("authentication required")
    return principal


def optional_principal() -> Principal | None:
    return g.get("principal")


def _view_function_for_request() -> Any:
    endpoint = request.endpoint
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return getattr(view_class, request.method.lower(), None) or view
    return view


def required_permissions() -> frozenset[str] | None:
    """What this request's view requires (None for a public view)."""
    view = _view_function_for_request()
    if view is None or getattr(view, "_omnicrm_public", False):
        return None
    return frozenset(getattr(view, "_omnicrm_permissions", ()))


def is_public_request() -> bool:
    if request.endpoint is None:  # 404/405: let routing report it
        return True
    if request.blueprint == "api-docs" or request.endpoint == "swagger_static":
        return True  # the OpenAPI document and Swagger UI are public by design
    view = _view_function_for_request()
    return bool(getattr(view, "_omnicrm_public", False))


def make_authenticator(resolve: Resolver) -> Callable[[], None]:
    """Build the ``before_request`` hook that authenticates every non-public request."""

    def authenticate() -> None:
        if request.method == "OPTIONS":
            return
        if is_public_request():
            # Public endpoints act on what they are sent (the refresh endpoint reads a refresh
            # token from the same header): nobody is authenticated here.
            principal = None
        else:
            principal = resolve()
            if principal is None:
                raise Unauthorized("authentication required", code="unauthorized")
        g.principal = principal
        current_principal.set(principal)
        if principal is not None:
            # Refused before the view, so before its unit of work begins: a denied write never
            # holds (on SQLite: the app-wide) write lock. The view's decorator checks again.
            view = _view_function_for_request()
            check_permissions(principal, tuple(getattr(view, "_omnicrm_permissions", ())))

    return authenticate


_ERROR_RESPONSES = {
    "UNAUTHORIZED": "Missing, invalid, expired or revoked credentials",
    "FORBIDDEN": "Authenticated, but lacking the required permission",
}


def document_security(spec: dict[str, Any]) -> dict[str, Any]:
    """Add 401 to every authenticated operation of a generated OpenAPI document."""
    responses = spec.setdefault("components", {}).setdefault("responses", {})
    for name, description in _ERROR_RESPONSES.items():
        responses.setdefault(
            name,
            {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    for path_item in spec.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if operation.get("security") == []:
                continue
            operation.setdefault("responses", {}).setdefault("401", {"$ref": _ERR + "UNAUTHORIZED"})
    return spec
