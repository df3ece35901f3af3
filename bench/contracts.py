"""GetSim throughput: contracts sold per second through the API, beside the same rows written
with plain SQL.

    .venv/bin/python bench/contracts.py [--duration 15 --clients 8 --stock 30000]

What one run does, cleaning everything up afterwards (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` through PG_ADMIN_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade`` and
   ``omnicrm create-admin``, and pre-loads ``--stock`` SIM cards and as many phone numbers
   (bulk INSERT), one Open prepaid customer and one tariff binding a SIM and a number, then
   runs ANALYZE (as autovacuum would have by the time a real stock is sold from).
   Redis db 12 is flushed before and after.
2. Serves OmniCRM with gunicorn as bench/api_latency.py does (``-k gthread -w 4 --threads 8``,
   ENV=production, LOG_LEVEL=INFO to a file) and logs in for a token.
3. API: ``--clients`` threads, each with one keep-alive connection, POST /crm/contract/
   (no SIM or number named: the server picks free ones) back to back for ``--duration``
   seconds after a warm-up. Every request is the whole GetSim unit of work: lock and reserve
   SIM and number, service + status history, bind both items (inventory history), contract,
   setup charge, activation (service and contract status), activity-log rows, one commit.
4. Bare SQL: the same rows for one sale (SKIP LOCKED picks, 2 inventory UPDATEs x2 and 4
   history rows, service + 3 history rows, contract + number, charge, status UPDATEs) with
   psycopg, one transaction per sale, ``--clients`` threads, for ``--bare-duration`` seconds:
   the database's own ceiling for these writes, without HTTP, auth, ORM or audit.
5. Prints contracts/s, p50 and p99 for both, and PASS when the API reaches >= 100 contracts/s
   with no errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
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
    Server,
    _percentile,
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

TARGET_RPS = 100.0


def preload(env: dict[str, str], stock: int) -> dict[str, int]:
    """Customer, product and ``stock`` SIMs and numbers, through the app's own models."""
    from decimal import Decimal

    from sqlalchemy import insert, select, text

    from omnicrm import create_app
    from omnicrm.catalog.models import Product
    from omnicrm.customers.models import Customer
    from omnicrm.inventory.models import Inventory, InventoryTemplate
    from omnicrm.inventory.use_cases import sync_inventory_templates
    from omnicrm.inventory.validation import luhn_check_digit
    from omnicrm.settings import Settings

    settings = Settings(
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        secret_key=env["SECRET_KEY"],
        instance_path=env["INSTANCE_PATH"],
        log_level="WARNING",
    )
    app = create_app(settings)
    with app.app_context():
        database = app.extensions["omnicrm_db"]
        with database.job_scope() as session:
            sync_inventory_templates(session)
            templates = dict(
                session.execute(
                    select(InventoryTemplate.item, InventoryTemplate.inventory_template_id)
                ).all()
            )
            customer = Customer(customer_name="Bench customer", email="bench@example.net")
            product = Product(
                product_name="Bench mobile",
                product_slug="bench-mobile",
                category="standalone",
                retail_cost=Decimal("20.00"),
                retail_setup_cost=Decimal("10.00"),
                tax_percentage=Decimal("10.00"),
                contract_term_months=12,
                inventory_items_list=["SIM Card", "Phone Number"],
            )
            session.add_all([customer, product])
            session.flush()
            ids = {"customer_id": customer.customer_id, "product_id": product.product_id}
        for start in range(0, stock, 5000):
            with database.job_scope() as session:
                rows: list[dict[str, Any]] = []
                for n in range(start, min(stock, start + 5000)):
                    body = f"8944{n:014d}"
                    iccid = body + luhn_check_digit(body)
                    msisdn = f"+1202{n:07d}"
                    rows.append(
                        {
                            "inventory_template_id": templates["SIM Card"],
                            "serial": iccid,
                            "itemtext1": iccid,
                            "itemtext2": f"00101{n:010d}",
                        }
                    )
                    rows.append(
                        {
                            "inventory_template_id": templates["Phone Number"],
                            "serial": msisdn,
                            "itemtext1": msisdn,
                        }
                    )
                session.execute(insert(Inventory), rows)
        with database.job_scope() as session:
            # Fresh statistics, as autovacuum would have them for a stock this size (without
            # them PostgreSQL believes the table is empty and plans joins to it as scans).
            session.execute(text("ANALYZE"))
        ids["sim_template"] = templates["SIM Card"]
        ids["number_template"] = templates["Phone Number"]
        assert database.engine is not None
        database.engine.dispose()
    return ids


# ----------------------------------------------------------------------------------- API ---


def load_api(
    port: int, headers: dict[str, str], body: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    start_at = time.monotonic() + 0.2
    measure_from = start_at + args.warmup
    end_at = measure_from + args.duration
    payload = json.dumps(body).encode()
    all_headers = {**headers, "Content-Type": "application/json"}
    results: list[tuple[list[float], int, int, str]] = []
    lock = threading.Lock()

    def client() -> None:
        latencies: list[float] = []
        ok = errors = 0
        first_error = ""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(max(0.0, start_at - time.monotonic()))
        while (t0 := time.monotonic()) < end_at:
            try:
                conn.request("POST", "/crm/contract/", body=payload, headers=all_headers)
                response = conn.getresponse()
                raw = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, raw = 0, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t1 = time.monotonic()
            if t0 >= measure_from and t1 <= end_at:
                latencies.append(t1 - t0)
                if status == 201:
                    ok += 1
                else:
                    errors += 1
                    first_error = first_error or f"HTTP {status}: {raw[:200]!r}"
        conn.close()
        with lock:
            results.append((latencies, ok, errors, first_error))

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(results, args.duration)


def _summary(results: list[tuple[list[float], int, int, str]], seconds: float) -> dict[str, Any]:
    latencies = sorted(x for r in results for x in r[0])
    ok = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    return {
        "contracts": ok,
        "errors": errors,
        "first_error": next((r[3] for r in results if r[3]), ""),
        "rate": ok / seconds,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


# ------------------------------------------------------------------------------ bare SQL ---

_SALE_SQL = """
WITH sim AS (
    SELECT inventory_id FROM inventory
    WHERE inventory_template_id = %(sim_t)s AND item_state >= 'new' AND item_state <= 'new'
    ORDER BY item_state, inventory_id LIMIT 1 FOR UPDATE SKIP LOCKED
), num AS (
    SELECT inventory_id FROM inventory
    WHERE inventory_template_id = %(num_t)s AND item_state >= 'new' AND item_state <= 'new'
    ORDER BY item_state, inventory_id LIMIT 1 FOR UPDATE SKIP LOCKED
)
SELECT (SELECT inventory_id FROM sim), (SELECT inventory_id FROM num)
"""


def bare_sale(conn: Any, ids: dict[str, int]) -> bool:
    """One sale's rows with plain SQL, in one transaction (what the API's unit of work
    writes, minus the activity log)."""
    now = "now()"
    with conn.transaction():
        sim, num = conn.execute(
            _SALE_SQL, {"sim_t": ids["sim_template"], "num_t": ids["number_template"]}
        ).fetchone()
        if sim is None or num is None:
            return False
        for item in (sim, num):
            conn.execute(
                f"UPDATE inventory SET item_state='reserved', customer_id=%s, updated_at={now} "
                "WHERE inventory_id=%s",
                (ids["customer_id"], item),
            )
            conn.execute(
                "INSERT INTO inventory_history (inventory_id, from_state, to_state, reason, "
                f"customer_id, created_at) VALUES (%s, 'new', 'reserved', 'sale', %s, {now})",
                (item, ids["customer_id"]),
            )
        service_id = conn.execute(
            "INSERT INTO service (customer_id, product_id, service_name, service_uuid, "
            "service_status, service_billed, wholesale_cost, retail_cost, price_snapshot, "
            f"created_at, updated_at) VALUES (%s, %s, 'Bench', %s, 'pending', true, 0, 20, "
            f"'{{}}', {now}, {now}) RETURNING service_id",
            (ids["customer_id"], ids["product_id"], uuid.uuid4().hex),
        ).fetchone()[0]
        for item in (sim, num):
            conn.execute(
                "UPDATE inventory SET item_state='assigned', service_id=%s, "
                f"updated_at={now} WHERE inventory_id=%s",
                (service_id, item),
            )
            conn.execute(
                "INSERT INTO inventory_history (inventory_id, from_state, to_state, reason, "
                "customer_id, service_id, created_at) "
                f"VALUES (%s, 'reserved', 'assigned', 'sale', %s, %s, {now})",
                (item, ids["customer_id"], service_id),
            )
        contract_id = conn.execute(
            "INSERT INTO contract (customer_id, product_id, service_id, sim_inventory_id, "
            "number_inventory_id, contract_status, term_months, price_snapshot, accepted_at, "
            f"created_at, updated_at) VALUES (%s, %s, %s, %s, %s, 'accepted', 12, '{{}}', "
            f"{now}, {now}, {now}) RETURNING contract_id",
            (ids["customer_id"], ids["product_id"], service_id, sim, num),
        ).fetchone()[0]
        conn.execute(
            "UPDATE contract SET contract_number = 'C-2026-' || lpad(contract_id::text, 6, '0') "
            "WHERE contract_id = %s",
            (contract_id,),
        )
        conn.execute(
            "INSERT INTO contract_charge (contract_id, kind, amount, currency, tax_percentage, "
            f"tax_amount, created_at) VALUES (%s, 'setup', 10, 'USD', 10, 1, {now})",
            (contract_id,),
        )
        previous: str | None = None
        for status in ("pending", "provisioning", "active"):
            if previous is not None:
                conn.execute(
                    f"UPDATE service SET service_status=%s, updated_at={now} WHERE service_id=%s",
                    (status, service_id),
                )
            conn.execute(
                "INSERT INTO service_status_history (service_id, from_status, to_status, "
                f"created_at) VALUES (%s, %s, %s, {now})",
                (service_id, previous, status),
            )
            previous = status
        conn.execute(
            "UPDATE contract SET contract_status='active', start_date=current_date, "
            f"updated_at={now} WHERE contract_id=%s",
            (contract_id,),
        )
    return True


def load_bare(db_url: str, ids: dict[str, int], args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    plain = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    start_at = time.monotonic() + 0.5
    end_at = start_at + args.bare_duration
    results: list[tuple[list[float], int, int, str]] = []
    lock = threading.Lock()

    def client() -> None:
        latencies: list[float] = []
        ok = errors = 0
        with psycopg.connect(plain, autocommit=True) as conn:
            time.sleep(max(0.0, start_at - time.monotonic()))
            while (t0 := time.monotonic()) < end_at:
                sold = bare_sale(conn, ids)
                t1 = time.monotonic()
                if not sold:
                    errors += 1
                    break
                if t1 <= end_at:
                    latencies.append(t1 - t0)
                    ok += 1
        with lock:
            results.append((latencies, ok, errors, "stock exhausted" if errors else ""))

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(results, args.bare_duration)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=15, help="measured seconds (API)")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before")
    parser.add_argument("--bare-duration", type=float, default=5, help="seconds of bare SQL")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--stock", type=int, default=30000, help="SIMs (and numbers) to load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--log-level", default="INFO", help="OmniCRM LOG_LEVEL (as deployed)")
    args = parser.parse_args()

    admin_url = os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    check_services(admin_url, args.redis_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-contracts-"))
    server: Server | None = None
    db_name = ""
    try:
        db_name, db_url = create_database(admin_url)
        print(f"database {db_name}, Redis {args.redis_url}, temp dir {tmp}")
        env = app_env(db_url, args.redis_url, tmp, args.log_level)
        started = time.monotonic()
        email, password = migrate_and_create_admin(env)
        ids = preload(env, args.stock)
        print(f"prepared in {time.monotonic() - started:.1f} s: {args.stock} SIMs + numbers")

        server = start_gunicorn("omnicrm", "omnicrm:create_app()", env, args, tmp)
        status, _, body = request(
            server.port, "POST", "/crm/auth/login", {"email": email, "password": password}
        )
        if status != 200:
            raise SystemExit(f"error: login answered {status}: {body}")
        auth = {"Authorization": f"Bearer {body['token']}"}
        sale = {"customer_id": ids["customer_id"], "product_id": ids["product_id"]}
        print(f"API: {args.clients} clients x {args.duration:.0f} s ...", flush=True)
        api = load_api(server.port, auth, sale, args)
        stop(server)
        server = None
        print(f"bare SQL: {args.clients} clients x {args.bare_duration:.0f} s ...", flush=True)
        bare = load_bare(db_url, ids, args)

        print()
        print(f"{'':10} {'contracts/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'sold':>7} {'errors':>7}")
        for label, r in (("API", api), ("bare SQL", bare)):
            print(
                f"{label:10} {r['rate']:12.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
                f"{r['contracts']:7d} {r['errors']:7d}"
            )
        if api["first_error"]:
            print(f"first API error: {api['first_error']}")
        print(f"API / bare SQL: {api['rate'] / bare['rate']:.2f}" if bare["rate"] else "")
        passed = api["rate"] >= TARGET_RPS and api["errors"] == 0
        print(
            f"{'PASS' if passed else 'FAIL'}: target >= {TARGET_RPS:.0f} contracts/s with no "
            f"errors ({args.workers} workers x {args.threads} threads, {os.cpu_count()} CPUs)"
        )
        return 0 if passed else 1
    finally:
        if server is not None:
            stop(server)
        if db_name:
            drop_database(admin_url, db_name)
        flush_redis(args.redis_url)


if __name__ == "__main__":
    sys.exit(main())
