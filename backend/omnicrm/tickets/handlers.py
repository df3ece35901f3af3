"""How tickets follow the domains below them (registered by omnicrm/wiring.py): a
provisioning job that failed for good opens a ticket, once per job."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.errors import DomainError
from omnicrm.core.events import subscribe
from omnicrm.core.logging import get_logger
from omnicrm.extensions import get_settings
from omnicrm.provisioning.events import JobEnded
from omnicrm.provisioning.models import Provision, ProvisionStatus
from omnicrm.tickets.sla import Sla
from omnicrm.tickets.use_cases import open_once

log = get_logger("omnicrm.tickets")


@subscribe(JobEnded)
def ticket_for_failed_job(session: Session, event: JobEnded) -> None:
    """A job that failed for good (retries spent) needs a person: a high-priority ticket for
    the customer, naming the job and its error. Its source (``provision:<id>``) is unique, so a
    job that fails again after a manual retry keeps its one ticket; a retry that succeeds opens
    none."""
    if event.provisioning_status != ProvisionStatus.failed:
        return
    job = session.get(Provision, event.provision_id)
    if job is None:
        return
    try:
        with session.begin_nested():
            _open(session, job)
    except DomainError:  # never let the ticket stop the job from ending
        log.exception("ticket_for_failed_job", provision_id=job.provision_id)


def _open(session: Session, job: Provision) -> None:
    open_once(
        session,
        source=f"provision:{job.provision_id}",
        customer_id=job.customer_id,
        service_id=job.service_id,
        subject=f"Provisioning failed: {job.action} (job #{job.provision_id})"[:200],
        description=f"The {job.action} job #{job.provision_id} failed for good.\n\n"
        f"{job.error or 'No error was recorded.'}",
        priority="high",
        category="provisioning",
        sla=Sla.from_settings(get_settings()),
        notify_customer=False,  # an internal fault: staff decide what to tell
    )
