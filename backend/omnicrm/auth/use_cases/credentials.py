"""A user's password: set it (against the policy), prove it again, change it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.auth import passwords
from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.errors import LoginThrottled
from omnicrm.auth.models import User
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.audit import audit_after_rollback
from omnicrm.core.db import utcnow
from omnicrm.core.errors import ValidationFailed


def set_password(user: User, password: str, deps: AuthDeps, *, field: str = "password") -> None:
    """Set a new password against the policy; a weak one is a 422 on ``field`` (the request's
    name for it)."""
    problem = passwords.password_problem(password, email=user.email)
    if problem:
        raise ValidationFailed.field(field, problem)
    user.password_hash = passwords.hash_password(password, rounds=deps.settings.bcrypt_rounds)
    user.password_changed_at = utcnow()


def check_password_again(
    session: Session,
    deps: AuthDeps,
    *,
    user: User,
    password: str,
    ip: str | None,
    field: str,
    purpose: str,
) -> None:
    """A signed-in user proves their password again (to change it, to turn on 2FA).

    Guessed like a login, so throttled like one: the same per-(account, client) progressive
    delay and per-account ceiling (429 with Retry-After), shared with login failures. A wrong
    password is audited (``password_check_failed``, outliving the request's rollback) and is
    a 422 on ``field``; never a 401, which would read as an expired session.
    """
    wait = deps.throttle.retry_after(user.email, ip)
    if wait:
        raise LoginThrottled(wait)
    if not passwords.verify_password(
        password, user.password_hash, rounds=deps.settings.bcrypt_rounds
    ):
        deps.throttle.failed(user.email, ip)
        audit_after_rollback(
            session,
            deps,
            action="password_check_failed",
            object_type="user",
            object_id=user.id,
            after={"purpose": purpose},
            actor_user_id=user.id,
        )
        raise ValidationFailed.field(field, "is not correct")
    deps.throttle.succeeded(user.email, ip)


def end_other_sessions(deps: AuthDeps, user_id: int, keep_session: str | None) -> None:
    for row in deps.sessions.list(user_id):
        if row["session_id"] != keep_session:
            deps.sessions.close(user_id, row["session_id"])


def change_password(
    session: Session,
    deps: AuthDeps,
    *,
    user: User,
    current_password: str,
    new_password: str,
    keep_session: str | None,
    ip: str | None,
) -> None:
    check_password_again(
        session,
        deps,
        user=user,
        password=current_password,
        ip=ip,
        field="current_password",
        purpose="password_change",
    )
    set_password(user, new_password, deps, field="new_password")
    end_other_sessions(deps, user.id, keep_session)
    end_sockets_when_done(session, user.id, keep_session=keep_session)
    session.flush()
