"""Serve OmniCRM with gunicorn (threads; one process in embedded mode, which owns fakeredis).

Three shapes, one app:

- embedded (no ``REDIS_URL``): one process with ``EMBEDDED_THREADS`` threads serves the API,
  the UI and Socket.IO, and runs the job worker pool and the scheduler (a thread);
- production API (``omnicrm run``): one process per CPU with ``API_THREADS`` threads each.
  Requests are short and CPU-bound under the GIL: more processes than CPUs, or more threads
  than a request's waits can use, only lengthen the queue for each CPU and the GIL, and the
  tail latency with it (measured in docs/performance-history.md);
- production real-time (``omnicrm run --realtime``): Socket.IO, where every open WebSocket
  holds one thread for as long as it lives, so one process with ``REALTIME_THREADS`` threads.
  Route ``/socket.io/`` to it (deploy/nginx.conf does); the API shape still answers Socket.IO
  for a small installation, each socket then taking one of its few threads.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from omnicrm.settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from omnicrm import create_app

        app = create_app(self.settings)
        if not self.settings.redis_url:
            # Embedded mode: run the Dramatiq worker pool inside this process.
            from omnicrm.worker import start_embedded_worker, use_app

            use_app(app)
            start_embedded_worker(self.settings.embedded_worker_threads)
            if self.settings.embedded_scheduler:
                # ...and the scheduler, as a thread of this (the serving) process.
                from omnicrm.scheduler.loop import start_embedded_scheduler

                start_embedded_scheduler(app)
        return app


EMBEDDED_THREADS = 32
API_THREADS = 4
REALTIME_THREADS = 256


def api_workers() -> int:
    """Production API processes: one per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def gunicorn_options(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int | None = None,
    realtime: bool = False,
) -> dict[str, Any]:
    """The gunicorn settings for this run mode (see the module docstring)."""
    from omnicrm.gunicorn_conf import post_worker_init

    embedded = not settings.redis_url
    if embedded and workers and workers > 1:
        raise SystemExit("embedded mode (no REDIS_URL) runs one process; set REDIS_URL to scale")
    if embedded and realtime:
        raise SystemExit("embedded mode already serves Socket.IO; --realtime needs REDIS_URL")
    if embedded:
        shape = (1, threads or EMBEDDED_THREADS)
    elif realtime:
        shape = (workers or 1, threads or REALTIME_THREADS)
    else:
        shape = (workers or api_workers(), threads or API_THREADS)
    return {
        "bind": f"{host}:{port}",
        "workers": shape[0],
        "worker_class": "gthread",
        "threads": shape[1],
        "timeout": 120,
        # Lists filtered by many values (`?status=a&status=b&…`) outgrow gunicorn's default
        # 4094-byte request line; 8190 is its maximum (longer still: 414 from gunicorn).
        "limit_request_line": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "post_worker_init": post_worker_init,
    }


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int | None = None,
    realtime: bool = False,
) -> None:
    options = gunicorn_options(
        settings, host=host, port=port, workers=workers, threads=threads, realtime=realtime
    )
    _Gunicorn(options, settings).run()
