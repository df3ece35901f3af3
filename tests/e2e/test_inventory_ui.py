"""Inventory in a real browser: a CSV of SIM cards is validated, imported with a progress bar,
and shows up in the stock dashboard; a broken file shows its row errors and writes nothing."""

from __future__ import annotations

import random
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


def _iccid() -> str:
    body = "89" + "".join(str(random.randint(0, 9)) for _ in range(16))
    digits = [int(d) for d in body]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return body + str((10 - total % 10) % 10)


def _imsi() -> str:
    return "50501" + "".join(str(random.randint(0, 9)) for _ in range(10))


@pytest.fixture
def stock_manager(app, database):
    from omnicrm.auth.deps import auth_deps
    from omnicrm.auth.use_cases import create_user

    email = f"e2e-inv-{uuid.uuid4().hex[:8]}@example.com"
    password = "browser test password"
    with app.test_request_context(), database.job_scope() as session:
        create_user(
            session,
            auth_deps(),
            email=email,
            password=password,
            roles=["admin"],
            full_name="E2E Stock",
            email_verified=True,
        )
    return email, password


def _login(page, live_server, email, password):
    page.goto(f"{live_server}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_csv_import_validates_imports_and_updates_stock(page, live_server, stock_manager, tmp_path):
    _login(page, live_server, *stock_manager)
    good = tmp_path / "sims.csv"
    good.write_text("iccid,imsi\n" + "".join(f"{_iccid()},{_imsi()}\n" for _ in range(25)))
    bad = tmp_path / "bad.csv"
    valid = _iccid()
    corrupted = valid[:-1] + str((int(valid[-1]) + 1) % 10)  # wrong Luhn check digit
    bad.write_text(f"iccid,imsi\n{_iccid()},{_imsi()}\n{corrupted},{_imsi()}\n")

    page.goto(f"{live_server}/inventory/import")
    page.get_by_test_id("import-template").select_option(label="SIM Card")
    page.get_by_test_id("import-file").set_input_files(str(bad))
    page.get_by_test_id("import-validate").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("3")  # the broken ICCID is on line 3 of the file
    expect(errors).to_contain_text("iccid")

    page.get_by_test_id("import-file").set_input_files(str(good))
    page.get_by_test_id("import-submit").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("25")
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "inventory-import.png"), full_page=True)

    page.goto(f"{live_server}/inventory")
    expect(page.get_by_test_id("inventory-stock")).to_contain_text("SIM Card")
