"""Auth business rules, one module per concern; this package re-exports their public names.

- ``login``: log in and out, refresh tokens, list and end sessions
- ``two_factor``: TOTP enrolment, backup codes, second-factor checks
- ``credentials``: set, re-check and change a password
- ``tokens``: mailed e-mail verification and password-reset links
- ``accounts``: find users (by id, e-mail, search); ``users``: create and change them
- ``roles``: the RBAC catalogue and custom roles; ``escalation``: the no-escalation checks
- ``api_keys``: scoped API keys

Plain functions over a Session and the Redis-backed :class:`~omnicrm.auth.deps.AuthDeps`; they
flush, never commit, and take settings and stores from ``deps``, never from ``current_app``.
"""

from __future__ import annotations

from omnicrm.auth.use_cases.accounts import (
    find_user_by_email,
    get_user,
    normalise_email,
    users_query,
)
from omnicrm.auth.use_cases.api_keys import (
    API_KEY_PREFIX,
    create_api_key,
    list_api_keys,
    principal_for_api_key,
    revoke_api_key,
)
from omnicrm.auth.use_cases.credentials import change_password
from omnicrm.auth.use_cases.escalation import ADMIN_ROLE
from omnicrm.auth.use_cases.login import (
    LoginResult,
    identity_of,
    list_sessions,
    login,
    logout,
    refresh_tokens,
    revoke_session,
)
from omnicrm.auth.use_cases.roles import (
    create_role,
    delete_role,
    get_role,
    list_permissions,
    list_roles,
    sync_rbac,
    update_role,
)
from omnicrm.auth.use_cases.tokens import (
    TOKEN_TTL,
    confirm_email,
    request_email_verification,
    request_password_reset,
    reset_password,
)
from omnicrm.auth.use_cases.two_factor import (
    disable_2fa,
    enable_2fa,
    regenerate_backup_codes,
    reset_user_2fa,
    setup_2fa,
    verify_second_factor,
)
from omnicrm.auth.use_cases.users import (
    create_user,
    disable_user,
    forget_users_linked_to,
    update_user,
)

__all__ = [
    "ADMIN_ROLE",
    "API_KEY_PREFIX",
    "TOKEN_TTL",
    "LoginResult",
    "change_password",
    "confirm_email",
    "create_api_key",
    "create_role",
    "create_user",
    "delete_role",
    "disable_2fa",
    "disable_user",
    "enable_2fa",
    "find_user_by_email",
    "forget_users_linked_to",
    "get_role",
    "get_user",
    "identity_of",
    "list_api_keys",
    "list_permissions",
    "list_roles",
    "list_sessions",
    "login",
    "logout",
    "normalise_email",
    "principal_for_api_key",
    "refresh_tokens",
    "regenerate_backup_codes",
    "request_email_verification",
    "request_password_reset",
    "reset_password",
    "reset_user_2fa",
    "revoke_api_key",
    "revoke_session",
    "setup_2fa",
    "sync_rbac",
    "update_role",
    "update_user",
    "users_query",
    "verify_second_factor",
]
