"""Request and response schemas of the auth API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.auth.permissions import PERMISSIONS
from omnicrm.core.fields import Text

STRICT = {"unknown": "raise"}
PERMISSION_NAMES = sorted(PERMISSIONS)


def _permission_name() -> Text:
    """One name of the permission catalogue (the use cases refuse others with a 422)."""
    return Text(metadata={"enum": PERMISSION_NAMES})


class LoginSchema(Schema):
    email = fields.Email(required=True)
    password = Text(required=True, validate=validate.Length(min=1, max=1024), load_only=True)
    totp = Text(load_default=None, validate=validate.Length(max=16), load_only=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = Text()
    email = fields.Email()
    full_name = Text()
    is_active = fields.Boolean()
    email_verified = fields.Boolean()
    is_2fa_enabled = fields.Boolean()
    contact_id = fields.Integer(allow_none=True)
    roles = fields.List(Text(), attribute="role_names")
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TokenPairSchema(Schema):
    token = Text(metadata={"description": "Access JWT (Bearer)"})
    refresh_token = Text(metadata={"description": "Refresh JWT, single use"})


class LoginResponseSchema(TokenPairSchema):
    user = fields.Nested(UserSchema)
    roles = fields.List(Text())
    permissions = fields.List(Text())


class RefreshSchema(Schema):
    refresh_token = Text(
        load_default=None,
        metadata={"description": "Or send it as 'Authorization: Bearer <refresh token>'"},
    )


class LogoutQuerySchema(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "End every session"})


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    roles = fields.List(Text())
    permissions = fields.List(Text())
    customer_id = fields.Integer(allow_none=True)
    via_api_key = fields.Boolean()


class SessionSchema(Schema):
    session_id = Text()
    created_at = fields.Float(metadata={"description": "Unix time"})
    last_used_at = fields.Float()
    expires_at = fields.Float()
    ip = Text(allow_none=True)
    user_agent = Text(allow_none=True)
    current = fields.Boolean()


class TotpSetupSchema(Schema):
    secret = Text()
    otpauth_uri = Text()
    qr_svg = Text(metadata={"description": "QR code of otpauth_uri as inline SVG"})


class CodeSchema(Schema):
    code = Text(required=True, validate=validate.Length(min=6, max=16))


class TotpEnableSchema(CodeSchema):
    password = Text(
        required=True,
        load_only=True,
        validate=validate.Length(max=1024),
        metadata={"description": "The caller's current password (asked again to turn 2FA on)"},
    )


class BackupCodesSchema(Schema):
    backup_codes = fields.List(Text(), metadata={"description": "Shown once"})


class EmailSchema(Schema):
    email = fields.Email(required=True)


class TokenSchema(Schema):
    token = Text(required=True, validate=validate.Length(min=10, max=200))


class ResetPasswordSchema(TokenSchema):
    password = Text(required=True, load_only=True, validate=validate.Length(max=1024))


class ChangePasswordSchema(Schema):
    current_password = Text(required=True, load_only=True)
    new_password = Text(required=True, load_only=True, validate=validate.Length(max=1024))


class MessageSchema(Schema):
    message = Text()


class UserCreateSchema(Schema):
    email = fields.Email(required=True)
    username = Text(validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$"))
    full_name = Text(load_default="", validate=validate.Length(max=200))
    password = Text(
        load_default=None,
        load_only=True,
        validate=validate.Length(max=1024),
        metadata={"description": "Omit to e-mail the user a set-password link"},
    )
    roles = fields.List(Text(), required=True, validate=validate.Length(min=1))
    contact_id = fields.Integer(load_default=None, allow_none=True)


class UserUpdateSchema(Schema):
    username = Text(validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{3,64}$"))
    full_name = Text(validate=validate.Length(max=200))
    password = Text(load_only=True, validate=validate.Length(max=1024))
    roles = fields.List(Text(), validate=validate.Length(min=1))
    is_active = fields.Boolean()
    contact_id = fields.Integer(allow_none=True)


class UserQuerySchema(Schema):
    q = Text(metadata={"description": "Search e-mail, username, name"})
    role = Text()
    is_active = fields.Boolean()


class PermissionSchema(Schema):
    name = Text()
    description = Text()


class RoleSchema(Schema):
    id = fields.Integer()
    name = Text()
    description = Text()
    builtin = fields.Boolean()
    permissions = fields.Pluck(PermissionSchema, "name", many=True)


class RoleCreateSchema(Schema):
    name = Text(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_-]{1,63}$"))
    description = Text(load_default="", validate=validate.Length(max=255))
    permissions = fields.List(
        _permission_name(),
        required=True,
        metadata={"description": "Permission names; only ones the caller holds (else 403)"},
    )


class RoleUpdateSchema(Schema):
    description = Text(validate=validate.Length(max=255))
    permissions = fields.List(
        _permission_name(),
        metadata={
            "description": "Replaces the role's permissions; the caller must hold every one "
            "it has and gets, and not hold the role unless an admin (else 403); the admin "
            "role's never change (409)"
        },
    )


class ApiKeyCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
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
    name = Text()
    prefix = Text()
    scopes = fields.List(Text())
    user_id = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = Text(metadata={"description": "The full key; shown only once"})
