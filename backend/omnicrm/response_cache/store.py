"""Where entries live: namespace versions and entries in Redis, a per-process LRU in front.

A namespace's *version* is a random token in one Redis hash; an entry is valid only under the
version it was built with. Tokens are random rather than counters so a flushed or restarted
Redis can never bring an old version back.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import redis
from flask import request

from omnicrm.core.redis import Command, as_dict

PREFIX = "omnicrm:rc"
VERSIONS_KEY = f"{PREFIX}:versions"
# The command that reads every namespace's version: sent in the request's session check
# (one round trip), else by :func:`version` itself.
VERSIONS_COMMAND: Command = ("HGETALL", VERSIONS_KEY)
_ENVIRON_KEY = "omnicrm.cache_versions"
LOCAL_ENTRIES = "omnicrm_response_cache"  # the app's LocalEntries, in app.extensions
REFRESH_AHEAD = 0.2  # of the TTL: one reader rebuilds an entry this close to its expiry
FLIGHT_STRIPES = 64


def bump(client: redis.Redis, *namespaces: str) -> None:
    """Give each namespace a new version: every entry built under the old one is stale."""
    client.hset(VERSIONS_KEY, mapping={ns: secrets.token_hex(8) for ns in namespaces})


def remember_versions(raw: Any) -> None:
    """Keep what :data:`VERSIONS_COMMAND` returned, for this request only.

    Kept in the WSGI environ rather than ``flask.g``: an application context (and its ``g``)
    can outlive one request.
    """
    request.environ[_ENVIRON_KEY] = {_text(k): _text(v) for k, v in as_dict(raw).items()}


def version(client: redis.Redis, namespace: str) -> str:
    """The namespace's current version (read once per request)."""
    versions: dict[str, str] | None = request.environ.get(_ENVIRON_KEY)
    if versions is None:
        versions = {_text(k): _text(v) for k, v in client.hgetall(VERSIONS_KEY).items()}
        request.environ[_ENVIRON_KEY] = versions
    current = versions.get(namespace)
    if current is None:  # first use, or Redis was flushed: start a version (the first wins)
        client.hsetnx(VERSIONS_KEY, namespace, secrets.token_hex(8))
        current = _text(client.hget(VERSIONS_KEY, namespace))
        versions[namespace] = current
    return current


def entry_key(namespace: str, path: str, query_string: bytes) -> str:
    """An entry's Redis key: the namespace, then a digest of the raw path and query string."""
    digest = hashlib.sha256(f"{path}?".encode() + query_string).hexdigest()[:32]
    return f"{PREFIX}:e:{namespace}:{digest}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Entry:
    """A cached 200 answer: its body and the headers the view set (``X-Pagination``, ...)."""

    version: str
    body: str
    headers: tuple[tuple[str, str], ...]
    expires_at: float  # wall clock: when the Redis copy expires too

    def due_for_renewal(self, ttl: int) -> bool:
        """In the last ``REFRESH_AHEAD`` of its TTL: one reader should rebuild it now."""
        return self.expires_at - time.time() <= ttl * REFRESH_AHEAD


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


def lookup(client: redis.Redis, local: LocalEntries, key: str, current: str) -> Entry | None:
    """The entry for ``key`` under version ``current``: from this process, else from Redis."""
    entry = local.get(key, current)
    if entry is None:
        entry = _from_redis(client, key, current)
        if entry is not None:
            local.put(key, entry)
    return entry


def _from_redis(client: redis.Redis, key: str, current: str) -> Entry | None:
    stored_version, body, headers, expires_at = client.hmget(
        key, ["version", "body", "headers", "expires_at"]
    )
    if body is None or headers is None or stored_version is None:
        return None
    if _text(stored_version) != current:
        return None
    pairs = tuple((str(name), str(value)) for name, value in json.loads(headers))
    return Entry(current, _text(body), pairs, float(expires_at or 0))


def store(client: redis.Redis, key: str, entry: Entry, ttl: int) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.hset(
        key,
        mapping={
            "version": entry.version,
            "body": entry.body,
            "headers": json.dumps(entry.headers),
            "expires_at": entry.expires_at,
        },
    )
    pipe.expire(key, ttl)
    pipe.execute()
