"""GetSim in a real browser: from a customer, the "New contract" wizard sells a product with an
auto-assigned SIM and number, lands on the contract and downloads its PDF."""

from __future__ import annotations

import random
import re
import uuid
from decimal import Decimal

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


def _msisdn() -> str:
    """A random Australian mobile number that phonenumbers accepts."""
    import phonenumbers

    while True:
        number = f"+614{random.randint(10_000_000, 99_999_999)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


@pytest.fixture
def sale(app, database):
    """An admin, an Open postpaid customer, a product binding a SIM and a number, and stock:
    all committed for real, since the browser's requests run on other threads."""
    from omnicrm.auth.deps import auth_deps
    from omnicrm.auth.use_cases import create_user
    from omnicrm.catalog.use_cases import create_product
    from omnicrm.customers.use_cases import create_customer
    from omnicrm.inventory import use_cases as inv

    tag = uuid.uuid4().hex[:8]
    email = f"e2e-sale-{tag}@example.com"
    password = "browser test password"
    with app.test_request_context(), database.job_scope() as session:
        create_user(
            session,
            auth_deps(),
            email=email,
            password=password,
            roles=["admin"],
            full_name="E2E Sales",
            email_verified=True,
        )
        customer = create_customer(
            session,
            customer_name=f"Wizard Pty {tag}",
            customer_account_type="Business",
            customer_payment_type="postpaid",
        )
        product = create_product(
            session,
            product_name=f"Wizard Mobile {tag}",
            category="standalone",
            retail_cost=Decimal("29.95"),
            retail_setup_cost=Decimal("10.00"),
            wholesale_cost=Decimal("12.00"),
            inventory_items_list=["SIM Card", "Phone Number"],
            postpaid_eligible=True,
            prepaid_eligible=False,
            contract_term_months=24,
            data_mb=20480,
            voice_minutes=1000,
            sms=500,
        )
        sim = inv.template_named(session, "SIM Card")
        number = inv.template_named(session, "Phone Number")
        for _ in range(2):
            inv.create_item(
                session,
                inventory_template_id=sim.inventory_template_id,
                serial=_iccid(),
                itemtext2=_imsi(),
            )
            inv.create_item(
                session, inventory_template_id=number.inventory_template_id, serial=_msisdn()
            )
        session.flush()
        ids = customer.customer_id, product.product_id
    return email, password, *ids


def _login(page, live_server, email, password):
    page.goto(f"{live_server}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_new_contract_wizard_sells_and_downloads_the_pdf(page, live_server, sale, tmp_path):
    email, password, customer_id, product_id = sale
    _login(page, live_server, email, password)

    page.goto(f"{live_server}/customers/{customer_id}")
    page.get_by_test_id("customer-new-contract").click()
    page.wait_for_url(f"**/customers/{customer_id}/contracts/new")

    page.get_by_test_id(f"wizard-product-{product_id}").click()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("wizard-auto-assign")).to_be_checked()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("wizard-review")).to_contain_text("Wizard Mobile")
    page.get_by_test_id("wizard-create").click()

    page.wait_for_url("**/contracts/*")
    number = page.get_by_test_id("contract-number")
    expect(number).to_have_text(re.compile(r"^C-\d{4}-\d{6}$"))
    expect(page.get_by_test_id("contract-status")).to_have_text("Active")
    expect(page.get_by_test_id("contract-iccid")).to_contain_text("89")
    expect(page.get_by_test_id("contract-msisdn")).not_to_have_text("—")

    with page.expect_download() as download_info:
        page.get_by_test_id("contract-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"{number.inner_text()}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(content) > 1024

    page.screenshot(path=str(ARTIFACTS / "contract.png"), full_page=True)
