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
    assert "seeded stock: 25 SIM cards, 25 numbers, 5 routers" in seeded.output
    again_seeded = run("seed-demo").output
    assert "demo users already exist" in again_seeded
    assert "seeded stock" not in again_seeded
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


def test_provision_watch_list_and_reap(env):
    """`omnicrm provision watch` follows a job to its end with a progress bar (exit 0 only on
    Success); `list` shows jobs; `reap` finds no dead worker's job."""
    from omnicrm.cli import _app
    from omnicrm.customers.models import Customer
    from omnicrm.extensions import get_db
    from omnicrm.provisioning import use_cases as uc
    from omnicrm.provisioning.tasks import JobRun
    from tests.factories import ProductFactory, bind

    assert run("db", "upgrade").exit_code == 0
    app = _app()
    jobs = {}
    with app.app_context():
        for play in ("provision_smoke", "provision_fail"):
            with get_db().job_scope() as session:
                bind(session)
                customer = Customer(customer_name="CLI Ltd", email=f"{play}@example.net")
                session.add(customer)
                product = ProductFactory(provisioning_play=play, inventory_items_list=[])
                session.flush()
                jobs[play] = uc.create_provision(
                    session,
                    customer_id=customer.customer_id,
                    product_id=product.product_id,
                    config=uc.PlayConfig.from_settings(app.extensions["omnicrm_settings"]),
                ).provision_id
            JobRun(app.extensions["omnicrm_settings"], jobs[play]).run()

    watched = run("provision", "watch", str(jobs["provision_smoke"]))
    assert watched.exit_code == 0, watched.output
    assert "1. Prepare smoke record" in watched.output
    assert "4. Write smoke record" in watched.output
    assert f"job {jobs['provision_smoke']}: Success" in watched.output
    failed = run("provision", "watch", str(jobs["provision_fail"]))
    assert failed.exit_code == 1
    assert "HSS refused the subscriber" in failed.output
    listed = run("provision", "list", "--status", "2")
    assert str(jobs["provision_fail"]) in listed.output
    assert f"{jobs['provision_smoke']:>8}  Success" not in listed.output
    assert "0 job(s) handled" in run("provision", "reap").output
