"""The `omnicrm` command on a scratch embedded install: upgrade, admin, seed, audit verify."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from omnicrm.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    # The CLI reads Settings from the environment, like a user's shell.
    values = {
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "REDIS_URL": "",
        "SECRET_KEY": "k" * 40,
        "LOG_LEVEL": "WARNING",
        "BCRYPT_ROUNDS": "4",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_upgrade_admin_seed_and_verify(env):
    assert run("db", "upgrade").exit_code == 0
    created = run("create-admin", "--email", "ops@example.com", "--password", "a strong password")
    assert created.exit_code == 0, created.output
    again = run("create-admin", "--email", "ops@example.com", "--password", "a strong password")
    assert again.exit_code != 0 and "already exists" in again.output
    seeded = run("seed-demo", "--customers", "5")
    assert seeded.exit_code == 0
    assert "admin@demo.omnicrm.local" in seeded.output  # generated credentials are printed once
    assert "demo users already exist" in run("seed-demo").output
    assert (env / "demo-credentials.txt").stat().st_mode & 0o777 == 0o600
    verified = run("activity", "verify")
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output


def test_verify_flags_a_tampered_row(env):
    run("db", "upgrade")
    run("create-admin", "--email", "ops@example.com", "--password", "a strong password")
    db = sqlite3.connect(env / "cli.db")
    triggers = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for name in triggers:  # an attacker with DB access removes the guard first
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute(
        "UPDATE activity SET object_id = 'forged'"
        " WHERE activity_id = (SELECT min(activity_id) FROM activity)"
    )
    db.commit()
    result = CliRunner().invoke(main, ["activity", "verify"])
    assert result.exit_code == 1
    assert "altered rows" in result.output
