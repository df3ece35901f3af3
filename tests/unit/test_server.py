"""How `omnicrm run` shapes gunicorn in each mode, and the hook every server shares."""

from __future__ import annotations

import gc
import os

import pytest
from click.testing import CliRunner

from omnicrm import server
from omnicrm.cli import main
from omnicrm.settings import Settings

EMBEDDED = Settings(redis_url="", secret_key="k" * 40)
PRODUCTION = Settings(redis_url="redis://127.0.0.1:6379/0", secret_key="k" * 40)


def options(settings, **kwargs):
    return server.gunicorn_options(settings, host="127.0.0.1", port=5000, **kwargs)


def test_embedded_mode_is_one_process_serving_everything():
    found = options(EMBEDDED)
    assert (found["workers"], found["threads"]) == (1, server.EMBEDDED_THREADS)
    with pytest.raises(SystemExit, match="one process"):
        options(EMBEDDED, workers=2)
    with pytest.raises(SystemExit, match="already serves Socket"):
        options(EMBEDDED, realtime=True)


def test_the_production_api_runs_one_process_per_cpu_with_few_threads():
    found = options(PRODUCTION)
    assert found["workers"] == len(os.sched_getaffinity(0)) == server.api_workers()
    assert found["threads"] == server.API_THREADS
    assert found["worker_class"] == "gthread" and found["bind"] == "127.0.0.1:5000"
    chosen = options(PRODUCTION, workers=3, threads=6)
    assert (chosen["workers"], chosen["threads"]) == (3, 6)


def test_the_realtime_service_has_a_thread_per_websocket():
    found = options(PRODUCTION, realtime=True)
    assert (found["workers"], found["threads"]) == (1, server.REALTIME_THREADS)
    assert server.REALTIME_THREADS > 10 * server.API_THREADS


def test_every_shape_freezes_the_loaded_app(monkeypatch):
    from omnicrm import gunicorn_conf

    for settings, realtime in ((EMBEDDED, False), (PRODUCTION, False), (PRODUCTION, True)):
        assert options(settings, realtime=realtime)["post_worker_init"] is (
            gunicorn_conf.post_worker_init
        )
    assert gc.get_freeze_count() == 0
    try:
        gunicorn_conf.post_worker_init(worker=None)
        # Everything alive now (this interpreter's modules, the test's objects) is frozen:
        # full collections no longer walk it.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_cli_passes_the_shape_to_gunicorn(monkeypatch):
    seen = []
    monkeypatch.setattr(server._Gunicorn, "run", lambda self: seen.append(self.options))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--realtime", "--port", "5001"]).exit_code == 0
    assert runner.invoke(main, ["run", "--threads", "2", "--workers", "3"]).exit_code == 0
    assert [(o["bind"], o["workers"], o["threads"]) for o in seen] == [
        ("127.0.0.1:5001", 1, server.REALTIME_THREADS),
        ("127.0.0.1:5000", 3, 2),
    ]
