"""How services react to their own events: a status change is streamed to open pages (the
``/live`` Socket.IO namespace, room ``services``) once the unit of work commits. Registered
by omnicrm/wiring.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.events import subscribe
from omnicrm.core.realtime import emit_live_after_commit
from omnicrm.services.events import ServiceStatusChanged
from omnicrm.services.models import Service

LIVE_ROOM = "services"
LIVE_PERMISSION = "service.read"


@subscribe(ServiceStatusChanged)
def stream_the_status(session: Session, event: ServiceStatusChanged) -> None:
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    payload = {
        "service_id": service.service_id,
        "customer_id": service.customer_id,
        "bundled_parent_id": service.bundled_parent_id,
        "from_status": event.from_status.value,
        "service_status": event.to_status.value,
        "start_date": service.start_date.isoformat() if service.start_date else None,
        "end_date": service.end_date.isoformat() if service.end_date else None,
    }
    emit_live_after_commit(session, "service.status_changed", payload, room=LIVE_ROOM)
