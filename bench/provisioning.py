"""Provisioning throughput and live-event latency, beside the same play run with bare
``ansible-playbook`` (the floor).

    .venv/bin/python bench/provisioning.py [--jobs 200 --workers 4 --play provision_smoke]

What one run does, cleaning everything up afterwards (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` through PG_ADMIN_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade`` and
   ``omnicrm create-admin``, and pre-loads one Open customer and one product with
   ``provisioning_play=--play`` and no inventory items. Redis db 12 is flushed before and after.
2. Serves OmniCRM with gunicorn as the other benches do, but ``-k gthread -w 1 --threads
   --api-threads`` (a Socket.IO websocket holds a thread for its whole life; one process so
   every client is in the process that relays the Redis message queue), ENV=production,
   REDIS_URL set. Logs in for an access token, connects a python-socketio client (websocket
   transport) to namespace ``/provision`` and joins the ``dashboard`` room.
3. Starts ``omnicrm worker --processes --workers --threads 1`` (Dramatiq on Redis, queue
   "provisioning"), waits until every process is ready, and runs ``--warmup`` unmeasured jobs
   (default 2 per process: each process builds its app and database pool on its first job).
4. Measured: POSTs ``--jobs`` jobs to ``/crm/provision/`` back to back from one thread and waits
   until the client has seen the final ``provision.status`` (success/failed/cancelled) of every
   one. Wall time = first POST to last final status; jobs/s = jobs / wall. Event latency = the
   client's clock when ``provision.event`` arrives minus the event's ``task_finished_at``
   (when Ansible finished the task, by the same machine's clock): ansible-runner event
   plumbing + the worker's per-event transaction + the Redis relay + the websocket.
   Per-job duration = started_at -> finished_at from ``GET /crm/provision/``.
5. Stops the workers and the API, then (after the OmniCRM arm, so nothing else of ours uses
   CPU) runs the floor: ``ansible-playbook -i ansible/inventory/hosts.yml <play>.yml -e @vars``
   ``--jobs`` times, ``--workers`` at a time (threads + subprocess.run), with the variables
   the engine gives a job (one job's ``provisioning_json_vars`` + spool/config dir + charging
   ``none``, its own provision_id per run), ANSIBLE_CONFIG=ansible/ansible.cfg,
   ANSIBLE_PYTHON_INTERPRETER=this Python. Wall time and per-run duration.
6. Prints jobs/s, per-job p50/p99 for both, event latency p50/p99, the overhead
   ``our_wall / bare_wall - 1`` and PASS/FAIL for each target: event latency p99 < 250 ms,
   overhead < 30 %. Also, to see where time goes: each job's phases from its rows (queued,
   claimed -> first task done, tasks, last task done -> finished, task done -> event row
   written), and CPU seconds per job of the worker pool with its Ansible children, the API
   process and this database's PostgreSQL backends (from /proc) against the bare runs' CPU,
   and the load average before and after (other work on the machine skews both arms).
   Exits 0 either way; 2 when the run is invalid (a job failed, or a job or event never
   arrived), 1 when something else broke.

What the numbers mean: the smoke play is four tasks (set_fact, debug, file, copy), ~2 s and
~2 CPU-seconds of Ansible per run, so on a small machine both arms are CPU-bound and the
overhead is what OmniCRM adds per job (ansible-runner, claim/lease/events/finish
transactions, publishing) in CPU and in serialisation. Percentiles are nearest-rank.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_latency import (
    BIN,
    DEFAULT_ADMIN_URL,
    ROOT,
    Server,
    _percentile,
    _tail,
    app_env,
    check_services,
    create_database,
    drop_database,
    flush_redis,
    migrate_and_create_admin,
    request,
    start_gunicorn,
    stop,
)

P99_TARGET_MS = 250.0
OVERHEAD_TARGET = 0.30
FINAL = {0: "success", 2: "failed", 5: "cancelled"}
ANSIBLE_DIR = ROOT / "ansible"


def preload(env: dict[str, str], play: str) -> dict[str, int]:
    """One Open customer and one product running ``play``, through the app's own models."""
    from decimal import Decimal

    from omnicrm import create_app
    from omnicrm.catalog.models import Product
    from omnicrm.customers.models import Customer
    from omnicrm.settings import Settings

    settings = Settings(
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        secret_key=env["SECRET_KEY"],
        instance_path=Path(env["INSTANCE_PATH"]),
        log_level="WARNING",
    )
    app = create_app(settings)
    with app.app_context():
        database = app.extensions["omnicrm_db"]
        with database.job_scope() as session:
            customer = Customer(customer_name="Bench customer", email="bench@example.net")
            product = Product(
                product_name="Bench provisioning",
                product_slug="bench-provisioning",
                category="standalone",
                retail_cost=Decimal("0.00"),
                provisioning_play=play,
                provisioning_json_vars={},
                inventory_items_list=[],
            )
            session.add_all([customer, product])
            session.flush()
            ids = {"customer_id": customer.customer_id, "product_id": product.product_id}
        assert database.engine is not None
        database.engine.dispose()
    return ids


# ------------------------------------------------------------------------------ listener ---


class Listener:
    """A Socket.IO client in the dashboard room: event arrival times and final statuses."""

    def __init__(self, port: int, token: str) -> None:
        import socketio

        self.lock = threading.Lock()
        self.events: list[tuple[int, int, datetime, str | None]] = []  # id, number, at, finished
        self.final: dict[int, tuple[int, float]] = {}  # provision_id -> (status, monotonic)
        self.changed = threading.Condition(self.lock)
        self.client = socketio.Client(reconnection=False)
        self.client.on("provision.event", self._on_event, namespace="/provision")
        self.client.on("provision.status", self._on_status, namespace="/provision")
        self.client.connect(
            f"http://127.0.0.1:{port}",
            auth={"token": token},
            namespaces=["/provision"],
            transports=["websocket"],
            wait_timeout=10,
        )
        ack = self.client.call("join", {"room": "dashboard"}, namespace="/provision", timeout=10)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise SystemExit(f"error: joining the dashboard room answered {ack}")

    def _on_event(self, data: dict[str, Any]) -> None:
        at = datetime.now(UTC)
        with self.lock:
            self.events.append(
                (
                    int(data["provision_id"]),
                    int(data["event_number"]),
                    at,
                    data.get("task_finished_at"),
                )
            )

    def _on_status(self, data: dict[str, Any]) -> None:
        now = time.monotonic()
        status = int(data["provisioning_status"])
        if status in FINAL:
            with self.changed:
                self.final.setdefault(int(data["provision_id"]), (status, now))
                self.changed.notify_all()

    def wait_all(self, ids: set[int], timeout: float) -> bool:
        """Until every job of ``ids`` has ended (False at the timeout)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ids <= self.final.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 1.0))
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------------- CPU ---

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / _TICK  # utime stime cu cs


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and every descendant (live or reaped)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = st
    tree, total, grew = {root}, 0.0, True
    while grew:
        grew = False
        for pid, (ppid, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def postgres_cpu(db_name: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to ``db_name`` right now."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {db_name} " in title:
            total += (_stat(int(entry.name)) or (0, 0.0))[1]
    return total


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------- workers ---


def start_workers(env: dict[str, str], processes: int, tmp: Path) -> Server:
    log_path = tmp / "workers.log"
    cmd = [str(BIN / "omnicrm"), "worker", "--processes", str(processes), "--threads", "1"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server("workers", 0, process, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: the workers exited early:\n{_tail(log_path)}")
        if log_path.read_text(errors="replace").count("ready for action") >= processes:
            return server
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"error: the workers did not start within 90 s:\n{_tail(log_path)}")


def post_jobs(port: int, auth: dict[str, str], body: dict[str, Any], n: int) -> list[int]:
    ids = []
    for _ in range(n):
        status, _, data = request(port, "POST", "/crm/provision/", body, auth)
        if status != 201:
            raise SystemExit(f"error: POST /crm/provision/ answered {status}: {data}")
        ids.append(int(data["provision_id"]))
    return ids


def list_jobs(port: int, auth: dict[str, str]) -> dict[int, dict[str, Any]]:
    jobs: dict[int, dict[str, Any]] = {}
    page = 1
    while True:
        status, _, data = request(
            port, "GET", f"/crm/provision/?page={page}&page_size=100", None, auth
        )
        if status != 200:
            raise SystemExit(f"error: GET /crm/provision/ answered {status}: {data}")
        for job in data:
            jobs[int(job["provision_id"])] = job
        if len(data) < 100:
            return jobs
        page += 1


_PHASES_SQL = """
SELECT extract(epoch FROM p.started_at - p.created_at),
       extract(epoch FROM min(e.task_finished_at) - p.started_at),
       extract(epoch FROM max(e.task_finished_at) - min(e.task_finished_at)),
       extract(epoch FROM p.finished_at - max(e.task_finished_at)),
       extract(epoch FROM max(e.created_at - e.task_finished_at))
FROM provision p JOIN provision_event e USING (provision_id)
WHERE p.provision_id = ANY(%s)
GROUP BY p.provision_id
"""
PHASES = (
    "queued (created -> claimed)",
    "start (claimed -> 1st task done)",
    "tasks (1st -> last task done)",
    "end (last task done -> finished)",
    "event stored (task done -> row)",
)


def phases(db_url: str, ids: list[int]) -> list[list[float]]:
    """Per job, in seconds: the PHASES, from the job and event rows (the last is the slowest
    event of the job)."""
    import psycopg

    plain = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain) as conn:
        rows = conn.execute(_PHASES_SQL, (ids,)).fetchall()
    return [sorted(float(row[k]) for row in rows if row[k] is not None) for k in range(5)]


# --------------------------------------------------------------------------------- floor ---


def run_floor(
    variables: dict[str, Any], args: argparse.Namespace, tmp: Path
) -> tuple[float, list[float], list[str]]:
    """``args.jobs`` bare ansible-playbook runs, ``args.workers`` at a time."""
    import yaml

    spool = tmp / "bare-network"
    vars_dir = tmp / "bare-vars"
    vars_dir.mkdir()
    files = []
    for i in range(args.jobs):
        one = json.loads(json.dumps(variables))
        one["omnicrm"] = {
            **(one.get("omnicrm") or {}),
            "provision_id": 1_000_000 + i,
            "play": args.play,
            "spool_dir": str(spool),
            "config_dir": str(spool / "configs"),
            "charging": {"backend": "none", "url": "", "tenant": "cgrates.org"},
        }
        path = vars_dir / f"{i}.yml"
        # As the engine writes it (tasks.unsafe_yaml): the whole document tagged !unsafe.
        path.write_text("--- !unsafe\n" + yaml.safe_dump(one, allow_unicode=True, sort_keys=False))
        files.append(path)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    }
    playbook = str(ANSIBLE_DIR / f"{args.play}.yml")
    inventory = str(ANSIBLE_DIR / "inventory" / "hosts.yml")

    def one_run(path: Path) -> tuple[float, str]:
        t0 = time.monotonic()
        result = subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", inventory, playbook, "-e", f"@{path}"],
            env=env, cwd=str(ANSIBLE_DIR), capture_output=True, text=True, check=False,
        )  # fmt: skip
        error = "" if result.returncode == 0 else (result.stdout + result.stderr)[-2000:]
        return time.monotonic() - t0, error

    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=args.workers)
    try:
        results = list(pool.map(one_run, files))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    wall = time.monotonic() - started
    return wall, [r[0] for r in results], [r[1] for r in results if r[1]]


# ---------------------------------------------------------------------------------- main ---


def _seconds(job: dict[str, Any]) -> float | None:
    if not job.get("started_at") or not job.get("finished_at"):
        return None
    return (_parse_time(job["finished_at"]) - _parse_time(job["started_at"])).total_seconds()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="measured jobs (and bare runs)")
    parser.add_argument(
        "--workers", type=int, default=4, help="worker processes = bare runs at once"
    )
    parser.add_argument("--play", default="provision_smoke", help="play (ansible/<play>.yml)")
    parser.add_argument("--warmup", type=int, default=None, help="unmeasured jobs (2/worker)")
    parser.add_argument("--api-threads", type=int, default=16, help="gunicorn threads (1 process)")
    parser.add_argument("--timeout", type=float, default=1800, help="max seconds for the jobs")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    warmup = 2 * args.workers if args.warmup is None else args.warmup
    if not (ANSIBLE_DIR / f"{args.play}.yml").is_file():
        raise SystemExit(f"error: no play {ANSIBLE_DIR / (args.play + '.yml')}")

    admin_url = os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    check_services(admin_url, args.redis_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-provisioning-"))
    server: Server | None = None
    workers: Server | None = None
    listener: Listener | None = None
    db_name = ""
    try:
        db_name, db_url = create_database(admin_url)
        print(f"database {db_name}, Redis {args.redis_url}, temp dir {tmp}")
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        env = app_env(db_url, args.redis_url, tmp, "WARNING")
        started = time.monotonic()
        email, password = migrate_and_create_admin(env)
        ids = preload(env, args.play)
        print(f"prepared in {time.monotonic() - started:.1f} s")

        gunicorn = argparse.Namespace(workers=1, threads=args.api_threads)
        server = start_gunicorn("omnicrm", "omnicrm:create_app()", env, gunicorn, tmp)
        status, _, body = request(
            server.port, "POST", "/crm/auth/login", {"email": email, "password": password}
        )
        if status != 200:
            raise SystemExit(f"error: login answered {status}: {body}")
        token = body["token"]
        auth = {"Authorization": f"Bearer {token}"}
        listener = Listener(server.port, token)
        workers = start_workers(env, args.workers, tmp)
        job_body = {"customer_id": ids["customer_id"], "product_id": ids["product_id"]}

        if warmup:
            print(f"warm-up: {warmup} jobs ...", flush=True)
            warm = set(post_jobs(server.port, auth, job_body, warmup))
            if not listener.wait_all(warm, args.timeout):
                raise SystemExit(f"error: warm-up jobs did not end:\n{_tail(workers.log_path)}")
        with listener.lock:
            listener.events.clear()

        print(
            f"OmniCRM: {args.jobs} jobs of {args.play}, {args.workers} worker processes x 1 "
            "thread ...",
            flush=True,
        )
        cpu0 = (tree_cpu(workers.process.pid), tree_cpu(server.process.pid), postgres_cpu(db_name))
        t0 = time.monotonic()
        measured = post_jobs(server.port, auth, job_body, args.jobs)
        posted = time.monotonic() - t0
        complete = listener.wait_all(set(measured), args.timeout)
        with listener.lock:
            finals = {pid: listener.final[pid] for pid in measured if pid in listener.final}
            events = [e for e in listener.events if e[0] in finals]
        our_wall = (max(t for _, t in finals.values()) - t0) if finals else float("nan")
        if not complete:
            print(f"error: only {len(finals)}/{args.jobs} jobs ended within {args.timeout:.0f} s")

        cpu1 = (tree_cpu(workers.process.pid), tree_cpu(server.process.pid), postgres_cpu(db_name))
        our_cpu = [b - a for a, b in zip(cpu0, cpu1, strict=True)]
        stop(workers)
        workers = None
        jobs = list_jobs(server.port, auth)
        _, _, detail = request(server.port, "GET", f"/crm/provision/{measured[0]}", None, auth)
        listener.close()
        listener = None
        stop(server)
        server = None

        split = phases(db_url, measured)
        ours = sorted(d for pid in measured if (d := _seconds(jobs.get(pid, {}))) is not None)
        failed = {pid: jobs.get(pid, {}).get("error") for pid, (st, _) in finals.items() if st != 0}
        latencies = sorted(
            (at - _parse_time(done)).total_seconds() for _, _, at, done in events if done
        )
        expected_events = sum(int(jobs.get(pid, {}).get("task_count") or 0) for pid in measured)

        print(
            f"floor: bare ansible-playbook, after the OmniCRM arm (workers and API stopped): "
            f"{args.jobs} runs, {args.workers} at a time ...",
            flush=True,
        )
        bare_cpu0 = children_cpu()
        bare_wall, bare_runs, bare_errors = run_floor(detail["provisioning_json_vars"], args, tmp)
        bare_cpu = children_cpu() - bare_cpu0
        bare = sorted(bare_runs)

        overhead = our_wall / bare_wall - 1
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print()
        print(
            f"{'':16} {'wall s':>8} {'jobs/s':>8} {'job p50 s':>10} {'job p99 s':>10} {'failed':>7}"
        )
        for label, wall, durations, bad in (
            ("OmniCRM", our_wall, ours, len(failed) + args.jobs - len(finals)),
            ("bare playbook", bare_wall, bare, len(bare_errors)),
        ):
            print(
                f"{label:16} {wall:8.1f} {args.jobs / wall:8.2f} "
                f"{_percentile(durations, 0.50):10.2f} {_percentile(durations, 0.99):10.2f} "
                f"{bad:7d}"
            )
        print(f"(OmniCRM: {args.jobs} POSTs took {posted:.1f} s of the wall time)")
        print(
            f"event latency, task finished -> Socket.IO client: {len(latencies)} events "
            f"(of {expected_events} expected): p50 {_percentile(latencies, 0.50) * 1000:.0f} ms, "
            f"p99 {_percentile(latencies, 0.99) * 1000:.0f} ms, "
            f"max {(latencies[-1] if latencies else float('nan')) * 1000:.0f} ms"
        )
        print(
            "OmniCRM job phases (p50 / p99 s): "
            + ", ".join(
                f"{name} {_percentile(v, 0.5):.2f} / {_percentile(v, 0.99):.2f}"
                for name, v in zip(PHASES, split, strict=True)
            )
        )
        print(
            f"CPU per job: workers + ansible {our_cpu[0] / args.jobs:.2f} s, API "
            f"{our_cpu[1] / args.jobs * 1000:.0f} ms, PostgreSQL backends ~"
            f"{our_cpu[2] / args.jobs * 1000:.0f} ms; bare ansible-playbook "
            f"{bare_cpu / args.jobs:.2f} s per run"
        )
        print(f"overhead our_wall / bare_wall - 1: {overhead * 100:+.1f} %")
        p99_ms = _percentile(latencies, 0.99) * 1000
        lat_ok = bool(latencies) and p99_ms < P99_TARGET_MS
        print(f"{'PASS' if lat_ok else 'FAIL'}: event latency p99 < {P99_TARGET_MS:.0f} ms")
        over_ok = overhead < OVERHEAD_TARGET
        print(
            f"{'PASS' if over_ok else 'FAIL'}: job overhead over the bare playbook < "
            f"{OVERHEAD_TARGET * 100:.0f} % ({os.cpu_count()} CPUs)"
        )
        invalid = False
        for pid, error in list(failed.items())[:10]:
            print(f"job {pid} {FINAL[finals[pid][0]]}: {error}")
        if bare_errors:
            print(f"bare run failed:\n{bare_errors[0]}")
        if failed or bare_errors or not complete or len(latencies) < expected_events:
            print("INVALID RUN: jobs failed or did not end, or events were missing")
            invalid = True
        return 2 if invalid else 0
    finally:
        if listener is not None:
            listener.close()
        if workers is not None:
            stop(workers)
        if server is not None:
            stop(server)
        if db_name:
            drop_database(admin_url, db_name)
        flush_redis(args.redis_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
