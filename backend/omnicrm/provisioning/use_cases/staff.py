"""Staff actions on a job: cancel, retry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from omnicrm.core.errors import NotFound
from omnicrm.core.fields import storable_id
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import ItemState
from omnicrm.provisioning.errors import JobFinished, JobNotRetryable
from omnicrm.provisioning.models import (
    FINAL,
    Provision,
    ProvisionAction,
)
from omnicrm.provisioning.use_cases.config import P, PlayConfig
from omnicrm.provisioning.use_cases.queueing import dispatch_after_commit
from omnicrm.provisioning.use_cases.reads import lock
from omnicrm.provisioning.use_cases.worker import finish
from omnicrm.services import use_cases as services
from omnicrm.services.models import ServiceStatus


def cancel(session: Session, *, provision_id: int, now: datetime | None = None) -> Provision:
    """A queued job is cancelled at once; a running one is asked to stop (its worker stops the
    play and finishes it as cancelled). 409 ``job_finished`` when it is already over."""
    job = lock(session, provision_id) if storable_id(provision_id) else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    if job.status in FINAL:
        raise JobFinished(
            f"provisioning job {provision_id} is already {job.status.label.lower()}",
            extra={"provisioning_status": job.provisioning_status},
        )
    if job.status == P.queued:
        finish(session, job=job, outcome=P.cancelled, error="cancelled before it ran", now=now)
    else:
        job.cancel_requested = True
        session.flush()
    return job


def retry(session: Session, *, provision_id: int, config: PlayConfig) -> Provision:
    """Run a failed or cancelled job again (a new attempt, events continue). An activation gets
    its service back to provisioning and re-reserves the same SIM and number (409
    ``inventory_unavailable`` when one was sold meanwhile)."""
    job = lock(session, provision_id) if storable_id(provision_id) else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    if job.status not in (P.failed, P.cancelled):
        raise JobNotRetryable(
            f"provisioning job {provision_id} is {job.status.label.lower()}: "
            "only failed or cancelled jobs can be retried",
            extra={"provisioning_status": job.provisioning_status},
        )
    if job.action == ProvisionAction.activate.value and job.service_id is not None:
        _reopen_activation(session, job)
    job.provisioning_status = int(P.queued)
    job.cancel_requested = False
    job.error = None
    job.finished_at = None
    job.next_attempt_at = None
    job.max_retries = job.retries + 1 + config.max_retries
    session.flush()
    dispatch_after_commit(session, job)
    return job


def _reopen_activation(session: Session, job: Provision) -> None:
    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    if service.service_status != ServiceStatus.failed:
        raise JobNotRetryable(
            f"service {service.service_id} is {service.service_status.value}, not failed",
            extra={"service_status": service.service_status.value},
        )
    for inventory_id in job.inventory_ids:
        item = inventory.get_item(session, inventory_id=inventory_id)
        if item.item_state != ItemState.new:
            raise InventoryUnavailable(
                f"{item.template.item} {item.serial} was taken since the job failed: "
                "sell the product again",
                extra={"inventory_id": inventory_id, "item_state": item.item_state.value},
            )
        inventory.change_state(
            session,
            inventory_id=inventory_id,
            to_state=ItemState.reserved,
            customer_id=job.customer_id,
            service_id=service.service_id,
            reason=f"provisioning job {job.provision_id} retried",
        )
    for one in (service, *services.children_of(session, service.service_id)):
        if one.service_status == ServiceStatus.failed:
            services.change_service_status(
                session,
                service_id=one.service_id,
                to_status=ServiceStatus.provisioning,
                reason=f"provisioning job {job.provision_id} retried",
            )
