"""The Dramatiq broker and the app its actors use: what a domain's ``tasks.py`` needs to
declare actors, without importing the process that runs them (``omnicrm/worker.py``).

The broker is chosen when this module is first imported (the ``dramatiq`` CLI imports
``omnicrm.worker``, which imports this, in each worker process): RedisBroker when REDIS_URL is
set, otherwise a StubBroker served by an in-process worker pool (embedded mode, tests).
Actors open their own unit of work in :func:`worker_app`'s database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import dramatiq
from dramatiq.brokers.stub import StubBroker
from flask import Flask


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
_app_factory: Callable[[], Flask] | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """How a worker process builds its app when none was given (``omnicrm.worker`` sets it to
    ``create_app``: core never imports the app package)."""
    global _app_factory
    _app_factory = factory


def worker_app() -> Flask:
    """The Flask app a worker process uses for settings, DB and Redis (built once)."""
    global _app
    with _app_lock:
        if _app is None:
            if _app_factory is None:
                raise RuntimeError("no app for the workers: import omnicrm.worker first")
            _app = _app_factory()
        return _app


def use_app(app: Flask | None) -> None:
    """Make actors in this process use ``app`` (embedded mode and tests); None forgets it."""
    global _app
    _app = app


def start_embedded_worker(threads: int = 2) -> dramatiq.Worker:
    """Run actors in this process (embedded default): a real Dramatiq worker on the stub broker."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker
