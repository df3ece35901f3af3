"""The Redis connection: a real server when REDIS_URL is set, an in-process fakeredis otherwise."""

from __future__ import annotations

import fakeredis
import redis

_EMBEDDED_SERVER = fakeredis.FakeServer()


def make_redis(url: str) -> redis.Redis:
    if url:
        return redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=2.0
        )
    # One server per process so every client in the embedded app sees the same data.
    return fakeredis.FakeRedis(server=_EMBEDDED_SERVER, decode_responses=True)


def isolated_fake_redis() -> redis.Redis:
    """A fresh in-memory Redis (tests)."""
    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
