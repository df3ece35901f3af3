"""Read-through response cache in Redis, invalidated by commits.

Hot read endpoints (the customer list and detail) cache their serialised JSON under a
namespace *version*. Any committed change to a model registered for that namespace bumps the
version (after COMMIT, via SQLAlchemy session events), so the next read misses and rebuilds:
no reader sees data older than the last commit it could have observed. A TTL bounds staleness
for writes made outside the ORM (psql, another application). ``RESPONSE_CACHE_TTL=0`` turns it
off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import redis
from flask import Response, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.cache")
PREFIX = "omnicrm:rc"
_namespaces_by_model: dict[type, str] = {}
_installed = False
_SESSION_KEY = "cache_namespaces"


def register_cached_models(namespace: str, *models: type) -> None:
    """Changes to these models invalidate ``namespace``."""
    for model in models:
        _namespaces_by_model[model] = namespace


def _version_key(namespace: str) -> str:
    return f"{PREFIX}:v:{namespace}"


def bump(client: redis.Redis, *namespaces: str) -> None:
    pipe = client.pipeline(transaction=False)
    for namespace in namespaces:
        pipe.incr(_version_key(namespace))
    pipe.execute()


def cached_json(
    namespace: str,
    build: Callable[[], tuple[Any, int | None]],
    *,
    pagination: Any = None,
) -> Response:
    """Serve the JSON of ``build()`` (payload, item count) from the cache when it is current."""
    settings = current_app.extensions["omnicrm_settings"]
    ttl = settings.response_cache_ttl
    client: redis.Redis = current_app.extensions["omnicrm_redis"]
    raw_key = f"{request.path}?{sorted(request.args.items(multi=True))}"
    digest = hashlib.sha256(raw_key.encode()).hexdigest()[:32]
    entry_key = f"{PREFIX}:e:{namespace}:{digest}"
    version = None
    if ttl > 0:
        # One round trip: the namespace's current version and the entry (which records the
        # version it was built under; an older one is a miss).
        try:
            pipe = client.pipeline(transaction=False)
            pipe.get(_version_key(namespace))
            pipe.hmget(entry_key, "version", "body", "count")
            version_raw, (entry_version, body, count) = pipe.execute()
            version = version_raw or "0"
        except redis.RedisError:
            entry_version = body = count = None  # an optimisation: never fail a read for it
        if body is not None and entry_version == version:
            if pagination is not None:
                pagination.item_count = int(count or 0)
            response = Response(body, mimetype="application/json")
            response.headers["X-Cache"] = "hit"
            return response
    payload, built_count = build()
    body = current_app.json.dumps(payload)
    if pagination is not None:
        pagination.item_count = built_count
    if version is not None:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.hset(
                entry_key, mapping={"version": version, "body": body, "count": built_count or 0}
            )
            pipe.expire(entry_key, ttl)
            pipe.execute()
        except redis.RedisError:
            log.warning("cache_store_failed", namespace=namespace)
    response = Response(body, mimetype="application/json")
    response.headers["X-Cache"] = "miss"
    return response


# --------------------------------------------------------------------------------------------
# Invalidation: collect touched namespaces at flush, bump them after the real COMMIT
# --------------------------------------------------------------------------------------------
def _touched(session: Session) -> set[str]:
    found: set[str] = session.info.setdefault(_SESSION_KEY, set())
    return found


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        namespace = _namespaces_by_model.get(type(obj))
        if namespace is not None:
            _touched(session).add(namespace)


def _on_orm_execute(state: Any) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    for mapper in state.all_mappers:
        namespace = _namespaces_by_model.get(mapper.class_)
        if namespace is not None:
            _touched(state.session).add(namespace)


def _after_commit(session: Session) -> None:
    namespaces = session.info.pop(_SESSION_KEY, None)
    if not namespaces:
        return
    try:
        client: redis.Redis = current_app.extensions["omnicrm_redis"]
        bump(client, *sorted(namespaces))
    except RuntimeError:
        log.warning("cache_bump_outside_app", namespaces=sorted(namespaces))
    except redis.RedisError:
        log.error("cache_bump_failed", namespaces=sorted(namespaces))


def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def install_cache_invalidation() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True
