"""One Redis round trip without a Pipeline object: replies, errors, a stale connection."""

from __future__ import annotations

import pytest
import redis

from omnicrm.core.redis import as_dict, isolated_fake_redis, round_trip


def test_replies_come_back_in_order():
    client = isolated_fake_redis()
    client.hset("h", mapping={"a": "1", "b": "2"})
    client.set("s", "v")
    replies = round_trip(
        client, [("HGET", "h", "a"), ("EXISTS", "nope"), ("GET", "s"), ("HGETALL", "h")]
    )
    assert replies[:3] == ["1", 0, "v"]
    assert as_dict(replies[3]) == {"a": "1", "b": "2"}


def test_a_flat_hgetall_reply_becomes_a_dict():
    assert as_dict(["a", "1", "b", "2"]) == {"a": "1", "b": "2"}
    assert as_dict([]) == as_dict(None) == {}


def test_an_error_reply_is_raised_and_leaves_no_unread_replies_behind():
    client = isolated_fake_redis()
    client.hset("h", "a", "1")
    with pytest.raises(redis.ResponseError):
        round_trip(client, [("GET", "h"), ("SET", "after", "x")])  # WRONGTYPE, then one more
    # the connection that had a reply left unread was dropped: the next trip reads its own
    assert round_trip(client, [("HGET", "h", "a")]) == ["1"]


def test_a_stale_connection_is_retried_once_then_the_error_is_raised(monkeypatch):
    client = isolated_fake_redis()
    client.set("k", "v")
    connection_class = client.connection_pool.connection_class
    original = connection_class.send_packed_command
    failures = [redis.ConnectionError("server closed the connection")]

    def flaky(connection, *args, **kwargs):
        if failures:
            raise failures.pop()
        return original(connection, *args, **kwargs)

    monkeypatch.setattr(connection_class, "send_packed_command", flaky)
    assert round_trip(client, [("GET", "k")]) == ["v"]  # a Redis restart costs nobody a 503
    failures.extend([redis.ConnectionError("down"), redis.ConnectionError("still down")])
    with pytest.raises(redis.ConnectionError):
        round_trip(client, [("GET", "k")])
