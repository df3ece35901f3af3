"""Provisioning in a real browser: sell a contract whose product has an activation play, open
its job page from the contract and watch the tasks arrive live (Socket.IO) until Success; the
contract is then active."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def sale(committed_sale: Any) -> tuple[str, str, int, int]:
    return committed_sale(  # type: ignore[no-any-return]
        payment_type="prepaid",
        retail_cost=Decimal("15.00"),
        data_mb=5120,
        voice_minutes=200,
        sms=200,
        provisioning_play="mobile_activate",
        provisioning_json_vars={"apn": "internet", "qos_profile": "basic"},
    )


def test_a_sale_shows_its_activation_job_filling_in_live(page, live_server, sale, worker):
    email, password, customer_id, product_id = sale
    login(page, live_server, email, password)
    page.goto(f"{live_server}/customers/{customer_id}/contracts/new")
    page.get_by_test_id(f"wizard-product-{product_id}").click()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-create").click()
    page.wait_for_url("**/contracts/*")

    # The contract page links to the activation job.
    jobs = page.get_by_test_id("contract-provisioning")
    expect(jobs).to_be_visible()
    jobs.get_by_test_id("provision-job-row").first.get_by_role("link").first.click()
    page.wait_for_url("**/provisioning/*")
    expect(page.get_by_test_id("provision-job-page")).to_be_visible()
    expect(page.get_by_test_id("provision-customer")).to_contain_text("Browser Pty")

    # Tasks appear one by one while the play runs, then the job ends in Success.
    rows = page.get_by_test_id("provision-event-row")
    expect(rows.first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("provision-status")).to_have_text("Success", timeout=60_000)
    names = [row.inner_text() for row in rows.all()]
    assert any("Write subscriber" in n or "HSS" in n or "subscriber" in n for n in names), names
    assert rows.count() >= 3
    assert {row.get_attribute("data-status") for row in rows.all()} <= {"Success", "Skipped"}
    numbers = [int(row.get_attribute("data-event-number") or 0) for row in rows.all()]
    assert numbers == list(range(1, len(numbers) + 1))
    expect(page.get_by_test_id("provision-progress")).to_have_attribute("aria-valuenow", "100")
    page.screenshot(path=str(ARTIFACTS / "provisioning-job.png"), full_page=True)

    # The contract became active with its service.
    page.go_back()
    page.reload()
    expect(page.get_by_test_id("contract-status")).to_have_text("Active", timeout=15_000)
