"""Creating and changing staff and self-care users, within what the acting user may grant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.errors import DuplicateUser
from omnicrm.auth.models import User
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.accounts import get_user, normalise_email
from omnicrm.auth.use_cases.credentials import set_password
from omnicrm.auth.use_cases.escalation import (
    require_grantable,
    require_may_link_contact,
    require_outranks,
)
from omnicrm.auth.use_cases.roles import roles_by_name
from omnicrm.auth.use_cases.tokens import request_email_verification, request_password_reset
from omnicrm.core.context import Principal
from omnicrm.core.db import after_commit
from omnicrm.core.errors import Conflict


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
    granted = roles_by_name(session, roles)
    if actor is not None:
        require_grantable(actor, granted)
    require_may_link_contact(actor, contact_id)
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
        set_password(user, password, deps)
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
        require_outranks(actor, user)
    if "contact_id" in changes and changes["contact_id"] != user.contact_id:
        require_may_link_contact(actor, changes["contact_id"])
    if "roles" in changes:
        granted = roles_by_name(session, changes["roles"])
        require_grantable(actor, granted)
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
        set_password(user, changes["password"], deps)
        deps.sessions.close_all(user.id)
    session.flush()
    deps.sessions.forget_identity(user.id)
    if changes.keys() & {"roles", "is_active", "password"}:
        end_sockets_when_done(session, user.id)
    return user


def disable_user(session: Session, deps: AuthDeps, *, user_id: int, actor: Principal) -> User:
    return update_user(session, deps, user_id=user_id, changes={"is_active": False}, actor=actor)


def forget_users_linked_to(session: Session, *, contact_ids: list[int], deps: AuthDeps) -> None:
    """After this unit of work commits, users linked to these contacts reload their identity
    (roles, permissions, self-care customer) on their next request."""
    user_ids = list(session.scalars(select(User.id).where(User.contact_id.in_(contact_ids))))
    if not user_ids:
        return
    sessions = deps.sessions

    def _forget() -> None:
        sessions.forget_identity(*user_ids)

    after_commit(session, _forget)
