"""Auth business rules: login, tokens, sessions, 2FA, users, roles and API keys.

Plain functions over a Session and the Redis-backed :class:`AuthDeps`; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from omnicrm.auth import passwords, totp
from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.errors import (
    DuplicateUser,
    InvalidCredentials,
    LoginThrottled,
    RefreshReused,
    SessionRevoked,
    TokenInvalid,
    TotpRequired,
)
from omnicrm.auth.models import ApiKey, BackupCode, Permission, Role, User, UserToken
from omnicrm.auth.permissions import BUILTIN_ROLES, PERMISSIONS
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.core.context import Principal
from omnicrm.core.db import after_commit, after_end, utcnow
from omnicrm.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from omnicrm.core.query import like_pattern
from omnicrm.notifications.use_cases import queue_email

TOKEN_TTL = {"verify_email": timedelta(days=2), "reset_password": timedelta(hours=1)}


# ---------------------------------------------------------------------------------------------
# RBAC catalogue
# ---------------------------------------------------------------------------------------------
def sync_rbac(session: Session) -> None:
    """Make the permission catalogue and built-in roles exist (idempotent)."""
    existing = {p.name: p for p in session.scalars(select(Permission))}
    for name, description in PERMISSIONS.items():
        if name not in existing:
            existing[name] = Permission(name=name, description=description)
            session.add(existing[name])
    session.flush()
    roles = {r.name: r for r in session.scalars(select(Role))}
    for name, (description, perms) in BUILTIN_ROLES.items():
        role = roles.get(name)
        if role is None:
            role = Role(name=name, description=description, builtin=True)
            session.add(role)
        have = {p.name for p in role.permissions}
        for perm in sorted(perms - have):
            role.permissions.append(existing[perm])
    session.flush()


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------
def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def users_query(
    *, q: str | None = None, role: str | None = None, is_active: bool | None = None
) -> Select[Any]:
    stmt = select(User).order_by(User.id)
    if q:
        like = like_pattern(q.strip())
        stmt = stmt.where(
            or_(
                User.email.ilike(like, escape="\\"),
                User.username.ilike(like, escape="\\"),
                User.full_name.ilike(like, escape="\\"),
            )
        )
    if role:
        stmt = stmt.where(User.roles.any(Role.name == role))
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    return stmt


def list_roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.name)))


def list_permissions(session: Session) -> list[Permission]:
    return list(session.scalars(select(Permission).order_by(Permission.name)))


def _roles_by_name(session: Session, names: list[str]) -> list[Role]:
    roles = list(session.scalars(select(Role).where(Role.name.in_(names))))
    missing = sorted(set(names) - {r.name for r in roles})
    if missing:
        raise ValidationFailed.field("roles", f"unknown role(s): {', '.join(missing)}")
    return roles


# ---------------------------------------------------------------------------------------------
# No escalation through administration: grant only what you hold, change only who you outrank
# ---------------------------------------------------------------------------------------------
ADMIN_ROLE = "admin"


def _refused(message: str, *, reason: str, required: list[str]) -> Forbidden:
    """A refused administrative change: 403 ``permission_denied`` (audited like one), naming
    what the actor lacks in ``required`` (permission names, or ``role:admin``)."""
    return Forbidden(
        message, code="permission_denied", extra={"required": required, "reason": reason}
    )


def _is_admin(actor: Principal) -> bool:
    return ADMIN_ROLE in actor.roles


def _require_held(actor: Principal, permissions: set[str], what: str) -> None:
    missing = sorted(permissions - actor.permissions)
    if missing:
        raise _refused(
            f"{what}: you do not hold {', '.join(missing)}", reason="not_held", required=missing
        )


def _require_grantable(actor: Principal, roles: list[Role]) -> None:
    """Only roles whose every permission the actor holds; ``admin`` only by an admin."""
    for role in roles:
        if role.name == ADMIN_ROLE and not _is_admin(actor):
            raise _refused(
                "only an admin can grant the admin role: you do not hold the admin role",
                reason="admin_only",
                required=[f"role:{ADMIN_ROLE}"],
            )
        _require_held(
            actor, {p.name for p in role.permissions}, f"you cannot grant role {role.name!r}"
        )


def _require_outranks(actor: Principal, user: User) -> None:
    """The actor changes only accounts holding nothing more than they do; admins only by an
    admin. Trivially true of one's own account, unless acting through a narrower API key."""
    if ADMIN_ROLE in user.role_names and not _is_admin(actor):
        raise _refused(
            f"only an admin can change admin account {user.id}: you do not hold the admin role",
            reason="admin_only",
            required=[f"role:{ADMIN_ROLE}"],
        )
    missing = sorted(set(user.permission_names) - actor.permissions)
    if missing:
        raise _refused(
            f"you cannot change user {user.id}: they hold {', '.join(missing)}, which you do not",
            reason="outranked",
            required=missing,
        )


def _require_may_link_contact(actor: Principal | None, contact_id: int | None) -> None:
    """A self-care link opens that customer's data to the user: only for those who can read it."""
    if actor is not None and contact_id is not None:
        _require_held(actor, {"customer.read"}, "you cannot link a user to a contact")


def _require_may_manage_role(actor: Principal, role: Role) -> None:
    """Nobody edits or deletes a role they hold, or one carrying permissions they lack.

    Admins are the exception to the first rule: holding every permission already, they cannot
    raise themselves through a role (and the admin role's permissions are fixed anyway)."""
    if role.name in actor.roles and not _is_admin(actor):
        raise _refused(
            f"you cannot change role {role.name!r}: you hold it yourself",
            reason="own_role",
            required=[],
        )
    if role.name == ADMIN_ROLE and not _is_admin(actor):
        raise _refused(
            "only an admin can change the admin role: you do not hold it",
            reason="admin_only",
            required=[f"role:{ADMIN_ROLE}"],
        )
    _require_held(
        actor, {p.name for p in role.permissions}, f"you cannot change role {role.name!r}"
    )


def create_user(
    session: Session,
    deps: AuthDeps,
    *,
    email: str,
    password: str | None,
    roles: list[str],
    username: str | None = None,
    full_name: str = "",
    email_verified: bool = False,
    contact_id: int | None = None,
    actor: Principal | None,
) -> User:
    """Create a user. ``actor`` is who asks: they may give only roles they could hold entirely.
    ``None`` says a trusted internal caller (CLI, seeding); there is no default, so no caller
    skips the check by forgetting it."""
    granted = _roles_by_name(session, roles)
    if actor is not None:
        _require_grantable(actor, granted)
    _require_may_link_contact(actor, contact_id)
    email = normalise_email(email)
    username = (username or email.split("@")[0]).strip()
    clash = session.scalar(
        select(User).where((User.email == email) | (func.lower(User.username) == username.lower()))
    )
    if clash is not None:
        field = "email" if clash.email == email else "username"
        raise DuplicateUser(
            f"a user with this {field} already exists",
            errors={"json": {field: ["already in use"]}},
            extra={"existing_user_id": clash.id},
        )
    user = User(
        email=email,
        username=username,
        full_name=full_name,
        email_verified=email_verified,
        contact_id=contact_id,
        roles=granted,
    )
    if password is not None:
        _set_password(user, password, deps)
    session.add(user)
    session.flush()
    if password is None:
        request_password_reset(session, deps, email=email, welcome=True)
    elif not email_verified:
        request_email_verification(session, deps, user=user)
    return user


def update_user(
    session: Session,
    deps: AuthDeps,
    *,
    user_id: int,
    changes: dict[str, Any],
    actor: Principal,
) -> User:
    user = get_user(session, user_id)
    if changes:
        _require_outranks(actor, user)
    if "contact_id" in changes and changes["contact_id"] != user.contact_id:
        _require_may_link_contact(actor, changes["contact_id"])
    if "roles" in changes:
        granted = _roles_by_name(session, changes["roles"])
        _require_grantable(actor, granted)
        if (
            user.id == actor.user_id
            and "admin" in user.role_names
            and "admin" not in changes["roles"]
        ):
            raise Conflict("you cannot remove your own admin role", code="self_lockout")
        user.roles = granted
    for field in ("full_name", "username", "contact_id"):
        if field in changes:
            setattr(user, field, changes[field])
    if "is_active" in changes:
        if not changes["is_active"] and user.id == actor.user_id:
            raise Conflict("you cannot disable yourself", code="self_lockout")
        user.is_active = changes["is_active"]
        if not user.is_active:
            deps.sessions.close_all(user.id)
    if "password" in changes:
        _set_password(user, changes["password"], deps)
        deps.sessions.close_all(user.id)
    session.flush()
    deps.sessions.forget_identity(user.id)
    if changes.keys() & {"roles", "is_active", "password"}:
        end_sockets_when_done(session, user.id)
    return user


def forget_users_linked_to(session: Session, *, contact_ids: list[int]) -> None:
    """After this unit of work commits, users linked to these contacts reload their identity
    (roles, permissions, self-care customer) on their next request."""
    from flask import current_app

    from omnicrm.auth.sessions import SessionStore

    user_ids = list(session.scalars(select(User.id).where(User.contact_id.in_(contact_ids))))
    if not user_ids:
        return
    client = current_app.extensions["omnicrm_redis"]

    def _forget() -> None:
        SessionStore(client, refresh_ttl=0).forget_identity(*user_ids)

    after_commit(session, _forget)


def disable_user(session: Session, deps: AuthDeps, *, user_id: int, actor: Principal) -> User:
    return update_user(session, deps, user_id=user_id, changes={"is_active": False}, actor=actor)


def _set_password(user: User, password: str, deps: AuthDeps) -> None:
    problem = passwords.password_problem(password, email=user.email)
    if problem:
        raise ValidationFailed.field("password", problem)
    user.password_hash = passwords.hash_password(password, rounds=deps.settings.bcrypt_rounds)
    user.password_changed_at = utcnow()


# ---------------------------------------------------------------------------------------------
# Login, tokens, sessions
# ---------------------------------------------------------------------------------------------
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


def _audit_after_rollback(session: Session, **event: Any) -> None:
    """Record an event that must survive the request's rollback (a refused login)."""
    from flask import current_app

    from omnicrm.activity.use_cases import record_event_now

    database = current_app.extensions["omnicrm_db"]
    after_end(session, lambda: record_event_now(database, **event))


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
        _audit_after_rollback(
            session,
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
        _audit_after_rollback(
            session,
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
        _audit_after_rollback(session, **outcome("not_found"))  # the 404 rolls back
        raise NotFound("no such session")
    from omnicrm.activity.use_cases import record_event

    record_event(session, **outcome("revoked"))
    end_sockets_when_done(session, user_id, session_id=session_id)


# ---------------------------------------------------------------------------------------------
# Two-factor authentication
# ---------------------------------------------------------------------------------------------
def _totp_client(user: User, ip: str | None) -> str:
    return f"{user.id}:{ip or 'unknown'}"


def _totp_wait(deps: AuthDeps, user: User, ip: str | None) -> int:
    """Seconds before this client may try another 2FA code for this account (0: go ahead).

    Wrong codes are limited per (account, client) and, much higher, per account from anywhere:
    someone who knows the password can slow their own guessing, not lock the real user out.
    """
    return max(
        deps.totp_failures.exceeded(_totp_client(user, ip)),
        deps.totp_account_failures.exceeded(user.id),
    )


def _totp_failed(deps: AuthDeps, user: User, ip: str | None) -> None:
    deps.totp_failures.failed(_totp_client(user, ip))
    deps.totp_account_failures.failed(user.id)


def verify_second_factor(
    session: Session, deps: AuthDeps, *, user: User, code: str, ip: str | None
) -> None:
    """Accept a fresh TOTP code or an unused backup code; refuse replays and brute force."""
    wait = _totp_wait(deps, user, ip)
    if wait:
        raise LoginThrottled(wait, "too many wrong 2FA codes")
    if totp.looks_like_backup_code(code):
        digest = totp.hash_backup_code(code)
        backup = session.scalar(
            select(BackupCode).where(
                BackupCode.user_id == user.id,
                BackupCode.code_hash == digest,
                BackupCode.used_at.is_(None),
            )
        )
        if backup is not None:
            backup.used_at = utcnow()
            session.flush()
            deps.totp_failures.reset(_totp_client(user, ip))
            return
    elif user.totp_secret:
        step = totp.accept_code(user.totp_secret, code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            session.flush()
            deps.totp_failures.reset(_totp_client(user, ip))
            return
    _totp_failed(deps, user, ip)
    raise TotpRequired("the 2FA code is invalid or was already used")


def setup_2fa(session: Session, *, user: User) -> dict[str, str]:
    if user.is_2fa_enabled:
        raise Conflict("2FA is already enabled; disable it first", code="2fa_enabled")
    secret = totp.new_secret()
    user.totp_pending_secret = secret
    session.flush()
    uri = totp.provisioning_uri(secret, user.email)
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)}


def enable_2fa(
    session: Session,
    deps: AuthDeps,
    *,
    user: User,
    code: str,
    password: str,
    ip: str | None,
    keep_session: str | None,
) -> list[str]:
    """Turn 2FA on: needs the password again (a stolen session alone cannot) and a current
    code of the pending secret. Every other session of the user ends; ``keep_session`` stays."""
    if user.is_2fa_enabled:
        raise Conflict("2FA is already enabled", code="2fa_enabled")
    if not user.totp_pending_secret:
        raise Conflict("call 2fa/setup first", code="2fa_not_set_up")
    _check_password_again(
        session, deps, user=user, password=password, ip=ip, field="password", purpose="2fa_enable"
    )
    wait = _totp_wait(deps, user, ip)
    if wait:
        raise LoginThrottled(wait, "too many wrong 2FA codes")
    step = totp.accept_code(user.totp_pending_secret, code, user.totp_last_step)
    if step is None:
        _totp_failed(deps, user, ip)
        raise ValidationFailed.field("code", "invalid or already used code")
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_last_step = step
    user.is_2fa_enabled = True
    codes = _replace_backup_codes(session, user)
    session.flush()
    _end_other_sessions(deps, user.id, keep_session)
    end_sockets_when_done(session, user.id, keep_session=keep_session)
    return codes


def disable_2fa(session: Session, deps: AuthDeps, *, user: User, code: str, ip: str | None) -> None:
    if not user.is_2fa_enabled:
        raise Conflict("2FA is not enabled", code="2fa_disabled")
    verify_second_factor(session, deps, user=user, code=code, ip=ip)
    user.is_2fa_enabled = False
    user.totp_secret = None
    user.totp_pending_secret = None
    for backup in session.scalars(select(BackupCode).where(BackupCode.user_id == user.id)):
        session.delete(backup)
    session.flush()


def regenerate_backup_codes(
    session: Session, deps: AuthDeps, *, user: User, code: str, ip: str | None
) -> list[str]:
    if not user.is_2fa_enabled:
        raise Conflict("2FA is not enabled", code="2fa_disabled")
    verify_second_factor(session, deps, user=user, code=code, ip=ip)
    return _replace_backup_codes(session, user)


def _replace_backup_codes(session: Session, user: User) -> list[str]:
    for old in session.scalars(select(BackupCode).where(BackupCode.user_id == user.id)):
        session.delete(old)
    codes = totp.new_backup_codes()
    session.add_all(BackupCode(user_id=user.id, code_hash=totp.hash_backup_code(c)) for c in codes)
    session.flush()
    return codes


# ---------------------------------------------------------------------------------------------
# E-mail verification and password reset (tokens mailed through the outbox)
# ---------------------------------------------------------------------------------------------
def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_user_token(session: Session, user: User, purpose: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash_token(token),
            expires_at=utcnow() + TOKEN_TTL[purpose],
        )
    )
    session.flush()
    return token


def request_email_verification(session: Session, deps: AuthDeps, *, user: User) -> None:
    if user.email_verified:
        raise Conflict("e-mail is already verified", code="already_verified")
    token = _new_user_token(session, user, "verify_email")
    link = f"{deps.settings.public_url}/verify-email?token={token}"
    queue_email(
        session,
        to=user.email,
        subject="Verify your OmniCRM e-mail address",
        body=f"Confirm your address by opening {link} (valid 48 hours).",
        template="verify_email",
        context={"user_id": user.id},
    )


def request_password_reset(
    session: Session, deps: AuthDeps, *, email: str, welcome: bool = False
) -> None:
    """Mail a reset link if the account exists; say nothing either way (no enumeration)."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return
    token = _new_user_token(session, user, "reset_password")
    link = f"{deps.settings.public_url}/reset-password?token={token}"
    subject = "Welcome to OmniCRM: set your password" if welcome else "Reset your OmniCRM password"
    queue_email(
        session,
        to=user.email,
        subject=subject,
        body=f"Choose a new password at {link} (valid 1 hour).",
        template="welcome" if welcome else "reset_password",
        context={"user_id": user.id},
    )


def _consume_token(session: Session, token: str, purpose: str) -> User:
    row = session.scalar(
        select(UserToken).where(
            UserToken.token_hash == _hash_token(token), UserToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise ValidationFailed.field("token", "invalid, used or expired token")
    row.used_at = utcnow()
    return get_user(session, row.user_id)


def confirm_email(session: Session, *, token: str) -> User:
    user = _consume_token(session, token, "verify_email")
    user.email_verified = True
    session.flush()
    return user


def reset_password(session: Session, deps: AuthDeps, *, token: str, password: str) -> User:
    user = _consume_token(session, token, "reset_password")
    _set_password(user, password, deps)
    # A reset proves control of the mailbox: the address is verified, old sessions end.
    user.email_verified = True
    deps.sessions.close_all(user.id)
    end_sockets_when_done(session, user.id)
    session.flush()
    return user


def _check_password_again(
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
        _audit_after_rollback(
            session,
            action="password_check_failed",
            object_type="user",
            object_id=user.id,
            after={"purpose": purpose},
            actor_user_id=user.id,
        )
        raise ValidationFailed.field(field, "is not correct")
    deps.throttle.succeeded(user.email, ip)


def _end_other_sessions(deps: AuthDeps, user_id: int, keep_session: str | None) -> None:
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
    _check_password_again(
        session,
        deps,
        user=user,
        password=current_password,
        ip=ip,
        field="current_password",
        purpose="password_change",
    )
    _set_password(user, new_password, deps)
    _end_other_sessions(deps, user.id, keep_session)
    end_sockets_when_done(session, user.id, keep_session=keep_session)
    session.flush()


# ---------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------
def get_role(session: Session, role_id: int) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound(f"role {role_id} not found")
    return role


def _permissions_by_name(session: Session, names: list[str]) -> list[Permission]:
    perms = list(session.scalars(select(Permission).where(Permission.name.in_(names))))
    missing = sorted(set(names) - {p.name for p in perms})
    if missing:
        raise ValidationFailed.field("permissions", f"unknown permission(s): {', '.join(missing)}")
    return perms


def _users_with_role(session: Session, role: Role) -> list[int]:
    return [u.id for u in session.scalars(select(User).where(User.roles.contains(role)))]


def create_role(
    session: Session, *, name: str, description: str, permissions: list[str], actor: Principal
) -> Role:
    """Create a custom role carrying only permissions the actor holds."""
    perms = _permissions_by_name(session, permissions)
    _require_held(actor, {p.name for p in perms}, f"you cannot create role {name!r}")
    if session.scalar(select(Role).where(Role.name == name)) is not None:
        raise Conflict(
            f"role {name!r} already exists", errors={"json": {"name": ["already in use"]}}
        )
    role = Role(name=name, description=description, permissions=perms)
    session.add(role)
    session.flush()
    return role


def update_role(
    session: Session, deps: AuthDeps, *, role_id: int, changes: dict[str, Any], actor: Principal
) -> Role:
    """Change a role the actor does not hold and fully holds the permissions of, keeping it
    within what they hold."""
    role = get_role(session, role_id)
    if role.name == "admin" and "permissions" in changes:
        raise Conflict("the admin role always has every permission", code="builtin_role")
    if changes:
        _require_may_manage_role(actor, role)
    if "permissions" in changes:
        perms = _permissions_by_name(session, changes["permissions"])
        _require_held(actor, {p.name for p in perms}, f"you cannot change role {role.name!r}")
        role.permissions = perms
    if "description" in changes:
        role.description = changes["description"]
    session.flush()
    deps.sessions.forget_identity(*_users_with_role(session, role))
    if "permissions" in changes:
        end_sockets_when_done(session, *_users_with_role(session, role))
    return role


def delete_role(session: Session, deps: AuthDeps, *, role_id: int, actor: Principal) -> None:
    role = get_role(session, role_id)
    if role.builtin:
        raise Conflict("built-in roles cannot be deleted", code="builtin_role")
    _require_may_manage_role(actor, role)
    affected = _users_with_role(session, role)
    session.delete(role)
    session.flush()
    deps.sessions.forget_identity(*affected)
    end_sockets_when_done(session, *affected)


# ---------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------
API_KEY_PREFIX = "ock"


def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session,
    *,
    principal: Principal,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    if principal.api_key_id is not None:
        raise Forbidden("an API key cannot create API keys", code="not_a_session")
    unknown = sorted(set(scopes) - set(PERMISSIONS))
    if unknown:
        raise ValidationFailed.field("scopes", f"unknown permission(s): {', '.join(unknown)}")
    beyond = sorted(set(scopes) - principal.permissions)
    if beyond:
        raise ValidationFailed.field("scopes", f"you do not hold: {', '.join(beyond)}")
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=_key_hash(secret),
        scopes=sorted(set(scopes)),
        user_id=principal.user_id,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def list_api_keys(session: Session, *, principal: Principal) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)
    if not principal.can("user.write"):
        query = query.where(ApiKey.user_id == principal.user_id)
    return list(session.scalars(query))


def revoke_api_key(session: Session, *, principal: Principal, api_key_id: int) -> None:
    key = session.get(ApiKey, api_key_id)
    if (
        key is None
        or key.revoked_at is not None
        or (key.user_id != principal.user_id and not principal.can("user.write"))
    ):
        raise NotFound(f"API key {api_key_id} not found")
    if key.user_id != principal.user_id:
        _require_outranks(principal, key.user)
    key.revoked_at = utcnow()
    session.flush()


def principal_for_api_key(session: Session, raw: str) -> Principal | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not secrets.compare_digest(key.key_hash, _key_hash(parts[2])):
        return None
    if key.revoked_at is not None or (key.expires_at and key.expires_at < utcnow()):
        return None
    if not key.user.is_active:
        return None
    # A key can never do more than its owner can do now.
    effective = frozenset(key.scopes) & frozenset(key.user.permission_names)
    return Principal(
        user_id=key.user_id,
        email=key.user.email,
        permissions=effective,
        roles=tuple(key.user.role_names),
        api_key_id=key.id,
    )
