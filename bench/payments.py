"""Payments throughput: invoices settled per second through POST /crm/payment/, beside the same
rows written with plain SQL.

    .venv/bin/python bench/payments.py [--customers 2000 --clients 8]
    make bench-payments BENCH_ARGS="--customers 1000"

What one run does, cleaning everything up afterwards (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` through PG_ADMIN_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade`` and
   ``omnicrm create-admin``. Redis db 12 (``--redis-url``) is flushed before and after.
2. Seeds, set-based in SQL: ``--customers`` Open postpaid customers with an e-mail address and
   one manual ``charge`` transaction each (10.00 to 99.00, 10 % tax). Then, in-process
   (``create_app(Settings(...))``, ENV=production), ``billing.run.request_run`` +
   ``execute_run(auto_issue=True, payment_terms_days=14)`` for today: one issued, numbered
   invoice per customer. Copies of ``payment``, ``invoice`` (its rows, as issued) and
   ``invoice_settlement`` are made for the bare writes (``LIKE ... INCLUDING ALL``: same
   defaults, NOT NULLs, unique and other indexes; plus the foreign keys that carry values),
   then ``VACUUM (ANALYZE)``.
3. Serves OmniCRM with gunicorn as bench/contracts.py does (``-k gthread -w 4 --threads 8``,
   ENV=production, LOG_LEVEL=INFO to a file) and logs in as the admin for a Bearer token.
   A short unmeasured warm-up of GET /crm/payment/ reaches every worker.
4. API: ``--clients`` threads, each with one keep-alive connection, take the next invoice from
   a shared queue and POST /crm/payment/ {customer_id, amount: the invoice's total as a
   decimal string, method: "bank_transfer", invoice_id} with an Idempotency-Key of its own,
   until every invoice is paid. Payments/s = N / the wall time from the first request to the
   last answer. Each request is the whole unit of work: idempotency check, customer and
   invoice reads, the gap-free RCPT receipt number (a locked sequence row), the payment row,
   the invoice locked and settled (settlement row), dunning release check, the "payment
   confirmed" e-mail, activity rows, one commit, and the response (payment + allocations).
5. Bare SQL: per-row statements from ``--clients`` threads (psycopg, one connection each),
   one transaction per payment, for the same N invoices: one ``INSERT`` into the payment copy
   (receipt number derived from its id, no shared counter), one ``UPDATE`` of the invoice copy
   (amount_paid, status 'paid', updated_at) and one ``INSERT`` into the settlement copy: the
   database's own cost of these rows, without HTTP, auth, ORM, numbering lock, e-mail or audit.
6. Checks, in SQL: every invoice paid, payments = N with distinct receipt numbers (and as
   many distinct in the API's answers), one settlement per invoice equal to its total.
   Prints payments/s, p50 and p99 for both, the ratio, and PASS when the API reaches
   >= 100 payments/s with no errors and every check holds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
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
    BIN,
    DEFAULT_ADMIN_URL,
    Server,
    _percentile,
    _run,
    app_env,
    check_services,
    create_database,
    drop_database,
    flush_redis,
    request,
    start_gunicorn,
    stop,
)

TARGET_RPS = 100.0
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"


def _plain(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://", 1)


# ---------------------------------------------------------------------------- seeding ---


def seed(env: dict[str, str], db_url: str, count: int) -> list[tuple[int, int, str]]:
    """Customers with one issued invoice each; returns (customer_id, invoice_id, total)."""
    import psycopg

    with psycopg.connect(_plain(db_url)) as conn:
        conn.execute(
            "INSERT INTO customer (customer_name, customer_account_type, customer_status, "
            "customer_payment_type, customer_enabled, email, currency, created_at, updated_at) "
            "SELECT 'Bench customer ' || n, 'Individual', 'Open', 'postpaid', true, "
            "'bench-' || n || '@example.net', 'USD', now(), now() "
            "FROM generate_series(1, %s) AS n",
            (count,),
        )
        conn.execute(
            "INSERT INTO billing_transaction (customer_id, kind, description, currency, "
            "wholesale_amount, retail_amount, tax_percentage, tax_amount, paid_from_balance, "
            "source, void, created_at) "
            "SELECT customer_id, 'charge', 'Bench charge', 'USD', 0, a, 10, round(a / 10, 2), "
            "false, 'bench-charge:' || customer_id, false, now() "
            "FROM (SELECT customer_id, 10 + (customer_id % 90) + (customer_id % 7) * 0.13 AS a "
            "FROM customer) c ORDER BY customer_id"
        )

    from omnicrm import create_app
    from omnicrm.billing.run import execute_run, request_run
    from omnicrm.settings import Settings

    settings = Settings(
        env="production",
        database_url=db_url,
        redis_url=env["REDIS_URL"],
        secret_key=env["SECRET_KEY"],
        instance_path=env["INSTANCE_PATH"],
        log_level="WARNING",
    )
    app = create_app(settings)
    with app.app_context():
        db = app.extensions["omnicrm_db"]
        with db.job_scope() as session:
            run_id = request_run(
                session, period_end=None, customer_id=None, user_id=None
            ).billing_run_id
        run = execute_run(db, run_id, chunk_size=2000, auto_issue=True, payment_terms_days=14)
        if run.invoices_created != count:
            raise SystemExit(f"error: the billing run issued {run.invoices_created} invoices")
        assert db.engine is not None
        db.engine.dispose()

    with psycopg.connect(_plain(db_url)) as conn:
        # Copies for the bare writes: same columns, defaults, indexes; own id sequences.
        for table, key in (
            ("payment", "payment_id"),
            ("invoice", "invoice_id"),
            ("invoice_settlement", "settlement_id"),
        ):
            conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            conn.execute(f"CREATE SEQUENCE bench_{table}_seq OWNED BY bench_{table}.{key}")
            conn.execute(
                f"ALTER TABLE bench_{table} ALTER COLUMN {key} "
                f"SET DEFAULT nextval('bench_{table}_seq')"
            )
        conn.execute("INSERT INTO bench_invoice SELECT * FROM invoice ORDER BY invoice_id")
        for table, column, target in (
            ("bench_payment", "customer_id", "customer"),
            ("bench_payment", "invoice_id", "bench_invoice"),
            ("bench_payment", "created_by_user_id", "user_account"),
            ("bench_invoice", "customer_id", "customer"),
            ("bench_invoice_settlement", "customer_id", "customer"),
            ("bench_invoice_settlement", "invoice_id", "bench_invoice"),
        ):
            ref = "id" if target == "user_account" else column
            conn.execute(
                f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target} ({ref})"
            )
        rows = conn.execute(
            "SELECT customer_id, invoice_id, total::text FROM invoice "
            "WHERE kind = 'invoice' AND status = 'issued' ORDER BY invoice_id"
        ).fetchall()
    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return [(int(c), int(i), str(t)) for c, i, t in rows]


# ----------------------------------------------------------------------------------- API ---


def load_api(
    port: int, headers: dict[str, str], invoices: list[tuple[int, int, str]], clients: int
) -> dict[str, Any]:
    queue = iter(invoices)
    take = threading.Lock()
    results: list[tuple[list[float], int, int, str, list[str]]] = []
    lock = threading.Lock()
    all_headers = {**headers, "Content-Type": "application/json"}
    start_at = time.monotonic() + 0.3

    def client() -> None:
        latencies: list[float] = []
        receipts: list[str] = []
        ok = errors = 0
        first_error = ""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(max(0.0, start_at - time.monotonic()))
        while True:
            with take:
                item = next(queue, None)
            if item is None:
                break
            customer_id, invoice_id, total = item
            body = {
                "customer_id": customer_id,
                "amount": total,
                "method": "bank_transfer",
                "invoice_id": invoice_id,
            }
            h = {**all_headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
            t0 = time.monotonic()
            try:
                conn.request("POST", "/crm/payment/", body=json.dumps(body).encode(), headers=h)
                response = conn.getresponse()
                raw = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, raw = 0, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            latencies.append(time.monotonic() - t0)
            if status == 201:
                ok += 1
                receipts.append(json.loads(raw)["receipt_number"])
            else:
                errors += 1
                first_error = first_error or f"HTTP {status}: {raw[:200]!r}"
        conn.close()
        with lock:
            results.append((latencies, ok, errors, first_error, receipts))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start_at
    out = _summary([r[:4] for r in results], seconds)
    out["receipts"] = [x for r in results for x in r[4]]
    return out


def warm_up(port: int, headers: dict[str, str], seconds: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        conn.request("GET", "/crm/payment/?page_size=5", headers=headers)
        conn.getresponse().read()
        conn.close()  # a new connection each time: spread over the workers
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def _summary(results: list[tuple[list[float], int, int, str]], seconds: float) -> dict[str, Any]:
    latencies = sorted(x for r in results for x in r[0])
    ok = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    return {
        "payments": ok,
        "errors": errors,
        "first_error": next((r[3] for r in results if r[3]), ""),
        "seconds": seconds,
        "rate": ok / seconds if seconds else 0.0,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


# ------------------------------------------------------------------------------ bare SQL ---

_PAYMENT_SQL = """
INSERT INTO bench_payment (payment_id, customer_id, invoice_id, amount, currency, method, status,
    gateway, gateway_reference, receipt_number, amount_refunded, credit, idempotency_key,
    request_hash, created_at)
SELECT n.id, %(customer)s, %(invoice)s, %(amount)s, 'USD', 'bank_transfer', 'succeeded',
    'manual', %(reference)s,
    'RCPT-' || extract(year FROM now())::int || '-' || lpad(n.id::text, 6, '0'),
    0, 0, %(key)s, %(hash)s, now()
FROM (SELECT nextval('bench_payment_seq') AS id) n
RETURNING payment_id
"""
_INVOICE_SQL = (
    "UPDATE bench_invoice SET amount_paid = amount_paid + %(amount)s, "
    "status = CASE WHEN amount_paid + %(amount)s >= total THEN 'paid' ELSE 'partially_paid' END, "
    "updated_at = now() WHERE invoice_id = %(invoice)s"
)
_SETTLEMENT_SQL = (
    "INSERT INTO bench_invoice_settlement (invoice_id, customer_id, amount, reference, "
    "created_at) VALUES (%(invoice)s, %(customer)s, %(amount)s, %(ref)s, now())"
)


def load_bare(db_url: str, invoices: list[tuple[int, int, str]], clients: int) -> dict[str, Any]:
    import psycopg

    queue = iter(invoices)
    take = threading.Lock()
    results: list[tuple[list[float], int, int, str]] = []
    lock = threading.Lock()
    conns = [psycopg.connect(_plain(db_url), autocommit=True) for _ in range(clients)]
    start_at = time.monotonic() + 0.3

    def client(conn: Any) -> None:
        latencies: list[float] = []
        ok = errors = 0
        first_error = ""
        time.sleep(max(0.0, start_at - time.monotonic()))
        while True:
            with take:
                item = next(queue, None)
            if item is None:
                break
            customer_id, invoice_id, total = item
            params = {
                "customer": customer_id,
                "invoice": invoice_id,
                "amount": total,
                "reference": f"manual-{uuid.uuid4().hex[:16]}",
                "key": uuid.uuid4().hex + uuid.uuid4().hex,
                "hash": uuid.uuid4().hex + uuid.uuid4().hex,
            }
            t0 = time.monotonic()
            try:
                with conn.transaction():
                    row = conn.execute(_PAYMENT_SQL, params).fetchone()
                    conn.execute(_INVOICE_SQL, params)
                    conn.execute(_SETTLEMENT_SQL, {**params, "ref": f"payment:{row[0]}"})
                ok += 1
            except psycopg.Error as exc:
                errors += 1
                first_error = first_error or str(exc)[:200]
            latencies.append(time.monotonic() - t0)
        with lock:
            results.append((latencies, ok, errors, first_error))

    try:
        threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - start_at
    finally:
        for conn in conns:
            conn.close()
    return _summary(results, seconds)


# ------------------------------------------------------------------------------ checks ---


def checks(db_url: str, count: int, receipts: list[str]) -> dict[str, list[Any]]:
    """name -> [passed, found, expected]."""
    import psycopg

    out: dict[str, list[Any]] = {}

    def check(name: str, found: Any, expected: Any) -> None:
        out[name] = [found == expected, found, expected]

    with psycopg.connect(_plain(db_url)) as conn:

        def one(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]

        check("invoices not paid", one("SELECT count(*) FROM invoice WHERE status <> 'paid'"), 0)
        check("payments", one("SELECT count(*) FROM payment"), count)
        check(
            "distinct receipt numbers",
            one("SELECT count(DISTINCT receipt_number) FROM payment"),
            count,
        )
        check("distinct receipts answered", len(set(receipts)), count)
        check(
            "invoices without one settlement of their total",
            one(
                "SELECT count(*) FROM invoice i WHERE (SELECT count(*) FROM invoice_settlement s "
                "WHERE s.invoice_id = i.invoice_id AND s.amount = i.total "
                "AND s.reference LIKE 'payment:%') <> 1"
            ),
            0,
        )
        check(
            "bare: invoices not paid, payments",
            [
                one("SELECT count(*) FROM bench_invoice WHERE status <> 'paid'"),
                one("SELECT count(*) FROM bench_payment"),
            ],
            [0, count],
        )
    return out


# -------------------------------------------------------------------------------- main ---


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000, help="invoices to pay (N)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of GET warm-up")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--log-level", default="INFO", help="OmniCRM LOG_LEVEL (as deployed)")
    args = parser.parse_args()

    admin_url = os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    if not admin_url.split(":", 1)[0].startswith("postgres"):
        raise SystemExit("error: PG_ADMIN_URL must be a postgresql:// URL")
    os.environ["REDIS_URL"] = args.redis_url  # read when omnicrm is first imported
    check_services(admin_url, args.redis_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-payments-"))
    server: Server | None = None
    db_name = ""
    try:
        db_name, db_url = create_database(admin_url)
        print(f"database {db_name}, Redis {args.redis_url}, temp dir {tmp}")
        env = app_env(db_url, args.redis_url, tmp, args.log_level)
        started = time.monotonic()
        omnicrm = str(BIN / "omnicrm")
        _run([omnicrm, "db", "upgrade"], env)
        email, password = "bench-admin@example.com", uuid.uuid4().hex
        _run([omnicrm, "create-admin", "--email", email, "--password", password], env)
        invoices = seed(env, db_url, args.customers)
        print(
            f"prepared in {time.monotonic() - started:.1f} s: {len(invoices)} customers with "
            "one issued invoice each",
            flush=True,
        )

        server = start_gunicorn("omnicrm", "omnicrm:create_app()", env, args, tmp)
        status, _, body = request(
            server.port, "POST", "/crm/auth/login", {"email": email, "password": password}
        )
        if status != 200:
            raise SystemExit(f"error: login answered {status}: {body}")
        auth = {"Authorization": f"Bearer {body['token']}"}
        warm_up(server.port, auth, args.warmup)
        print(f"API: {args.clients} clients, {len(invoices)} payments ...", flush=True)
        api = load_api(server.port, auth, invoices, args.clients)
        stop(server)
        server = None
        print(f"bare SQL: {args.clients} clients, {len(invoices)} payments ...", flush=True)
        bare = load_bare(db_url, invoices, args.clients)
        found = checks(db_url, len(invoices), api["receipts"])

        print()
        print(f"{'':10} {'payments/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'paid':>7} {'errors':>7}")
        for label, r in (("API", api), ("bare SQL", bare)):
            print(
                f"{label:10} {r['rate']:11.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
                f"{r['payments']:7d} {r['errors']:7d}"
            )
        for label, r in (("API", api), ("bare SQL", bare)):
            if r["first_error"]:
                print(f"first {label} error: {r['first_error']}")
        if bare["rate"]:
            print(f"API / bare SQL: {api['rate'] / bare['rate']:.3f}")
        failed = [f"{k}: {v[1]} (expected {v[2]})" for k, v in found.items() if not v[0]]
        print(f"checks: {'all hold' if not failed else 'FAILED'} ({', '.join(found)})")
        for line in failed:
            print(f"  {line}")
        passed = api["rate"] >= TARGET_RPS and api["errors"] == 0 and not failed
        print(
            f"{'PASS' if passed else 'FAIL'}: target >= {TARGET_RPS:.0f} payments/s with no "
            f"errors and every check ({args.workers} workers x {args.threads} threads, "
            f"{os.cpu_count()} CPUs, load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})"
        )
        return 0 if passed else 1
    finally:
        if server is not None:
            stop(server)
        if db_name:
            drop_database(admin_url, db_name)
        flush_redis(args.redis_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
