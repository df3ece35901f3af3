"""TOTP (RFC 6238) with replay protection and single-use backup codes."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno

ISSUER = "OmniCRM"
STEP = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4)  # type: ignore[no-any-return]


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (current, previous or next), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def accept_code(secret: str, code: str, last_step: int | None) -> int | None:
    """The step to record if ``code`` is valid and newer than ``last_step``; None otherwise."""
    step = matching_step(secret, code)
    if step is None or (last_step is not None and step <= last_step):
        return None
    return step


def new_backup_codes(count: int = 10) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "".join(secrets.choice(alphabet) for _ in range(4))
        + "-"
        + "".join(secrets.choice(alphabet) for _ in range(4))
        for _ in range(count)
    ]


def hash_backup_code(code: str) -> str:
    normalised = code.strip().lower().replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def looks_like_backup_code(code: str) -> bool:
    return "-" in code.strip() and len(code.strip()) == 9
