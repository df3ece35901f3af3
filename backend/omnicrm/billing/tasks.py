"""The billing-run actor: a run requested through the API or the scheduler, done by a worker
chunk by chunk with its progress published live."""

from __future__ import annotations

import dramatiq
from sqlalchemy.orm import Session

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.billing.realtime import publish
from omnicrm.billing.run import execute_configured
from omnicrm.core.db import after_commit
from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.billing")


def queue_run(session: Session, billing_run_id: int) -> None:
    """Send the run to the workers once its row has committed."""

    def send() -> None:
        run_billing.send(billing_run_id)

    after_commit(session, send)


# A run is resumable: a retry continues after the last committed chunk.
@dramatiq.actor(queue_name="billing", max_retries=3, min_backoff=5000, time_limit=6 * 3_600_000)
def run_billing(billing_run_id: int) -> None:
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        execute_configured(get_db(), billing_run_id, settings, on_progress=publish)
