"""Run a command against a throwaway PostgreSQL database, dropped afterwards (also on Ctrl-C).

    .venv/bin/python scripts/with_test_db.py --prefix omnicrm_test \
        --redis-url redis://127.0.0.1:6379/15 -- .venv/bin/python -m pytest

Creates ``<prefix>_<random>`` through ``PG_ADMIN_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), exports ``DATABASE_URL`` (psycopg 3 driver)
and ``REDIS_URL`` to the command, and exits with the command's status. It talks to PostgreSQL
with psycopg, so it works without psql/createdb (e.g. PostgreSQL in a container).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin_url() -> str:
    return os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL)


def _connect(admin_url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        shown = make_url(admin_url).render_as_string(hide_password=True)
        raise SystemExit(
            f"error: cannot reach PostgreSQL at {shown} ({str(exc).strip().splitlines()[0]}).\n"
            "       Start it (Debian: pg_ctlcluster <version> main start) or set PG_ADMIN_URL."
        ) from exc


def create_database(prefix: str, admin_url: str | None = None) -> tuple[str, str]:
    """Create ``<prefix>_<random>``; return (name, SQLAlchemy URL for it)."""
    admin_url = admin_url or _admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return name, url.render_as_string(hide_password=False)


def drop_database(name: str, admin_url: str | None = None) -> None:
    with _connect(admin_url or _admin_url()) as conn:
        # WITH (FORCE) (PostgreSQL 13+) ends sessions a killed test run may have left behind.
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"error: cannot reach Redis at {url} ({exc}).\n"
            "       Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
            '--save "" --appendonly no'
        ) from exc


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--prefix", default="omnicrm_test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    _check_redis(args.redis_url)
    name, url = create_database(args.prefix)
    print(f"with_test_db: created database {name}; REDIS_URL={args.redis_url}", flush=True)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis_url}
    # SIGTERM (e.g. CI cancelling the job) must still reach the `finally` that drops the DB.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return subprocess.call(command, env=env)  # noqa: S603 (the caller's own command)
    except KeyboardInterrupt:
        return 130
    finally:
        drop_database(name)
        print(f"with_test_db: dropped database {name}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
