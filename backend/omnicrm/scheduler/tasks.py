"""The one actor of periodic jobs: run a fired run in a worker and record its outcome."""

from __future__ import annotations

import dramatiq

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.scheduler import use_cases as uc


# No retries: a periodic job's retry is its next due time (and "run now" is one click away).
# The time limit is each job's own, given with its message (see use_cases.record_run).
@dramatiq.actor(queue_name="periodic", max_retries=0, time_limit=3_600_000)
def run_periodic_job(run_id: int) -> None:
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db

    app = worker_app()
    with app.app_context():
        uc.execute_run(get_db(), app.extensions["omnicrm_settings"], run_id, worker=uc.process_id())
