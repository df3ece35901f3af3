"""Serve OmniCRM with gunicorn (threads; one process in embedded mode, which owns fakeredis)."""

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
        return app


def serve(settings: Settings, *, host: str, port: int, workers: int | None = None) -> None:
    embedded = not settings.redis_url
    if embedded and workers and workers > 1:
        raise SystemExit("embedded mode (no REDIS_URL) runs one process; set REDIS_URL to scale")
    options = {
        "bind": f"{host}:{port}",
        "workers": 1 if embedded else (workers or max(2, (os.cpu_count() or 1) * 2)),
        "worker_class": "gthread",
        "threads": 32 if embedded else 8,
        "timeout": 120,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }
    _Gunicorn(options, settings).run()
