"""The HTTP layer around every endpoint: the id converter, the request hooks (request id, log
context, authentication, the one commit, headers, metrics, the request log) and the error
handlers that turn exceptions into the API's ``{code, status, message, errors}`` answers.

Outside ``core/`` because auditing a refused permission writes through ``activity``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import redis
import structlog
from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from omnicrm.core.context import RequestInfo, current_principal, current_request
from omnicrm.core.db import after_end, commit, discard
from omnicrm.core.errors import DomainError, error_response, handle_domain_error
from omnicrm.core.fields import MAX_ID
from omnicrm.core.logging import get_logger
from omnicrm.core.metrics import observe_request
from omnicrm.core.security_headers import apply_security_headers

log = get_logger("omnicrm.http")


class StoredId(IntegerConverter):
    """``<int:…_id>``: an id its column can hold. A larger number matches no route (404) and
    never reaches a query, which the database would refuse (out of range); the bound is in
    the spec. A route over a BIGINT id would say ``<int(max=…):…_id>``."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class NoCookieSession(SecureCookieSessionInterface):
    """Credentials are bearer tokens and API keys: no cookie session to open on every request."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask then uses a read-only null session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def register_hooks(app: Flask, authenticate: Callable[[], Any]) -> None:
    """Install the request hooks (``authenticate`` runs after the request is identified) and
    the error handlers on ``app``."""
    app.before_request(_start)
    app.before_request(authenticate)
    app.after_request(_finish)
    app.teardown_request(_cleanup)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OperationalError, _db_down)
    app.register_error_handler(redis.RedisError, _redis_down)
    app.register_error_handler(OverflowError, _bad_value)
    app.register_error_handler(DataError, _bad_value)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(Exception, _unexpected)


# ---------------------------------------------------------------------------------------------
# Request hooks
# ---------------------------------------------------------------------------------------------
def _start() -> None:
    # The proxies are resolved once per hook: each `request.`/`g.` is a context lookup.
    req, ctx = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    ctx.started = time.perf_counter()
    headers = req.headers
    request_id = headers.get("X-Request-ID", "")[:64] or os.urandom(16).hex()
    ctx.request_id = request_id
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    current_request.set(
        RequestInfo(
            request_id=request_id,
            ip=req.remote_addr,
            user_agent=headers.get("User-Agent"),
        )
    )
    current_principal.set(None)


def _finish(response: Response) -> Response:
    req, ctx = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    session = ctx.pop("db_session", None)
    if session is not None:
        try:
            if response.status_code < 400:
                commit(session)
            else:
                discard(session)
        except IntegrityError:
            discard(session)
            log.warning("commit_conflict")
            response = error_response(409, "the change conflicts with existing data")
        except OperationalError:
            discard(session)
            log.error("commit_failed")
            response = error_response(503, "database unavailable; nothing was saved")
        finally:
            session.close()
    headers = response.headers
    headers["X-Request-ID"] = ctx.get("request_id", "")
    stripe = bool(current_app.extensions["omnicrm_settings"].stripe_publishable_key)
    apply_security_headers(headers, req.path, response.mimetype, stripe=stripe)
    method, status = req.method, response.status_code
    elapsed = time.perf_counter() - ctx.get("started", time.perf_counter())
    observe_request(method, req.endpoint or "unmatched", status, elapsed)
    principal = ctx.get("principal")
    log.info(
        "request",
        method=method,
        path=req.path,
        status=status,
        ms=round(elapsed * 1000, 2),
        user_id=principal.user_id if principal else None,
    )
    return response


def _cleanup(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        discard(session)
        session.close()
    # Context variables outlive the request in this thread: forget who was acting, or the
    # next unit of work here (a test's factory, a job) is logged as that user.
    current_principal.set(None)
    current_request.set(None)


# ---------------------------------------------------------------------------------------------
# Error handlers
# ---------------------------------------------------------------------------------------------
def _domain_error(exc: DomainError) -> Response:
    if exc.code == "permission_denied":
        _audit_denial(exc)
    return handle_domain_error(exc)


def _db_down(exc: OperationalError) -> Response:
    log.error("database_error", error=type(exc).__name__)
    return error_response(503, "database unavailable; nothing was saved")


def _redis_down(exc: redis.RedisError) -> Response:
    # Sessions, the blocklist and throttling live in Redis: without it we fail closed.
    log.error("redis_error", error=type(exc).__name__)
    return error_response(
        503, "session store unavailable; try again shortly", code="session_store_down"
    )


def _bad_value(exc: Exception) -> Response:
    # A value the database cannot hold (out of range, bad encoding): the client's input.
    log.warning("data_error", error=type(exc).__name__)
    return error_response(422, "a value is out of range or malformed for storage")


def _integrity(exc: IntegrityError) -> Response:
    log.warning("integrity_error", error=str(exc.orig)[:200])
    return error_response(409, "the change conflicts with existing data")


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        from omnicrm.extensions import api

        return api.handle_http_exception(exc)  # type: ignore[no-any-return]
    log.exception("unhandled_error")
    return error_response(500, "internal error")


def _audit_denial(exc: DomainError) -> None:
    """A refused permission is a security event: record it in a transaction of its own, once
    the request's unit of work (rolled back) is over — never while that one may still hold
    SQLite's write lock, which the record would wait on."""
    from omnicrm.activity.use_cases import record_event_now
    from omnicrm.extensions import get_db

    database = get_db()
    target = f"{request.method} {request.path}"[:128]
    required = exc.extra.get("required", [])

    def record() -> None:
        try:
            record_event_now(
                database,
                action="permission_denied",
                object_type="endpoint",
                object_id=target,
                after={"required": required},
            )
        except Exception:  # auditing must never turn a 403 into a 500
            log.exception("audit_failed")

    session = g.get("db_session")
    if session is None:
        record()
    else:
        after_end(session, record)
