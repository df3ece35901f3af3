"""/healthz, /readyz and /metrics (outside /crm; public, as probes and scrapers expect)."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Response, abort, request
from flask.views import MethodView
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from omnicrm.core.auth import public
from omnicrm.core.blueprint import Blueprint
from omnicrm.extensions import get_db, get_redis, get_settings

blp = Blueprint("ops", __name__, description="Operations: health, readiness, metrics")


@blp.route("/healthz")
class Health(MethodView):
    @public
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The process is up."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @public
    @blp.response(200)
    @blp.alt_response(503, description="A dependency is unreachable")
    def get(self) -> Any:
        """The database and Redis are reachable."""
        checks: dict[str, str] = {}
        try:
            engine = get_db().engine
            assert engine is not None
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # a readiness probe reports, it never raises
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            get_redis().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _may_scrape(token: str) -> bool:
    """With ``METRICS_TOKEN`` set, the caller must send it as a bearer token; without it, only
    a client on this machine may read the metrics."""
    if not token:
        return request.remote_addr in LOOPBACK
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode())


@blp.route("/metrics")
class Metrics(MethodView):
    @public
    @blp.response(200, content_type="text/plain")
    @blp.alt_response(404, description="Not for this caller: a wrong or missing METRICS_TOKEN")
    def get(self) -> Response:
        """Prometheus metrics (the `METRICS_TOKEN` bearer token, or a loopback client)."""
        if not _may_scrape(get_settings().metrics_token):
            # 404, not 401: a prober learns nothing about what is served here.
            abort(404)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
