"""GetSim in a real browser: from a customer, the "New contract" wizard sells a product with an
auto-assigned SIM and number, lands on the contract and downloads its PDF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def sale(committed_sale):
    return committed_sale(
        payment_type="postpaid",
        stock=2,
        retail_cost=Decimal("29.95"),
        retail_setup_cost=Decimal("10.00"),
        wholesale_cost=Decimal("12.00"),
        prepaid_eligible=False,
        contract_term_months=24,
        data_mb=20480,
        voice_minutes=1000,
        sms=500,
    )


def test_new_contract_wizard_sells_and_downloads_the_pdf(page, live_server, sale, tmp_path):
    email, password, customer_id, product_id = sale
    login(page, live_server, email, password)

    page.goto(f"{live_server}/customers/{customer_id}")
    page.get_by_test_id("customer-new-contract").click()
    page.wait_for_url(f"**/customers/{customer_id}/contracts/new")

    page.get_by_test_id(f"wizard-product-{product_id}").click()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("wizard-auto-assign")).to_be_checked()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("wizard-review")).to_contain_text("Browser Mobile")
    page.get_by_test_id("wizard-create").click()

    page.wait_for_url("**/contracts/*")
    number = page.get_by_test_id("contract-number")
    expect(number).to_have_text(re.compile(r"^C-\d{4}-\d{6}$"))
    expect(page.get_by_test_id("contract-status")).to_have_text("Active")
    expect(page.get_by_test_id("contract-iccid")).to_contain_text("89")
    expect(page.get_by_test_id("contract-msisdn")).not_to_have_text("—")
    # A toast confirms the sale, linking to it; the page names the customer and product.
    expect(page.get_by_test_id("contract-created-link")).to_have_text(number.inner_text())
    expect(page.get_by_test_id("contract-customer")).to_contain_text("Browser Pty")
    expect(page.get_by_test_id("contract-product")).to_contain_text("Browser Mobile")
    expect(page.get_by_test_id("contract-action-close")).to_have_text("Terminate contract")

    with page.expect_download() as download_info:
        page.get_by_test_id("contract-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"{number.inner_text()}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(content) > 1024
    # One page, numbered, with the operator's name and money to the cent.
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", content)) == 1
    assert b"Page 1 of 1" in content
    assert b"10.00 USD" in content and b"29.95 USD" in content

    page.screenshot(path=str(ARTIFACTS / "contract.png"), full_page=True)
