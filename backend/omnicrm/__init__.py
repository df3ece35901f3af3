"""OmniCRM: BSS/OSS for telecom operators and ISPs. ``create_app`` builds the Flask app."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

import redis
import structlog
from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from omnicrm.core.context import RequestInfo, current_principal, current_request
from omnicrm.core.db import Database, after_end, commit, discard
from omnicrm.core.errors import DomainError, error_response, handle_domain_error
from omnicrm.core.logging import configure_logging, get_logger
from omnicrm.core.metrics import observe_request, watch_engine
from omnicrm.core.redis import make_redis
from omnicrm.core.security_headers import apply_security_headers
from omnicrm.settings import Settings

log = get_logger("omnicrm.http")

API_SPEC_OPTIONS: dict[str, Any] = {
    "info": {
        "description": (
            "OmniCRM REST API. Every operation needs `Authorization: Bearer <access JWT>` or "
            "`X-API-Key` unless its security is empty. Errors share one body: "
            "`{code, status, message, errors}`. Money is a decimal string."
        ),
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    },
    "security": [{"bearerAuth": []}, {"apiKeyAuth": []}],
}


MAX_ID = 2**31 - 1  # ids in paths are INTEGER columns (PostgreSQL's int4)


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


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for ``settings`` (default: read from the environment)."""
    from omnicrm import api as api_module
    from omnicrm.auth.principal import resolve_principal
    from omnicrm.core.auth import make_authenticator
    from omnicrm.extensions import api, jwt, limiter, socketio
    from omnicrm.web import register_spa

    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_json)
    app = Flask("omnicrm", static_folder=None, instance_path=str(settings.instance_path.resolve()))
    app.url_map.converters["int"] = StoredId
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        JSON_SORT_KEYS=False,
        API_TITLE="OmniCRM API",
        API_VERSION="0.1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/crm",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs/",
        OPENAPI_SWAGGER_UI_URL="/crm/docs/static/",
        API_SPEC_OPTIONS=API_SPEC_OPTIONS,
        JWT_SECRET_KEY=settings.secret_key,
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=settings.jwt_access_ttl_seconds),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=settings.jwt_refresh_ttl_seconds),
        JWT_ENCODE_AUDIENCE=settings.jwt_audience,
        JWT_DECODE_AUDIENCE=settings.jwt_audience,
        JWT_ENCODE_ISSUER=settings.jwt_issuer,
        JWT_DECODE_ISSUER=settings.jwt_issuer,
        JWT_TOKEN_LOCATION=["headers"],
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="omnicrm-rl",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_DEFAULT=settings.default_rate_limit or None,
        RATELIMIT_SWALLOW_ERRORS=False,
        TESTING=settings.env == "test",
    )
    app.extensions["omnicrm_settings"] = settings
    # Credentials are bearer tokens and API keys: no cookie session to open on every request.
    app.session_interface = _NoCookieSession()
    if settings.proxy_fix_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    database = Database()
    database.configure(settings.database_url)
    assert database.engine is not None
    watch_engine(database.engine)
    app.extensions["omnicrm_db"] = database
    app.extensions["omnicrm_redis"] = make_redis(settings.redis_url)

    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    api.register_field(_money_field(), "string", "decimal")
    # Handlers must exist before init_app: Flask-SocketIO replays them into every new server.
    _register_realtime(socketio)
    socketio.init_app(
        app,
        message_queue=settings.redis_url or None,
        async_mode="threading",
        # None: same-origin only (a bad Origin is refused); list extra origins in CORS_ORIGINS.
        cors_allowed_origins=settings.cors_origins or None,
        logger=False,
        engineio_logger=False,
    )
    api_module.register_blueprints(api)
    # Every flush of an @auditable model writes activity rows (append-only audit log).
    from omnicrm.activity.recorder import install_activity_recorder

    install_activity_recorder()
    from omnicrm.periodic import import_periodic_jobs

    import_periodic_jobs()  # the scheduler's registry, listed by /crm/scheduler/
    from omnicrm.core.cache import init_cache, install_cache_invalidation

    init_cache(app, settings.response_cache_local_entries)
    install_cache_invalidation()
    _register_hooks(app, make_authenticator(resolve_principal))
    register_spa(app, settings)
    from omnicrm.auth.principal import cached_caller
    from omnicrm.core.hot_reads import install_hot_reads

    install_hot_reads(app, cached_caller)
    return app


class _NoCookieSession(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask then uses a read-only null session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def _audit_denial(exc: DomainError) -> None:
    """A refused permission is a security event: record it in a transaction of its own, once
    the request's unit of work (rolled back) is over — never while that one may still hold
    SQLite's write lock, which the record would wait on."""
    from omnicrm.activity.use_cases import record_event_now

    database = app_database()
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


def app_database() -> Database:
    from flask import current_app

    database: Database = current_app.extensions["omnicrm_db"]
    return database


_realtime_registered = False


def _register_realtime(socketio: Any) -> None:
    # Socket.IO handlers live on the (module-level) SocketIO object: register them once.
    global _realtime_registered
    if not _realtime_registered:
        from omnicrm.core.realtime import register_user_namespace
        from omnicrm.provisioning.realtime import register_provision_namespace

        register_user_namespace(socketio)
        register_provision_namespace(socketio)
        _realtime_registered = True


def _money_field() -> type:
    from omnicrm.core.money import MoneyField

    return MoneyField


def _register_hooks(app: Flask, authenticate: Any) -> None:
    @app.before_request
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

    app.before_request(authenticate)

    @app.after_request
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
        apply_security_headers(headers, req.path, response.mimetype)
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

    @app.teardown_request
    def _cleanup(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            discard(session)
            session.close()
        # Context variables outlive the request in this thread: forget who was acting, or the
        # next unit of work here (a test's factory, a job) is logged as that user.
        current_principal.set(None)
        current_request.set(None)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        if exc.code == "permission_denied":
            _audit_denial(exc)
        return handle_domain_error(exc)

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError) -> Response:
        log.error("database_error", error=type(exc).__name__)
        return error_response(503, "database unavailable; nothing was saved")

    @app.errorhandler(redis.RedisError)
    def _redis_down(exc: redis.RedisError) -> Response:
        # Sessions, the blocklist and throttling live in Redis: without it we fail closed.
        log.error("redis_error", error=type(exc).__name__)
        return error_response(
            503, "session store unavailable; try again shortly", code="session_store_down"
        )

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _bad_value(exc: Exception) -> Response:
        # A value the database cannot hold (out of range, bad encoding): the client's input.
        log.warning("data_error", error=type(exc).__name__)
        return error_response(422, "a value is out of range or malformed for storage")

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Response:
        log.warning("integrity_error", error=str(exc.orig)[:200])
        return error_response(409, "the change conflicts with existing data")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            from omnicrm.extensions import api

            return api.handle_http_exception(exc)  # type: ignore[no-any-return]
        log.exception("unhandled_error")
        return error_response(500, "internal error")
