"""Socket.IO plumbing: JWT-checked connections that last only as long as their authority, and
emits that happen only after commit.

Across processes (API instances, workers) Flask-SocketIO relays emits through the Redis
message queue configured in ``create_app``; a worker without a Flask-SocketIO server uses
:func:`external_emitter`.

Authority. A connection is checked when it connects (:func:`accept_connection`), again on
every client→server event (:func:`authorised`: live session, token not blocklisted nor
expired, active user holding the permission with their current roles), and it is cut when
its authority ends:

- its access token expires: a sweeper thread in the serving process cuts it;
- its login session ends, or what its user may do changes (logout, revocation, password
  change or reset, disabling, roles): the process that made the change calls
  :func:`disconnect_user` once its unit of work is over.

Why this design: in production the socket is served by another process (``omnicrm run
--realtime``) than the one making the change (an API process), and python-socketio keeps sids
and rooms in each server's memory. So every server records its sockets in Redis
(``omnicrm:sock:<user id>``: ``"<namespace> <sid>"`` → login session id), and the changing
side calls python-socketio's own ``Server.disconnect(sid, namespace)``: with a message queue
its PubSubManager publishes the disconnect and the server holding the socket cuts it; in one
process (embedded) it cuts it directly. Chosen over a periodic re-check of every socket in
the real-time process because the cut is immediate instead of up to a period late, nothing is
polled while nothing changes, and it needs no message, channel or subscriber of our own.
Redis pub/sub is fire-and-forget: a disconnect lost while a server was reconnecting to Redis
leaves a socket that is refused on its next event and cut when its token expires (15 minutes
at most), having left every room if an event was refused.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app, request
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room, leave_room
from sqlalchemy.orm import Session

from omnicrm.core.context import Principal
from omnicrm.core.db import after_commit
from omnicrm.core.errors import DomainError, Unauthorized
from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.realtime")

SOCKETS_KEY = "omnicrm:sock:{user_id}"
SWEEP_SECONDS = 0.5  # how often a server looks for sockets whose token has expired
CUT_GRACE_SECONDS = 0.25  # a refused socket is cut this long after its answer was sent


@dataclass(frozen=True)
class _Connection:
    user_id: int
    session_id: str
    token: str
    expires_at: float


# This server process's authenticated sockets, by (sid, namespace): sids are per process.
_connections: dict[tuple[str, str], _Connection] = {}
_sweeper_lock = threading.Lock()
_sweeper_pid: int | None = None


# Who a token is: the auth domain's business, given to this module at app creation
# (use_token_checker), so core never imports a domain.
_token_checker: Callable[[str], Principal] | None = None


def use_token_checker(checker: Callable[[str], Principal]) -> None:
    """Set how a socket's access token becomes a Principal (auth's token check)."""
    global _token_checker
    _token_checker = checker


def _principal_for_token(token: str) -> Principal:
    if _token_checker is None:
        raise Unauthorized("no token checker is configured")
    return _token_checker(token)


def principal_from_auth(auth: Any) -> Principal:
    """The Principal of a Socket.IO handshake's ``auth={"token": ...}``; refuses otherwise."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not token or not isinstance(token, str):
        raise ConnectionRefusedError("authentication required")
    try:
        return _principal_for_token(token)
    except DomainError as exc:
        raise ConnectionRefusedError(exc.message) from exc


def _socket() -> tuple[str, str]:
    """The (sid, namespace) of the Socket.IO connection being handled."""
    return request.sid, request.namespace or "/"  # type: ignore[attr-defined]


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _redis() -> redis.Redis:
    client: redis.Redis = current_app.extensions["omnicrm_redis"]
    return client


def _field(sid: str, namespace: str) -> str:
    return f"{namespace} {sid}"


def accept_connection(auth: Any) -> Principal:
    """For a namespace's ``connect`` handler: the handshake's Principal, the socket recorded
    so that the end of its authority cuts it; refused otherwise (also when it cannot be
    recorded: a socket nothing could cut must not exist)."""
    principal = principal_from_auth(auth)
    if principal.user_id is None or principal.session_id is None:
        raise ConnectionRefusedError("a login session is required")
    sid, namespace = _socket()
    settings = current_app.extensions["omnicrm_settings"]
    _connections[(sid, namespace)] = _Connection(
        user_id=principal.user_id,
        session_id=principal.session_id,
        token=auth["token"],
        expires_at=float(principal.token_exp or 0),
    )
    try:
        key = SOCKETS_KEY.format(user_id=principal.user_id)
        pipe = _redis().pipeline()
        pipe.hset(key, _field(sid, namespace), principal.session_id)
        # A socket is cut when its token expires, and every token was issued before its socket
        # connected: the record outlives every socket in it.
        pipe.expire(key, int(settings.jwt_access_ttl_seconds) + 60)
        pipe.execute()
        # Recorded first, checked again: an end of authority between the first check and the
        # record (which it could not find) is seen now.
        principal = principal_from_auth(auth)
    except redis.RedisError as exc:
        _untrack(sid, namespace)
        raise ConnectionRefusedError("session store unavailable") from exc
    except BaseException:
        _untrack(sid, namespace)
        raise
    _start_sweeper()
    return principal


def forget_connection() -> None:
    """For a namespace's ``disconnect`` handler."""
    _untrack(*_socket())


def _untrack(sid: str, namespace: str) -> None:
    connection = _connections.pop((sid, namespace), None)
    if connection is None:
        return
    try:
        _redis().hdel(SOCKETS_KEY.format(user_id=connection.user_id), _field(sid, namespace))
    except redis.RedisError:  # the record expires on its own
        log.warning("socket_untrack_failed", user_id=connection.user_id)


Handler = Callable[..., dict[str, Any]]


def authorised(permission: str) -> Callable[[Handler], Handler]:
    """For a client→server event handler: re-check the socket's authority first, as a request
    would be (live session, token neither blocklisted nor expired, active user holding
    ``permission`` with their current roles), and call ``handler(principal, *args)``.

    Refused: the answer is ``{"ok": False, "code", "message"}``, the socket leaves every room
    at once (nothing more reaches it) and is cut right after the answer has gone out.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def checked(*args: Any) -> dict[str, Any]:
            sid, namespace = _socket()
            connection = _connections.get((sid, namespace))
            try:
                if connection is None:
                    raise Unauthorized("the connection is not authenticated")
                principal = _principal_for_token(connection.token)
            except DomainError as exc:
                # "session_revoked": the login session ended or the user was disabled; an
                # expired token ends only this socket (the session may have newer ones).
                over = exc.code == "session_revoked"
                return _refuse(sid, namespace, exc.code, exc.message, session_over=over)
            if not principal.can(permission):
                return _refuse(sid, namespace, "permission_denied", f"needs {permission}")
            return handler(principal, *args)

        return checked

    return decorate


def _refuse(
    sid: str, namespace: str, code: str, message: str, *, session_over: bool = False
) -> dict[str, Any]:
    socketio: SocketIO = current_app.extensions["socketio"]
    server = socketio.server
    for room in server.rooms(sid, namespace=namespace):
        if room != sid:
            server.leave_room(sid, room, namespace=namespace)
    connection = _connections.get((sid, namespace))
    # Its session is over (ended, or the user disabled) and no cut came (a lost message):
    # the session's other sockets go too, such as this client's on the default namespace.
    whole_session = connection if session_over else None
    # python-socketio sends the answer when the handler returns: cutting now would lose it.
    socketio.start_background_task(_cut_soon, _app(), sid, namespace, whole_session)
    log.info("socket_refused", code=code, namespace=namespace)
    return {"ok": False, "code": code, "message": message}


def _cut_soon(app: Flask, sid: str, namespace: str, session: _Connection | None) -> None:
    socketio: SocketIO = app.extensions["socketio"]
    socketio.sleep(CUT_GRACE_SECONDS)
    with app.app_context():
        _cut_here(socketio, sid, namespace)
    if session is not None:
        _disconnect_user(app, session.user_id, session.session_id, None)


def _cut_here(socketio: SocketIO, sid: str, namespace: str) -> None:
    """Disconnect a socket of this process (its ``disconnect`` handler then forgets it)."""
    try:
        socketio.server.disconnect(sid, namespace=namespace, ignore_queue=True)
    except Exception:
        log.exception("socket_cut_failed", namespace=namespace)
    finally:
        _untrack(sid, namespace)  # no-op when the handler has run


def _start_sweeper() -> None:
    """Once per server process (a forked one starts its own): cut sockets at token expiry."""
    global _sweeper_pid
    with _sweeper_lock:
        if _sweeper_pid == os.getpid():
            return
        _sweeper_pid = os.getpid()
    socketio: SocketIO = current_app.extensions["socketio"]
    socketio.start_background_task(_sweep, _app())


def _sweep(app: Flask) -> None:
    socketio: SocketIO = app.extensions["socketio"]
    while True:
        socketio.sleep(SWEEP_SECONDS)
        now = time.time()
        expired = [key for key, conn in list(_connections.items()) if conn.expires_at <= now]
        if not expired:
            continue
        with app.app_context():
            for sid, namespace in expired:
                log.info("socket_token_expired", namespace=namespace)
                _cut_here(socketio, sid, namespace)


def disconnect_user(
    user_id: int, session_id: str | None = None, *, keep_session: str | None = None
) -> None:
    """Cut the user's sockets (only login session ``session_id``'s when given; all but
    ``keep_session``'s when that is given) in whichever server process holds them. Runs in
    the background: it never delays or fails the caller, and the sockets' ``disconnect``
    handlers never run inside the caller's request."""
    app = _app()
    socketio: SocketIO = app.extensions["socketio"]
    socketio.start_background_task(_disconnect_user, app, user_id, session_id, keep_session)


def _disconnect_user(
    app: Flask, user_id: int, session_id: str | None, keep_session: str | None
) -> None:
    with app.app_context():
        try:
            server = app.extensions["socketio"].server
            records = _redis().hgetall(SOCKETS_KEY.format(user_id=user_id))
            for field, session in records.items():
                if session_id not in (None, session) or session == keep_session:
                    continue
                namespace, _, sid = field.partition(" ")
                # Here: cut at once. Elsewhere: published on the message queue and cut by the
                # server that holds it (python-socketio's PubSubManager).
                server.disconnect(sid, namespace=namespace)
        except Exception:
            log.exception("socket_disconnect_failed", user_id=user_id)


def register_user_namespace(socketio: SocketIO) -> None:
    """The default namespace: each user joins ``user:<id>`` for personal notifications."""

    @socketio.on("connect")
    def _connect(auth: Any = None) -> bool:
        principal = accept_connection(auth)
        join_room(f"user:{principal.user_id}")
        return True

    @socketio.on("disconnect")
    def _disconnect(*_args: Any) -> None:
        forget_connection()


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


def _track_connections(socketio: SocketIO, namespace: str) -> None:
    """Authenticate each socket of ``namespace`` when it connects; forget it when it goes."""

    @socketio.on("connect", namespace=namespace)
    def _connect(auth: Any = None) -> bool:
        accept_connection(auth)
        return True

    @socketio.on("disconnect", namespace=namespace)
    def _disconnect(*_args: Any) -> None:
        forget_connection()


def register_progress_namespace(
    socketio: SocketIO,
    *,
    namespace: str,
    event: str,
    room_prefix: str,
    permission: str,
    snapshot: Callable[[Session, int], dict[str, Any] | None],
) -> None:
    """A namespace where a client follows one background job: it joins the room
    ``<room_prefix>:<id>`` (``permission`` checked on each join and leave), is sent the job's
    state at once (``snapshot``: None when there is no such job), then every ``event`` the job
    publishes to that room."""
    pattern = re.compile(rf"^{re.escape(room_prefix)}:([1-9][0-9]{{0,9}})$")
    _track_connections(socketio, namespace)

    @socketio.on("join", namespace=namespace)
    @authorised(permission)
    def _join(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        match = pattern.match(room) if isinstance(room, str) else None
        if match is None:
            message = f'room must be "{room_prefix}:<id>"'
            return {"ok": False, "code": "validation_error", "message": message}
        session = _app().extensions["omnicrm_db"].new_session()
        try:
            state = snapshot(session, int(match.group(1)))
        finally:
            session.close()
        if state is None:
            return {"ok": False, "code": "not_found", "message": f"no such {room_prefix}"}
        join_room(room)
        emit(event, state)
        return {"ok": True, "room": room}

    @socketio.on("leave", namespace=namespace)
    @authorised(permission)
    def _leave(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        if isinstance(room, str):
            leave_room(room)
        return {"ok": True}


# The ``/live`` namespace: what changed in the domains (a service's or a contract's status),
# for every open page to refresh itself. Each room is one kind of record, readable with one
# permission (say ``services``: ``service.read``), given by the app at registration.
LIVE_NAMESPACE = "/live"


def register_live_namespace(socketio: SocketIO, *, rooms: dict[str, str]) -> None:
    """A namespace where a client ``join``s the rooms (``rooms``: room → permission) its user
    may read: it is answered ``{"ok": True, "rooms": [...]}``, those joined, the others not
    (a missing permission for one room does not cut the socket: pages ask for every room).
    The authority is checked on each join as :func:`authorised` does (a dead session or an
    expired token is refused and cut); a later change of the user's roles cuts the socket
    (:func:`disconnect_user`), and the client joins again with what it may read now."""

    _track_connections(socketio, LIVE_NAMESPACE)

    @socketio.on("join", namespace=LIVE_NAMESPACE)
    def _join(data: Any = None) -> dict[str, Any]:
        sid, namespace = _socket()
        connection = _connections.get((sid, namespace))
        try:
            if connection is None:
                raise Unauthorized("the connection is not authenticated")
            principal = _principal_for_token(connection.token)
        except DomainError as exc:
            over = exc.code == "session_revoked"
            return _refuse(sid, namespace, exc.code, exc.message, session_over=over)
        wanted = data.get("rooms") if isinstance(data, dict) else None
        if not isinstance(wanted, list):
            wanted = list(rooms)
        joined = [
            room
            for room in wanted
            if isinstance(room, str) and room in rooms and principal.can(rooms[room])
        ]
        for room in joined:
            join_room(room)
        return {"ok": True, "rooms": joined}


def emit_live_after_commit(
    session: Session, event: str, data: dict[str, Any], *, room: str
) -> None:
    """Queue a ``/live`` emit to ``room`` for after the unit of work commits; a lost emit never
    fails the committed change (clients re-read from the API on reconnect)."""
    socketio: SocketIO = current_app.extensions["socketio"]

    def _emit() -> None:
        try:
            socketio.emit(event, data, to=room, namespace=LIVE_NAMESPACE)
        except Exception:
            log.exception("live_emit_failed", socket_event=event)

    after_commit(session, _emit)
