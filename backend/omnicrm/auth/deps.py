"""What auth use cases need from the app (settings, the database, the Redis-backed stores):
:func:`auth_deps` builds it from the app, so the use cases never reach for ``current_app``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from omnicrm.auth.sessions import AttemptCounter, LoginThrottle, SessionStore
from omnicrm.core.db import Database
from omnicrm.extensions import get_db, get_redis
from omnicrm.settings import Settings


@dataclass(frozen=True)
class AuthDeps:
    settings: Settings
    database: Database  # for audit records written after the request's rollback
    sessions: SessionStore
    throttle: LoginThrottle
    totp_failures: AttemptCounter  # per (account, client)
    totp_account_failures: AttemptCounter  # per account, from anywhere


def auth_deps() -> AuthDeps:
    settings: Settings = current_app.extensions["omnicrm_settings"]
    client = get_redis()
    return AuthDeps(
        settings=settings,
        database=get_db(),
        sessions=SessionStore(client, refresh_ttl=settings.jwt_refresh_ttl_seconds),
        throttle=LoginThrottle(
            client,
            delay_after=settings.login_delay_after_failures,
            max_delay=settings.login_max_delay_seconds,
            hard_lock=settings.login_hard_lock_failures,
            hard_lock_seconds=settings.login_hard_lock_seconds,
        ),
        totp_failures=AttemptCounter(
            client,
            name="totpfail",
            limit=settings.totp_max_failures,
            window=settings.totp_failure_window_seconds,
        ),
        totp_account_failures=AttemptCounter(
            client,
            name="totpfaila",
            limit=settings.totp_account_max_failures,
            window=settings.totp_account_failure_window_seconds,
        ),
    )
