"""The Redis connection: a real server when REDIS_URL is set, an in-process fakeredis otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


Command = tuple[Any, ...]


def round_trip(client: redis.Redis, commands: Sequence[Command]) -> list[Any]:
    """Send ``commands`` in one write and read their replies: what a non-transactional
    pipeline does, without building a Pipeline object per call (this runs on every
    authenticated request). Replies are raw, as the server sends them (HGETALL: a flat list
    from Redis, a dict from fakeredis). A stale pooled connection (Redis restarted) is retried
    once on a fresh one; any other failure drops the connection and is raised.
    """
    pool = client.connection_pool
    for attempt in (1, 2):
        connection = pool.get_connection()
        try:
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _ in commands]
        except (redis.ConnectionError, redis.TimeoutError):
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()  # replies may be left unread on it
            raise
        finally:
            pool.release(connection)
    raise AssertionError("unreachable")


def as_dict(reply: Any) -> dict[Any, Any]:
    """An HGETALL reply from :func:`round_trip` as a dict."""
    if isinstance(reply, dict):
        return reply
    items = list(reply or [])
    return dict(zip(items[::2], items[1::2], strict=True))
