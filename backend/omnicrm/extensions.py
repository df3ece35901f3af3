"""Flask extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

from typing import Any

import redis
from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_socketio import SocketIO
from marshmallow import Schema, fields

from omnicrm.core.db import Database


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

        spec = document_security(self.spec.to_dict())
        return current_app.response_class(json.dumps(spec, indent=2), mimetype="application/json")

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
        response = error_response(status, message, errors=errors, headers=headers)
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


api = OmniApi()
jwt = JWTManager()
limiter = OmniLimiter(key_func=get_remote_address, headers_enabled=True)
socketio = SocketIO()


def get_db() -> Database:
    db: Database = current_app.extensions["omnicrm_db"]
    return db


def get_redis() -> redis.Redis:
    client: redis.Redis = current_app.extensions["omnicrm_redis"]
    return client
