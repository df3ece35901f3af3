"""Password hashing with bcrypt.

bcrypt reads only the first 72 bytes, so passwords are pre-hashed (SHA-256, base64) before
bcrypt: every byte counts and nothing is silently truncated.
"""

from __future__ import annotations

import base64
import hashlib
import threading

import bcrypt

MIN_LENGTH = 8
MAX_LENGTH = 256
# Real hashes to compare against when the account does not exist (or has no password yet), so
# timing does not tell: one per bcrypt cost, made on first use at the cost real hashes have.
_dummy_hashes: dict[int, str] = {}
_dummy_lock = threading.Lock()


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, *, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def dummy_hash(rounds: int) -> str:
    """The stand-in hash of cost ``rounds`` (computed once per cost, then reused)."""
    cached = _dummy_hashes.get(rounds)
    if cached is None:
        with _dummy_lock:
            cached = _dummy_hashes.get(rounds)
            if cached is None:
                salt = bcrypt.gensalt(rounds)
                cached = bcrypt.hashpw(b"omnicrm-timing-equaliser", salt).decode()
                _dummy_hashes[rounds] = cached
    return cached


def verify_password(password: str, password_hash: str | None, *, rounds: int) -> bool:
    """Check ``password``; without a hash, check a dummy one of cost ``rounds`` (the configured
    cost, which real hashes have) and return False, taking the same time as a wrong password."""
    candidate = password_hash or dummy_hash(rounds)
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
