"""Provisioning's periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.core.logging import get_logger
from omnicrm.provisioning import use_cases as uc
from omnicrm.scheduler.registry import periodic

log = get_logger("omnicrm.provisioning")


@periodic(
    "provisioning.reap",
    every=timedelta(seconds=30),
    description="Re-queue or fail running provisioning jobs whose worker died (lease lapsed), "
    "and re-send queued jobs whose message was lost",
)
def reap_dead_workers(session: Session, settings: Any) -> dict[str, list[int]]:
    handled = uc.reap(session, lease_seconds=int(settings.provisioning_lease_seconds))
    if handled:
        log.warning("provision_reaped", provision_ids=handled)
    return {"handled": handled}
