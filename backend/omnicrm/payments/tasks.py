"""The reconciliation actor: a run requested through the API, done by a worker."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
from sqlalchemy.orm import Session

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.core.db import after_commit
from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.payments")


def queue_reconciliation(session: Session, reconciliation_id: int) -> None:
    """Send the run to the workers once its row has committed."""

    def send() -> None:
        run_reconciliation.send(reconciliation_id)

    after_commit(session, send)


@dramatiq.actor(queue_name="payments", max_retries=3, min_backoff=5000, time_limit=3_600_000)
def run_reconciliation(reconciliation_id: int) -> None:
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db
    from omnicrm.payments.cards import require_stripe
    from omnicrm.payments.models import Reconciliation, ReconciliationStatus
    from omnicrm.payments.reconciliation import execute

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        with get_db().job_scope() as session:
            run = session.get(Reconciliation, reconciliation_id)
            if run is None or run.status in (
                ReconciliationStatus.done,
                ReconciliationStatus.failed,
            ):
                return  # rolled back, or a redelivered message of a finished run
            grace = timedelta(minutes=settings.payment_unknown_grace_minutes)
            execute(session, run, require_stripe(), grace=grace)
            log.info(
                "reconciliation_done",
                reconciliation_id=reconciliation_id,
                status=run.status.value,
                mismatches=run.mismatches,
                resolved=run.resolved,
            )
