"""Usage rating throughput: records rated per second through the API on PostgreSQL, beside a bare
``COPY`` of the same records into an unindexed table, and the server's peak memory.

    .venv/bin/python bench/rating.py [--records 1000000 --services 10000 --batch 10000
                                      --clients 2 --workers 2]

What one run does, cleaning everything up afterwards (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` (PG_ADMIN_URL, default
   postgresql://postgres@127.0.0.1:5432/postgres), migrates, creates an admin, and loads
   ``--services`` active prepaid services of one tariff (1,024 MB allowance, rates per MB and
   minute) with their charging accounts, allowance and 50.00 of money (bulk SQL), then ANALYZE.
2. Serves OmniCRM with gunicorn (``--workers`` processes; the peak memory is the largest one's)
   and logs in.
3. API: ``--records`` usage records (data and voice, random services) in batches of ``--batch``
   sent back to back by ``--clients`` clients, each batch to ``POST /crm/charging/cdr``; every
   batch is one transaction that reads duplicates, services and the locked balances in one query
   each, rates in memory and writes balances, movements and records in bulk.
   The worker's peak RSS (VmHWM) is read after the first 10 % of the records and at the end.
4. Bare: the same records ``COPY``-ed into an unindexed table (the database's ceiling for merely
   storing them, without reading or updating anything).
5. Prints records/s for both and their ratio, the peak memory at 10 % and 100 %, and PASS when the
   API reaches >= 10,000 records/s with no errors and the peak at 100 % is <= 1.2x the one at 10 %.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_latency import (
    DEFAULT_ADMIN_URL,
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

TARGET_RPS = 10_000.0
MEMORY_GROWTH = 1.2


def _plain(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://", 1)


def load_services(db_url: str, count: int) -> list[str]:
    """``count`` active prepaid services with allowance and money; their UUIDs."""
    import psycopg

    uuids = [uuid.uuid4().hex for _ in range(count)]
    with psycopg.connect(_plain(db_url)) as conn:
        customer_id = conn.execute(
            "INSERT INTO customer (customer_name, customer_status, customer_account_type, "
            "customer_payment_type, customer_enabled, currency, created_at, updated_at) "
            "VALUES ('Bench Pty', 'Open', 'Business', 'prepaid', true, 'USD', now(), now()) "
            "RETURNING customer_id"
        ).fetchone()[0]
        product_id = conn.execute(
            "INSERT INTO product (product_name, product_slug, category, enabled, "
            "provisioning_json_vars, inventory_items_list, currency, billing_period, "
            "retail_cost, wholesale_cost, retail_setup_cost, wholesale_setup_cost, "
            "tax_percentage, data_mb, rate_per_mb, rate_per_minute, prepaid_eligible, "
            "postpaid_eligible, contract_term_months, created_at, updated_at) VALUES "
            "('Bench plan', 'bench-plan', 'standalone', true, '{}', '[]', 'USD', 'monthly', "
            "10, 4, 0, 0, 0, 1024, 0.01, 0.05, true, true, 0, now(), now()) "
            "RETURNING product_id"
        ).fetchone()[0]
        with conn.cursor().copy(
            "COPY service (customer_id, product_id, service_name, service_uuid, "
            "service_status, service_billed, wholesale_cost, retail_cost, price_snapshot, "
            "start_date, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n, service_uuid in enumerate(uuids):
                copy.write_row(
                    (customer_id, product_id, f"Bench {n}", service_uuid, "active", True,
                     4, 10, "{}", "2027-01-01", "2027-01-01", "2027-01-01")
                )  # fmt: skip
        conn.execute(
            "INSERT INTO charging_account (account, service_id, allow_negative, disabled, "
            "created_at) SELECT service_uuid, service_id, false, false, now() FROM service"
        )
        for kind, balance_id, value, weight in (
            ("data", "bench-plan-data", 10240000, 20),  # 1,024 MB in 1/10,000
            ("monetary", "*default", 500000, 10),  # 50.00
        ):
            conn.execute(
                "INSERT INTO charging_balance (account, balance_type, balance_id, value, "
                "expiry, weight, blocker, created_at, updated_at) SELECT account, %s, %s, %s, "
                "NULL, %s, false, now(), now() FROM charging_account",
                (kind, balance_id, value / 10000, weight),
            )
        conn.execute("ANALYZE")
    return uuids


def make_batches(uuids: list[str], records: int, size: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(7)
    batches = []
    for start in range(0, records, size):
        batch = []
        for n in range(start, min(records, start + size)):
            kind = "data" if n % 3 else "voice"
            units = f"{rng.randint(1, 2000) / 100:.2f}"
            batch.append(
                {
                    "id": f"bench-{n}",
                    "service_uuid": rng.choice(uuids),
                    "type": kind,
                    "units": units,
                    "start_time": "2027-01-15T10:00:00Z",
                }
            )
        batches.append(batch)
    return batches


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_mb(pids: list[int]) -> float:
    peak = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def send_all(
    port: int, auth: dict[str, str], batches: list[list[dict[str, Any]]], clients: int,
    on_progress: Any,
) -> tuple[int, list[str]]:  # fmt: skip
    """Send every batch; the records rated or kept, and the errors."""
    queue = list(enumerate(batches))
    lock = threading.Lock()
    done = [0]
    errors: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, batch = queue.pop(0)
            status, _, body = request(port, "POST", "/crm/charging/cdr", {"records": batch}, auth)
            with lock:
                if status != 200:
                    errors.append(f"batch {index}: {status} {str(body)[:200]}")
                else:
                    done[0] += len(batch)
                    on_progress(done[0])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], errors


def bare_copy(db_url: str, batches: list[list[dict[str, Any]]]) -> float:
    """Seconds to COPY the records into an unindexed table."""
    import psycopg

    with psycopg.connect(_plain(db_url)) as conn:
        conn.execute(
            "CREATE UNLOGGED TABLE bench_cdr (record_id text, service_uuid text, usage_type text, "
            "units numeric(14,4), start_time timestamptz)"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_cdr FROM STDIN") as copy:
            for batch in batches:
                for r in batch:
                    copy.write_row(
                        (r["id"], r["service_uuid"], r["type"], r["units"], r["start_time"])
                    )
        conn.commit()
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args()
    check_services(args.admin_url, args.redis_url)
    flush_redis(args.redis_url)
    db_name, db_url = create_database(args.admin_url)
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="omnicrm-bench-") as tmp_name:
            tmp = Path(tmp_name)
            env = app_env(db_url, args.redis_url, tmp, args.log_level)
            email, password = migrate_and_create_admin(env)
            started = time.perf_counter()
            uuids = load_services(db_url, args.services)
            print(f"loaded {len(uuids)} services in {time.perf_counter() - started:.1f} s")
            batches = make_batches(uuids, args.records, args.batch)
            server = start_gunicorn("omnicrm", "omnicrm:create_app()", env, args, tmp)
            status, _, body = request(
                server.port, "POST", "/crm/auth/login", {"email": email, "password": password}
            )
            if status != 200:
                raise SystemExit(f"error: login answered {status}: {body}")
            auth = {"Authorization": f"Bearer {body['token']}"}
            pids = worker_pids(server.process.pid)
            tenth = args.records // 10
            marks: dict[str, float] = {}

            def progress(done: int) -> None:
                if done >= tenth and "tenth" not in marks:
                    marks["tenth"] = peak_rss_mb(pids)
                bar = "#" * int(30 * done / args.records)
                print(f"\r  [{bar:<30}] {done:>9,} records", end="", flush=True)

            started = time.perf_counter()
            rated, errors = send_all(server.port, auth, batches, args.clients, progress)
            api_seconds = time.perf_counter() - started
            print()
            peak_end = peak_rss_mb(pids)
            peak_tenth = marks.get("tenth", peak_end)
            copy_seconds = bare_copy(db_url, batches)
        api_rps = rated / api_seconds
        copy_rps = args.records / copy_seconds
        growth = peak_end / peak_tenth if peak_tenth else 0.0
        print(
            f"API  : {rated:,} records in {api_seconds:.1f} s = {api_rps:,.0f} records/s "
            f"({args.batch:,} per batch, {args.clients} client(s), {len(errors)} errors)"
        )
        print(
            f"COPY : {args.records:,} records in {copy_seconds:.1f} s = {copy_rps:,.0f} records/s"
        )
        print(f"ratio: the API rates at {api_rps / copy_rps:.2f}x the speed of a bare COPY")
        print(
            f"peak RSS of the worker: {peak_tenth:.0f} MB at 10 %, {peak_end:.0f} MB at 100 % "
            f"({growth:.2f}x)"
        )
        for error in errors[:5]:
            print(f"  {error}")
        passed = api_rps >= TARGET_RPS and not errors and growth <= MEMORY_GROWTH
        verdict = "PASS" if passed else "FAIL"
        print(
            f"{verdict}: target >= {TARGET_RPS:,.0f} records/s, memory growth <= {MEMORY_GROWTH}x"
        )
        return 0 if passed else 1
    finally:
        if server is not None:
            stop(server)
        drop_database(args.admin_url, db_name)
        flush_redis(args.redis_url)


if __name__ == "__main__":
    sys.exit(main())
