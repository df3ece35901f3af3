"""The ``/imports`` Socket.IO namespace: an import's live progress.

Clients connect with ``auth={"token": "<access JWT>"}`` and ``join`` the room ``import:<id>``
(needs ``import.write``, checked on each join); the job's state is sent to the joiner at once,
then ``import.progress`` after every committed chunk: ``{import_id, status, dry_run, total,
processed, created, updated, unchanged, failed, error, started_at}``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from omnicrm.core.logging import get_logger
from omnicrm.core.realtime import register_progress_namespace
from omnicrm.imports.models import ImportJob

NAMESPACE = "/imports"
EVENT = "import.progress"

log = get_logger("omnicrm.imports")


def payload(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": job.import_id,
        "status": job.status.value,
        "dry_run": job.dry_run,
        "total": job.total,
        "processed": job.processed,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failed": job.failed,
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
    }


def publish(body: dict[str, Any]) -> None:
    """Send progress to the import's room (never raises: clients re-sync from the API)."""
    try:
        socketio: SocketIO = current_app.extensions["socketio"]
        socketio.emit(EVENT, body, to=f"import:{body['import_id']}", namespace=NAMESPACE)
    except Exception:
        log.exception("import_emit_failed")


def register_imports_namespace(socketio: SocketIO) -> None:
    def snapshot(session: Session, import_id: int) -> dict[str, Any] | None:
        job = session.get(ImportJob, import_id)
        return None if job is None else payload(job)

    register_progress_namespace(
        socketio,
        namespace=NAMESPACE,
        event=EVENT,
        room_prefix="import",
        permission="import.write",
        snapshot=snapshot,
    )
