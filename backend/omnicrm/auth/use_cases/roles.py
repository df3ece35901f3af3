"""Roles and the permission catalogue: the built-in RBAC set, custom roles, who may change them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.auth.deps import AuthDeps
from omnicrm.auth.models import Permission, Role, User
from omnicrm.auth.permissions import BUILTIN_ROLES, PERMISSIONS
from omnicrm.auth.sockets import end_sockets_when_done
from omnicrm.auth.use_cases.escalation import require_held, require_may_manage_role
from omnicrm.core.context import Principal
from omnicrm.core.errors import Conflict, NotFound, ValidationFailed


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


def list_roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.name)))


def list_permissions(session: Session) -> list[Permission]:
    return list(session.scalars(select(Permission).order_by(Permission.name)))


def roles_by_name(session: Session, names: list[str]) -> list[Role]:
    roles = list(session.scalars(select(Role).where(Role.name.in_(names))))
    missing = sorted(set(names) - {r.name for r in roles})
    if missing:
        raise ValidationFailed.field("roles", f"unknown role(s): {', '.join(missing)}")
    return roles


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
    require_held(actor, {p.name for p in perms}, f"you cannot create role {name!r}")
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
        require_may_manage_role(actor, role)
    if "permissions" in changes:
        perms = _permissions_by_name(session, changes["permissions"])
        require_held(actor, {p.name for p in perms}, f"you cannot change role {role.name!r}")
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
    require_may_manage_role(actor, role)
    affected = _users_with_role(session, role)
    session.delete(role)
    session.flush()
    deps.sessions.forget_identity(*affected)
    end_sockets_when_done(session, *affected)
