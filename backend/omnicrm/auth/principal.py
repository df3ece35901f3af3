"""Turn a request's credentials (Bearer JWT or X-API-Key) into a Principal, or refuse."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import jwt as pyjwt
from flask import Flask, current_app, request

from omnicrm.auth.deps import auth_deps
from omnicrm.auth.errors import SessionRevoked, TokenInvalid
from omnicrm.auth.models import User
from omnicrm.auth.sessions import SessionStore, TokenCheck
from omnicrm.auth.use_cases import identity_of, principal_for_api_key
from omnicrm.core.context import Principal
from omnicrm.core.db import Database
from omnicrm.core.errors import DomainError, ServiceUnavailable, Unauthorized
from omnicrm.core.redis import Command

_ALSO_FETCH = "omnicrm_session_check_also"


@dataclass(frozen=True)
class _AlsoFetch:
    """What other parts of the app asked the session check's round trip to carry."""

    commands: tuple[Command, ...] = ()
    receivers: tuple[Callable[[Any], None], ...] = ()


_NOTHING_ELSE = _AlsoFetch()


def also_fetch_with_session_check(
    app: Flask, command: Command, receive: Callable[[Any], None]
) -> None:
    """Send ``command`` in the same Redis round trip as every bearer request's session check,
    and hand its raw reply to ``receive`` within the request (the response cache reads its
    versions this way). Registered at app creation."""
    also: _AlsoFetch = app.extensions.get(_ALSO_FETCH, _NOTHING_ELSE)
    app.extensions[_ALSO_FETCH] = _AlsoFetch((*also.commands, command), (*also.receivers, receive))


def _database() -> Database:
    # Who the caller is is read in a unit of work of its own, never the request's: a request
    # refused before its view must not have begun (on SQLite: locked) a writing transaction.
    database: Database = current_app.extensions["omnicrm_db"]
    return database


def resolve_principal() -> Principal | None:
    api_key = request.headers.get("X-API-Key")
    if api_key:
        with _database().read_scope() as session:
            principal = principal_for_api_key(session, api_key)
        if principal is None:
            raise Unauthorized("invalid API key", code="invalid_api_key")
        return principal
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenInvalid("expected 'Authorization: Bearer <token>'")
    return principal_for_access_token(token.strip())


@functools.lru_cache(maxsize=10_000)
def _signed_claims(token: str, key: str, audience: str, issuer: str) -> Mapping[str, Any]:
    """Signature, audience and issuer of ``token`` verified once per process.

    Deterministic for a given key, so it is safe to remember; what changes over time (expiry,
    revocation, the user's permissions) is checked on every request by the caller. Failures
    raise and are never cached.
    """
    claims = pyjwt.decode(
        token,
        key,
        algorithms=["HS256"],
        audience=audience,
        issuer=issuer,
        options={"verify_exp": False, "require": ["exp", "sub", "jti", "type", "sid"]},
    )
    return MappingProxyType(claims)


def access_claims(token: str, config: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """The claims of a valid, unexpired access token; TokenInvalid otherwise."""
    config = current_app.config if config is None else config
    if len(token) > 4096:
        raise TokenInvalid("token is invalid or expired")
    try:
        claims = _signed_claims(
            token,
            config["JWT_SECRET_KEY"],
            config["JWT_DECODE_AUDIENCE"],
            config["JWT_DECODE_ISSUER"],
        )
    except pyjwt.PyJWTError as exc:
        raise TokenInvalid("token is invalid or expired") from exc
    now = time.time()
    if claims["exp"] <= now or claims.get("nbf", 0) > now + 5:
        raise TokenInvalid("token is invalid or expired")
    if claims["type"] != "access":
        raise TokenInvalid("an access token is required")
    return claims


def checked_access_token(
    token: str,
    sessions: SessionStore,
    config: Mapping[str, Any] | None = None,
    also: Sequence[Command] = (),
) -> tuple[Mapping[str, Any], TokenCheck]:
    """A valid access token of a live, unrevoked session: its claims and the session check.

    One Redis round trip, which also carries the ``also`` commands (replies in ``check.also``).
    """
    claims = access_claims(token, config)
    user_id, sid, jti = int(claims["sub"]), claims["sid"], claims["jti"]
    try:
        check = sessions.check(user_id, sid, jti, also=also)
    except Exception as exc:  # Redis down: fail closed, but say so honestly
        raise ServiceUnavailable("session store unavailable", code="session_store_down") from exc
    if check.blocked or check.session is None:
        raise SessionRevoked("token has been revoked")
    return claims, check


@dataclass(frozen=True)
class CachedCaller:
    """Who a bearer token is, as far as :func:`cached_caller` can tell from Redis alone."""

    user_id: int
    permissions: frozenset[str]
    also: list[Any]  # replies to the ``also`` commands


def cached_caller(app: Flask, token: str, also: Sequence[Command] = ()) -> CachedCaller | None:
    """Who a bearer token is, from Redis alone, for answering a cached read before Flask.

    None whenever only the full request path can tell (an invalid, expired or revoked token,
    an identity not cached in Redis, a disabled account, Redis down): that path then answers.
    """
    try:
        claims, check = checked_access_token(
            token,
            SessionStore(
                app.extensions["omnicrm_redis"],
                refresh_ttl=app.extensions["omnicrm_settings"].jwt_refresh_ttl_seconds,
            ),
            app.config,
            also,
        )
    except DomainError:
        return None
    identity = check.cached_identity
    if identity is None or not identity.get("active", False):
        return None
    return CachedCaller(int(claims["sub"]), frozenset(identity["permissions"]), check.also)


def principal_for_access_token(token: str) -> Principal:
    deps = auth_deps()
    also: _AlsoFetch = current_app.extensions.get(_ALSO_FETCH, _NOTHING_ELSE)
    claims, check = checked_access_token(token, deps.sessions, also=also.commands)
    user_id, sid, jti = int(claims["sub"]), claims["sid"], claims["jti"]
    for receive, reply in zip(also.receivers, check.also, strict=True):
        receive(reply)
    identity = check.cached_identity
    if identity is None:
        with _database().read_scope() as session:
            user = session.get(User, user_id)
            if user is None:
                raise SessionRevoked("token has been revoked")
            identity = identity_of(session, user)
        deps.sessions.cache_identity(user_id, identity)
    if not identity.get("active", False):
        raise SessionRevoked("the account is disabled")
    return Principal(
        user_id=user_id,
        email=identity["email"],
        permissions=frozenset(identity["permissions"]),
        roles=tuple(identity["roles"]),
        customer_id=identity.get("customer_id"),
        session_id=sid,
        token_jti=jti,
        token_exp=int(claims["exp"]),
    )
