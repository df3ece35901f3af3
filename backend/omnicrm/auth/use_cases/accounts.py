"""Finding user accounts: by id, by e-mail address, by a search of the user list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from omnicrm.auth.models import Role, User
from omnicrm.core.errors import NotFound
from omnicrm.core.query import like_pattern


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
