"""Flask extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

import math
import time
from typing import Any

import redis
from flask import Flask, Response, current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_socketio import SocketIO
from marshmallow import Schema, fields

from omnicrm.core.db import Database
from omnicrm.core.spec import SchemaRulesPlugin
from omnicrm.settings import Settings


class ErrorSchema(Schema):
    """The error body of every 4xx/5xx (see core/errors.py)."""

    code = fields.String(metadata={"description": "Stable machine-readable reason"})
    status = fields.Integer(metadata={"description": "HTTP status"})
    message = fields.String(metadata={"description": "Human-readable message"})
    errors = fields.Dict(
        metadata={"description": "Field errors by location: {json: {field: [message]}}"}
    )


class OmniApi(Api):
    """flask-smorest's Api with our error shape, 401s documented, and Swagger UI served offline."""

    ERROR_SCHEMA = ErrorSchema

    def _openapi_json(self) -> Any:
        import json

        from omnicrm.core.auth import document_security
        from omnicrm.core.spec import add_links

        spec = add_links(document_security(self.spec.to_dict()))
        return current_app.response_class(json.dumps(spec, indent=2), mimetype="application/json")

    def _register_pagination_header(self) -> None:
        """``X-Pagination`` as served: JSON text (core/pagination.py), one definition that every
        list's 200 names (``#/components/headers/PAGINATION``)."""
        from omnicrm.core.pagination import PAGINATION_HEADER, PaginationMetadataSchema

        self.spec.components.schema("PaginationMetadata", schema=PaginationMetadataSchema)
        self.spec.components.header("PAGINATION", PAGINATION_HEADER)

    def _register_doc_blueprint(self) -> None:
        super()._register_doc_blueprint()
        from flask import send_from_directory
        from swagger_ui_bundle import swagger_ui_path

        def swagger_static(filename: str) -> Any:
            return send_from_directory(str(swagger_ui_path), filename)

        self._app.add_url_rule("/crm/docs/static/<path:filename>", "swagger_static", swagger_static)

    def handle_http_exception(self, error: Any) -> Any:
        from omnicrm.core.errors import error_response

        data = getattr(error, "data", None) or {}
        status = error.code or 500
        errors = data.get("errors") or data.get("messages")
        message = data.get("message") or _summarise(errors) or error.description
        if status == 500:
            message = "internal error"
        headers = dict(data.get("headers") or {})
        allowed = getattr(error, "valid_methods", None)
        if status == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)  # RFC 9110: a 405 lists what the URL takes
        extra = None
        if status == 429 and (wait := ip_limit_wait()):
            # The body names the same wait as Retry-After (see ``_agree_retry_after``).
            message, extra = f"{message}; try again in {wait} s", {"retry_after": wait}
        response = error_response(status, message, errors=errors, headers=headers, extra=extra)
        if status == 429 and getattr(error, "response", None) is not None:
            for key, value in error.response.headers.items():
                if key.lower().startswith(("retry-after", "x-ratelimit")):
                    response.headers[key] = value
        return response


def _summarise(errors: Any) -> str:
    """'field: reason; field: reason' from webargs' {location: {field: [messages]}}."""
    if not isinstance(errors, dict):
        return ""
    parts = []
    for fields_ in errors.values():
        if isinstance(fields_, dict):
            for field, messages in fields_.items():
                text = messages[0] if isinstance(messages, list) and messages else messages
                parts.append(f"{field}: {text}")
    return "; ".join(parts)[:500]


class OmniLimiter(Limiter):
    """Flask-Limiter that skips its per-request hook when no app-wide limit is configured.

    Endpoints with their own ``@limiter.limit`` check it in the decorator's wrapper; the
    ``before_request`` pass only adds the default limit (``DEFAULT_RATE_LIMIT``). Without one,
    resolving "no limits" for every request was a measurable share of a cached read.
    """

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and not current_app.config.get("RATELIMIT_DEFAULT"):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # Flask runs after-request functions last registered first: at the front of the list,
        # this one runs after Flask-Limiter has written its headers.
        funcs = app.after_request_funcs.setdefault(None, [])
        if _agree_retry_after not in funcs:
            funcs.insert(0, _agree_retry_after)


def ip_limit_wait() -> int:
    """Seconds until this client may call the current route again under its per-client rate
    limit (e.g. ``LOGIN_RATE_LIMIT``): 0 while it has allowance left (or there is no limit)."""
    current = limiter.current_limit
    if current is None or (not current.breached and current.remaining > 0):
        return 0
    reset_time = current.window[0]
    return max(1, math.ceil(reset_time - time.time()))


def _agree_retry_after(response: Response) -> Response:
    """Make Retry-After say what the body says.

    Flask-Limiter stamps Retry-After on every answer of a limited route: its window's reset, or
    the later of that and a Retry-After already set (off by up to a second). A 429 whose body
    names its wait (``retry_after``, the larger of every limit that applies) gets that number;
    other answers (a 200, a 401), which ask for no wait, carry none.
    """
    if "Retry-After" not in response.headers:
        return response
    if response.status_code == 429:
        body = response.get_json(silent=True) if response.is_json else None
        wait = body.get("retry_after") if isinstance(body, dict) else None
        if isinstance(wait, int) and wait > 0:
            response.headers["Retry-After"] = str(wait)
    elif response.status_code != 503 and not 300 <= response.status_code < 400:
        del response.headers["Retry-After"]
    return response


api = OmniApi(spec_kwargs={"extra_plugins": [SchemaRulesPlugin()]})
jwt = JWTManager()
limiter = OmniLimiter(key_func=get_remote_address, headers_enabled=True)
socketio = SocketIO()


def get_db() -> Database:
    db: Database = current_app.extensions["omnicrm_db"]
    return db


def get_settings() -> Settings:
    settings: Settings = current_app.extensions["omnicrm_settings"]
    return settings


def default_currency() -> str:
    """The operator's currency (``DEFAULT_CURRENCY``): customers and products created without
    one get it."""
    return get_settings().default_currency


def default_phone_region() -> str:
    """The region national phone numbers are read in (``DEFAULT_PHONE_REGION``, else US);
    routes pass it to the use cases that parse numbers."""
    return get_settings().default_phone_region or "US"


def get_redis() -> redis.Redis:
    client: redis.Redis = current_app.extensions["omnicrm_redis"]
    return client
