"""Cached reads answered before Flask: a stored response replayed to an authorised caller.

A cached read (:func:`omnicrm.response_cache.cached_read`) already answers with bytes that depend
only on the path, the query string and the permissions its view requires. What is left of such
a request is Flask's own machinery: request and response objects, routing, hooks, decorators.
This WSGI middleware skips it for a GET it has seen answered before, and only when every check
the full path makes passes here too:

- the same raw path and query string were answered 200 from a cache entry by the full path,
  whose answer (status line and headers) was recorded at this WSGI boundary;
- a bearer access token: valid signature, audience, issuer, unexpired, its session alive and
  not revoked (the auth domain's own check, handed to :func:`install_replay` by ``create_app``,
  in one Redis round trip that also brings the cache versions);
- the user's identity is cached in Redis, active, and holds every permission the view requires;
- the cache entry is the very one the recorded answer was made from, under the namespace's
  current version, and not yet due for renewal.

Anything else (an API key, a cookie-less public call, a denial, a revoked token, a miss, a
renewal, Redis down) goes to Flask, which answers as it always does: 401, 403 and its audit
row, a rebuild. A replayed answer carries the recorded headers with a new ``X-Request-ID``
(the caller's, or a fresh one) and ``X-Cache: hit``, and writes the same log line and metrics.
An answer that carried rate-limit headers is never recorded: its endpoint is throttled, and
every request must meet the limiter. ``RESPONSE_CACHE_REPLAY=false`` turns replay off.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from flask import Flask, request

from omnicrm.core.auth import required_permissions
from omnicrm.core.logging import get_logger
from omnicrm.core.metrics import observe_request
from omnicrm.core.redis import Command, as_dict
from omnicrm.response_cache.store import LOCAL_ENTRIES, VERSIONS_COMMAND, Entry, LocalEntries

log = get_logger("omnicrm.http")
_SKIPPED_HEADERS = frozenset({"x-request-id", "x-cache"})
CANDIDATE = "omnicrm.replay_candidate"


class Caller(Protocol):
    """Who a bearer token is, as far as replaying a cached read needs to know."""

    @property
    def user_id(self) -> int: ...
    @property
    def permissions(self) -> frozenset[str]: ...
    @property
    def also(self) -> Sequence[Any]: ...  # the replies to the commands it was asked to send


# The auth domain's token check without a Flask request: the token, commands to send in the
# same Redis round trip; None when only the full request path can tell.
Identify = Callable[[Flask, str, Sequence[Command]], Caller | None]


@dataclass(frozen=True)
class Candidate:
    """Left on the WSGI environ by a cached answer, for the middleware to record."""

    key: str
    namespace: str
    entry: Entry
    permissions: frozenset[str]  # what the view required
    endpoint: str
    path: str


def offer_for_replay(key: str, namespace: str, entry: Entry) -> None:
    """Offer this request's cached answer to the middleware (a no-op without it)."""
    # The middleware leaves a list on the environ (middlewares in between may copy the environ
    # dict, never the list in it); without one, nobody replays.
    offers: list[Candidate] | None = request.environ.get(CANDIDATE)
    permissions = required_permissions() if offers is not None else None
    if offers is None or permissions is None:  # a public view: nothing to check or replay
        return
    offers.append(
        Candidate(key, namespace, entry, permissions, request.endpoint or "unmatched", request.path)
    )


@dataclass(frozen=True)
class Route:
    candidate: Candidate
    status: str
    headers: list[tuple[str, str]]  # without X-Request-ID and X-Cache
    body: bytes


class HotReads:
    """The WSGI middleware; ``identify`` is the auth domain's token check (no Flask request)."""

    def __init__(self, app: Flask, wsgi_app: Any, identify: Identify) -> None:
        settings = app.extensions["omnicrm_settings"]
        self.app = app
        self.wsgi_app = wsgi_app
        self.identify = identify
        self.local: LocalEntries = app.extensions[LOCAL_ENTRIES]
        self.ttl = settings.response_cache_ttl
        self.max_routes = max(1, settings.response_cache_local_entries)
        self.routes: dict[tuple[str, str], Route] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        where = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        route = self.routes.get(where)
        if route is not None:
            answer = self._replay(route, environ, start_response)
            if answer is not None:
                return answer
        return self._observe(where, environ, start_response)

    # ------------------------------------------------------------------------------------------
    def _replay(
        self, route: Route, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes] | None:
        started = time.perf_counter()
        if "HTTP_X_API_KEY" in environ:
            return None
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            caller = self.identify(self.app, token, (VERSIONS_COMMAND,))
        except Exception:  # whatever it is, the full path meets it too and answers properly
            caller = None
        candidate = route.candidate
        if caller is None or not candidate.permissions <= caller.permissions:
            return None
        versions = as_dict(caller.also[0])
        version = versions.get(candidate.namespace)
        entry = self.local.get(candidate.key, version) if version else None
        if entry is not candidate.entry:
            return None
        if entry.due_for_renewal(self.ttl):
            return None  # the full path renews it
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or os.urandom(16).hex()
        start_response(
            route.status, [*route.headers, ("X-Cache", "hit"), ("X-Request-ID", request_id)]
        )
        elapsed = time.perf_counter() - started
        observe_request("GET", candidate.endpoint, 200, elapsed)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        log.info(
            "request",
            method="GET",
            path=candidate.path,
            status=200,
            ms=round(elapsed * 1000, 2),
            user_id=caller.user_id,
        )
        structlog.contextvars.clear_contextvars()
        return [route.body]

    def _observe(
        self, where: tuple[str, str], environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        seen: list[Any] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        offers: list[Candidate] = []
        environ[CANDIDATE] = offers
        answer = self.wsgi_app(environ, recording)
        candidate = offers[-1] if len(offers) == 1 else None
        if candidate is not None and seen and seen[0].startswith("200 "):
            headers = seen[1]
            if not any(name.lower().startswith("x-ratelimit") for name, _ in headers):
                self._remember(where, candidate, seen[0], headers)
        return answer

    def _remember(
        self, where: tuple[str, str], candidate: Candidate, status: str, headers: Any
    ) -> None:
        body = candidate.entry.body.encode()
        length = next((v for n, v in headers if n.lower() == "content-length"), None)
        if length != str(len(body)):
            return  # something after the view changed the body: only Flask can say what
        kept = [(n, v) for n, v in headers if n.lower() not in _SKIPPED_HEADERS]
        if len(self.routes) >= self.max_routes:
            self.routes.clear()
        self.routes[where] = Route(candidate, status, kept, body)


def install_replay(app: Flask, identify: Identify) -> None:
    """Put the middleware in front of the app, unless something must see every request."""
    settings = app.extensions["omnicrm_settings"]
    if not settings.response_cache_replay or settings.response_cache_ttl <= 0:
        return
    if settings.default_rate_limit:
        return  # an app-wide limit must count every request: Flask-Limiter does that
    app.wsgi_app = HotReads(app, app.wsgi_app, identify)  # type: ignore[method-assign]
