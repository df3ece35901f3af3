"""Domain errors and the one translation to HTTP.

Every error body has the same shape::

    {"code": "duplicate_customer", "status": 409, "message": "...", "errors": {...}}

``code`` is a stable machine-readable reason, ``status`` the HTTP status, ``errors`` (optional)
maps request locations to fields to messages, as flask-smorest/webargs report validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from http import HTTPStatus
from typing import Any

from flask import Response, jsonify


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}


class ValidationFailed(DomainError):
    status, code = 422, "validation_error"

    @classmethod
    def field(cls, field: str, message: str, *, location: str = "json") -> ValidationFailed:
        return cls(f"{field}: {message}", errors={location: {field: [message]}})


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"

    @classmethod
    def check(
        cls,
        what: str,
        source: Enum,
        target: Enum,
        transitions: Mapping[Any, Iterable[Enum]],
        *,
        field: str = "status",
    ) -> None:
        """Raise (409) unless a state machine allows ``source`` -> ``target``; the answer
        names both and every state allowed from ``source`` (``from_<field>``, ``to_<field>``,
        ``allowed``)."""
        allowed = transitions[source]
        if target in allowed:
            return
        raise cls(
            f"{what} cannot go from {source.value} to {target.value}",
            extra={
                f"from_{field}": source.value,
                f"to_{field}": target.value,
                "allowed": sorted(s.value for s in allowed),
            },
        )


class TooManyRequests(DomainError):
    status, code = 429, "rate_limited"


class ServiceUnavailable(DomainError):
    status, code = 503, "service_unavailable"


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def error_body(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    errors: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "code": code or _CODES.get(status, "error"),
        "status": status,
        "message": message or phrase,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    response = jsonify(error_body(status, message, code=code, errors=errors, extra=extra))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_domain_error(exc: DomainError) -> Response:
    return error_response(
        exc.status,
        exc.message,
        code=exc.code,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )
