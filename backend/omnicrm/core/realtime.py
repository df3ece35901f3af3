"""Socket.IO plumbing: JWT-checked connections and emits that happen only after commit.

Across processes (API instances, workers) Flask-SocketIO relays emits through the Redis
message queue configured in ``create_app``; a worker without a Flask-SocketIO server uses
:func:`external_emitter`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import ConnectionRefusedError, SocketIO, join_room
from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit
from omnicrm.core.errors import DomainError


def principal_from_auth(auth: Any) -> Any:
    """The Principal of a Socket.IO handshake's ``auth={"token": ...}``; refuses otherwise."""
    from omnicrm.auth.principal import principal_for_access_token

    token = auth.get("token") if isinstance(auth, dict) else None
    if not token or not isinstance(token, str):
        raise ConnectionRefusedError("authentication required")
    try:
        return principal_for_access_token(token)
    except DomainError as exc:
        raise ConnectionRefusedError(exc.message) from exc


def register_user_namespace(socketio: SocketIO) -> None:
    """The default namespace: each user joins ``user:<id>`` for personal notifications."""

    @socketio.on("connect")
    def _connect(auth: Any = None) -> bool:
        principal = principal_from_auth(auth)
        join_room(f"user:{principal.user_id}")
        return True


def emit_after_commit(
    session: Session, event: str, data: dict[str, Any], *, room: str, namespace: str = "/"
) -> None:
    """Queue an emit that goes out only if the unit of work commits."""
    socketio: SocketIO = current_app.extensions["socketio"]

    def _emit() -> None:
        socketio.emit(event, data, to=room, namespace=namespace)

    after_commit(session, _emit)


def external_emitter(redis_url: str) -> SocketIO:
    """An emit-only Socket.IO for processes that are not serving clients (workers)."""
    return SocketIO(message_queue=redis_url)
