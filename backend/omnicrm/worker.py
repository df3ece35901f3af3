"""The worker process: every domain's actors on the broker of ``core/jobs.py``.

The ``dramatiq`` CLI imports this module in each worker process (``omnicrm worker``); embedded
mode imports it to run the same actors on threads of the API process.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from omnicrm.core.jobs import broker, start_embedded_worker, use_app, use_app_factory, worker_app
from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.worker")


def _create_app() -> Flask:
    from omnicrm import create_app

    return create_app()


use_app_factory(_create_app)


def _import_actors() -> None:
    import omnicrm.imports.tasks
    import omnicrm.notifications.tasks
    import omnicrm.payments.tasks
    import omnicrm.provisioning.tasks
    import omnicrm.scheduler.tasks  # noqa: F401
    from omnicrm.periodic import import_periodic_jobs
    from omnicrm.provisioning.reaper import ProvisioningReaper

    import_periodic_jobs()  # the periodic jobs the scheduler's actor may be asked to run

    if not any(isinstance(m, ProvisioningReaper) for m in broker.middleware):
        broker.add_middleware(ProvisioningReaper())


_import_actors()

__all__: list[Any] = ["broker", "start_embedded_worker", "use_app", "worker_app"]
