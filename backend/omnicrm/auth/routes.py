"""Login, tokens, sessions, 2FA, password, e-mail verification and API-key endpoints (thin:
parse, call a use case, dump). Users, roles and permissions: ``user_routes.py``."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from omnicrm.auth import schemas as s
from omnicrm.auth import use_cases as uc
from omnicrm.auth.deps import auth_deps
from omnicrm.auth.errors import LoginThrottled
from omnicrm.auth.models import User
from omnicrm.core.auth import get_principal, public, require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.errors import Unauthorized, handle_domain_error
from omnicrm.extensions import ip_limit_wait, limiter

blp = Blueprint(
    "auth", __name__, url_prefix="/crm/auth", description="Login, tokens, 2FA, API keys"
)


def _login_limit() -> str:
    return str(current_app.extensions["omnicrm_settings"].login_rate_limit)


def _client_ip() -> str | None:
    return request.remote_addr


@blp.errorhandler(LoginThrottled)
def _throttled(exc: LoginThrottled) -> Response:
    """An account delay on a route whose per-client rate limit is used up too (login): the
    answer names the longer of the two waits, in Retry-After and in the body alike."""
    wait = max(exc.retry_after, ip_limit_wait())
    return handle_domain_error(exc if wait == exc.retry_after else LoginThrottled(wait, exc.reason))


def _current_user() -> User:
    principal = get_principal()
    return uc.get_user(request_session(), principal.user_id or 0)


def _login_payload(result: uc.LoginResult) -> dict[str, Any]:
    return {
        "token": result.token,
        "refresh_token": result.refresh_token,
        "user": result.user,
        "roles": result.user.role_names,
        "permissions": result.user.permission_names,
    }


@blp.route("/login")
class Login(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @public
    @blp.arguments(s.LoginSchema)
    @blp.response(200, s.LoginResponseSchema)
    @blp.alt_response(401, description="Invalid credentials, or `totp_required`")
    @blp.alt_response(429, description="Too many attempts (Retry-After)")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Log in with e-mail and password (and a TOTP or backup code when 2FA is on)."""
        result = uc.login(
            request_session(),
            auth_deps(),
            email=data["email"],
            password=data["password"],
            totp_code=data.get("totp"),
            ip=_client_ip(),
            user_agent=request.headers.get("User-Agent"),
        )
        return _login_payload(result)


@blp.route("/refresh")
class Refresh(MethodView):
    @public
    @blp.arguments(
        s.RefreshSchema,
        required=False,
        description="Optional: the refresh token may come as `Authorization: Bearer <token>`",
    )
    @blp.response(200, s.TokenPairSchema)
    @blp.alt_response(401, description="Invalid, revoked or reused refresh token")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange a refresh token for a new access token and a rotated refresh token."""
        token = data.get("refresh_token")
        if not token:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else None
        if not token:
            raise Unauthorized("refresh_token is required", code="token_invalid")
        result = uc.refresh_tokens(request_session(), auth_deps(), refresh_token=token)
        return {"token": result.token, "refresh_token": result.refresh_token}


@blp.route("/logout")
class Logout(MethodView):
    @blp.arguments(s.LogoutQuerySchema, location="query")
    @blp.response(200, s.MessageSchema)
    def post(self, query: dict[str, Any]) -> dict[str, Any]:
        """Revoke this token and its session; `?all=1` ends every session of the user."""
        count = uc.logout(
            request_session(), auth_deps(), principal=get_principal(), everywhere=query["all"]
        )
        return {"message": f"{count} session(s) ended"}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, s.MeSchema)
    def get(self) -> dict[str, Any]:
        """The caller: user, roles, permissions and linked customer."""
        principal = get_principal()
        return {
            "user": _current_user(),
            "roles": list(principal.roles),
            "permissions": sorted(principal.permissions),
            "customer_id": principal.customer_id,
            "via_api_key": principal.api_key_id is not None,
        }


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.response(200, s.SessionSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The caller's active login sessions."""
        return uc.list_sessions(auth_deps(), principal=get_principal())


@blp.route("/sessions/<string:session_id>")
class SessionItem(MethodView):
    @blp.response(204)
    @blp.alt_response(404, description="No such session")
    def delete(self, session_id: str) -> None:
        """End one of the caller's sessions."""
        uc.revoke_session(
            request_session(), auth_deps(), principal=get_principal(), session_id=session_id
        )


@blp.route("/2fa/setup")
class TotpSetup(MethodView):
    @blp.response(200, s.TotpSetupSchema)
    @blp.alt_response(409, description="2FA already enabled")
    def post(self) -> dict[str, str]:
        """Start 2FA enrolment: a new secret, its otpauth:// URI and a QR code."""
        return uc.setup_2fa(request_session(), user=_current_user())


@blp.route("/2fa/enable")
class TotpEnable(MethodView):
    @blp.arguments(s.TotpEnableSchema)
    @blp.response(200, s.BackupCodesSchema)
    @blp.alt_response(422, description="Wrong password, or wrong or reused code")
    @blp.alt_response(429, description="Too many wrong passwords or codes (Retry-After)")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Confirm enrolment with the password and a current code; returns single-use backup
        codes. Every other session of the user is ended (this one stays)."""
        codes = uc.enable_2fa(
            request_session(),
            auth_deps(),
            user=_current_user(),
            code=data["code"],
            password=data["password"],
            ip=_client_ip(),
            keep_session=get_principal().session_id,
        )
        return {"backup_codes": codes}


@blp.route("/2fa/disable")
class TotpDisable(MethodView):
    @blp.arguments(s.CodeSchema)
    @blp.response(200, s.MessageSchema)
    @blp.alt_response(401, description="Wrong or reused code")
    @blp.alt_response(429, description="Too many wrong codes")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Turn 2FA off (needs a current TOTP or backup code)."""
        uc.disable_2fa(
            request_session(), auth_deps(), user=_current_user(), code=data["code"], ip=_client_ip()
        )
        return {"message": "2FA disabled"}


@blp.route("/2fa/backup-codes")
class TotpBackupCodes(MethodView):
    @blp.arguments(s.CodeSchema)
    @blp.response(200, s.BackupCodesSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Replace the backup codes (needs a current TOTP or backup code)."""
        codes = uc.regenerate_backup_codes(
            request_session(), auth_deps(), user=_current_user(), code=data["code"], ip=_client_ip()
        )
        return {"backup_codes": codes}


@blp.route("/password/forgot")
class PasswordForgot(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @public
    @blp.arguments(s.EmailSchema)
    @blp.response(202, s.MessageSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Mail a password-reset link (the answer is the same whether the account exists)."""
        uc.request_password_reset(request_session(), auth_deps(), email=data["email"])
        return {"message": "if the account exists, a reset link has been sent"}


@blp.route("/password/reset")
class PasswordReset(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @public
    @blp.arguments(s.ResetPasswordSchema)
    @blp.response(200, s.MessageSchema)
    @blp.alt_response(422, description="Invalid token or weak password")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Set a new password with a mailed reset token; ends every session."""
        uc.reset_password(
            request_session(), auth_deps(), token=data["token"], password=data["password"]
        )
        return {"message": "password changed"}


@blp.route("/password/change")
class PasswordChange(MethodView):
    @blp.arguments(s.ChangePasswordSchema)
    @blp.response(200, s.MessageSchema)
    @blp.alt_response(422, description="Wrong current password or weak new one")
    @blp.alt_response(429, description="Too many wrong passwords (Retry-After)")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change the caller's password; other sessions are ended."""
        uc.change_password(
            request_session(),
            auth_deps(),
            user=_current_user(),
            current_password=data["current_password"],
            new_password=data["new_password"],
            keep_session=get_principal().session_id,
            ip=_client_ip(),
        )
        return {"message": "password changed"}


@blp.route("/verify-email/request")
class VerifyEmailRequest(MethodView):
    @blp.response(202, s.MessageSchema)
    @blp.alt_response(409, description="Already verified")
    def post(self) -> dict[str, Any]:
        """Mail the caller a verification link."""
        uc.request_email_verification(request_session(), auth_deps(), user=_current_user())
        return {"message": "verification e-mail queued"}


@blp.route("/verify-email/confirm")
class VerifyEmailConfirm(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @public
    @blp.arguments(s.TokenSchema)
    @blp.response(200, s.MessageSchema)
    @blp.alt_response(422, description="Invalid or expired token")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Confirm an e-mail address with the mailed token."""
        uc.confirm_email(request_session(), token=data["token"])
        return {"message": "e-mail verified"}


@blp.route("/api-key/")
class ApiKeys(MethodView):
    @require_permission("apikey.manage")
    @blp.response(200, s.ApiKeySchema(many=True))
    def get(self) -> Any:
        """API keys: the caller's own (all of them for user admins)."""
        return uc.list_api_keys(request_session(), principal=get_principal())

    @require_permission("apikey.manage")
    @blp.arguments(s.ApiKeyCreateSchema)
    @blp.response(201, s.ApiKeyCreatedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a scoped API key (scopes ⊆ the caller's permissions); the key is shown once."""
        key, raw = uc.create_api_key(request_session(), principal=get_principal(), **data)
        return {**{c: getattr(key, c) for c in s.ApiKeySchema().fields}, "key": raw}


@blp.route("/api-key/<int:api_key_id>")
class ApiKeyItem(MethodView):
    @require_permission("apikey.manage")
    @blp.response(204)
    @blp.alt_response(404, description="No such key")
    def delete(self, api_key_id: int) -> None:
        """Revoke an API key."""
        uc.revoke_api_key(request_session(), principal=get_principal(), api_key_id=api_key_id)
