"""Two-factor authentication: TOTP enrolment, backup codes, and checking a second factor
against replays and guessing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.auth import totp
from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.errors import LoginThrottled, TotpRequired
from omnicrm.auth.models import BackupCode, User
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.accounts import get_user
from omnicrm.auth.use_cases.credentials import check_password_again, end_other_sessions
from omnicrm.auth.use_cases.escalation import require_outranks
from omnicrm.core.context import Principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, ValidationFailed


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
    check_password_again(
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
    end_other_sessions(deps, user.id, keep_session)
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


def _clear_2fa(session: Session, user: User) -> None:
    user.is_2fa_enabled = False
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    for backup in session.scalars(select(BackupCode).where(BackupCode.user_id == user.id)):
        session.delete(backup)


def reset_user_2fa(session: Session, deps: AuthDeps, *, user_id: int, actor: Principal) -> User:
    """An administrator turns 2FA off for a user who lost their device: the secret and backup
    codes go and every session of the user ends, so they sign in again with the password alone
    and can enrol a new device. The change is audited like any other change to the user.

    Not for oneself (409 ``self_reset``): one's own 2FA is turned off with a current code, so a
    stolen session alone cannot strip it. Only for users the actor outranks (403)."""
    user = get_user(session, user_id)
    if user.id == actor.user_id:
        raise Conflict(
            "you cannot reset your own 2FA; turn it off with a code under Security",
            code="self_reset",
        )
    require_outranks(actor, user)
    if not user.is_2fa_enabled and not user.totp_pending_secret:
        raise Conflict(f"user {user.id} has no 2FA to reset", code="2fa_disabled")
    _clear_2fa(session, user)
    session.flush()
    deps.sessions.close_all(user.id)
    deps.sessions.forget_identity(user.id)
    end_sockets_when_done(session, user.id)
    return user


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
