"""An import's progress, live on Socket.IO (``/imports``, room ``import:<id>``): the joiner gets
the job's state at once, then one event per committed chunk, ending in ``done`` with its
counts. Joining needs ``import.write``."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import socketio

from omnicrm.imports.realtime import EVENT, NAMESPACE
from omnicrm.imports.use_cases import run_import


class Watcher:
    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.done = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on(EVENT, self._progress, namespace=NAMESPACE)
        self.client.connect(
            url, auth={"token": token}, namespaces=[NAMESPACE], transports=["websocket"],
            wait_timeout=30,
        )  # fmt: skip

    def _progress(self, data: dict[str, Any]) -> None:
        self.events.append(data)
        if data["status"] in ("done", "failed"):
            self.done.set()

    def join(self, import_id: int) -> dict[str, Any]:
        ack: dict[str, Any] = self.client.call(
            "join", {"room": f"import:{import_id}"}, namespace=NAMESPACE, timeout=10
        )
        return ack


def test_an_import_streams_its_progress(app, api, make_user, admin_headers, live_server, database):
    rows = "".join(f"P-{n},Progress {n}\n" for n in range(7))
    answer = api.client.post(
        "/crm/import/subscribers",
        data={"file": (io.BytesIO(f"external_id,customer_name\n{rows}".encode()), "p.csv")},
        content_type="multipart/form-data",
        headers=admin_headers,
    )
    assert answer.status_code == 202, answer.get_json()
    import_id = answer.get_json()["import_id"]
    watcher = Watcher(live_server, admin_headers["Authorization"].split()[1])
    try:
        assert watcher.join(import_id) == {"ok": True, "room": f"import:{import_id}"}
        deadline = time.monotonic() + 20  # generous: a loaded CI machine
        while not watcher.events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.events[0]["status"] == "queued" and watcher.events[0]["total"] == 7
        with app.app_context():
            settings = app.extensions["omnicrm_settings"]
            run_import(database, settings, import_id, region="US", chunk=3)
        assert watcher.done.wait(30)
        running = [e["processed"] for e in watcher.events if e["status"] == "running"]
        assert running == [3, 6, 7]  # chunk by chunk
        assert watcher.events[-1] | {"started_at": None} == {
            "import_id": import_id, "status": "done", "dry_run": False, "total": 7,
            "processed": 7, "created": 7, "updated": 0, "unchanged": 0, "failed": 0,
            "error": None, "started_at": None,
        }  # fmt: skip

        support = Watcher(live_server, api.login(make_user("support").email)["token"])
        refused = support.join(import_id)
        assert refused["ok"] is False and refused["code"] == "permission_denied"
        support.client.disconnect()
        assert watcher.join(0)["code"] == "validation_error"
        assert watcher.join(999999)["code"] == "not_found"
    finally:
        watcher.client.disconnect()
