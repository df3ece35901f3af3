"""Inventory in a real browser: a CSV of SIM cards is validated, imported with a progress bar,
and shows up in the stock dashboard; a broken file shows its row errors and writes nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login, random_iccid, random_imsi

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def stock_manager(committed_user):
    return committed_user("admin", "E2E Stock")


def test_csv_import_validates_imports_and_updates_stock(page, live_server, stock_manager, tmp_path):
    login(page, live_server, *stock_manager)
    good = tmp_path / "sims.csv"
    good.write_text(
        "iccid,imsi\n" + "".join(f"{random_iccid()},{random_imsi()}\n" for _ in range(25))
    )
    bad = tmp_path / "bad.csv"
    valid = random_iccid()
    corrupted = valid[:-1] + str((int(valid[-1]) + 1) % 10)  # wrong Luhn check digit
    bad.write_text(f"iccid,imsi\n{random_iccid()},{random_imsi()}\n{corrupted},{random_imsi()}\n")

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
