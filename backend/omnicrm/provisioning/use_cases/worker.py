"""The worker side: claim a job, renew its lease, record its tasks, finish or re-queue it,
reap the jobs of dead workers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, lazyload

from omnicrm.core.db import utcnow
from omnicrm.core.events import publish
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import ItemState
from omnicrm.provisioning.events import JobEnded, TaskRecorded
from omnicrm.provisioning.models import (
    FINAL,
    Provision,
    ProvisionAction,
    ProvisionEvent,
    ProvisionStatus,
)
from omnicrm.provisioning.use_cases.config import P
from omnicrm.provisioning.use_cases.queueing import (
    active_items,
    dispatch_after_commit,
    publish_status_after_commit,
    status_payload,
)
from omnicrm.provisioning.use_cases.reads import lock
from omnicrm.services import use_cases as services
from omnicrm.services.models import ServiceStatus


def claim(
    session: Session,
    *,
    provision_id: int,
    owner: str,
    lease_seconds: int,
    now: datetime | None = None,
) -> Provision | None:
    """Take a job for a run: queued and due, or running under a lapsed lease (its worker died).
    None when another worker has it, it is over, or not due yet. Locks the row: two workers
    handed the same message never both run it."""
    moment = now or utcnow()
    job = session.scalar(
        select(Provision)
        .where(Provision.provision_id == provision_id)
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if job is None:
        return None
    if job.status == P.queued:
        if job.next_attempt_at is not None and job.next_attempt_at > moment:
            return None
    elif not (
        job.status == P.running
        and job.lease_expires_at is not None
        and job.lease_expires_at <= moment
    ):
        return None
    if job.cancel_requested:
        finish(session, job=job, outcome=P.cancelled, error="cancelled before it ran", now=moment)
        return None
    if job.attempts > 0 and job.status == P.queued:
        job.retries += 1
    job.attempts += 1
    job.provisioning_status = int(P.running)
    job.lease_owner = owner
    job.lease_expires_at = moment + timedelta(seconds=lease_seconds)
    job.started_at = job.started_at or moment
    job.next_attempt_at = None
    job.tasks_done = 0
    session.flush()
    publish_status_after_commit(session, status_payload(job))
    return job


def lock_owned(session: Session, *, provision_id: int, owner: str) -> Provision | None:
    """The job, locked, if ``owner`` still holds it (running under its lease)."""
    job = lock(session, provision_id)
    if job.status != P.running or job.lease_owner != owner:
        return None
    return job


def renew_lease(
    session: Session, *, provision_id: int, owner: str, lease_seconds: int
) -> tuple[bool, bool]:
    """Extend the lease; (still ours, cancel requested)."""
    row = session.execute(
        update(Provision)
        .where(
            Provision.provision_id == provision_id,
            Provision.lease_owner == owner,
            Provision.provisioning_status == int(P.running),
        )
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .returning(Provision.cancel_requested)
    ).first()
    if row is None:
        return False, False
    return True, bool(row[0])


def record_task(
    session: Session,
    *,
    provision_id: int,
    owner: str,
    attempt: int,
    name: str,
    status: ProvisionStatus,
    result: dict[str, Any],
    host: str | None = None,
    changed: bool = False,
    skipped: bool = False,
    finished_at: datetime | None = None,
    counts_as_task: bool = True,
) -> ProvisionEvent | None:
    """Store one task result, numbered after the job's last event; None (nothing written) when
    this worker no longer holds the job."""
    held = session.execute(
        update(Provision)
        .where(
            Provision.provision_id == provision_id,
            Provision.lease_owner == owner,
            Provision.provisioning_status == int(P.running),
        )
        .values(tasks_done=Provision.tasks_done + (1 if counts_as_task else 0))
        .returning(Provision.tasks_done, Provision.task_count)
    ).first()
    if held is None:
        return None
    return _append_event(
        session,
        provision_id=provision_id,
        attempt=attempt,
        name=name,
        status=status,
        result=result,
        host=host,
        changed=changed,
        skipped=skipped,
        finished_at=finished_at,
        progress=(int(held[0]), int(held[1])),
    )


def _append_event(
    session: Session,
    *,
    provision_id: int,
    attempt: int,
    name: str,
    status: ProvisionStatus,
    result: dict[str, Any],
    progress: tuple[int, int],
    host: str | None = None,
    changed: bool = False,
    skipped: bool = False,
    finished_at: datetime | None = None,
) -> ProvisionEvent:
    number = (
        session.scalar(
            select(func.max(ProvisionEvent.event_number)).where(
                ProvisionEvent.provision_id == provision_id
            )
        )
        or 0
    ) + 1
    event = ProvisionEvent(
        provision_id=provision_id,
        event_number=number,
        event_name=name[:500],
        attempt=attempt,
        host=host,
        changed=changed,
        skipped=skipped,
        provisioning_status=int(status),
        provisioning_result_json=result,
        task_finished_at=finished_at,
    )
    session.add(event)
    session.flush()
    payload = event_payload(event, tasks_done=progress[0], task_count=progress[1])
    publish(session, TaskRecorded(payload=payload))
    return event


def event_payload(event: ProvisionEvent, *, tasks_done: int, task_count: int) -> dict[str, Any]:
    return {
        "provision_id": event.provision_id,
        "provision_event_id": event.provision_event_id,
        "event_number": event.event_number,
        "event_name": event.event_name,
        "provisioning_status": event.provisioning_status,
        "status_label": ProvisionStatus(event.provisioning_status).label,
        "attempt": event.attempt,
        "host": event.host,
        "changed": event.changed,
        "skipped": event.skipped,
        "task_finished_at": event.task_finished_at.isoformat() if event.task_finished_at else None,
        "created_at": event.created_at.isoformat(),
        "tasks_done": tasks_done,
        "task_count": task_count,
        "provisioning_result_json": event.provisioning_result_json,
    }


def finish(
    session: Session,
    *,
    job: Provision,
    outcome: ProvisionStatus,
    error: str | None = None,
    config_content: str | None = None,
    now: datetime | None = None,
) -> Provision:
    """End a job for good and apply what its end means to the service, items and contract."""
    assert outcome in FINAL
    job.provisioning_status = int(outcome)
    job.finished_at = now or utcnow()
    job.lease_owner = None
    job.lease_expires_at = None
    job.error = error
    if config_content is not None:
        job.config_content = config_content
    session.flush()
    if job.action == ProvisionAction.activate.value and job.service_id is not None:
        if outcome == P.success:
            _activated(session, job)
        else:
            _activation_failed(session, job)
    publish(
        session,
        JobEnded(
            provision_id=job.provision_id,
            provisioning_status=job.provisioning_status,
            service_id=job.service_id,
        ),
    )
    publish_status_after_commit(session, status_payload(job))
    return job


def requeue(
    session: Session,
    *,
    job: Provision,
    error: str,
    delay_seconds: float,
    now: datetime | None = None,
) -> Provision:
    """Back to the queue for another attempt after ``delay_seconds`` (transient failure or a
    lost worker)."""
    moment = now or utcnow()
    job.provisioning_status = int(P.queued)
    job.lease_owner = None
    job.lease_expires_at = None
    job.error = error
    job.next_attempt_at = moment + timedelta(seconds=delay_seconds)
    session.flush()
    dispatch_after_commit(session, job, delay_ms=int(delay_seconds * 1000))
    return job


def _activated(session: Session, job: Provision) -> None:
    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    reason = f"provisioning job {job.provision_id} succeeded"
    if service.service_status != ServiceStatus.provisioning:
        return  # terminated meanwhile: leave it
    for item in active_items(session, service.service_id):
        if item.item_state == ItemState.reserved:
            inventory.change_state(
                session,
                inventory_id=item.inventory_id,
                to_state=ItemState.assigned,
                customer_id=job.customer_id,
                service_id=service.service_id,
                reason=reason,
            )
    for one in (service, *services.children_of(session, service.service_id)):
        if one.service_status == ServiceStatus.provisioning:
            services.change_service_status(
                session, service_id=one.service_id, to_status=ServiceStatus.active, reason=reason
            )


def _activation_failed(session: Session, job: Provision) -> None:
    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    reason = f"provisioning job {job.provision_id} {job.status.label.lower()}"
    if service.service_status not in (ServiceStatus.provisioning, ServiceStatus.pending):
        return
    for one in (*services.children_of(session, service.service_id), service):
        if one.service_status in (ServiceStatus.provisioning, ServiceStatus.pending):
            services.change_service_status(
                session, service_id=one.service_id, to_status=ServiceStatus.failed, reason=reason
            )
    for item in active_items(session, service.service_id):
        if item.item_state == ItemState.reserved:
            inventory.change_state(
                session, inventory_id=item.inventory_id, to_state=ItemState.new, reason=reason
            )
    session.expire(service, ["inventory"])


def reap(session: Session, *, lease_seconds: int, now: datetime | None = None) -> list[int]:
    """Deal with jobs whose worker died (lease lapsed): re-queue them while retries are left,
    else fail them. Also re-sends queued jobs that are overdue (a lost message). Returns the
    ids handled. Safe to run in every worker at once (rows are locked, skipped if taken)."""
    moment = now or utcnow()
    lapsed = session.scalars(
        select(Provision)
        .where(
            Provision.provisioning_status == int(P.running),
            Provision.lease_expires_at < moment,
        )
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .limit(100)
    ).all()
    handled = []
    for job in lapsed:
        progress = (job.tasks_done, job.task_count)
        message = f"worker {job.lease_owner or '?'} stopped answering (lease expired)"
        if job.retries < job.max_retries:
            _append_event(
                session,
                provision_id=job.provision_id,
                attempt=job.attempts,
                name=f"Worker lost: job re-queued (attempt {job.attempts + 1} next)",
                status=P.failed,
                result={"reason": message, "lease_owner": job.lease_owner},
                progress=progress,
            )
            requeue(session, job=job, error=message, delay_seconds=0, now=moment)
        else:
            _append_event(
                session,
                provision_id=job.provision_id,
                attempt=job.attempts,
                name="Worker lost: no retries left",
                status=P.failed,
                result={"reason": message, "lease_owner": job.lease_owner},
                progress=progress,
            )
            finish(session, job=job, outcome=P.failed, error=message, now=moment)
        handled.append(job.provision_id)
    # A queued job nobody claimed for long (its message was lost): send it again, at most once
    # per period (claiming is idempotent, so a duplicate message is harmless).
    stale = moment - timedelta(seconds=10 * lease_seconds)
    overdue = session.scalars(
        select(Provision)
        .where(
            Provision.provisioning_status == int(P.queued),
            func.coalesce(Provision.next_attempt_at, Provision.updated_at) < stale,
            Provision.updated_at < stale,
        )
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .limit(100)
    ).all()
    for job in overdue:
        job.updated_at = moment
        dispatch_after_commit(session, job)
        handled.append(job.provision_id)
    session.flush()
    return handled
