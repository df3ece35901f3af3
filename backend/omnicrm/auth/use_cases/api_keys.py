"""API keys: scoped to a subset of the owner's permissions, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.auth.models import ApiKey
from omnicrm.auth.permissions import PERMISSIONS
from omnicrm.auth.use_cases.escalation import require_outranks
from omnicrm.core.context import Principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Forbidden, NotFound, ValidationFailed

API_KEY_PREFIX = "ock"


def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session,
    *,
    principal: Principal,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    if principal.api_key_id is not None:
        raise Forbidden("an API key cannot create API keys", code="not_a_session")
    unknown = sorted(set(scopes) - set(PERMISSIONS))
    if unknown:
        raise ValidationFailed.field("scopes", f"unknown permission(s): {', '.join(unknown)}")
    beyond = sorted(set(scopes) - principal.permissions)
    if beyond:
        raise ValidationFailed.field("scopes", f"you do not hold: {', '.join(beyond)}")
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=_key_hash(secret),
        scopes=sorted(set(scopes)),
        user_id=principal.user_id,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def list_api_keys(session: Session, *, principal: Principal) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)
    if not principal.can("user.write"):
        query = query.where(ApiKey.user_id == principal.user_id)
    return list(session.scalars(query))


def revoke_api_key(session: Session, *, principal: Principal, api_key_id: int) -> None:
    key = session.get(ApiKey, api_key_id)
    if (
        key is None
        or key.revoked_at is not None
        or (key.user_id != principal.user_id and not principal.can("user.write"))
    ):
        raise NotFound(f"API key {api_key_id} not found")
    if key.user_id != principal.user_id:
        require_outranks(principal, key.user)
    key.revoked_at = utcnow()
    session.flush()


def principal_for_api_key(session: Session, raw: str) -> Principal | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not secrets.compare_digest(key.key_hash, _key_hash(parts[2])):
        return None
    if key.revoked_at is not None or (key.expires_at and key.expires_at < utcnow()):
        return None
    if not key.user.is_active:
        return None
    # A key can never do more than its owner can do now.
    effective = frozenset(key.scopes) & frozenset(key.user.permission_names)
    return Principal(
        user_id=key.user_id,
        email=key.user.email,
        permissions=effective,
        roles=tuple(key.user.role_names),
        api_key_id=key.id,
    )
