"""Read-through response cache, invalidated by commits.

Hot read endpoints (customer and product lists and details) cache their serialised JSON under
a namespace *version*: a random token kept in one Redis hash. Any committed change to a model
registered for that namespace replaces the token (after COMMIT, via SQLAlchemy session events),
so the next read misses and rebuilds: no reader sees data older than the last commit it could
have observed. Tokens are random rather than counters so a flushed or restarted Redis can never
bring an old version back.

Where entries live:

- in Redis (shared by every process), with a TTL that bounds staleness for writes made outside
  the ORM (psql, another application); ``RESPONSE_CACHE_TTL=0`` turns caching off;
- in a small per-process LRU in front of it (``RESPONSE_CACHE_LOCAL_ENTRIES``), so a hit costs
  no Redis read of its own.

The versions are read once per request: the authenticator asks for them in the same Redis
round trip as its session check (:data:`PREFETCH_VERSIONS` / :func:`remember_versions`), so a
cached read by a signed-in user costs that one round trip and nothing more. Requests
authenticated otherwise (API keys) read them here.

Building an entry is single-flight per process: when many requests miss the same key at once
(a cold start, a commit, the TTL running out under load), one builds it while the others wait
for it instead of all running the same query. And an entry in the last ``REFRESH_AHEAD`` of its
TTL is rebuilt by one request while the others keep being served the (still valid) entry, so
a busy key does not expire under its readers.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, Response, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from omnicrm.core.auth import required_permissions
from omnicrm.core.logging import get_logger
from omnicrm.core.redis import as_dict

log = get_logger("omnicrm.cache")
PREFIX = "omnicrm:rc"
VERSIONS_KEY = f"{PREFIX}:versions"
_namespaces_by_model: dict[type, str] = {}
_installed = False
_SESSION_KEY = "cache_namespaces"
_ENVIRON_KEY = "omnicrm.cache_versions"
REFRESH_AHEAD = 0.2  # of the TTL: one reader rebuilds an entry this close to its expiry
FLIGHT_WAIT_SECONDS = 10.0  # a reader waits this long at most for another's build
FLIGHT_STRIPES = 64


def register_cached_models(namespace: str, *models: type) -> None:
    """Changes to these models invalidate ``namespace``."""
    for model in models:
        _namespaces_by_model[model] = namespace


def bump(client: redis.Redis, *namespaces: str) -> None:
    """Give each namespace a new version: every entry built under the old one is stale."""
    client.hset(VERSIONS_KEY, mapping={ns: secrets.token_hex(8) for ns in namespaces})


# --------------------------------------------------------------------------------------------
# Versions: read with the request's session check, or here
# --------------------------------------------------------------------------------------------
# The namespace versions, read in a round trip the request makes anyway (the session check).
PREFETCH_VERSIONS = ("HGETALL", VERSIONS_KEY)


def remember_versions(raw: Any) -> None:
    """Keep what :data:`PREFETCH_VERSIONS` returned, for this request only.

    Kept in the WSGI environ rather than ``flask.g``: an application context (and its ``g``)
    can outlive one request.
    """
    request.environ[_ENVIRON_KEY] = decode_versions(raw)


def decode_versions(raw: Any) -> dict[str, str]:
    """Namespace -> version, from what :data:`PREFETCH_VERSIONS` returned (raw reply)."""
    return {_text(k): _text(v) for k, v in as_dict(raw).items()}


def _version(client: redis.Redis, namespace: str) -> str:
    versions: dict[str, str] | None = request.environ.get(_ENVIRON_KEY)
    if versions is None:
        versions = {_text(k): _text(v) for k, v in client.hgetall(VERSIONS_KEY).items()}
        request.environ[_ENVIRON_KEY] = versions
    version = versions.get(namespace)
    if version is None:  # first use, or Redis was flushed: start a version (the first wins)
        client.hsetnx(VERSIONS_KEY, namespace, secrets.token_hex(8))
        version = _text(client.hget(VERSIONS_KEY, namespace))
        versions[namespace] = version
    return version


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# --------------------------------------------------------------------------------------------
# Entries: a per-process LRU in front of Redis
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    version: str
    body: str
    count: int
    expires_at: float  # wall clock: when the Redis copy expires too


class LocalEntries:
    """A bounded, thread-safe LRU of entries (this process's copy of Redis's)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()
        # Who builds which key: striped, so the set of locks stays bounded. Two keys sharing a
        # stripe only means one build waits for the other; the waiter then builds its own.
        self._flights = [threading.Lock() for _ in range(FLIGHT_STRIPES)]

    def flight(self, key: str) -> threading.Lock:
        """The lock a request holds while it builds ``key``."""
        return self._flights[hash(key) % len(self._flights)]

    def get(self, key: str, version: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version != version or entry.expires_at <= time.time():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


CANDIDATE = "omnicrm.replay_candidate"


@dataclass(frozen=True)
class Candidate:
    """Left on the WSGI environ by a cached answer, for :mod:`omnicrm.core.hot_reads`."""

    key: str
    namespace: str
    entry: Entry
    permissions: frozenset[str]  # what the view required
    endpoint: str
    path: str


def _offer_for_replay(key: str, namespace: str, entry: Entry) -> None:
    # The middleware leaves a list on the environ (middlewares in between may copy the environ
    # dict, never the list in it); without one, nobody replays.
    offers: list[Candidate] | None = request.environ.get(CANDIDATE)
    permissions = required_permissions() if offers is not None else None
    if offers is None or permissions is None:  # a public view: nothing to check or replay
        return
    offers.append(
        Candidate(key, namespace, entry, permissions, request.endpoint or "unmatched", request.path)
    )


def init_cache(app: Flask, max_entries: int) -> None:
    app.extensions["omnicrm_cache"] = LocalEntries(max_entries)


def _from_redis(client: redis.Redis, key: str, version: str) -> Entry | None:
    stored_version, body, count, expires_at = client.hmget(
        key, ["version", "body", "count", "expires_at"]
    )
    if body is None or stored_version is None or _text(stored_version) != version:
        return None
    return Entry(version, _text(body), int(count or 0), float(expires_at or 0))


def _store(client: redis.Redis, key: str, entry: Entry, ttl: int) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.hset(
        key,
        mapping={
            "version": entry.version,
            "body": entry.body,
            "count": entry.count,
            "expires_at": entry.expires_at,
        },
    )
    pipe.expire(key, ttl)
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
    local: LocalEntries = current_app.extensions["omnicrm_cache"]
    raw_key = f"{request.path}?{sorted(request.args.items(multi=True))}"
    key = f"{PREFIX}:e:{namespace}:{hashlib.sha256(raw_key.encode()).hexdigest()[:32]}"
    if ttl <= 0:
        return _built(build, pagination)
    try:
        version = _version(client, namespace)
        entry = _lookup(client, local, key, version)
    except redis.RedisError:  # an optimisation: never fail a read for it
        return _built(build, pagination)
    flight = local.flight(key)
    if entry is not None:
        renew = entry.expires_at - time.time() <= ttl * REFRESH_AHEAD
        if not (renew and flight.acquire(blocking=False)):
            _offer_for_replay(key, namespace, entry)
            return _respond(entry.body, entry.count, pagination, "hit")
        # This request renews the entry; the others keep being served it meanwhile.
    elif not flight.acquire(timeout=FLIGHT_WAIT_SECONDS):
        log.warning("cache_flight_timeout", namespace=namespace)
        return _built(build, pagination)
    try:
        if entry is None:
            # Another request may have built it while this one waited for the flight.
            try:
                entry = _lookup(client, local, key, version)
            except redis.RedisError:
                entry = None
            if entry is not None:
                _offer_for_replay(key, namespace, entry)
                return _respond(entry.body, entry.count, pagination, "hit")
        payload, built_count = build()
        body = current_app.json.dumps(payload)
        entry = Entry(version, body, built_count or 0, time.time() + ttl)
        try:
            _store(client, key, entry, ttl)
            local.put(key, entry)
            _offer_for_replay(key, namespace, entry)
        except redis.RedisError:
            log.warning("cache_store_failed", namespace=namespace)
        return _respond(body, built_count, pagination, "miss")
    finally:
        flight.release()


def _lookup(client: redis.Redis, local: LocalEntries, key: str, version: str) -> Entry | None:
    entry = local.get(key, version)
    if entry is None:
        entry = _from_redis(client, key, version)
        if entry is not None:
            local.put(key, entry)
    return entry


def _built(build: Callable[[], tuple[Any, int | None]], pagination: Any) -> Response:
    payload, count = build()
    return _respond(current_app.json.dumps(payload), count, pagination, "miss")


def _respond(body: str, count: int | None, pagination: Any, state: str) -> Response:
    if pagination is not None:
        pagination.item_count = count or 0
    response = Response(body, mimetype="application/json")
    response.headers["X-Cache"] = state
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
