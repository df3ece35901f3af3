"""Links mailed through the outbox: e-mail verification and password reset (single-use,
expiring tokens, kept only as hashes)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.models import User, UserToken
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.accounts import find_user_by_email, get_user
from omnicrm.auth.use_cases.credentials import set_password
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, ValidationFailed
from omnicrm.notifications.use_cases import queue_email

TOKEN_TTL = {"verify_email": timedelta(days=2), "reset_password": timedelta(hours=1)}


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
        template="verify_email",
        context={"user_id": user.id, "link": link, "valid_for": "48 hours"},
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
    queue_email(
        session,
        to=user.email,
        template="welcome" if welcome else "reset_password",
        context={"user_id": user.id, "link": link, "valid_for": "1 hour"},
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
    set_password(user, password, deps)
    # A reset proves control of the mailbox: the address is verified, old sessions end.
    user.email_verified = True
    deps.sessions.close_all(user.id)
    end_sockets_when_done(session, user.id)
    session.flush()
    return user
