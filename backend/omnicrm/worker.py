"""Dramatiq broker and actors.

The broker is chosen when this module is imported (the ``dramatiq`` CLI imports it in each
worker process): RedisBroker when REDIS_URL is set, otherwise a StubBroker served by an
in-process worker pool (embedded mode, tests). Actors open their own unit of work.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from flask import Flask

from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.worker")


def _make_broker() -> dramatiq.Broker:
    url = os.environ.get("REDIS_URL", "")
    if url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace="omnicrm-tasks")
    stub = StubBroker()
    stub.emit_after("process_boot")
    return stub


broker = _make_broker()
dramatiq.set_broker(broker)

_app: Flask | None = None
_app_lock = threading.Lock()


def worker_app() -> Flask:
    """The Flask app a worker process uses for settings, DB and Redis (built once)."""
    global _app
    with _app_lock:
        if _app is None:
            from omnicrm import create_app

            _app = create_app()
        return _app


def use_app(app: Flask) -> None:
    """Make actors in this process use ``app`` (embedded mode and tests)."""
    global _app
    _app = app


def start_embedded_worker(threads: int = 2) -> dramatiq.Worker:
    """Run actors in this process (embedded default): a real Dramatiq worker on the stub broker."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def _import_actors() -> None:
    import omnicrm.notifications.tasks
    import omnicrm.provisioning.tasks
    import omnicrm.scheduler.tasks  # noqa: F401
    from omnicrm.periodic import import_periodic_jobs
    from omnicrm.provisioning.reaper import ProvisioningReaper

    import_periodic_jobs()  # the periodic jobs the scheduler's actor may be asked to run

    if not any(isinstance(m, ProvisioningReaper) for m in broker.middleware):
        broker.add_middleware(ProvisioningReaper())


_import_actors()

__all__: list[Any] = ["broker", "start_embedded_worker", "use_app", "worker_app"]
