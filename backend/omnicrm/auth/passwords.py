"""Password hashing with bcrypt.

bcrypt reads only the first 72 bytes, so passwords are pre-hashed (SHA-256, base64) before
bcrypt: every byte counts and nothing is silently truncated.
"""

from __future__ import annotations

import base64
import hashlib

import bcrypt

MIN_LENGTH = 8
MAX_LENGTH = 256
# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = bcrypt.hashpw(b"omnicrm-timing-equaliser", bcrypt.gensalt(4)).decode()


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, *, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    candidate = password_hash or _DUMMY_HASH
    try:
        ok = bcrypt.checkpw(_prehash(password), candidate.encode())
    except ValueError:
        return False
    return ok and password_hash is not None


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if email and password.lower() == email.lower():
        return "must not be your e-mail address"
    if len(set(password)) < 4:
        return "is too simple"
    return None
