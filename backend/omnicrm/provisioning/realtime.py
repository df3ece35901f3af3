"""The ``/provision`` Socket.IO namespace: live task events and job statuses.

Clients connect with ``auth={"token": "<access JWT>"}`` (refused otherwise) and ``join`` a room:
``provision:<id>`` (one job: its events so far are replayed to the joiner first, then live ones
follow) or ``dashboard`` (every job's events and statuses). Every ``join`` and ``leave`` needs
``provision.read`` and a live session, checked anew each time (``core.realtime.authorised``):
refused, the answer says why and the socket is cut. A socket is also cut when its token
expires, its session ends or its user's roles change (``core.realtime``).
Events are published after the writing transaction commits, from whichever process wrote them
(API or worker), through the Redis message queue when there is one. A client may see an event
both replayed and live around the moment it joins: ``provision_event_id`` tells them apart.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_socketio import SocketIO, emit, join_room, leave_room

from omnicrm.core.context import Principal
from omnicrm.core.logging import get_logger
from omnicrm.core.realtime import accept_connection, authorised, forget_connection

NAMESPACE = "/provision"
DASHBOARD = "dashboard"
_JOB_ROOM = re.compile(r"^provision:([1-9][0-9]{0,9})$")

log = get_logger("omnicrm.provisioning")


def publish(event: str, payload: dict[str, Any]) -> None:
    """Send to the job's room and the dashboard (never raises: a lost emit must not undo a
    committed task; clients re-sync from the API)."""
    try:
        socketio: SocketIO = current_app.extensions["socketio"]
        room = f"provision:{payload['provision_id']}"
        socketio.emit(event, payload, to=room, namespace=NAMESPACE)
        socketio.emit(event, payload, to=DASHBOARD, namespace=NAMESPACE)
    except Exception:
        log.exception("provision_emit_failed", socket_event=event)


def publish_dashboard(event: str, payload: dict[str, Any]) -> None:
    """Send to the staff dashboard only (charging thresholds); never raises, as above."""
    try:
        socketio: SocketIO = current_app.extensions["socketio"]
        socketio.emit(event, payload, to=DASHBOARD, namespace=NAMESPACE)
    except Exception:
        log.exception("dashboard_emit_failed", socket_event=event)


def register_provision_namespace(socketio: SocketIO) -> None:
    @socketio.on("connect", namespace=NAMESPACE)
    def _connect(auth: Any = None) -> bool:
        accept_connection(auth)
        return True

    @socketio.on("disconnect", namespace=NAMESPACE)
    def _disconnect(*_args: Any) -> None:
        forget_connection()

    @socketio.on("join", namespace=NAMESPACE)
    @authorised("provision.read")
    def _join(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        if room == DASHBOARD:
            join_room(DASHBOARD)
            return {"ok": True, "room": DASHBOARD}
        match = _JOB_ROOM.match(room) if isinstance(room, str) else None
        if match is None:
            return {
                "ok": False,
                "code": "validation_error",
                "message": 'room must be "dashboard" or "provision:<id>"',
            }
        join_room(room)
        replayed = _replay(int(match.group(1)))
        if replayed is None:
            leave_room(room)
            return {"ok": False, "code": "not_found", "message": f"no job {match.group(1)}"}
        return {"ok": True, "room": room, "replayed": replayed}

    @socketio.on("leave", namespace=NAMESPACE)
    @authorised("provision.read")
    def _leave(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        if isinstance(room, str):
            leave_room(room)
        return {"ok": True}


def _replay(provision_id: int) -> int | None:
    """Send the job's events so far, then its status, to the joining client only."""
    from omnicrm.extensions import get_db
    from omnicrm.provisioning import use_cases as uc
    from omnicrm.provisioning.models import Provision

    session = get_db().new_session()
    try:
        job = session.get(Provision, provision_id)
        if job is None:
            return None
        events = uc.events_of(session, provision_id)
        done = 0
        for event in events:
            done += 1 if event.attempt == job.attempts else 0
            emit(
                "provision.event",
                uc.event_payload(event, tasks_done=done, task_count=job.task_count),
            )
        emit("provision.status", uc.status_payload(job))
        return len(events)
    finally:
        session.close()
