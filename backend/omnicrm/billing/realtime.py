"""The ``/billing`` Socket.IO namespace: a billing run's live progress.

Clients connect with ``auth={"token": "<access JWT>"}`` and ``join`` the room
``billing-run:<id>`` (needs ``invoice.read``, checked on each join); the run's current state is
sent to the joiner at once, then ``billing.progress`` after every committed chunk:
``{billing_run_id, status, total, processed, transactions_created, invoices_created, error}``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_socketio import SocketIO, emit, join_room, leave_room

from omnicrm.billing.models import BillingRun
from omnicrm.core.context import Principal
from omnicrm.core.logging import get_logger
from omnicrm.core.realtime import accept_connection, authorised, forget_connection

NAMESPACE = "/billing"
EVENT = "billing.progress"
_ROOM = re.compile(r"^billing-run:([1-9][0-9]{0,9})$")

log = get_logger("omnicrm.billing")


def payload(run: BillingRun) -> dict[str, Any]:
    return {
        "billing_run_id": run.billing_run_id,
        "status": run.status.value,
        "total": run.customer_count,
        "processed": run.processed,
        "transactions_created": run.transactions_created,
        "invoices_created": run.invoices_created,
        "error": run.error,
    }


def publish(run: BillingRun) -> None:
    """Send the run's progress to its room (never raises: clients re-sync from the API)."""
    try:
        socketio: SocketIO = current_app.extensions["socketio"]
        socketio.emit(
            EVENT, payload(run), to=f"billing-run:{run.billing_run_id}", namespace=NAMESPACE
        )
    except Exception:
        log.exception("billing_emit_failed")


def register_billing_namespace(socketio: SocketIO) -> None:
    @socketio.on("connect", namespace=NAMESPACE)
    def _connect(auth: Any = None) -> bool:
        accept_connection(auth)
        return True

    @socketio.on("disconnect", namespace=NAMESPACE)
    def _disconnect(*_args: Any) -> None:
        forget_connection()

    @socketio.on("join", namespace=NAMESPACE)
    @authorised("invoice.read")
    def _join(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        match = _ROOM.match(room) if isinstance(room, str) else None
        if match is None:
            return {
                "ok": False,
                "code": "validation_error",
                "message": 'room must be "billing-run:<id>"',
            }
        from omnicrm.extensions import get_db

        session = get_db().new_session()
        try:
            run = session.get(BillingRun, int(match.group(1)))
            if run is None:
                return {"ok": False, "code": "not_found", "message": "no such billing run"}
            join_room(room)
            emit(EVENT, payload(run))
        finally:
            session.close()
        return {"ok": True, "room": room}

    @socketio.on("leave", namespace=NAMESPACE)
    @authorised("invoice.read")
    def _leave(_principal: Principal, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        if isinstance(room, str):
            leave_room(room)
        return {"ok": True}
