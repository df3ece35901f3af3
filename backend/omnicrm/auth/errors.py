"""Auth-specific domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict, TooManyRequests, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("invalid e-mail or password")


class TotpRequired(Unauthorized):
    code = "totp_required"


class TokenInvalid(Unauthorized):
    code = "token_invalid"


class RefreshReused(Unauthorized):
    code = "refresh_reused"


class SessionRevoked(Unauthorized):
    code = "session_revoked"


class LoginThrottled(TooManyRequests):
    def __init__(self, retry_after: int, message: str = "too many failed attempts") -> None:
        self.retry_after, self.reason = retry_after, message
        super().__init__(
            f"{message}; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            extra={"retry_after": retry_after},
        )


class DuplicateUser(Conflict):
    code = "duplicate_user"
