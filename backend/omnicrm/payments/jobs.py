"""Payments' periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.billing.use_cases import today
from omnicrm.payments.dunning import run_dunning
from omnicrm.scheduler.registry import periodic


@periodic(
    "payments.dunning",
    every=timedelta(days=1),
    description="Dunning steps for overdue invoices: reminders, suspension for non-payment, "
    "termination requests (DUNNING_STEPS)",
)
def dunning(session: Session, settings: Any) -> dict[str, int]:
    return run_dunning(session, day=today(), config=settings.dunning_steps)
