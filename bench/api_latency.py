"""API latency: OmniCRM against a bare Flask app serving the same bodies (the framework's ceiling).

    .venv/bin/python bench/api_latency.py [--duration 15 --clients 32]      (or: make bench)
    .venv/bin/python bench/api_latency.py --replay both    # replay before Flask on and off

What one run does, cleaning everything up afterwards (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` through PG_ADMIN_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade``,
   ``omnicrm seed-demo --customers 500`` (deterministic: customers with contacts, sites, tags)
   and ``omnicrm create-admin``. Redis db 13 is flushed before and after.
2. Serves OmniCRM (ENV=production, REDIS_URL=redis://127.0.0.1:6379/13) and bench/bare_app.py
   with the same gunicorn configuration; logs in through ``POST /crm/auth/login`` for a token;
   captures OmniCRM's real responses, which the bare app then returns from memory.
   ``--replay both`` (or ``--variant``) serves a second OmniCRM with other settings from the
   same database and Redis, measured in the same windows as the first.
3. For each endpoint, the targets in turn (never two at once), in ``--rounds`` interleaved
   windows whose order alternates (OmniCRM, bare, bare, OmniCRM, ...): a warm-up,
   then a measured window with ``--clients`` concurrent keep-alive connections, each sending
   its next request as soon as the previous answer arrived (closed loop). Shared vCPUs drift
   in speed by tens of percent over minutes; interleaving makes the drift hit every target.
4. Prints requests/s, p50 and p99 for each, each OmniCRM's ratio to the bare app, and PASS
   when, for every endpoint, OmniCRM (the first variant; the others are reported beside it)
   reaches >= 0.40 of the bare app's requests/s, a p99 at most 2.0 x the bare app's, and no
   errors.

Fairness, and what the numbers mean:
- Server: gunicorn as ``omnicrm run`` serves the API in production mode, for both targets:
  ``-k gthread``, one worker per CPU, ``omnicrm.server.API_THREADS`` threads each, and
  ``omnicrm.gunicorn_conf`` (it freezes the loaded app out of the garbage collector's sight).
  Change the shape with --workers/--threads; every target always gets the same.
- OmniCRM runs as deployed (ENV=production, LOG_LEVEL=INFO to a file): every request's JWT
  check, its Redis session/revocation lookup and a permission check, a log line and metrics;
  the response cache as deployed (a first read, or the first after a change, runs the query and
  marshmallow; repeated reads are served from the cache, most of them replayed before Flask by
  ``omnicrm.response_cache.replay`` under the same checks; ``--replay off`` or ``both`` measures
  them through Flask). The bare app only routes and JSON-encodes the same body per request.
- Load generator: ``wrk`` when installed (``--install`` apt-installs it), else a Python client:
  ``--client-procs`` processes (so the GIL does not cap it) of threads that each hold one
  ``http.client`` keep-alive connection. It shares the machine with the server and costs the
  same per request for both targets; on a small machine it lowers both figures.
- Latency is measured per request by the client; p50/p99 are nearest-rank over every request
  of every measured window of a target (wrk's script writes its whole latency histogram).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from array import array
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omnicrm.server import API_THREADS, api_workers

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RATIO_TARGET = 0.40
P99_FACTOR_TARGET = 2.0  # OmniCRM's p99 at most this many times the bare app's


@dataclass
class Endpoint:
    label: str
    paths: list[str]  # rotated through, one per request


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    first_error: str = ""
    samples: list[float] = field(default_factory=list, repr=False)  # seconds (python client)
    windows: int = 1


@dataclass
class Variant:
    """One OmniCRM server: a name and the settings (environment) it runs with on top."""

    name: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    endpoint: str
    variant: str
    omnicrm: Result
    bare: Result
    ratio: float = 0.0
    passed: bool = False
    reasons: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------ database ---


def _psycopg() -> Any:
    import psycopg

    return psycopg


def create_database(admin_url: str) -> tuple[str, str]:
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"omnicrm_bench_{secrets.token_hex(4)}"
    with _psycopg().connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return name, url.render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    from psycopg import sql

    with _psycopg().connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def customer_ids(db_url: str) -> list[int]:
    plain = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with _psycopg().connect(plain) as conn:
        rows = conn.execute("SELECT customer_id FROM customer ORDER BY customer_id").fetchall()
    return [int(row[0]) for row in rows]


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()


def check_services(admin_url: str, redis_url: str) -> None:
    from sqlalchemy.engine import make_url

    try:
        with _psycopg().connect(admin_url, connect_timeout=5):
            pass
    except Exception as exc:
        shown = make_url(admin_url).render_as_string(hide_password=True)
        raise SystemExit(f"error: PostgreSQL at {shown} is not reachable: {exc}") from exc
    try:
        flush_redis(redis_url)
    except Exception as exc:
        raise SystemExit(f"error: Redis at {redis_url} is not reachable: {exc}") from exc


# ------------------------------------------------------------------------------- servers ---


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(
    name: str, app_spec: str, env: dict[str, str], args: argparse.Namespace, tmp: Path
) -> Server:
    port = _free_port()
    cmd = [
        str(BIN / "gunicorn"),
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--timeout", "120",
        "--config", "python:omnicrm.gunicorn_conf",
        "--log-level", "warning",
        "--error-logfile", "-",
        "--pythonpath", str(BENCH_DIR),
        app_spec,
    ]  # fmt: skip
    log_path = tmp / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: {name} exited early:\n{_tail(log_path)}")
        try:
            status, _, _ = request(port, "GET", "/__none__" if name == "bare" else "/healthz")
            if status in (200, 404):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SystemExit(f"error: {name} did not start within 60 s:\n{_tail(log_path)}")


def stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload else {}
        all_headers.update(headers or {})
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, dict(response.getheaders()), data
    finally:
        conn.close()


def _run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd[:3])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def app_env(db_url: str, redis_url: str, tmp: Path, log_level: str) -> dict[str, str]:
    """The environment OmniCRM runs with in a benchmark: production mode, as deployed."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ENV": "production",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "INSTANCE_PATH": str(tmp / "instance"),
        "JWT_ACCESS_TTL_SECONDS": "3600",  # one token for the whole run
        "LOG_LEVEL": log_level,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def migrate_and_create_admin(env: dict[str, str]) -> tuple[str, str]:
    """``omnicrm db upgrade`` and a fresh admin; returns its (email, password)."""
    omnicrm = str(BIN / "omnicrm")
    _run([omnicrm, "db", "upgrade"], env)
    email, password = "bench-admin@example.com", secrets.token_urlsafe(18)
    _run([omnicrm, "create-admin", "--email", email, "--password", password], env)
    return email, password


# ---------------------------------------------------------------------- load generation ---


def _client_thread(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    first: int,
    start_at: float,
    measure_from: float,
    end_at: float,
    out: list[Any],
) -> None:
    latencies = array("d")
    errors = 0
    first_error = ""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    count = len(paths)
    i = first
    time.sleep(max(0.0, start_at - time.monotonic()))
    while True:
        t0 = time.monotonic()
        if t0 >= end_at:
            break
        ok = False
        try:
            conn.request("GET", paths[i % count], headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            error = "" if ok else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t1 = time.monotonic()
        i += 1
        if t0 >= measure_from and t1 <= end_at:
            latencies.append(t1 - t0)
            if not ok:
                errors += 1
                first_error = first_error or error
    conn.close()
    out.append((latencies, errors, first_error))


def _client_process(job: dict[str, Any]) -> tuple[bytes, int, str]:
    out: list[Any] = []
    threads = [
        threading.Thread(
            target=_client_thread,
            args=(
                job["port"],
                job["paths"],
                job["headers"],
                job["first"] + k,
                job["start_at"],
                job["measure_from"],
                job["end_at"],
                out,
            ),
        )
        for k in range(job["threads"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = array("d")
    errors = 0
    first_error = ""
    for latencies, errs, err in out:
        merged.extend(latencies)
        errors += errs
        first_error = first_error or err
    return merged.tobytes(), errors, first_error


def _client_signals() -> None:
    """In a client process: Ctrl-C is the parent's, and SIGTERM (the pool's terminate) ends the
    process at once. The parent's SIGTERM handler, inherited through fork, raises SystemExit,
    which a worker blocked on the pool's queue lock did not always act on: the run then hung."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = math.ceil(q * len(sorted_values) - 1e-9)  # nearest rank
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def load_python(
    port: int, endpoint: Endpoint, headers: dict[str, str], args: argparse.Namespace
) -> Result:
    procs = max(1, min(args.client_procs, args.clients))
    per_proc = [
        args.clients // procs + (1 if k < args.clients % procs else 0) for k in range(procs)
    ]
    start_at = time.monotonic() + 0.5  # lets the processes fork before the clock starts
    measure_from = start_at + args.warmup
    end_at = measure_from + args.duration
    jobs = []
    first = 0
    for threads in per_proc:
        jobs.append(
            {
                "port": port,
                "paths": endpoint.paths,
                "headers": headers,
                "threads": threads,
                "first": first,
                "start_at": start_at,
                "measure_from": measure_from,
                "end_at": end_at,
            }
        )
        first += threads
    # Ctrl-C is the parent's to handle: the client processes ignore it, and the parent waits with
    # a timeout (an interruptible wait), then terminates the pool on the way out.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs, initializer=_client_signals) as pool:
        pending = pool.map_async(_client_process, jobs)
        parts = pending.get(timeout=args.warmup + args.duration + 120)
    latencies: list[float] = []
    errors = 0
    first_error = ""
    for raw, errs, err in parts:
        chunk = array("d")
        chunk.frombytes(raw)
        latencies.extend(chunk)
        errors += errs
        first_error = first_error or err
    latencies.sort()
    return Result(
        requests=len(latencies),
        errors=errors,
        seconds=args.duration,
        rps=len(latencies) / args.duration,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        first_error=first_error,
        samples=latencies,
    )


def combine(parts: list[Result]) -> Result:
    """One result from a target's interleaved windows.

    Every latency is kept (the Python client records each; wrk's script writes its histogram),
    so percentiles are exact over all windows. Should wrk's histogram be missing, p50 is the
    windows' median and p99 their maximum.
    """
    requests = sum(p.requests for p in parts)
    seconds = sum(p.seconds for p in parts)
    errors = sum(p.errors for p in parts)
    first_error = next((p.first_error for p in parts if p.first_error), "")
    if all(p.samples or not p.requests for p in parts):
        samples = sorted(x for p in parts for x in p.samples)
        p50, p99 = _percentile(samples, 0.50) * 1000, _percentile(samples, 0.99) * 1000
    else:
        p50 = sorted(p.p50_ms for p in parts)[len(parts) // 2]
        p99 = max(p.p99_ms for p in parts)
    rps = sum(p.rps * p.seconds for p in parts) / seconds if seconds else 0.0
    return Result(requests, errors, seconds, rps, p50, p99, first_error, windows=len(parts))


_WRK_LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
-- Every recorded latency (microseconds: count), so windows merge into exact percentiles.
done = function(summary, latency, requests)
  local out = assert(io.open(%s, "w"))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("%%d %%d\\n", value, count))
  end
  out:close()
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def load_wrk(
    port: int, endpoint: Endpoint, headers: dict[str, str], args: argparse.Namespace, tmp: Path
) -> Result:
    script, histogram = tmp / "paths.lua", tmp / "latency.txt"
    script.write_text(
        _WRK_LUA % (", ".join(json.dumps(p) for p in endpoint.paths), json.dumps(str(histogram)))
    )
    threads = max(1, min(args.clients, os.cpu_count() or 1))
    base = ["wrk", "-t", str(threads), "-c", str(args.clients), "-s", str(script)]
    for name, value in headers.items():
        base += ["-H", f"{name}: {value}"]
    url = f"http://127.0.0.1:{port}"
    subprocess.run([*base, "-d", f"{args.warmup:g}s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*base, "-d", f"{args.duration:g}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in sock.groups()) if sock else 0
    )
    requests = int(total.group(1)) if total else 0
    rps_match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    samples = _wrk_samples(histogram)
    return Result(
        requests=requests,
        errors=errors,
        seconds=args.duration,
        rps=float(rps_match.group(1)) if rps_match else 0.0,
        p50_ms=_percentile(samples, 0.50) * 1000 if samples else latency("50"),
        p99_ms=_percentile(samples, 0.99) * 1000 if samples else latency("99"),
        first_error="non-2xx responses or socket errors (see wrk)" if errors else "",
        samples=samples,
    )


def _wrk_samples(histogram: Path) -> list[float]:
    """wrk's recorded latencies in seconds, sorted (empty when its script wrote none)."""
    samples: list[float] = []
    if not histogram.exists():
        return samples
    for line in histogram.read_text().splitlines():
        value, count = line.split()
        samples.extend([int(value) / 1e6] * int(count))
    histogram.unlink()
    return samples


# ---------------------------------------------------------------------------------- main ---


def choose_endpoints(port: int, headers: dict[str, str], ids: list[int]) -> list[Endpoint]:
    status, _, _ = request(port, "GET", "/crm/customer/?page=1", headers=headers)
    if status == 200 and ids:
        step = max(1, len(ids) // 50)
        sample = ids[::step][:50]
        return [
            Endpoint("GET /crm/customer/?page=1", ["/crm/customer/?page=1"]),
            Endpoint("GET /crm/customer/<id>", [f"/crm/customer/{i}" for i in sample]),
        ]
    print(
        f"\nNOTE: GET /crm/customer/?page=1 answered {status}: the customer endpoints are not "
        "there yet.\n      Benchmarking GET /crm/auth/me instead (token check, Redis lookup, "
        "user query).\n"
    )
    return [Endpoint("GET /crm/auth/me", ["/crm/auth/me"])]


def capture(port: int, headers: dict[str, str], endpoints: list[Endpoint]) -> dict[str, Any]:
    routes = []
    for endpoint in endpoints:
        for path in endpoint.paths:
            status, response_headers, body = request(port, "GET", path, headers=headers)
            if status != 200:
                raise SystemExit(f"error: GET {path} answered {status}: {body}")
            kept = {k: v for k, v in response_headers.items() if k.lower() == "x-pagination"}
            routes.append({"path": urllib.parse.urlsplit(path).path, "body": body, "headers": kept})
    return {"routes": routes}


def judge(endpoint: str, variant: str, omnicrm: Result, bare: Result) -> Row:
    row = Row(endpoint, variant, omnicrm, bare)
    row.ratio = omnicrm.rps / bare.rps if bare.rps else 0.0
    if row.ratio < RATIO_TARGET:
        row.reasons.append(f"ratio {row.ratio:.2f} < {RATIO_TARGET:.2f}")
    if not omnicrm.p99_ms <= P99_FACTOR_TARGET * bare.p99_ms:
        row.reasons.append(
            f"p99 {omnicrm.p99_ms:.1f} ms > {P99_FACTOR_TARGET:g} x {bare.p99_ms:.1f} ms"
        )
    for name, result in (("omnicrm", omnicrm), ("bare", bare)):
        if result.errors:
            row.reasons.append(f"{name}: {result.errors} errors ({result.first_error})")
        if not result.requests:
            row.reasons.append(f"{name}: no completed requests")
    row.passed = not row.reasons
    return row


def print_report(rows: list[Row], args: argparse.Namespace, client: str) -> None:
    print()
    print(
        f"OmniCRM vs bare Flask: {args.clients} clients, {args.duration:g} s measured per target "
        f"in {args.rounds} interleaved windows after {args.warmup:g} s warm-up; "
        f"gunicorn gthread -w {args.workers} --threads {args.threads}; "
        f"client: {client}; {os.cpu_count()} CPUs"
    )
    width = max(18, *(len(row.variant) for row in rows))
    header = (
        f"{'endpoint':30} {'target':{width}} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7}   vs bare: req/s  p99"
    )
    print(header)
    print("-" * len(header))
    for endpoint in dict.fromkeys(row.endpoint for row in rows):
        mine = [row for row in rows if row.endpoint == endpoint]
        lines = [(row.variant, row.omnicrm, row) for row in mine] + [("bare", mine[0].bare, None)]
        for index, (name, result, row) in enumerate(lines):
            label = endpoint if index == 0 else ""
            versus = ""
            if row is not None:
                factor = result.p99_ms / row.bare.p99_ms if row.bare.p99_ms else float("nan")
                verdict = "ok" if row.passed else "FAIL: " + "; ".join(row.reasons)
                versus = f"   x{row.ratio:.2f}  x{factor:.2f}  {verdict}"
            print(
                f"{label:30} {name:{width}} {result.rps:9.0f} {result.p50_ms:8.2f} "
                f"{result.p99_ms:8.2f} {result.errors:7d}{versus}"
            )
    print(
        f"targets: req/s >= {RATIO_TARGET:.2f} x the bare app's, "
        f"p99 <= {P99_FACTOR_TARGET:g} x the bare app's, no errors"
    )
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=15, help="measured seconds per target and endpoint"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved windows per target (the duration is split between them)",
    )
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--customers", type=int, default=500, help="customers to seed")
    parser.add_argument(
        "--workers",
        type=int,
        default=api_workers(),
        help="gunicorn worker processes (default: as `omnicrm run`, one per CPU)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=API_THREADS,
        help=f"gunicorn threads per worker (default: as `omnicrm run`, {API_THREADS})",
    )
    parser.add_argument("--client", choices=["auto", "python", "wrk"], default="auto")
    parser.add_argument(
        "--client-procs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="processes for the Python load generator",
    )
    parser.add_argument("--install", action="store_true", help="apt-get install wrk if missing")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--log-level", default="INFO", help="OmniCRM LOG_LEVEL (as deployed)")
    parser.add_argument(
        "--replay",
        choices=["on", "off", "both"],
        default="on",
        help="cached reads replayed before Flask (RESPONSE_CACHE_REPLAY); both: one server each",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE[,KEY=VALUE]",
        help="also measure an OmniCRM served with these settings, e.g. quiet:LOG_LEVEL=WARNING",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (server logs)")
    args = parser.parse_args()

    admin_url = os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    if args.install and not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "wrk"], check=True)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("error: wrk is not installed (pass --install to apt-get install it)")
    check_services(admin_url, args.redis_url)

    # SIGTERM must reach the `finally` below: servers stopped, database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-"))
    servers: list[Server] = []
    db_name = ""
    try:
        db_name, db_url = create_database(admin_url)
        print(f"database {db_name}, Redis {args.redis_url}, temp dir {tmp}")
        env = app_env(db_url, args.redis_url, tmp, args.log_level)
        started = time.monotonic()
        email, password = migrate_and_create_admin(env)
        _run([str(BIN / "omnicrm"), "seed-demo", "--customers", str(args.customers)], env)
        ids = customer_ids(db_url)
        print(f"prepared in {time.monotonic() - started:.1f} s: {len(ids)} customers")

        variants = _variants(args)
        for variant in variants:
            variant_env = {**env, **variant.env}
            servers.append(
                start_gunicorn(variant.name, "omnicrm:create_app()", variant_env, args, tmp)
            )
        port = servers[0].port
        status, _, body = request(
            port, "POST", "/crm/auth/login", {"email": email, "password": password}
        )
        if status != 200:
            raise SystemExit(f"error: login answered {status}: {body}")
        auth = {"Authorization": f"Bearer {body['token']}"}
        endpoints = choose_endpoints(port, auth, ids)
        fixtures = tmp / "fixtures.json"
        fixtures.write_text(json.dumps(capture(port, auth, endpoints)))
        bare_env = {**env, "BENCH_FIXTURES": str(fixtures)}
        servers.append(start_gunicorn("bare", "bare_app:create_app()", bare_env, args, tmp))

        rows = []
        targets = [*((server, auth) for server in servers[:-1]), (servers[-1], {})]
        for endpoint in endpoints:
            parts: dict[str, list[Result]] = {server.name: [] for server, _ in targets}
            # Interleaved windows, the order alternating each round: a machine whose speed
            # drifts (shared vCPUs do) then slows both targets alike instead of one.
            for round_no in range(args.rounds):
                window = argparse.Namespace(
                    **{
                        **vars(args),
                        "duration": args.duration / args.rounds,
                        "warmup": args.warmup if round_no == 0 else min(args.warmup, 1.0),
                    }
                )
                for server, headers in targets if round_no % 2 == 0 else targets[::-1]:
                    print(f"{endpoint.label:30} {server.name:18} ...", end=" ", flush=True)
                    if client == "wrk":
                        result = load_wrk(server.port, endpoint, headers, window, tmp)
                    else:
                        result = load_python(server.port, endpoint, headers, window)
                    parts[server.name].append(result)
                    print(f"{result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms")
            results = {name: combine(found) for name, found in parts.items()}
            for variant in variants:
                rows.append(
                    judge(endpoint.label, variant.name, results[variant.name], results["bare"])
                )
        print_report(rows, args, client)
        _save(rows, args, client)
        scope = "" if len(endpoints) > 1 else " (GET /crm/auth/me stand-in only)"
        for variant in variants:
            passed = all(row.passed for row in rows if row.variant == variant.name)
            print(
                f"{'PASS' if passed else 'FAIL'}: {variant.name} >= {RATIO_TARGET:.2f} of the bare "
                f"app's req/s and p99 <= {P99_FACTOR_TARGET:g} x the bare app's at "
                f"{args.clients} clients{scope}"
            )
        primary = variants[0].name
        return 0 if all(row.passed for row in rows if row.variant == primary) else 1
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    finally:
        for server in servers:
            stop(server)
        if db_name:
            drop_database(admin_url, db_name)
        try:
            flush_redis(args.redis_url)
        except Exception as exc:  # cleanup reports, it does not mask the result
            print(f"warning: could not flush {args.redis_url}: {exc}")
        if args.keep:
            print(f"kept {tmp} (server logs)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _variants(args: argparse.Namespace) -> list[Variant]:
    """The OmniCRM servers to measure, the first one judged for the exit status."""
    off = {"RESPONSE_CACHE_REPLAY": "false"}
    variants = {
        "on": [Variant("omnicrm")],
        "off": [Variant("omnicrm", off)],
        "both": [Variant("omnicrm"), Variant("omnicrm-no-replay", off)],
    }[args.replay]
    for spec in args.variant:
        name, _, settings = spec.partition(":")
        pairs = [item.partition("=") for item in settings.split(",") if item]
        if (
            not name
            or name in {"bare", *(v.name for v in variants)}
            or any(not key or not sep for key, sep, _ in pairs)
        ):
            raise SystemExit(f"error: --variant {spec!r}: expected NAME:KEY=VALUE[,KEY=VALUE]")
        variants.append(Variant(name, {key: value for key, _, value in pairs}))
    return variants


def _save(rows: list[Row], args: argparse.Namespace, client: str) -> None:
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"api_latency-{stamp}.json"
    payload = {
        "settings": {**vars(args), "client": client, "cpus": os.cpu_count()},
        "rows": [_without_samples(asdict(row)) for row in rows],
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"results saved to {path.relative_to(ROOT)}")


def _without_samples(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("omnicrm", "bare"):
        row[name].pop("samples", None)
    return row


if __name__ == "__main__":
    sys.exit(main())
