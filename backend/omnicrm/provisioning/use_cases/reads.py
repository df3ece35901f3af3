"""Reading jobs: one job, lists, task events, the dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from omnicrm.auth.models import User
from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound
from omnicrm.core.fields import storable_id
from omnicrm.core.query import order_by
from omnicrm.provisioning.models import (
    Provision,
    ProvisionEvent,
)
from omnicrm.provisioning.use_cases.config import SORT_COLUMNS, P


def get_provision(session: Session, *, provision_id: int) -> Provision:
    job = session.get(Provision, provision_id) if storable_id(provision_id) else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    return job


def provisions_query(
    *,
    provisioning_status: list[int] | None = None,
    customer_id: int | None = None,
    service_id: int | None = None,
    product_id: int | None = None,
    action: str | None = None,
    play: str | None = None,
    sort: str = "-provision_id",
) -> Select[Any]:
    # The initiator's name without a query per row (and without the user's roles).
    stmt = select(Provision).options(
        selectinload(Provision.initiated_by_user).options(lazyload(User.roles))
    )
    if provisioning_status:
        stmt = stmt.where(Provision.provisioning_status.in_(provisioning_status))
    if customer_id is not None:
        stmt = stmt.where(Provision.customer_id == customer_id)
    if service_id is not None:
        stmt = stmt.where(Provision.service_id == service_id)
    if product_id is not None:
        stmt = stmt.where(Provision.product_id == product_id)
    if action is not None:
        stmt = stmt.where(Provision.action == action)
    if play is not None:
        stmt = stmt.where(Provision.provisioning_play == play)
    return stmt.order_by(*order_by(sort, SORT_COLUMNS, Provision.provision_id))


def events_of(session: Session, provision_id: int, *, after: int = 0) -> list[ProvisionEvent]:
    return list(
        session.scalars(
            select(ProvisionEvent)
            .where(ProvisionEvent.provision_id == provision_id)
            .where(ProvisionEvent.event_number > after)
            .order_by(ProvisionEvent.event_number)
        )
    )


def recent_events(session: Session, *, limit: int = 50) -> list[ProvisionEvent]:
    """The latest task results across all jobs, newest first (the dashboard's feed)."""
    return list(
        session.scalars(
            select(ProvisionEvent).order_by(ProvisionEvent.provision_event_id.desc()).limit(limit)
        )
    )


def dashboard(session: Session, *, hours: int = 24, now: datetime | None = None) -> dict[str, Any]:
    """Counts by status, and the success rate per hour over the last ``hours``."""
    moment = now or utcnow()
    counts = dict(
        session.execute(
            select(Provision.provisioning_status, func.count()).group_by(
                Provision.provisioning_status
            )
        ).all()
    )
    since = moment - timedelta(hours=hours)
    finished = session.execute(
        select(Provision.finished_at, Provision.provisioning_status).where(
            Provision.finished_at.is_not(None), Provision.finished_at >= since
        )
    ).all()
    buckets: dict[datetime, list[int]] = {}
    start = since.replace(minute=0, second=0, microsecond=0)
    for i in range(hours + 1):
        buckets[start + timedelta(hours=i)] = [0, 0]
    for finished_at, status in finished:
        if finished_at is None:
            continue
        slot = buckets.setdefault(finished_at.replace(minute=0, second=0, microsecond=0), [0, 0])
        slot[0 if status == P.success else 1] += 1
    series = [
        {
            "hour": hour,
            "succeeded": ok,
            "failed": bad,
            "success_rate": round(ok / (ok + bad), 4) if ok + bad else None,
        }
        for hour, (ok, bad) in sorted(buckets.items())
    ]
    return {
        "counts": {status.name: int(counts.get(int(status), 0)) for status in P},
        "series": series,
        "generated_at": moment,
    }


def lock(session: Session, provision_id: int) -> Provision:
    """The job, locked for this unit of work (FOR UPDATE), freshly read; 404 otherwise."""
    job = session.scalar(
        select(Provision)
        .where(Provision.provision_id == provision_id)
        .options(lazyload("*"))
        .with_for_update(of=Provision)
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    return job
