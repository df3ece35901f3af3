"""How provisioning reacts to events: its own (a job to dispatch, a status to stream, both once
the unit of work commits) and services' (a suspension, resumption or termination is applied
to the network by the product's play). Registered by omnicrm/wiring.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.charging.events import AddonSold, ThresholdCrossed
from omnicrm.charging.thresholds import describe
from omnicrm.core.db import after_commit
from omnicrm.core.events import subscribe
from omnicrm.extensions import get_settings
from omnicrm.notifications.use_cases import queue_email
from omnicrm.provisioning import realtime, tasks
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.events import JobEnded, JobQueued, JobStatusChanged, TaskRecorded
from omnicrm.provisioning.models import ProvisionAction, ProvisionStatus
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


def play_config() -> uc.PlayConfig:
    """The plays' settings of this process (handlers, like routes, read the app's settings)."""
    return uc.PlayConfig.from_settings(get_settings())


def _follow_up(session: Session, service_id: int, action: ProvisionAction) -> None:
    service = session.get(Service, service_id)
    assert service is not None  # it has just changed in this transaction
    uc.follow_up(session, service=service, action=action, config=play_config())


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


@subscribe(AddonSold)
def apply_the_addon(session: Session, event: AddonSold) -> None:
    service = session.get(Service, event.service_id)
    addon = session.get(Product, event.addon_product_id)
    assert service is not None and addon is not None  # the sale has just read both
    uc.apply_addon(session, service=service, addon=addon, config=play_config())


@subscribe(ThresholdCrossed)
def alert_staff_and_run_the_play(session: Session, event: ThresholdCrossed) -> None:
    """Staff watching the dashboard see it live; a level with a play (an allowance used up)
    queues it for the service (e.g. bar data)."""
    payload = describe(event)
    after_commit(session, lambda: realtime.publish_dashboard("charging.threshold", payload))
    if event.play is not None:
        uc.trigger_play(session, service_id=event.service_id, play=event.play, config=play_config())


@subscribe(JobEnded)
def tell_the_failure_list(session: Session, event: JobEnded) -> None:
    """A job that failed for good is mailed to PROVISIONING_FAILURE_EMAILS."""
    if event.provisioning_status != ProvisionStatus.failed:
        return
    settings = get_settings()
    recipients = settings.failure_recipients
    if not recipients:
        return
    job = uc.get_provision(session, provision_id=event.provision_id)
    url = f"{settings.public_url.rstrip('/')}/provisioning/{job.provision_id}"
    for to in recipients:
        queue_email(
            session,
            to=to,
            template="provisioning_failed",
            context={
                "provision_id": job.provision_id,
                "action": str(job.action),
                "play": job.provisioning_play,
                "customer_id": job.customer_id,
                "service_id": job.service_id,
                "attempts": job.attempts,
                "error": job.error,
                "url": url,
            },
        )
