"""Inventory's periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.inventory import use_cases as uc
from omnicrm.scheduler.registry import periodic


@periodic(
    "inventory.release_quarantine",
    every=timedelta(minutes=5),
    description="Put phone numbers whose quarantine has ended back in stock",
)
def release_quarantine(session: Session, settings: Any) -> dict[str, int]:
    return {"released": uc.release_expired_quarantine(session)}
