"""No escalation through administration: grant only what you hold, change only who you outrank.

Every check raises a 403 ``permission_denied`` (audited like one) naming what the actor lacks.
"""

from __future__ import annotations

from omnicrm.auth.models import Role, User
from omnicrm.core.context import Principal
from omnicrm.core.errors import Forbidden

ADMIN_ROLE = "admin"


def refused(message: str, *, reason: str, required: list[str]) -> Forbidden:
    """A refused administrative change: 403 ``permission_denied`` (audited like one), naming
    what the actor lacks in ``required`` (permission names, or ``role:admin``)."""
    return Forbidden(
        message, code="permission_denied", extra={"required": required, "reason": reason}
    )


def is_admin(actor: Principal) -> bool:
    return ADMIN_ROLE in actor.roles


def require_held(actor: Principal, permissions: set[str], what: str) -> None:
    missing = sorted(permissions - actor.permissions)
    if missing:
        raise refused(
            f"{what}: you do not hold {', '.join(missing)}", reason="not_held", required=missing
        )


def require_grantable(actor: Principal, roles: list[Role]) -> None:
    """Only roles whose every permission the actor holds; ``admin`` only by an admin."""
    for role in roles:
        if role.name == ADMIN_ROLE and not is_admin(actor):
            raise refused(
                "only an admin can grant the admin role: you do not hold the admin role",
                reason="admin_only",
                required=[f"role:{ADMIN_ROLE}"],
            )
        require_held(
            actor, {p.name for p in role.permissions}, f"you cannot grant role {role.name!r}"
        )


def require_outranks(actor: Principal, user: User) -> None:
    """The actor changes only accounts holding nothing more than they do; admins only by an
    admin. Trivially true of one's own account, unless acting through a narrower API key."""
    if ADMIN_ROLE in user.role_names and not is_admin(actor):
        raise refused(
            f"only an admin can change admin account {user.id}: you do not hold the admin role",
            reason="admin_only",
            required=[f"role:{ADMIN_ROLE}"],
        )
    missing = sorted(set(user.permission_names) - actor.permissions)
    if missing:
        raise refused(
            f"you cannot change user {user.id}: they hold {', '.join(missing)}, which you do not",
            reason="outranked",
            required=missing,
        )


def require_may_link_contact(actor: Principal | None, contact_id: int | None) -> None:
    """A self-care link opens that customer's data to the user: only for those who can read it."""
    if actor is not None and contact_id is not None:
        require_held(actor, {"customer.read"}, "you cannot link a user to a contact")


def require_may_manage_role(actor: Principal, role: Role) -> None:
    """Nobody edits or deletes a role they hold, or one carrying permissions they lack.

    Admins are the exception to the first rule: holding every permission already, they cannot
    raise themselves through a role (and the admin role's permissions are fixed anyway)."""
    if role.name in actor.roles and not is_admin(actor):
        raise refused(
            f"you cannot change role {role.name!r}: you hold it yourself",
            reason="own_role",
            required=[],
        )
    if role.name == ADMIN_ROLE and not is_admin(actor):
        raise refused(
            "only an admin can change the admin role: you do not hold it",
            reason="admin_only",
            required=[f"role:{ADMIN_ROLE}"],
        )
    require_held(actor, {p.name for p in role.permissions}, f"you cannot change role {role.name!r}")
