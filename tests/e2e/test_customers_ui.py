"""A staff member logs in, creates a customer and finds it in the list — in a real browser."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login, random_au_mobile_digits

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def staff_user(committed_user):
    return committed_user("sales", "E2E Sales")


def _valid_mobile() -> str:
    """A random Australian mobile number, spaced as people type it."""
    digits = random_au_mobile_digits()
    return f"+61 {digits[:3]} {digits[3:6]} {digits[6:]}"


def test_login_create_customer_and_find_it(page, live_server, staff_user, settings):
    email, password = staff_user
    name = f"Playwright Pty {uuid.uuid4().hex[:6]}"
    login(page, live_server, email, password)

    page.goto(f"{live_server}/customers")
    expect(page.get_by_test_id("customers-table")).to_be_visible()
    # The currency starts as the operator's DEFAULT_CURRENCY, read from /crm/customer/defaults.
    with page.expect_response(lambda r: r.url.endswith("/crm/customer/defaults")) as defaults:
        page.get_by_test_id("customer-new").click()
    assert defaults.value.json()["currency"] == settings.default_currency
    expect(page.get_by_test_id("customer-currency")).to_have_value(settings.default_currency)
    page.get_by_test_id("customer-name").fill(name)
    page.get_by_test_id("customer-email").fill(f"{uuid.uuid4().hex[:8]}@playwright.example")
    phone = _valid_mobile()
    page.get_by_test_id("customer-phone").fill(phone)
    with page.expect_response(
        lambda r: r.url.rstrip("/").endswith("/crm/customer") and r.request.method == "POST"
    ) as created:
        page.get_by_test_id("customer-submit").click()
    assert created.value.status == 201, created.value.text()

    # wherever the form lands (list or detail), the new customer must be findable in the list
    page.goto(f"{live_server}/customers")
    page.get_by_test_id("customer-search").fill(name)
    table = page.get_by_test_id("customers-table")
    expect(table).to_contain_text(name)
    expect(table).to_contain_text(
        re.compile(re.escape(phone) + "|" + re.escape(phone.replace(" ", "")))
    )
    page.screenshot(path=str(ARTIFACTS / "customers-list.png"), full_page=True)
    assert (ARTIFACTS / "customers-list.png").stat().st_size > 10_000
