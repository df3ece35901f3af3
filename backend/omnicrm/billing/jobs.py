"""Billing's periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.billing.invoices import mark_overdue as overdue
from omnicrm.billing.run import request_run
from omnicrm.billing.tasks import queue_run
from omnicrm.billing.use_cases import today
from omnicrm.scheduler.registry import periodic


@periodic(
    "billing.run",
    cron="0 2 1 * *",
    description="Bill every customer for the month starting today (in advance) and the "
    "usage before it; invoices issued and mailed",
)
def run_billing(session: Session, settings: Any) -> dict[str, int]:
    run = request_run(session, period_end=today(), customer_id=None, user_id=None)
    queue_run(session, run.billing_run_id)
    return {"billing_run_id": run.billing_run_id}


@periodic(
    "billing.mark_overdue",
    every=timedelta(days=1),
    description="Issued invoices past their due date with money due become overdue",
)
def mark_overdue(session: Session, settings: Any) -> dict[str, int]:
    return {"overdue": overdue(session, day=today())}
