"""Request and response schemas of the auth API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.auth.permissions import PERMISSIONS

STRICT = {"unknown": "raise"}
PERMISSION_NAMES = sorted(PERMISSIONS)


def _permission_name() -> fields.String:
    """One name of the permission catalogue (the use cases refuse others with a 422)."""
    return fields.String(metadata={"enum": PERMISSION_NAMES})


class LoginSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=1024), load_only=True
    )
    totp = fields.String(load_default=None, validate=validate.Length(max=16), load_only=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    email = fields.Email()
    full_name = fields.String()
    is_active = fields.Boolean()
    email_verified = fields.Boolean()
    is_2fa_enabled = fields.Boolean()
    contact_id = fields.Integer(allow_none=True)
    roles = fields.List(fields.String(), attribute="role_names")
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TokenPairSchema(Schema):
    token = fields.String(metadata={"description": "Access JWT (Bearer)"})
    refresh_token = fields.String(metadata={"description": "Refresh JWT, single use"})


class LoginResponseSchema(TokenPairSchema):
    user = fields.Nested(UserSchema)
    roles = fields.List(fields.String())
    permissions = fields.List(fields.String())


class RefreshSchema(Schema):
    refresh_token = fields.String(
        load_default=None,
        metadata={"description": "Or send it as 'Authorization: Bearer <refresh token>'"},
    )


class LogoutQuerySchema(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "End every session"})


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    roles = fields.List(fields.String())
    permissions = fields.List(fields.String())
    customer_id = fields.Integer(allow_none=True)
    via_api_key = fields.Boolean()


class SessionSchema(Schema):
    session_id = fields.String()
    created_at = fields.Float(metadata={"description": "Unix time"})
    last_used_at = fields.Float()
    expires_at = fields.Float()
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean()


class TotpSetupSchema(Schema):
    secret = fields.String()
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "QR code of otpauth_uri as inline SVG"})


class CodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


class TotpEnableSchema(CodeSchema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=1024),
        metadata={"description": "The caller's current password (asked again to turn 2FA on)"},
    )


class BackupCodesSchema(Schema):
    backup_codes = fields.List(fields.String(), metadata={"description": "Shown once"})


class EmailSchema(Schema):
    email = fields.Email(required=True)


class TokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class ResetPasswordSchema(TokenSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class ChangePasswordSchema(Schema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class MessageSchema(Schema):
    message = fields.String()


class UserCreateSchema(Schema):
    email = fields.Email(required=True)
    username = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$"))
    full_name = fields.String(load_default="", validate=validate.Length(max=200))
    password = fields.String(
        load_default=None,
        load_only=True,
        validate=validate.Length(max=1024),
        metadata={"description": "Omit to e-mail the user a set-password link"},
    )
    roles = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    contact_id = fields.Integer(load_default=None, allow_none=True)


class UserUpdateSchema(Schema):
    username = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$"))
    full_name = fields.String(validate=validate.Length(max=200))
    password = fields.String(load_only=True, validate=validate.Length(max=1024))
    roles = fields.List(fields.String(), validate=validate.Length(min=1))
    is_active = fields.Boolean()
    contact_id = fields.Integer(allow_none=True)


class UserQuerySchema(Schema):
    q = fields.String(metadata={"description": "Search e-mail, username, name"})
    role = fields.String()
    is_active = fields.Boolean()


class PermissionSchema(Schema):
    name = fields.String()
    description = fields.String()


class RoleSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    builtin = fields.Boolean()
    permissions = fields.Pluck(PermissionSchema, "name", many=True)


class RoleCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_-]{1,63}$"))
    description = fields.String(load_default="", validate=validate.Length(max=255))
    permissions = fields.List(
        _permission_name(),
        required=True,
        metadata={"description": "Permission names; only ones the caller holds (else 403)"},
    )


class RoleUpdateSchema(Schema):
    description = fields.String(validate=validate.Length(max=255))
    permissions = fields.List(
        _permission_name(),
        metadata={
            "description": "Replaces the role's permissions; the caller must hold every one "
            "it has and gets, and not hold the role unless an admin (else 403); the admin "
            "role's never change (409)"
        },
    )


class ApiKeyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(
        _permission_name(),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Permission names, each held by the caller (else 422)"},
    )
    expires_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=None,
        metadata={"description": "With an offset; must be in the future (else 422)"},
    )


class ApiKeySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    scopes = fields.List(fields.String())
    user_id = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(metadata={"description": "The full key; shown only once"})
