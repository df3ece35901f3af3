"""The ``/billing`` Socket.IO namespace: a billing run's live progress.

Clients connect with ``auth={"token": "<access JWT>"}`` and ``join`` the room
``billing-run:<id>`` (needs ``invoice.read``, checked on each join); the run's current state is
sent to the joiner at once, then ``billing.progress`` after every committed chunk:
``{billing_run_id, status, total, processed, transactions_created, invoices_created, error}``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from omnicrm.billing.models import BillingRun
from omnicrm.core.logging import get_logger
from omnicrm.core.realtime import register_progress_namespace

NAMESPACE = "/billing"
EVENT = "billing.progress"

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
    def snapshot(session: Session, run_id: int) -> dict[str, Any] | None:
        run = session.get(BillingRun, run_id)
        return None if run is None else payload(run)

    register_progress_namespace(
        socketio,
        namespace=NAMESPACE,
        event=EVENT,
        room_prefix="billing-run",
        permission="invoice.read",
        snapshot=snapshot,
    )
