"""Staff and self-care users, roles and the permission catalogue (thin: parse, call a use case,
dump)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.auth import schemas as s
from omnicrm.auth import use_cases as uc
from omnicrm.auth.deps import auth_deps
from omnicrm.auth.models import Role, User
from omnicrm.core.auth import get_principal, require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query

users_blp = Blueprint(
    "users", __name__, url_prefix="/crm", description="Staff users, roles, permissions"
)


@users_blp.route("/user/")
class Users(MethodView):
    @require_permission("user.read")
    @users_blp.arguments(s.UserQuerySchema, location="query")
    @users_blp.response(200, s.UserSchema(many=True))
    @users_blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Staff and self-care users."""
        stmt = uc.users_query(**query)
        return paginate_query(request_session(), stmt, pagination_parameters)

    @require_permission("user.write")
    @users_blp.arguments(s.UserCreateSchema)
    @users_blp.response(201, s.UserSchema)
    @users_blp.alt_response(409, description="E-mail or username in use")
    def post(self, data: dict[str, Any]) -> User:
        """Create a user; without a password, a set-password link is mailed."""
        return uc.create_user(request_session(), auth_deps(), **data, actor=get_principal())


@users_blp.route("/user/<int:user_id>")
class UserItem(MethodView):
    @require_permission("user.read")
    @users_blp.response(200, s.UserSchema)
    def get(self, user_id: int) -> User:
        """One user."""
        return uc.get_user(request_session(), user_id)

    @require_permission("user.write")
    @users_blp.arguments(s.UserUpdateSchema)
    @users_blp.response(200, s.UserSchema)
    def patch(self, data: dict[str, Any], user_id: int) -> User:
        """Change a user's name, roles, password or active flag (disabling ends all sessions)."""
        return uc.update_user(
            request_session(), auth_deps(), user_id=user_id, changes=data, actor=get_principal()
        )

    @require_permission("user.write")
    @users_blp.response(200, s.UserSchema)
    def delete(self, user_id: int) -> User:
        """Disable a user (users are never deleted: the audit trail keeps them)."""
        return uc.disable_user(
            request_session(), auth_deps(), user_id=user_id, actor=get_principal()
        )


@users_blp.route("/user/<int:user_id>/2fa/reset")
class UserTwoFactorReset(MethodView):
    @require_permission("user.write")
    @users_blp.response(200, s.UserSchema)
    @users_blp.alt_response(403, description="The user holds more than you do")
    @users_blp.alt_response(409, description="Your own account (`self_reset`), or no 2FA to reset")
    def post(self, user_id: int) -> User:
        """Turn off a user's 2FA (a lost device) and end all their sessions; not for yourself."""
        return uc.reset_user_2fa(
            request_session(), auth_deps(), user_id=user_id, actor=get_principal()
        )


@users_blp.route("/role/")
class Roles(MethodView):
    @require_permission("role.read")
    @users_blp.response(200, s.RoleSchema(many=True))
    def get(self) -> Any:
        """Roles with their permissions."""
        return uc.list_roles(request_session())

    @require_permission("role.write")
    @users_blp.arguments(s.RoleCreateSchema)
    @users_blp.response(201, s.RoleSchema)
    def post(self, data: dict[str, Any]) -> Role:
        """Create a custom role."""
        return uc.create_role(request_session(), **data, actor=get_principal())


@users_blp.route("/role/<int:role_id>")
class RoleItem(MethodView):
    @require_permission("role.read")
    @users_blp.response(200, s.RoleSchema)
    def get(self, role_id: int) -> Role:
        """One role."""
        return uc.get_role(request_session(), role_id)

    @require_permission("role.write")
    @users_blp.arguments(s.RoleUpdateSchema)
    @users_blp.response(200, s.RoleSchema)
    def patch(self, data: dict[str, Any], role_id: int) -> Role:
        """Change a role's description or permissions (admin's are fixed)."""
        return uc.update_role(
            request_session(), auth_deps(), role_id=role_id, changes=data, actor=get_principal()
        )

    @require_permission("role.write")
    @users_blp.response(204)
    def delete(self, role_id: int) -> None:
        """Delete a custom role."""
        uc.delete_role(request_session(), auth_deps(), role_id=role_id, actor=get_principal())


@users_blp.route("/permission/")
class Permissions(MethodView):
    @require_permission("role.read")
    @users_blp.response(200, s.PermissionSchema(many=True))
    def get(self) -> Any:
        """The permission catalogue (`resource.action`)."""
        return uc.list_permissions(request_session())
