"""Billing run throughput: a month's billing run for ``--services`` active services on
PostgreSQL, beside a bare ``INSERT ... SELECT`` of the same transaction rows, and the run's peak
memory at two sizes.

    .venv/bin/python bench/billing_run.py [--services 100000 --small 10000 --chunk-size 2000]
    make bench-billing BENCH_ARGS="--services 20000"

PostgreSQL only (the production database): an SQLite ``--admin-url`` is refused.

Each size (``--small`` first, then ``--services``) runs in a process of its own, so each peak
RSS is that size's alone. What one size does, cleaning everything up afterwards (also on
Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` (PG_ADMIN_URL, default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade``, and builds the
   app in-process with ``create_app(Settings(...))`` (ENV=production, as the other benches;
   REDIS_URL ``--redis-url``, db 14 by default, flushed before and after: the Dramatiq broker
   is chosen from REDIS_URL when omnicrm is first imported, so the invoice e-mails are sent to
   Redis as a production worker sends them).
2. Seeds, set-based in SQL: one product (20.00 a month, 8.00 wholesale, 10 % tax; its price
   snapshot from ``catalog.use_cases.price_snapshot_json``), N customers (Open, postpaid, each
   with an e-mail address, so every invoice queues its "invoice issued" e-mail), one active
   monthly service each started on the 17th of the previous month, and its billing cursor
   (``billed_through`` = that day); then ``VACUUM (ANALYZE)``, as autovacuum would have done by
   the time a month has passed.
3. Queues a run (``billing.run.request_run``) for ``period_end`` = the 1st of this month, so
   each service gets two recurring lines: the rest of last month (prorated) and this month.
4. Bare: the same 2 x N ``billing_transaction`` rows (same columns, amounts, descriptions and
   sources, computed by the database) written by ONE ``INSERT ... SELECT`` and committed. They
   go into ``bench_transaction``, a copy of ``billing_transaction`` made with ``LIKE ...
   INCLUDING ALL`` (same defaults, NOT NULLs and all seven indexes, the unique ``source`` and
   the partial "uninvoiced" one among them) plus the foreign keys that carry values (customer,
   service, billing run): the same per-row cost as the real table, while leaving
   ``billing_transaction`` untouched for the run. (Inserting into the real table and rolling
   back would leave ~2 x N dead tuples and dead entries under the very ``source`` keys the run
   then inserts, each of which its unique checks would have to visit.) This is the database's
   floor for writing what the run writes, without reading the cursors, numbering or invoicing.
   After the run, the bare rows are compared with the run's, column by column.
5. The run: ``execute_run(db, run_id, chunk_size=--chunk-size (settings.billing_chunk_size),
   auto_issue=True, payment_terms_days=14)``, timed wall-clock. The peak RSS is the process's
   VmHWM, reset (``/proc/self/clear_refs``) just before the run and read after it; the RSS
   before the run (the app loaded) is printed beside it. CPU seconds are printed too, the
   bench process's and its PostgreSQL backends' (read from /proc: the server is local), for
   the run and the bare insert: on a shared machine they move much less than wall time.
6. Checks, cheaply, in SQL: 2 x N transactions, all invoiced, equal to the bare rows; one
   issued invoice per customer; invoice numbers 1..N with no gap or duplicate; the invoices'
   totals equal their lines'; one queued e-mail per invoice. Then a second run for the same
   period (timed) must create 0 transactions and 0 invoices.
7. Unless ``--no-profile``: where the time goes, from wrappers around ``bill_chunk``'s steps
   (``billing.run._recurring``, ``_invoice``, ``issue_invoices``, ...; patched in this process
   only, the backend is not modified) and SQLAlchemy cursor events: per step its wall time,
   the SQL statements' share, and the slowest statements with their first and last timings
   (a statement that grows from chunk to chunk shows there); "parse" is psycopg's client-side
   placeholder conversion inside the driver's execute (not cached for statements over 4,096
   characters or 50 parameters). Overhead: a few microseconds per statement and per e-mail.
   The server's ``autovacuum`` setting and the autovacuums during the run are printed: dead
   index entries left by earlier chunks slow later ones until a vacuum clears them.

The parent prints both sizes side by side and PASS when, for ``--services``: the run takes
< 120 s, run / bare <= 10 x, every check holds, and the peak RSS is <= 1.2 x the small size's.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_latency import (
    BIN,
    DEFAULT_ADMIN_URL,
    _run,
    app_env,
    check_services,
    create_database,
    drop_database,
    flush_redis,
)

TARGET_SECONDS = 120.0
TARGET_RATIO = 10.0
MEMORY_GROWTH = 1.2
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
PRICE, WHOLESALE, TAX = Decimal("20.00"), Decimal("8.00"), Decimal("10.00")


def _plain(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://", 1)


def default_chunk_size() -> int:
    from omnicrm.settings import Settings

    return int(Settings.model_fields["billing_chunk_size"].default)


# ----------------------------------------------------------------------------- memory ---


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return (kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    kb = _status_kb("VmHWM")
    return (kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


# ---------------------------------------------------------------------------- seeding ---


def dates() -> tuple[date, date]:
    """(period_end, start): the 1st of this month (UTC, billing's clock) and the 17th of the
    previous month."""
    today = datetime.now(UTC).date()
    period_end = today.replace(day=1)
    start = (period_end - timedelta(days=1)).replace(day=17)
    return period_end, start


def seed(db: Any, db_url: str, count: int, start: date) -> None:
    """The product through the ORM (its snapshot as a sale writes it), the rest in SQL."""
    import psycopg
    from psycopg.types.json import Json

    from omnicrm.catalog.models import BillingPeriod, Product
    from omnicrm.catalog.use_cases import price_snapshot_json

    with db.job_scope() as session:
        product = Product(
            product_name="Bench monthly",
            product_slug="bench-monthly",
            category="standalone",
            billing_period=BillingPeriod.monthly,
            currency="USD",
            retail_cost=PRICE,
            wholesale_cost=WHOLESALE,
            tax_percentage=TAX,
            postpaid_eligible=True,
        )
        session.add(product)
        session.flush()
        product_id = product.product_id
        snapshot = price_snapshot_json(product)
    started_at = datetime(start.year, start.month, start.day, tzinfo=UTC)
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
            "INSERT INTO service (customer_id, product_id, service_name, service_uuid, "
            "service_status, service_billed, wholesale_cost, retail_cost, price_snapshot, "
            "start_date, created_at, updated_at) "
            "SELECT customer_id, %(product)s, 'Bench mobile ' || customer_id, "
            "md5('bench-service-' || customer_id), 'active', true, %(wholesale)s, %(price)s, "
            "%(snapshot)s, %(start)s, %(start)s, %(start)s FROM customer ORDER BY customer_id",
            {
                "product": product_id,
                "wholesale": WHOLESALE,
                "price": PRICE,
                "snapshot": Json(snapshot),
                "start": started_at,
            },
        )
        conn.execute(
            "INSERT INTO billing_cursor (service_id, billed_through) "
            "SELECT service_id, %s FROM service ORDER BY service_id",
            (start,),
        )
    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# ------------------------------------------------------------------------------- bare ---

_COLUMNS = (
    "customer_id, service_id, billing_run_id, kind, description, period_start, period_end, "
    "currency, wholesale_amount, retail_amount, tax_percentage, tax_amount, "
    "paid_from_balance, source, void, created_at"
)

# What _recurring writes, computed by the database: from each cursor, the rest of its month
# (prorated by days / days in that month, half-up to the cent) and the next whole month.
_BARE_SQL = f"""
INSERT INTO bench_transaction ({_COLUMNS})
SELECT s.customer_id, s.service_id, %(run)s, 'recurring',
       'Monthly charge: ' || (s.price_snapshot ->> 'product_name') || ', '
           || p.start_day || ' to ' || (p.end_day - 1),
       p.start_day, p.end_day, s.price_snapshot ->> 'currency',
       round(s.wholesale_cost * p.days / p.period_days, 2),
       x.net, x.tax, round(x.net * x.tax / 100, 2),
       false, 'recurring:' || s.service_id || ':' || p.start_day, false, now()
FROM service s
JOIN billing_cursor c ON c.service_id = s.service_id
CROSS JOIN LATERAL (
    SELECT m.start_day, m.end_day, m.end_day - m.start_day AS days,
           (date_trunc('month', m.start_day::timestamp) + interval '1 month')::date
               - date_trunc('month', m.start_day::timestamp)::date AS period_days
    FROM (VALUES
        (c.billed_through,
         (date_trunc('month', c.billed_through::timestamp) + interval '1 month')::date),
        ((date_trunc('month', c.billed_through::timestamp) + interval '1 month')::date,
         (date_trunc('month', c.billed_through::timestamp) + interval '2 months')::date)
    ) AS m (start_day, end_day)
) p
CROSS JOIN LATERAL (
    SELECT round(s.retail_cost * p.days / p.period_days, 2) AS net,
           (s.price_snapshot ->> 'tax_percentage')::numeric AS tax
) x
WHERE s.service_status = 'active' AND s.service_billed AND s.retail_cost > 0
  AND c.billed_through <= %(as_of)s
"""


def bare_insert(db_url: str, run_id: int, as_of: date) -> tuple[float, int, float | None]:
    """Seconds for the INSERT ... SELECT and its COMMIT, the rows written, and the CPU seconds
    its PostgreSQL backend spent (None when unreadable)."""
    import psycopg

    with psycopg.connect(_plain(db_url)) as conn:
        conn.execute("CREATE TABLE bench_transaction (LIKE billing_transaction INCLUDING ALL)")
        for column, table in (
            ("customer_id", "customer"),
            ("service_id", "service"),
            ("billing_run_id", "billing_run"),
        ):
            conn.execute(
                f"ALTER TABLE bench_transaction ADD FOREIGN KEY ({column}) "
                f"REFERENCES {table} ({column})"
            )
        conn.commit()
        pid = conn.info.backend_pid
        cpu = _proc_cpu(pid)
        started = time.perf_counter()
        rows = conn.execute(_BARE_SQL, {"run": run_id, "as_of": as_of}).rowcount
        conn.commit()
        seconds = time.perf_counter() - started
        after = _proc_cpu(pid)
        return seconds, rows, (after - cpu if after is not None and cpu is not None else None)


# -------------------------------------------------------------------------------- CPU ---
# On a shared machine wall time depends on what else runs; CPU seconds much less. PostgreSQL
# runs on this host (127.0.0.1), so its backends' CPU is read from /proc as well.

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (None when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(db_url: str) -> dict[int, float]:
    """CPU seconds of every PostgreSQL backend connected to the bench database but ours."""
    import psycopg

    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        pids = [
            int(row[0])
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    found = {pid: _proc_cpu(pid) for pid in pids}
    return {pid: cpu for pid, cpu in found.items() if cpu is not None}


def backend_cpu_spent(before: dict[int, float], after: dict[int, float]) -> float | None:
    if not after:
        return None
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# ---------------------------------------------------------------------------- profile ---


class Profiler:
    """Exclusive wall time per wrapped step, and SQL time per (step, statement)."""

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []  # [step, time spent in nested steps]
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.sql_by_step: dict[str, float] = defaultdict(float)
        # (step, statement) -> [count, total, first, last, max]
        self.sql: dict[tuple[str, str], list[float]] = {}
        # Time inside the driver's execute spent by psycopg turning %(name)s placeholders into
        # $n on the client (not cached for statements > 4096 chars or > 50 parameters).
        self.parse_by_step: dict[str, float] = defaultdict(float)
        self.parse_calls = 0
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, step: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append([step, 0.0])
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                _, nested = self.stack.pop()
                self.wall[step] += spent - nested
                self.calls[step] += 1
                if self.stack:
                    self.stack[-1][1] += spent

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def wrap_parse(self, owner: Any, name: str) -> None:
        """Time ``owner.name`` into ``parse_by_step`` (it runs inside a statement's execute,
        so it stays out of the step stack)."""
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                step = self.stack[-1][0] if self.stack else "(run bookkeeping)"
                self.parse_by_step[step] += time.perf_counter() - started
                self.parse_calls += 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def listen(self, engine: Any) -> None:
        from sqlalchemy import event

        def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            conn.info["bench_started"] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            spent = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            step = self.stack[-1][0] if self.stack else "(run bookkeeping)"
            label = " ".join(statement.split())[:110]
            entry = self.sql.setdefault((step, label), [0, 0.0, spent, spent, 0.0])
            entry[0] += 1
            entry[1] += spent
            entry[3] = spent
            entry[4] = max(entry[4], spent)
            self.sql_by_step[step] += spent

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        self._undo.append((engine, "__events__", (before, after)))

    def undo(self) -> None:
        from sqlalchemy import event

        for owner, name, original in reversed(self._undo):
            if name == "__events__":
                event.remove(owner, "before_cursor_execute", original[0])
                event.remove(owner, "after_cursor_execute", original[1])
            else:
                setattr(owner, name, original)
        self._undo.clear()

    def report(self) -> dict[str, Any]:
        steps: list[dict[str, Any]] = [
            {
                "step": step,
                "calls": self.calls.get(step, 0),
                "wall": self.wall.get(step, 0.0),
                "sql": self.sql_by_step.get(step, 0.0),
                "parse": self.parse_by_step.get(step, 0.0),
            }
            for step in set(self.wall) | set(self.sql_by_step)
        ]
        statements: list[dict[str, Any]] = [
            {
                "step": step,
                "sql": label,
                "count": int(v[0]),
                "total": v[1],
                "first": v[2],
                "last": v[3],
                "max": v[4],
            }
            for (step, label), v in self.sql.items()
        ]
        return {
            "parse_calls": self.parse_calls,
            "steps": sorted(steps, key=lambda s: -s["wall"]),
            "statements": sorted(statements, key=lambda s: -s["total"])[:14],
        }


def instrument(db: Any) -> Profiler:
    import psycopg._queries

    import omnicrm.billing.invoices as invoices
    import omnicrm.billing.run as run
    import omnicrm.core.db as core_db
    from omnicrm.notifications.tasks import deliver_notifications

    profiler = Profiler()
    for owner, name, step in (
        (run, "_next_customers", "_next_customers"),
        (run, "_serialise", "_serialise (advisory lock)"),
        (run, "_open_missing_cursors", "_open_missing_cursors"),
        (run, "_recurring", "_recurring"),
        (run, "_usage", "_usage"),
        (run, "_invoice", "_invoice"),
        (run, "issue_invoices", "issue_invoices"),
        (invoices, "_mail_issued", "_mail_issued"),
        (invoices, "queue_emails", "queue_emails (+ publish)"),
        (core_db, "commit", "commit (+ activity rows)"),
        (run, "_insert_once", "_insert_once (COPY + INSERT ... SELECT)"),
        (deliver_notifications, "send", "deliver_notifications.send (Redis, per 500)"),
    ):
        profiler.wrap(owner, name, step)
    profiler.wrap_parse(psycopg._queries, "_query2pg_nocache")
    assert db.engine is not None
    profiler.listen(db.engine)
    return profiler


# ------------------------------------------------------------------------------ check ---


def checks(db_url: str, run_id: int, count: int) -> dict[str, list[Any]]:
    """name -> [passed, found, expected]."""
    import psycopg

    out: dict[str, list[Any]] = {}

    def check(name: str, found: Any, expected: Any) -> None:
        out[name] = [found == expected, found, expected]

    with psycopg.connect(_plain(db_url)) as conn:

        def one(sql: str, *params: Any) -> Any:
            row = conn.execute(sql, params).fetchone()
            assert row is not None
            return row[0]

        check(
            "transactions = 2 x services",
            one("SELECT count(*) FROM billing_transaction WHERE billing_run_id = %s", run_id),
            2 * count,
        )
        check(
            "uninvoiced transactions",
            one("SELECT count(*) FROM billing_transaction WHERE invoice_id IS NULL"),
            0,
        )
        columns = (
            "customer_id, service_id, kind, description, period_start, period_end, currency, "
            "wholesale_amount, retail_amount, tax_percentage, tax_amount"
        )
        check(
            "rows differing from the bare ones",
            one(
                f"SELECT count(*) FROM (SELECT source, {columns} FROM billing_transaction "
                f"EXCEPT SELECT source, {columns} FROM bench_transaction) d"
            ),
            0,
        )
        check(
            "issued invoices = customers",
            one(
                "SELECT count(*) FROM invoice WHERE billing_run_id = %s AND kind = 'invoice' "
                "AND status = 'issued' AND invoice_number IS NOT NULL",
                run_id,
            ),
            count,
        )
        check(
            "customers without exactly one invoice",
            one(
                "SELECT count(*) FROM customer c WHERE (SELECT count(*) FROM invoice i "
                "WHERE i.customer_id = c.customer_id) <> 1"
            ),
            0,
        )
        lo, hi, n, distinct = conn.execute(  # type: ignore[misc]
            "SELECT min(split_part(invoice_number, '-', 3)::int), "
            "max(split_part(invoice_number, '-', 3)::int), count(*), "
            "count(DISTINCT invoice_number) FROM invoice"
        ).fetchone()
        check("invoice numbers min, max, count, distinct", [lo, hi, n, distinct], [1, n, n, n])
        check(
            "invoices whose totals differ from their lines",
            one(
                "SELECT count(*) FROM invoice i JOIN (SELECT invoice_id, sum(retail_amount) s, "
                "sum(tax_amount) t FROM billing_transaction GROUP BY invoice_id) l "
                "USING (invoice_id) WHERE i.subtotal <> l.s OR i.tax_total <> l.t "
                "OR i.total <> l.s + l.t"
            ),
            0,
        )
        check(
            "queued invoice e-mails",
            one(
                "SELECT count(*) FROM notification WHERE template = 'invoice_issued' "
                "AND status = 'queued'"
            ),
            count,
        )
    return out


def autovacuums(db_url: str) -> dict[str, Any]:
    """The server's ``autovacuum`` setting and, per table, [autovacuums, autoanalyzes] so far:
    autovacuum clearing dead index entries of ``invoice`` mid-run changes how fast the later
    chunks go."""
    import psycopg

    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        setting = conn.execute("SHOW autovacuum").fetchone()
        rows = conn.execute(
            "SELECT relname, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables "
            "WHERE relname IN ('invoice', 'billing_transaction', 'billing_cursor', "
            "'notification') ORDER BY relname"
        ).fetchall()
    return {
        "setting": setting[0] if setting else "?",
        "tables": {str(name): [int(vacuums), int(analyzes)] for name, vacuums, analyzes in rows},
    }


# ------------------------------------------------------------------------ one size ---


def one_size(args: argparse.Namespace) -> dict[str, Any]:
    """Everything for ``args.one`` services in this process; the figures."""
    count = args.one
    os.environ["REDIS_URL"] = args.redis_url  # read when omnicrm.core.jobs is first imported
    flush_redis(args.redis_url)
    db_name, db_url = create_database(args.admin_url)
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-billing-"))
    result: dict[str, Any] = {"services": count, "chunk_size": args.chunk_size}
    try:
        env = app_env(db_url, args.redis_url, tmp, "WARNING")
        _run([str(BIN / "omnicrm"), "db", "upgrade"], env)

        from omnicrm import create_app
        from omnicrm.billing.run import execute_run, request_run
        from omnicrm.settings import Settings

        settings = Settings(
            env="production",
            database_url=db_url,
            redis_url=args.redis_url,
            secret_key=env["SECRET_KEY"],
            instance_path=tmp / "instance",
            log_level="WARNING",
        )
        app = create_app(settings)
        with app.app_context():
            db = app.extensions["omnicrm_db"]
            period_end, start = dates()
            started = time.perf_counter()
            seed(db, db_url, count, start)
            say(
                f"[{count:,}] seeded in {time.perf_counter() - started:.1f} s "
                f"(services from {start}, run to {period_end})"
            )

            with db.job_scope() as session:
                run_id = request_run(
                    session, period_end=period_end, customer_id=None, user_id=None
                ).billing_run_id
            bare_seconds, bare_rows, bare_cpu = bare_insert(db_url, run_id, period_end)
            say(f"[{count:,}] bare INSERT ... SELECT: {bare_rows:,} rows in {bare_seconds:.2f} s")

            profiler = None if args.no_profile else instrument(db)
            marks: list[float] = []

            def progress(run: Any) -> None:
                marks.append(time.perf_counter())
                if count and sys.stderr.isatty():
                    done = min(1.0, run.processed / count)
                    print(
                        f"\r  [{'#' * int(30 * done):<30}] {run.processed:>9,} customers",
                        end="",
                        flush=True,
                        file=sys.stderr,
                    )

            rss_before = rss_mb()
            peak_reset = reset_peak()
            pg_before = backend_cpu(db_url)
            cpu_before = self_cpu()
            started = time.perf_counter()
            run = execute_run(
                db,
                run_id,
                chunk_size=args.chunk_size,
                auto_issue=True,
                payment_terms_days=14,
                on_progress=progress,
            )
            run_seconds = time.perf_counter() - started
            run_cpu = self_cpu() - cpu_before
            peak = peak_mb()
            run_pg_cpu = backend_cpu_spent(pg_before, backend_cpu(db_url))
            if sys.stderr.isatty():
                print(file=sys.stderr)
            if profiler is not None:
                profiler.undo()
                result["profile"] = profiler.report()
            # marks: the start, one per chunk, the end
            chunks = [b - a for a, b in itertools.pairwise(marks)][:-1]
            say(f"[{count:,}] run: {run_seconds:.1f} s, peak RSS {peak:.0f} MB")

            result.update(
                run_status=str(run.status),
                transactions=run.transactions_created,
                invoices=run.invoices_created,
                run_seconds=run_seconds,
                rss_before_mb=rss_before,
                peak_mb=peak,
                peak_reset=peak_reset,
                bare_seconds=bare_seconds,
                bare_pg_cpu=bare_cpu,
                run_cpu=run_cpu,
                run_pg_cpu=run_pg_cpu,
                bare_rows=bare_rows,
                chunk_seconds=chunks,
                checks=checks(db_url, run_id, count),
                autovacuum=autovacuums(db_url),
            )

            with db.job_scope() as session:
                again_id = request_run(
                    session, period_end=period_end, customer_id=None, user_id=None
                ).billing_run_id
            profiler = None if args.no_profile else instrument(db)
            started = time.perf_counter()
            again = execute_run(
                db, again_id, chunk_size=args.chunk_size, auto_issue=True, payment_terms_days=14
            )
            rerun_seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.undo()
                result["rerun_profile"] = profiler.report()
            result.update(
                rerun_seconds=rerun_seconds,
                rerun_transactions=again.transactions_created,
                rerun_invoices=again.invoices_created,
            )
            assert db.engine is not None
            db.engine.dispose()
        return result
    finally:
        # A second Ctrl-C (or the parent's SIGTERM) must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        drop_database(args.admin_url, db_name)
        flush_redis(args.redis_url)
        shutil.rmtree(tmp, ignore_errors=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- parent ---


def run_size(count: int, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="omnicrm-bench-billing-", suffix=".json") as out:
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(count),
            "--result",
            out.name,
            "--chunk-size",
            str(args.chunk_size),
            "--admin-url",
            args.admin_url,
            "--redis-url",
            args.redis_url,
        ]
        if args.no_profile:
            cmd.append("--no-profile")
        child = subprocess.Popen(cmd)
        try:
            returncode = child.wait()
        except BaseException:  # Ctrl-C (the child got it too) or SIGTERM: let it clean up
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    child.kill()
            raise
        if returncode != 0:
            raise SystemExit(f"error: the {count:,}-service run failed ({returncode})")
        return dict(json.loads(Path(out.name).read_text()))


def print_profile(r: dict[str, Any]) -> None:
    profile = r.get("profile")
    if not profile:
        return
    total = r["run_seconds"]
    print(
        f"\nwhere the {r['services']:,}-service run's {total:.1f} s go "
        f"(exclusive wall time per step; SQL = time in the database driver's execute):"
    )
    print(
        f"  {'step':<36} {'calls':>6} {'wall s':>8} {'SQL s':>8} {'parse s':>8} "
        f"{'other s':>8} {'share':>6}"
    )
    for s in profile["steps"]:
        print(
            f"  {s['step']:<36} {s['calls']:>6} {s['wall']:>8.2f} {s['sql']:>8.2f} "
            f"{s['parse']:>8.2f} {s['wall'] - s['sql']:>8.2f} {100 * s['wall'] / total:>5.1f}%"
        )
    parse = sum(s["parse"] for s in profile["steps"])
    print(
        f"  (SQL s includes 'parse s': {parse:.2f} s in {profile['parse_calls']} calls of "
        "psycopg's client-side placeholder conversion, _queries._query2pg_nocache, for "
        "statements too long to cache; 'other s' is Python outside the driver)"
    )
    print("  slowest statements (total s, count, first / last / max ms):")
    for s in profile["statements"]:
        print(
            f"  {s['total']:>7.2f} {s['count']:>6}  {1000 * s['first']:>7.1f} "
            f"{1000 * s['last']:>7.1f} {1000 * s['max']:>7.1f}  [{s['step']}] {s['sql']}"
        )


def summary(results: list[dict[str, Any]]) -> bool:
    print()
    head = f"{'':34}" + "".join(f"{r['services']:>14,}" for r in results)
    print(head + "   (services)")

    def row(label: str, fmt: str, key: Any) -> None:
        def cell(r: dict[str, Any]) -> str:
            try:
                return format(key(r), fmt)
            except (TypeError, ZeroDivisionError):
                return "n/a"  # a CPU figure that could not be read

        cells = "".join(cell(r).rjust(14) for r in results)
        print(f"{label:34}{cells}")

    row("transactions", ",", lambda r: r["transactions"])
    row("invoices", ",", lambda r: r["invoices"])
    row("run (s)", ".1f", lambda r: r["run_seconds"])
    row("services/s", ",.0f", lambda r: r["services"] / r["run_seconds"])
    row("invoices/s", ",.0f", lambda r: r["invoices"] / r["run_seconds"])
    row("RSS before the run (MB)", ".0f", lambda r: r["rss_before_mb"])
    row("peak RSS during the run (MB)", ".0f", lambda r: r["peak_mb"])
    row("bare INSERT ... SELECT (s)", ".2f", lambda r: r["bare_seconds"])
    row("run / bare", ".1f", lambda r: r["run_seconds"] / r["bare_seconds"])
    row("CPU s: run, this process", ".1f", lambda r: r["run_cpu"])
    row("       run, PostgreSQL", ".1f", lambda r: r["run_pg_cpu"])
    row("       bare, PostgreSQL", ".2f", lambda r: r["bare_pg_cpu"])
    row(
        "run / bare in CPU s",
        ".1f",
        lambda r: (r["run_cpu"] + r["run_pg_cpu"]) / r["bare_pg_cpu"],
    )
    row("chunk s: first", ".2f", lambda r: r["chunk_seconds"][0])
    row("         median", ".2f", lambda r: statistics.median(r["chunk_seconds"]))
    row("         last", ".2f", lambda r: r["chunk_seconds"][-1])
    row("         max", ".2f", lambda r: max(r["chunk_seconds"]))
    row("same period again (s)", ".2f", lambda r: r["rerun_seconds"])
    row(
        "  its transactions, invoices",
        "",
        lambda r: f"{r['rerun_transactions']}, {r['rerun_invoices']}",
    )

    big = results[-1]
    failed = []
    for r in results:
        for name, (passed, found, expected) in r["checks"].items():
            if not passed:
                failed.append(f"{r['services']:,}: {name}: {found} (expected {expected})")
        if r["rerun_transactions"] or r["rerun_invoices"]:
            failed.append(f"{r['services']:,}: the second run wrote something")
        if r["bare_rows"] != r["transactions"]:
            failed.append(f"{r['services']:,}: bare wrote {r['bare_rows']:,} rows")
    print(
        f"\nchecks: {'all hold' if not failed else 'FAILED'} "
        f"({', '.join(results[-1]['checks'])}; second run writes nothing)"
    )
    for line in failed:
        print(f"  {line}")
    for r in results:
        vacuum = r["autovacuum"]
        done = ", ".join(f"{t} {v}/{a}" for t, (v, a) in vacuum["tables"].items())
        print(
            f"autovacuum = {vacuum['setting']} on this server; autovacuums/autoanalyzes by the "
            f"end of the {r['services']:,} run: {done}"
        )
    print_profile(big)
    rerun = big.get("rerun_profile")
    if rerun:
        top = ", ".join(f"{s['step']} {s['wall']:.2f} s" for s in rerun["steps"][:3])
        print(f"  the same period again ({big['rerun_seconds']:.2f} s): {top}")
        for s in rerun["statements"][:2]:
            print(
                f"    {s['total']:>6.2f} s {s['count']:>5}x, first {1000 * s['first']:.1f} ms, "
                f"last {1000 * s['last']:.1f} ms  {s['sql']}"
            )

    ratio = big["run_seconds"] / big["bare_seconds"]
    fast = big["run_seconds"] < TARGET_SECONDS
    print()
    print(
        f"run {big['run_seconds']:.1f} s for {big['services']:,} services: "
        f"{'<' if fast else '>='} {TARGET_SECONDS:.0f} s"
    )
    print(f"run / bare: {ratio:.1f}x (target <= {TARGET_RATIO:.0f}x)")
    flat = True
    if len(results) > 1:
        small = results[0]
        growth = big["peak_mb"] / small["peak_mb"]
        flat = growth <= MEMORY_GROWTH
        print(
            f"peak RSS {big['services']:,} vs {small['services']:,}: {big['peak_mb']:.0f} / "
            f"{small['peak_mb']:.0f} MB = {growth:.2f}x (target <= {MEMORY_GROWTH}x); above the "
            f"RSS before the run: +{big['peak_mb'] - big['rss_before_mb']:.0f} / "
            f"+{small['peak_mb'] - small['rss_before_mb']:.0f} MB"
        )
    targets = {
        f"run < {TARGET_SECONDS:.0f} s": fast,
        f"run <= {TARGET_RATIO:.0f}x the bare INSERT": ratio <= TARGET_RATIO,
        f"peak memory <= {MEMORY_GROWTH}x the small size's": flat,
        "checks": not failed,
    }
    passed = all(targets.values())
    missed = [name for name, met in targets.items() if not met]
    print(
        f"{'PASS' if passed else 'FAIL'}: {', '.join(targets)}"
        + (f"; missed: {', '.join(missed)}" if missed else "")
        + f" ({os.cpu_count()} CPUs, chunks of {big['chunk_size']:,}, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Billing run throughput on PostgreSQL beside a bare INSERT ... SELECT"
    )
    parser.add_argument("--services", type=int, default=100_000, help="services (= customers)")
    parser.add_argument(
        "--small", type=int, default=10_000, help="the size whose peak memory is compared (0: none)"
    )
    parser.add_argument("--chunk-size", type=int, default=None, help="default: the setting's")
    parser.add_argument("--admin-url", default=os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--no-profile", action="store_true", help="no per-step timings")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()

    scheme = args.admin_url.split(":", 1)[0]
    if scheme.startswith("sqlite"):
        raise SystemExit(
            "error: bench/billing_run.py measures the billing run on PostgreSQL, the production "
            "database; SQLite (embedded mode) is not supported. Set --admin-url or PG_ADMIN_URL "
            "to a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres"
        )
    if not scheme.startswith("postgres"):
        raise SystemExit(f"error: --admin-url must be a postgresql:// URL, not {scheme}://")
    if args.chunk_size is None:
        args.chunk_size = default_chunk_size()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.one:
        result = one_size(args)
        Path(args.result).write_text(json.dumps(result, default=str))
        return 0

    check_services(args.admin_url, args.redis_url)
    sizes = [args.services]
    if 0 < args.small < args.services:
        sizes.insert(0, args.small)
    results = [run_size(size, args) for size in sizes]
    return 0 if summary(results) else 1


if __name__ == "__main__":
    sys.exit(main())
