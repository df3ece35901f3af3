"""Login sessions, the token blocklist and login throttling, all kept in Redis.

A session is one login: it owns a family of refresh tokens of which only the newest is valid.
Every access token names its session (``sid``); deleting the session revokes the whole family
at once, which is how logout, logout-all, refresh reuse and disabling a user take effect.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from omnicrm.core.redis import Command, round_trip

PREFIX = "omnicrm"


def _sessions_key(user_id: int) -> str:
    return f"{PREFIX}:sess:{user_id}"


def _blocked_key(jti: str) -> str:
    return f"{PREFIX}:revoked:{jti}"


def _perms_key(user_id: int) -> str:
    return f"{PREFIX}:perms:{user_id}"


@dataclass(frozen=True)
class TokenCheck:
    session: dict[str, Any] | None
    blocked: bool
    cached_identity: dict[str, Any] | None
    also: list[Any] = field(default_factory=list)  # results of the ``also`` commands


class SessionStore:
    def __init__(self, client: redis.Redis, *, refresh_ttl: int) -> None:
        self.redis = client
        self.refresh_ttl = refresh_ttl

    # sessions -------------------------------------------------------------------------------
    def open(
        self, user_id: int, sid: str, refresh_jti: str, *, ip: str | None, ua: str | None
    ) -> None:
        now = time.time()
        record = {
            "refresh_jti": refresh_jti,
            "created_at": now,
            "last_used_at": now,
            "expires_at": now + self.refresh_ttl,
            "ip": ip,
            "user_agent": (ua or "")[:200],
        }
        pipe = self.redis.pipeline()
        pipe.hset(_sessions_key(user_id), sid, json.dumps(record))
        pipe.expire(_sessions_key(user_id), self.refresh_ttl)
        pipe.execute()

    def get(self, user_id: int, sid: str) -> dict[str, Any] | None:
        raw = self.redis.hget(_sessions_key(user_id), sid)
        if raw is None:
            return None
        record: dict[str, Any] = json.loads(raw)
        if record.get("expires_at", 0) < time.time():
            self.redis.hdel(_sessions_key(user_id), sid)
            return None
        return record

    def rotate(self, user_id: int, sid: str, old_jti: str, new_jti: str) -> str:
        """Swap the session's refresh token. Returns "ok", "missing" or "reused"."""
        key = _sessions_key(user_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw: Any = pipe.hget(key, sid)  # immediate mode after WATCH: a value
                    if raw is None:
                        pipe.unwatch()
                        return "missing"
                    record = json.loads(raw)
                    if record["refresh_jti"] != old_jti:
                        pipe.unwatch()
                        # A rotated-out token came back: assume theft, kill the family.
                        self.redis.hdel(key, sid)
                        return "reused"
                    record["refresh_jti"] = new_jti
                    record["last_used_at"] = time.time()
                    record["expires_at"] = time.time() + self.refresh_ttl
                    pipe.multi()
                    pipe.hset(key, sid, json.dumps(record))
                    pipe.expire(key, self.refresh_ttl)
                    pipe.execute()
                    return "ok"
                except redis.WatchError:
                    continue

    def list(self, user_id: int) -> list[dict[str, Any]]:
        now = time.time()
        out = []
        for sid, raw in self.redis.hgetall(_sessions_key(user_id)).items():
            record = json.loads(raw)
            if record.get("expires_at", 0) >= now:
                out.append({"session_id": sid, **record})
        return sorted(out, key=lambda r: r["created_at"], reverse=True)

    def close(self, user_id: int, sid: str) -> bool:
        return bool(self.redis.hdel(_sessions_key(user_id), sid))

    def close_all(self, user_id: int) -> int:
        count = self.redis.hlen(_sessions_key(user_id))
        self.redis.delete(_sessions_key(user_id))
        return int(count)

    # blocklist ------------------------------------------------------------------------------
    def block(self, jti: str, exp: int | None) -> None:
        ttl = max(1, math.ceil((exp or time.time() + 3600) - time.time()))
        self.redis.set(_blocked_key(jti), "1", ex=ttl)

    # per-request check: one round trip ----------------------------------------------------------
    def check(self, user_id: int, sid: str, jti: str, also: Sequence[Command] = ()) -> TokenCheck:
        """Session, blocklist and cached identity in one round trip.

        ``also``: further commands to send in the same round trip, for data the request will
        need anyway; their raw replies come back in ``TokenCheck.also``.
        """
        raw_session, blocked, raw_identity, *extra = round_trip(
            self.redis,
            [
                ("HGET", _sessions_key(user_id), sid),
                ("EXISTS", _blocked_key(jti)),
                ("GET", _perms_key(user_id)),
                *also,
            ],
        )
        session = json.loads(raw_session) if raw_session else None
        if session and session.get("expires_at", 0) < time.time():
            session = None
        identity = json.loads(raw_identity) if raw_identity else None
        return TokenCheck(
            session=session, blocked=bool(blocked), cached_identity=identity, also=extra
        )

    def cache_identity(self, user_id: int, identity: dict[str, Any], ttl: int = 300) -> None:
        self.redis.set(_perms_key(user_id), json.dumps(identity), ex=ttl)

    def forget_identity(self, *user_ids: int) -> None:
        if user_ids:
            self.redis.delete(*[_perms_key(uid) for uid in user_ids])


def _hash(value: str) -> str:
    return hashlib.sha256(value.lower().encode()).hexdigest()[:32]


class LoginThrottle:
    """Progressive delay per (account, client) and a NIST-style cap per account.

    After ``delay_after`` consecutive failures from one client, each further attempt must wait
    2^(n - delay_after) seconds (capped). An account that sees ``hard_lock`` failures from
    anywhere is locked for ``hard_lock_seconds``: an attacker can delay a victim, briefly,
    but cannot lock them out for long.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        delay_after: int,
        max_delay: int,
        hard_lock: int,
        hard_lock_seconds: int,
        window: int = 900,
    ) -> None:
        self.redis = client
        self.delay_after = delay_after
        self.max_delay = max_delay
        self.hard_lock = hard_lock
        self.hard_lock_seconds = hard_lock_seconds
        self.window = window

    def _keys(self, email: str, ip: str | None) -> tuple[str, str, str]:
        h = _hash(email)
        client = ip or "unknown"
        return (
            f"{PREFIX}:lf:{h}:{client}",
            f"{PREFIX}:lfa:{h}",
            f"{PREFIX}:lw:{h}:{client}",
        )

    def retry_after(self, email: str, ip: str | None) -> int:
        """Seconds the caller must wait before trying again (0: go ahead)."""
        _, account_key, wait_key = self._keys(email, ip)
        pipe = self.redis.pipeline(transaction=False)
        pipe.ttl(wait_key)
        pipe.get(account_key)
        pipe.ttl(account_key)
        wait_ttl, account_failures, account_ttl = pipe.execute()
        if account_failures and int(account_failures) >= self.hard_lock:
            return max(1, int(account_ttl))
        return max(0, int(wait_ttl or 0))

    def failed(self, email: str, ip: str | None) -> None:
        client_key, account_key, wait_key = self._keys(email, ip)
        pipe = self.redis.pipeline()
        pipe.incr(client_key)
        pipe.expire(client_key, self.window)
        pipe.incr(account_key)
        pipe.expire(account_key, self.window)
        client_failures, _, account_failures, _ = pipe.execute()
        if int(account_failures) >= self.hard_lock:
            self.redis.expire(account_key, self.hard_lock_seconds)
        if int(client_failures) >= self.delay_after:
            delay = min(self.max_delay, 2 ** (int(client_failures) - self.delay_after))
            self.redis.set(wait_key, "1", ex=max(1, delay))

    def succeeded(self, email: str, ip: str | None) -> None:
        self.redis.delete(*self._keys(email, ip))


class AttemptCounter:
    """Counts failures of one kind per subject in a fixed window (e.g. wrong TOTP codes)."""

    def __init__(self, client: redis.Redis, *, name: str, limit: int, window: int) -> None:
        self.redis = client
        self.name = name
        self.limit = limit
        self.window = window

    def _key(self, subject: str | int) -> str:
        return f"{PREFIX}:{self.name}:{subject}"

    def exceeded(self, subject: str | int) -> int:
        """Seconds until more attempts are allowed (0 when below the limit)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(self._key(subject))
        pipe.ttl(self._key(subject))
        count, ttl = pipe.execute()
        if count and int(count) >= self.limit:
            return max(1, int(ttl))
        return 0

    def failed(self, subject: str | int) -> None:
        pipe = self.redis.pipeline()
        pipe.incr(self._key(subject))
        pipe.expire(self._key(subject), self.window, nx=True)
        pipe.execute()

    def reset(self, subject: str | int) -> None:
        self.redis.delete(self._key(subject))
