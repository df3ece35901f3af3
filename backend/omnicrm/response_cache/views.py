"""``@cached_read``: a view whose 200 answers are served from the cache while current."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import redis
from flask import Response, current_app, request

from omnicrm.core.logging import get_logger
from omnicrm.response_cache.replay import offer_for_replay
from omnicrm.response_cache.store import (
    LOCAL_ENTRIES,
    Entry,
    LocalEntries,
    entry_key,
    lookup,
    store,
    version,
)

log = get_logger("omnicrm.cache")
F = TypeVar("F", bound=Callable[..., Any])
FLIGHT_WAIT_SECONDS = 10.0  # a reader waits this long at most for another's build
_UNKEPT = frozenset({"content-length", "x-cache"})  # recomputed, or set per answer


def cached_read(namespace: str) -> Callable[[F], F]:
    """Serve the view's 200 answers from the cache under ``namespace``'s current version.

    The answer must depend only on the path and the query string (not on who asks): put the
    decorator below ``@require_permission``, which is then still checked on every request, and
    above flask-smorest's decorators, so that a hit skips argument parsing, the query and
    serialisation. Only a 200 answer is kept; anything else (a 404, a 422) is answered anew
    every time. Answers carry ``X-Cache: hit|miss``.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def cached(*args: Any, **kwargs: Any) -> Response:
            return serve(namespace, functools.partial(view, *args, **kwargs))

        return cast(F, cached)

    return decorator


def serve(namespace: str, build: Callable[[], Any]) -> Response:
    """The cached answer for this request's path and query string, or ``build()``'s."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ttl: int = app.extensions["omnicrm_settings"].response_cache_ttl
    if ttl <= 0:
        return _built(build)
    client: redis.Redis = app.extensions["omnicrm_redis"]
    local: LocalEntries = app.extensions[LOCAL_ENTRIES]
    key = entry_key(namespace, request.path, request.query_string)
    try:
        current = version(client, namespace)
        entry = lookup(client, local, key, current)
    except redis.RedisError:  # an optimisation: never fail a read for it
        return _built(build)
    flight = local.flight(key)
    if entry is not None:
        if not (entry.due_for_renewal(ttl) and flight.acquire(blocking=False)):
            return _hit(key, namespace, entry)
        # This request renews the entry; the others keep being served it meanwhile.
    elif not flight.acquire(timeout=FLIGHT_WAIT_SECONDS):
        log.warning("cache_flight_timeout", namespace=namespace)
        return _built(build)
    try:
        if entry is None:
            # Another request may have built it while this one waited for the flight.
            try:
                entry = lookup(client, local, key, current)
            except redis.RedisError:
                entry = None
            if entry is not None:
                return _hit(key, namespace, entry)
        response = _built(build)
        if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
            return response
        entry = Entry(
            current,
            response.get_data(as_text=True),
            tuple((n, v) for n, v in response.headers.items() if n.lower() not in _UNKEPT),
            time.time() + ttl,
        )
        try:
            store(client, key, entry, ttl)
        except redis.RedisError:
            log.warning("cache_store_failed", namespace=namespace)
            return response
        local.put(key, entry)
        offer_for_replay(key, namespace, entry)
        return response
    finally:
        flight.release()


def _built(build: Callable[[], Any]) -> Response:
    response = current_app.make_response(build())
    response.headers["X-Cache"] = "miss"
    return response


def _hit(key: str, namespace: str, entry: Entry) -> Response:
    offer_for_replay(key, namespace, entry)
    response = Response(entry.body, headers=list(entry.headers))
    response.headers["X-Cache"] = "hit"
    return response
