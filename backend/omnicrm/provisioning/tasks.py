"""The provisioning actor: run a job's play with ansible-runner and record every task.

One Dramatiq message per attempt carries only the job id; the job row is the truth. The actor
claims the job (row lock + lease), runs the play, writes each task result in its own
transaction (then publishes it), renews the lease from a heartbeat thread, and ends the job.
Every worker process also runs the reaper (reaper.py) for jobs whose worker died.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import sys
import tempfile
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import dramatiq
import yaml

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.core.logging import get_logger
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.models import ProvisionStatus

P = ProvisionStatus
log = get_logger("omnicrm.provisioning")

# ansible-runner starts ``ansible-playbook``: find the one installed next to this Python.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

# Results are stored whole, but one huge string (a command's stdout) is cut to this.
MAX_STRING = 20_000
_TASK_EVENTS = {
    "runner_on_ok",
    "runner_on_failed",
    "runner_on_skipped",
    "runner_on_unreachable",
}
_TRANSIENT_TEXT = ("connection refused", "timed out", "temporary failure", "connection reset")


def dispatch(provision_id: int, *, delay_ms: int = 0) -> None:
    """Send a job to the workers (after its row committed)."""
    if delay_ms > 0:
        run_provision.send_with_options(args=(provision_id,), delay=delay_ms)
    else:
        run_provision.send(provision_id)


@dramatiq.actor(queue_name="provisioning", max_retries=3, min_backoff=1000, time_limit=3_600_000)
def run_provision(provision_id: int) -> None:
    from omnicrm.core.jobs import worker_app

    app = worker_app()
    with app.app_context():
        JobRun(app.extensions["omnicrm_settings"], provision_id).run()


def _clip(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "…[truncated]"
    if isinstance(value, dict):
        return {str(k): _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    return value


def _when(event: dict[str, Any]) -> datetime | None:
    created = event.get("created")
    try:
        return datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        return None


def unsafe_yaml(variables: dict[str, Any]) -> str:
    """The play's variables as a vars file tagged ``!unsafe`` as a whole: data from customers,
    staff and integrators is never rendered as a Jinja template by Ansible (a customer named
    ``{{ lookup('pipe', ...) }}`` stays a name). Tagging the document, not each string, keeps
    types: ansible-core re-resolves a tagged scalar, so ``!unsafe "00101"`` would become 101."""
    return "--- !unsafe\n" + yaml.safe_dump(variables, allow_unicode=True, sort_keys=False)


@functools.cache
def _warn_if_root() -> None:
    """Once per process: plays need no privileges, so a worker running as root is a
    deployment to fix (docs/provisioning.md, "Running plays unprivileged")."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        log.warning(
            "provision_worker_is_root",
            hint="run `omnicrm worker` as an unprivileged user: plays need no privileges",
        )


def is_transient(result: dict[str, Any], *, unreachable: bool = False) -> bool:
    """A failure worth retrying: the host or an HTTP endpoint was unreachable or overloaded."""
    if unreachable:
        return True
    status = result.get("status")
    if isinstance(status, int) and (status == -1 or status == 429 or 500 <= status <= 599):
        return True
    message = str(result.get("msg", "")).lower()
    return any(text in message for text in _TRANSIENT_TEXT)


class JobRun:
    """One attempt of one job in this worker thread."""

    def __init__(self, settings: Any, provision_id: int) -> None:
        self.settings = settings
        self.provision_id = provision_id
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = int(settings.provisioning_lease_seconds)
        self.cancel = threading.Event()
        self.lost = threading.Event()
        self.attempt = 0
        self.failures: list[str] = []
        self.transient = False
        self.config_content: str | None = None
        from omnicrm.extensions import get_db

        # Resolved now, in the app context: the heartbeat thread has none.
        self.db = get_db()

    def run(self) -> None:
        with self.db.job_scope() as session:
            job = uc.claim(
                session, provision_id=self.provision_id, owner=self.owner, lease_seconds=self.lease
            )
            if job is None:
                return
            self.attempt = job.attempts
            play = job.provisioning_play
            extravars = uc.runtime_vars(
                uc.PlayConfig.from_settings(self.settings), job.provisioning_json_vars, play=play
            )
        log.info("provision_started", provision_id=self.provision_id, play=play, owner=self.owner)
        stop = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(stop,), daemon=True)
        heartbeat.start()
        status, error = "failed", None
        try:
            status = self._run_play(play, extravars)
        except Exception as exc:  # the play could not even start: a failed attempt
            log.exception("provision_crashed", provision_id=self.provision_id)
            error = f"{type(exc).__name__}: {exc}"
        finally:
            stop.set()
            heartbeat.join()
        self._end(status, error)

    def _run_play(self, play: str, extravars: dict[str, Any]) -> str:
        import ansible_runner

        _warn_if_root()
        ansible_dir = Path(self.settings.ansible_dir)
        private = tempfile.mkdtemp(prefix=f"omnicrm-provision-{self.provision_id}-")
        try:
            vars_file = Path(private) / "omnicrm-vars.yml"
            vars_file.write_text(unsafe_yaml(extravars))
            runner = ansible_runner.run(
                private_data_dir=private,
                project_dir=str(ansible_dir),
                playbook=f"{play}.yml",
                inventory=str(ansible_dir / "inventory" / "hosts.yml"),
                cmdline=f"-e @{vars_file}",
                envvars={
                    "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                    "ANSIBLE_CONFIG": str(ansible_dir / "ansible.cfg"),
                },
                quiet=True,
                event_handler=self._on_event,
                cancel_callback=lambda: self.cancel.is_set() or self.lost.is_set(),
                timeout=int(self.settings.provisioning_timeout_seconds),
                rotate_artifacts=1,
            )
            return str(runner.status)
        finally:
            shutil.rmtree(private, ignore_errors=True)

    def _on_event(self, event: dict[str, Any]) -> bool:
        kind = event.get("event")
        data = event.get("event_data") or {}
        if kind == "playbook_on_stats":
            stats = data.get("artifact_data") or {}
            if isinstance(stats, dict) and isinstance(stats.get("config_content"), str):
                self.config_content = stats["config_content"]
            return False
        if kind not in _TASK_EVENTS:
            return False
        result = data.get("res") or {}
        if not isinstance(result, dict):
            result = {"result": result}
        unreachable = kind == "runner_on_unreachable"
        if kind == "runner_on_failed" and data.get("ignore_errors"):
            status = P.failed_ignored
        elif kind in ("runner_on_failed", "runner_on_unreachable"):
            status = P.failed
            self.failures.append(f"{data.get('task', '?')}: {result.get('msg', 'failed')}")
            self.transient = self.transient or is_transient(result, unreachable=unreachable)
        elif kind == "runner_on_skipped":
            status = P.skipped
        else:
            status = P.success
        if self.lost.is_set():
            return False
        with self.db.job_scope() as session:
            stored = uc.record_task(
                session,
                provision_id=self.provision_id,
                owner=self.owner,
                attempt=self.attempt,
                name=str(data.get("task") or kind),
                status=status,
                result=_clip(result),
                host=data.get("host"),
                changed=bool(result.get("changed")),
                skipped=kind == "runner_on_skipped",
                finished_at=_when(event),
            )
        if stored is None:
            self.lost.set()
        return False  # ansible-runner need not keep the event on disk

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(max(self.lease / 3, 0.2)):
            try:
                with self.db.job_scope() as session:
                    ours, cancel = uc.renew_lease(
                        session,
                        provision_id=self.provision_id,
                        owner=self.owner,
                        lease_seconds=self.lease,
                    )
            except Exception:  # the database blinked: try again next beat
                log.exception("provision_heartbeat_failed", provision_id=self.provision_id)
                continue
            if not ours:
                self.lost.set()
                return
            if cancel:
                self.cancel.set()

    def _end(self, status: str, error: str | None) -> None:
        if self.lost.is_set():
            log.warning("provision_lease_lost", provision_id=self.provision_id, owner=self.owner)
            return
        with self.db.job_scope() as session:
            job = uc.lock_owned(session, provision_id=self.provision_id, owner=self.owner)
            if job is None:
                return
            if status == "successful":
                uc.finish(session, job=job, outcome=P.success, config_content=self.config_content)
            elif self.cancel.is_set():
                uc.finish(session, job=job, outcome=P.cancelled, error="cancelled while running")
            else:
                reason = error or "; ".join(self.failures) or f"ansible-runner: {status}"
                transient = self.transient or status == "timeout"
                if transient and job.retries < job.max_retries:
                    backoff = float(self.settings.provisioning_retry_backoff_seconds)
                    uc.requeue(
                        session, job=job, error=reason, delay_seconds=backoff * 2**job.retries
                    )
                else:
                    uc.finish(session, job=job, outcome=P.failed, error=reason[:4000])
            final = job.status
        log.info("provision_ended", provision_id=self.provision_id, status=final.label)
