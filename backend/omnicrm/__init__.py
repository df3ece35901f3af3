"""OmniCRM: BSS/OSS for telecom operators and ISPs. ``create_app`` builds the Flask app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from omnicrm.core.db import Database
from omnicrm.core.logging import configure_logging
from omnicrm.core.metrics import watch_engine
from omnicrm.core.redis import make_redis
from omnicrm.http import NoCookieSession, StoredId, register_hooks
from omnicrm.settings import Settings

API_SPEC_OPTIONS: dict[str, Any] = {
    "info": {
        "description": (
            "OmniCRM REST API. Every operation needs `Authorization: Bearer <access JWT>` or "
            "`X-API-Key` unless its security is empty. Errors share one body: "
            "`{code, status, message, errors}`, field errors under `errors.json.<field>`. "
            "JSON bodies are typed strictly (a boolean is true/false, a number a JSON number); "
            "a required body must be sent (`{}` is a body: a PATCH with it changes nothing). "
            "Lists carry `X-Pagination`, a `PaginationMetadata` object as JSON text. "
            "Money is a decimal string."
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


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for ``settings`` (default: read from the environment)."""
    from omnicrm import api as api_module
    from omnicrm.auth.principal import resolve_principal
    from omnicrm.core.auth import make_authenticator
    from omnicrm.extensions import api
    from omnicrm.web import register_spa

    settings = settings or Settings()
    from omnicrm.scheduler.registry import check_settings

    # A bad schedule override stops every process at start (docs/scheduler.md).
    check_settings(schedules=settings.scheduler_schedules, timezone=settings.scheduler_timezone)
    configure_logging(settings.log_level, settings.log_json)
    app = _flask_app(settings)
    _bind_extensions(app, settings)
    api_module.register_blueprints(api)
    # Every flush of an @auditable model writes activity rows (append-only audit log).
    from omnicrm.activity.recorder import install_activity_recorder

    install_activity_recorder()
    from omnicrm.periodic import import_periodic_jobs

    import_periodic_jobs()  # the scheduler's registry, listed by /crm/scheduler/
    from omnicrm.wiring import wire

    wire()  # every domain's event handlers, core's hooks
    from omnicrm.auth.principal import also_fetch_with_session_check
    from omnicrm.response_cache import install_response_cache

    install_response_cache(app, also_fetch_with_session_check)
    register_hooks(app, make_authenticator(resolve_principal))
    register_spa(app, settings)
    from omnicrm.auth.principal import cached_caller
    from omnicrm.response_cache.replay import install_replay

    install_replay(app, cached_caller)
    return app


def _flask_app(settings: Settings) -> Flask:
    """The Flask app and its configuration: ids in URLs, the API spec, JWTs, rate limits."""
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
    app.session_interface = NoCookieSession()
    if settings.proxy_fix_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _bind_extensions(app: Flask, settings: Settings) -> None:
    """The database, Redis, and the extensions: JWT, rate limits, the API, Socket.IO."""
    from omnicrm.core.money import MoneyField
    from omnicrm.extensions import api, jwt, limiter, socketio

    database = Database()
    database.configure(settings.database_url)
    assert database.engine is not None
    watch_engine(database.engine)
    app.extensions["omnicrm_db"] = database
    app.extensions["omnicrm_redis"] = make_redis(settings.redis_url)

    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    api.register_field(MoneyField, "string", "decimal")
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


_realtime_registered = False


def _register_realtime(socketio: Any) -> None:
    # Socket.IO handlers live on the (module-level) SocketIO object: register them once.
    global _realtime_registered
    if not _realtime_registered:
        from omnicrm.billing.realtime import register_billing_namespace
        from omnicrm.core.realtime import register_live_namespace, register_user_namespace
        from omnicrm.imports.realtime import register_imports_namespace
        from omnicrm.provisioning.realtime import register_provision_namespace

        register_user_namespace(socketio)
        register_provision_namespace(socketio)
        register_billing_namespace(socketio)
        register_imports_namespace(socketio)
        register_live_namespace(
            socketio, rooms={"services": "service.read", "contracts": "contract.read"}
        )
        _realtime_registered = True
