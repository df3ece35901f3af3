"""How charging reacts to other domains' events (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.charging.allowances import grant_allowances
from omnicrm.core.db import utcnow
from omnicrm.core.events import subscribe
from omnicrm.services.events import ServiceStatusChanged
from omnicrm.services.models import Service, ServiceStatus

FIRST_LIVE_FROM = (ServiceStatus.pending, ServiceStatus.provisioning)


@subscribe(ServiceStatusChanged)
def open_allowances(session: Session, event: ServiceStatusChanged) -> None:
    """A service that goes live for the first time gets its product's allowances (a resumed one
    keeps what it had). With CGRateS the activation play has loaded them under the same names
    already; setting them again to their size changes only their expiry, to the period's end."""
    if event.to_status != ServiceStatus.active or event.from_status not in FIRST_LIVE_FROM:
        return
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    grant_allowances(session, service, start=service.start_date or utcnow())
