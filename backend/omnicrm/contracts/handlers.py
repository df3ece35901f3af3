"""How contracts react to other domains' events (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.contracts import use_cases as uc
from omnicrm.core.events import subscribe
from omnicrm.services.events import ServiceStatusChanged
from omnicrm.services.models import Service


@subscribe(ServiceStatusChanged)
def follow_the_service(session: Session, event: ServiceStatusChanged) -> None:
    """A contract mirrors its service: a terminated service closes its contract, freeing the
    SIM and number for the live-binding unique indexes."""
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    uc.follow_service(session, service=service)
