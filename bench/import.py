"""Subscriber import throughput (ManyRegister): a CSV imported through the real engine on
PostgreSQL, beside a bare ``COPY`` of the same file into an unindexed table, and the import's
peak memory at two sizes.

    .venv/bin/python bench/import.py [--rows 100000 --small 10000 --sale-rows 10000]
    make bench-import BENCH_ARGS="--rows 20000 --small 2000 --sale-rows 2000"

Each scenario runs in a process of its own (so each peak RSS is its own) and cleans up after
itself (also on Ctrl-C):
1. Creates the PostgreSQL database ``omnicrm_bench_<random>`` (PG_ADMIN_URL, default
   postgresql://postgres@127.0.0.1:5432/postgres), runs ``omnicrm db upgrade`` and builds the
   app in-process (ENV=production, Redis db 14 flushed before and after, so the messages the
   rows cause go to Redis as in production).
2. Writes the CSV: ``external_id, customer_name, email, phone`` per customer; the ``sales``
   scenario adds ``product_slug, sim_iccid`` on every row, with that many SIM cards seeded in
   SQL and a tariff without an activation play (so every sale is the whole GetSim unit of work).
3. Bare: ``COPY`` of the file into ``bench_copy`` (text columns, no index), timed: the
   database's floor for taking these bytes in.
4. The import: ``start_import`` (structure check, hash) then ``run_import`` (chunks of
   IMPORT_CHUNK_SIZE), timed end to end; peak RSS (VmHWM reset just before).
5. Checks: every row created, none failed; as many customers (and contracts) as rows.

Prints rows/s, the ratio to ``COPY`` and the peak memory per size. Targets (docs/imports.md):
**>= 5,000 customer rows/s end to end, peak < 300 MB and flat in file size (large vs small
<= 1.2 x)**.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_latency import (
    BIN,
    DEFAULT_ADMIN_URL,
    _run,
    app_env,
    create_database,
    drop_database,
    flush_redis,
)
from billing_run import _plain, peak_mb, reset_peak, rss_mb, say

DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
TARGET_ROWS_PER_S = 5000.0


def write_csv(path: Path, rows: int, *, sales: bool, iccids: list[str]) -> None:
    with path.open("w") as out:
        out.write("external_id,customer_name,email,phone")
        out.write(",product_slug,sim_iccid\n" if sales else "\n")
        for n in range(rows):
            phone = f"+1202{230 + n // 10000:03d}{n % 10000:04d}"  # valid and distinct
            out.write(f"B-{n},Bench Customer {n},bench{n}@example.com,{phone}")
            out.write(f",bench-plan,{iccids[n]}\n" if sales else "\n")


def seed_stock(db: Any, db_url: str, count: int) -> list[str]:
    """``count`` SIM cards (COPY) and a tariff binding one; their ICCIDs."""
    import psycopg

    from omnicrm.catalog.models import Product
    from omnicrm.inventory.validation import luhn_check_digit

    def iccid(n: int) -> str:
        body = f"8999{n:014d}"
        return body + luhn_check_digit(body)

    serials = [iccid(n) for n in range(count)]
    with psycopg.connect(_plain(db_url)) as conn:
        template = conn.execute(
            "SELECT inventory_template_id FROM inventory_template WHERE item = 'SIM Card'"
        ).fetchone()
        assert template is not None
        with conn.cursor().copy(
            "COPY inventory (inventory_template_id, serial, item_state, itemtext1, itemtext2, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for n, serial in enumerate(serials):
                copy.write_row(
                    (template[0], serial, "new", serial, f"001010{n:09d}", "now()", "now()")
                )
        conn.commit()
    with db.job_scope() as session:
        session.add(
            Product(
                product_name="Bench plan",
                product_slug="bench-plan",
                category="standalone",
                retail_cost=10,
                inventory_items_list=["SIM Card"],
            )
        )
    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return serials


def bare_copy(db_url: str, path: Path, sales: bool) -> float:
    import psycopg

    columns = "external_id, customer_name, email, phone" + (
        ", product_slug, sim_iccid" if sales else ""
    )
    with psycopg.connect(_plain(db_url)) as conn:
        conn.execute(
            "CREATE TABLE bench_copy (external_id text, customer_name text, email text, "
            "phone text, product_slug text, sim_iccid text)"
        )
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor().copy(
                f"COPY bench_copy ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            path.open("rb") as data,
        ):
            while block := data.read(1 << 16):
                copy.write(block)
        conn.commit()
        return time.perf_counter() - started


def one(args: argparse.Namespace) -> dict[str, Any]:
    rows, sales = args.one, args.sales
    os.environ["REDIS_URL"] = args.redis_url  # read when omnicrm.core.jobs is first imported
    flush_redis(args.redis_url)
    db_name, db_url = create_database(args.admin_url)
    tmp = Path(tempfile.mkdtemp(prefix="omnicrm-bench-import-"))
    result: dict[str, Any] = {"rows": rows, "sales": sales}
    try:
        env = app_env(db_url, args.redis_url, tmp, "WARNING")
        _run([str(BIN / "omnicrm"), "db", "upgrade"], env)

        from omnicrm import create_app
        from omnicrm.imports.use_cases import run_import, start_import
        from omnicrm.settings import Settings

        settings = Settings(
            env="production",
            database_url=db_url,
            redis_url=args.redis_url,
            secret_key=env["SECRET_KEY"],
            instance_path=tmp / "instance",
            log_level="WARNING",
            import_max_bytes=1 << 30,
        )
        app = create_app(settings)
        with app.app_context():
            db = app.extensions["omnicrm_db"]
            with db.job_scope() as session:
                from omnicrm.inventory import use_cases as inv

                inv.sync_inventory_templates(session)
            iccids = seed_stock(db, db_url, rows) if sales else []
            path = tmp / "subscribers.csv"
            write_csv(path, rows, sales=sales, iccids=iccids)
            result["bytes"] = path.stat().st_size
            result["copy_s"] = bare_copy(db_url, path, sales)
            say(f"[{rows:,}{' sales' if sales else ''}] bare COPY: {result['copy_s']:.2f} s")

            rss_before = rss_mb()
            result["peak_reset"] = reset_peak()
            started = time.perf_counter()
            with db.job_scope() as session, path.open("rb") as stream:
                import_id = start_import(
                    session, settings, stream=stream, filename="bench.csv", dry_run=False,
                    user_id=None,
                ).import_id  # fmt: skip

            def show(body: dict[str, Any]) -> None:
                if sys.stderr.isatty():
                    done = body["processed"] / max(body["total"], 1)
                    bar = "#" * int(30 * done)
                    print(f"\r  [{bar:<30}] {body['processed']:>9,} rows", end="", file=sys.stderr)

            status = run_import(
                db, settings, import_id, region="US", chunk=settings.import_chunk_size,
                on_progress=show,
            )  # fmt: skip
            result["import_s"] = time.perf_counter() - started
            if sys.stderr.isatty():
                print(file=sys.stderr)
            result["peak_mb"] = peak_mb()
            result["rss_before_mb"] = rss_before
            import psycopg

            with psycopg.connect(_plain(db_url)) as conn:
                job = conn.execute(
                    "SELECT status, row_count, created, failed FROM import_job "
                    "WHERE import_id = %s",
                    (import_id,),
                ).fetchone()
                customers = conn.execute(
                    "SELECT count(*) FROM customer WHERE external_id LIKE 'B-%%'"
                ).fetchone()
                contracts = conn.execute("SELECT count(*) FROM contract").fetchone()
            assert job is not None and customers is not None and contracts is not None
            result["checks"] = {
                "status": (str(status.value), job[0]),
                "created": (rows, job[2]),
                "failed": (0, job[3]),
                "customers": (rows, customers[0]),
                "contracts": (rows if sales else 0, contracts[0]),
            }
    finally:
        drop_database(args.admin_url, db_name)
        flush_redis(args.redis_url)
    return result


def run_child(args: argparse.Namespace, rows: int, sales: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="omnicrm-bench-import-", suffix=".json") as out:
        cmd = [sys.executable, __file__, "--one", str(rows), "--result", out.name]
        cmd += ["--admin-url", args.admin_url, "--redis-url", args.redis_url]
        if sales:
            cmd.append("--sales")
        child = subprocess.Popen(cmd)
        try:
            code = child.wait()
        except BaseException:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=120)
            raise
        if code != 0:
            raise SystemExit(f"error: the {rows:,}-row run failed ({code})")
        return dict(json.loads(Path(out.name).read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="customer rows (large size)")
    parser.add_argument("--small", type=int, default=10_000, help="customer rows (small size)")
    parser.add_argument("--sale-rows", type=int, default=10_000, help="rows that sell contracts")
    parser.add_argument("--admin-url", default=os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sales", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        Path(args.result).write_text(json.dumps(one(args)))
        return 0
    if args.admin_url.startswith("sqlite"):
        raise SystemExit("bench/import.py measures PostgreSQL (the production database)")
    results = [
        run_child(args, args.small, False),
        run_child(args, args.rows, False),
        run_child(args, args.sale_rows, True),
    ]
    ok = True
    print()
    print(f"{'scenario':<22}{'rows':>9}{'import s':>10}{'rows/s':>9}{'COPY s':>8}"
          f"{'x COPY':>8}{'peak MB':>9}")  # fmt: skip
    for r in results:
        rate = r["rows"] / r["import_s"]
        label = "customers + contracts" if r["sales"] else "customers"
        print(
            f"{label:<22}{r['rows']:>9,}{r['import_s']:>10.2f}{rate:>9,.0f}{r['copy_s']:>8.2f}"
            f"{r['import_s'] / r['copy_s']:>8.1f}{r['peak_mb']:>9.0f}"
        )
        for name, (want, got) in r["checks"].items():
            if want != got:
                ok = False
                print(f"  CHECK FAILED {name}: expected {want}, got {got}")
    small, large = results[0], results[1]
    growth = large["peak_mb"] / small["peak_mb"]
    rate = large["rows"] / large["import_s"]
    print()
    print(f"customer rows/s: {rate:,.0f} (target >= {TARGET_ROWS_PER_S:,.0f}): "
          f"{'met' if rate >= TARGET_ROWS_PER_S else 'NOT met'}")  # fmt: skip
    flat = growth <= 1.2 and large["peak_mb"] < 300
    print(f"peak memory: {large['peak_mb']:.0f} MB at {large['rows']:,} rows, "
          f"{small['peak_mb']:.0f} MB at {small['rows']:,}: x{growth:.2f} (target <= 1.2, "
          f"< 300 MB): {'met' if flat else 'NOT met'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
