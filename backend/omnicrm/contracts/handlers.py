"""How contracts react to other domains' events, and stream their own status changes to open
pages (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.contracts import use_cases as uc
from omnicrm.contracts.events import ContractStatusChanged
from omnicrm.contracts.models import Contract
from omnicrm.core.events import subscribe
from omnicrm.core.realtime import emit_live_after_commit
from omnicrm.services.events import ServiceStatusChanged
from omnicrm.services.models import Service


@subscribe(ServiceStatusChanged)
def follow_the_service(session: Session, event: ServiceStatusChanged) -> None:
    """A contract mirrors its service: a terminated service closes its contract, freeing the
    SIM and number for the live-binding unique indexes."""
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    uc.follow_service(session, service=service)


LIVE_ROOM = "contracts"
LIVE_PERMISSION = "contract.read"


@subscribe(ContractStatusChanged)
def stream_the_status(session: Session, event: ContractStatusChanged) -> None:
    """Open pages see the new status and dates (``/live``, room ``contracts``) after commit."""
    contract = session.get(Contract, event.contract_id)
    assert contract is not None  # it has just changed in this transaction
    payload = {
        "contract_id": contract.contract_id,
        "customer_id": contract.customer_id,
        "service_id": contract.service_id,
        "from_status": event.from_status,
        "contract_status": event.to_status,
        "start_date": contract.start_date.isoformat() if contract.start_date else None,
        "end_date": contract.end_date.isoformat() if contract.end_date else None,
        "closed_at": contract.closed_at.isoformat() if contract.closed_at else None,
    }
    emit_live_after_commit(session, "contract.status_changed", payload, room=LIVE_ROOM)
