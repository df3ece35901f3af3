"""Logging in and out: credentials checked (throttled), tokens issued and rotated, sessions
listed and ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy.orm import Session

from omnicrm.auth import passwords
from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.errors import (
    InvalidCredentials,
    LoginThrottled,
    RefreshReused,
    SessionRevoked,
    TokenInvalid,
    TotpRequired,
)
from omnicrm.auth.models import User
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.accounts import find_user_by_email, normalise_email
from omnicrm.auth.use_cases.audit import audit_after_rollback
from omnicrm.auth.use_cases.two_factor import verify_second_factor
from omnicrm.core.context import Principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Forbidden, NotFound


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str
    refresh_token: str
    session_id: str


def identity_of(session: Session, user: User) -> dict[str, Any]:
    """What the per-request cache keeps about a user (roles, permissions, link)."""
    customer_id = None
    if user.contact_id is not None:
        from omnicrm.customers.use_cases import customer_id_for_contact

        customer_id = customer_id_for_contact(session, contact_id=user.contact_id)
    return {
        "email": user.email,
        "roles": user.role_names,
        "permissions": user.permission_names,
        "customer_id": customer_id,
        "active": user.is_active,
    }


def _issue(user: User, sid: str) -> tuple[str, str, str]:
    refresh_jti = uuid.uuid4().hex
    claims = {"sid": sid}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(
        identity=str(user.id), additional_claims={**claims, "jti": refresh_jti}
    )
    return access, refresh, refresh_jti


def login(
    session: Session,
    deps: AuthDeps,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    ip: str | None,
    user_agent: str | None,
) -> LoginResult:
    email = normalise_email(email)
    wait = deps.throttle.retry_after(email, ip)
    if wait:
        raise LoginThrottled(wait)
    user = find_user_by_email(session, email)
    ok = passwords.verify_password(
        password, user.password_hash if user else None, rounds=deps.settings.bcrypt_rounds
    )
    if not ok or user is None or not user.is_active:
        deps.throttle.failed(email, ip)
        audit_after_rollback(
            session,
            deps,
            action="login_failed",
            object_type="user",
            object_id=user.id if user else "unknown",
            after={"email": email},
        )
        raise InvalidCredentials()
    if user.is_2fa_enabled:
        if not totp_code:
            raise TotpRequired("this account needs a 2FA code", extra={"totp_required": True})
        verify_second_factor(session, deps, user=user, code=totp_code, ip=ip)
    deps.throttle.succeeded(email, ip)
    sid = uuid.uuid4().hex
    access, refresh, refresh_jti = _issue(user, sid)
    deps.sessions.open(user.id, sid, refresh_jti, ip=ip, ua=user_agent)
    deps.sessions.cache_identity(user.id, identity_of(session, user))
    user.last_login_at = utcnow()
    session.flush()
    from omnicrm.activity.use_cases import record_event

    record_event(
        session,
        action="login",
        object_type="user",
        object_id=user.id,
        after={"session_id": sid, "2fa": user.is_2fa_enabled},
        actor_user_id=user.id,
    )
    return LoginResult(user=user, token=access, refresh_token=refresh, session_id=sid)


def _decode(token: str, expected_type: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = decode_token(token)
    except Exception as exc:  # every decoding failure is the same answer to the caller
        raise TokenInvalid("token is invalid or expired") from exc
    if claims.get("type") != expected_type or "sid" not in claims:
        raise TokenInvalid(f"an {expected_type} token is required")
    return claims


def refresh_tokens(session: Session, deps: AuthDeps, *, refresh_token: str) -> LoginResult:
    claims = _decode(refresh_token, "refresh")
    user_id, sid = int(claims["sub"]), claims["sid"]
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        deps.sessions.close_all(user_id)
        raise SessionRevoked("the account is disabled")
    new_access, new_refresh, new_jti = _issue(user, sid)
    outcome = deps.sessions.rotate(user_id, sid, claims["jti"], new_jti)
    if outcome == "reused":
        # Who and which session; never the token. The 401 rolls the request back: the row is
        # written in its own transaction.
        audit_after_rollback(
            session,
            deps,
            action="refresh_reused",
            object_type="user",
            object_id=user_id,
            after={"session_id": sid, "outcome": "session_revoked"},
            actor_user_id=user_id,
        )
        end_sockets_when_done(session, user_id, session_id=sid)
        raise RefreshReused("refresh token was already used; the session has been revoked")
    if outcome == "missing":
        raise SessionRevoked("the session has ended; log in again")
    return LoginResult(user=user, token=new_access, refresh_token=new_refresh, session_id=sid)


def logout(session: Session, deps: AuthDeps, *, principal: Principal, everywhere: bool) -> int:
    if principal.user_id is None or principal.session_id is None:
        raise Forbidden("only a login session can log out", code="not_a_session")
    if principal.token_jti:
        deps.sessions.block(principal.token_jti, principal.token_exp)
    if everywhere:
        ended = deps.sessions.close_all(principal.user_id)
    else:
        ended = int(deps.sessions.close(principal.user_id, principal.session_id))
    from omnicrm.activity.use_cases import record_event

    record_event(
        session,
        action="logout",
        object_type="user",
        object_id=principal.user_id,
        after={"session_id": principal.session_id, "everywhere": everywhere, "ended": ended},
    )
    end_sockets_when_done(
        session, principal.user_id, session_id=None if everywhere else principal.session_id
    )
    return ended


def list_sessions(deps: AuthDeps, *, principal: Principal) -> list[dict[str, Any]]:
    rows = deps.sessions.list(principal.user_id or 0)
    for row in rows:
        row["current"] = row["session_id"] == principal.session_id
    return rows


def revoke_session(
    session: Session, deps: AuthDeps, *, principal: Principal, session_id: str
) -> None:
    user_id = principal.user_id or 0

    def outcome(result: str) -> dict[str, Any]:
        return {
            "action": "session_revoked",
            "object_type": "user",
            "object_id": user_id,
            "after": {
                "session_id": session_id[:64],
                "by_session": principal.session_id,
                "outcome": result,
            },
        }

    if not deps.sessions.close(user_id, session_id):
        audit_after_rollback(session, deps, **outcome("not_found"))  # the 404 rolls back
        raise NotFound("no such session")
    from omnicrm.activity.use_cases import record_event

    record_event(session, **outcome("revoked"))
    end_sockets_when_done(session, user_id, session_id=session_id)
