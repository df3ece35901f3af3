"""Imports run in the workers: one message per job; a job whose worker died is picked up again
by ``imports.reap`` and carries on after its last committed chunk."""

from __future__ import annotations

import dramatiq

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.core.logging import get_logger
from omnicrm.imports.use_cases import run_import

log = get_logger("omnicrm.imports")


@dramatiq.actor(queue_name="imports", max_retries=0, time_limit=6 * 3600 * 1000)
def run_import_job(import_id: int) -> None:
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        try:
            run_import(
                get_db(),
                settings,
                import_id,
                region=settings.default_phone_region or "US",
                chunk=settings.import_chunk_size,
            )
        except Exception:
            log.exception("import_crashed", import_id=import_id)
            from omnicrm.imports.use_cases import fail_import

            fail_import(get_db(), import_id, "the import stopped on an unexpected error")
