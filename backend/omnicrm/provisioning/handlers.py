"""How provisioning reacts to events: its own (a job to dispatch, a status to stream, both once
the unit of work commits) and services' (a suspension, resumption or termination is applied
to the network by the product's play). Registered by omnicrm/wiring.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit
from omnicrm.core.events import subscribe
from omnicrm.provisioning import realtime, tasks
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.events import JobQueued, JobStatusChanged, TaskRecorded
from omnicrm.provisioning.models import ProvisionAction
from omnicrm.services.events import ServiceResumed, ServiceSuspended, ServiceTerminated
from omnicrm.services.models import Service


@subscribe(JobQueued)
def send_to_the_workers(session: Session, event: JobQueued) -> None:
    after_commit(session, lambda: tasks.dispatch(event.provision_id, delay_ms=event.delay_ms))


@subscribe(JobStatusChanged)
def stream_the_status(session: Session, event: JobStatusChanged) -> None:
    payload = dict(event.payload)
    after_commit(session, lambda: realtime.publish("provision.status", payload))


@subscribe(TaskRecorded)
def stream_the_task(session: Session, event: TaskRecorded) -> None:
    payload = dict(event.payload)
    after_commit(session, lambda: realtime.publish("provision.event", payload))


def _follow_up(session: Session, service_id: int, action: ProvisionAction) -> None:
    service = session.get(Service, service_id)
    assert service is not None  # it has just changed in this transaction
    uc.follow_up(session, service=service, action=action)


@subscribe(ServiceSuspended)
def bar_on_the_network(session: Session, event: ServiceSuspended) -> None:
    _follow_up(session, event.service_id, ProvisionAction.suspend)


@subscribe(ServiceResumed)
def restore_on_the_network(session: Session, event: ServiceResumed) -> None:
    _follow_up(session, event.service_id, ProvisionAction.resume)


@subscribe(ServiceTerminated)
def remove_from_the_network(session: Session, event: ServiceTerminated) -> None:
    """Only a service that was live and is not a bundle child: the parent's play covers it."""
    if event.was_live and event.bundled_parent_id is None:
        _follow_up(session, event.service_id, ProvisionAction.deprovision)
