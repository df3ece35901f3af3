"""The reaper: in every worker process, a thread that re-queues or fails provisioning jobs whose
worker died (their lease lapsed). Kept apart from the actor module so the broker can install it
while actors are still being imported."""

from __future__ import annotations

import threading
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.provisioning")


class ProvisioningReaper(Middleware):
    """In every worker process: a thread that re-queues or fails jobs whose worker died."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="provision-reaper", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        from omnicrm.core.jobs import worker_app

        app = worker_app()
        settings = app.extensions["omnicrm_settings"]
        lease = int(settings.provisioning_lease_seconds)
        while not self._stop.wait(max(lease / 3, 0.5)):
            try:
                with app.app_context():
                    reap_once(settings)
            except Exception:
                log.exception("provision_reaper_failed")


def reap_once(settings: Any) -> list[int]:
    from omnicrm.extensions import get_db
    from omnicrm.provisioning import use_cases as uc

    with get_db().job_scope() as session:
        handled = uc.reap(
            session,
            lease_seconds=int(settings.provisioning_lease_seconds),
        )
    if handled:
        log.warning("provision_reaped", provision_ids=handled)
    return handled
