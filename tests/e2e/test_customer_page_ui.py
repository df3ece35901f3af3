"""The customer page in a real browser: a customer with a sale shows its Services and Contracts
tabs (names and links, not ids), an archived customer offers no "New contract", and a customer
id that does not exist says "not found" with no pointless Retry."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


def _sell(app, email, password, customer_id, product_id):
    """A site and a sale through the API (committed: the live server's requests see them)."""
    client = app.test_client()
    token = client.post("/crm/auth/login", json={"email": email, "password": password})
    assert token.status_code == 200, token.get_json()
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    site = client.post(
        "/crm/site/",
        json={"customer_id": customer_id, "site_name": "Browser HQ", "address_line_1": "1 Main St"},
        headers=headers,
    )
    assert site.status_code == 201, site.get_json()
    sold = client.post(
        "/crm/contract/",
        json={
            "customer_id": customer_id,
            "product_id": product_id,
            "site_id": site.get_json()["site_id"],
        },
        headers=headers,
    )
    assert sold.status_code == 201, sold.get_json()
    return sold.get_json()


def test_customer_page_lists_the_sale_by_name(page, live_server, app, committed_sale):
    email, password, customer_id, product_id = committed_sale(
        payment_type="prepaid", retail_cost=Decimal("19.95")
    )
    sold = _sell(app, email, password, customer_id, product_id)
    login(page, live_server, email, password)

    page.goto(f"{live_server}/customers/{customer_id}?tab=services")
    services = page.get_by_test_id("customer-services-table")
    row = services.locator(f'[data-service-id="{sold["service_id"]}"]')
    expect(row).to_contain_text("Browser Mobile")  # the product by name
    expect(row).to_contain_text("Browser HQ")  # the site by name
    expect(row.get_by_test_id("customer-service-link")).to_have_attribute(
        "href", f"/services/{sold['service_id']}"
    )
    expect(row.get_by_role("link", name=re.compile("^Browser Mobile"))).to_have_count(2)

    page.get_by_test_id("tab-contracts").click()
    contracts = page.get_by_test_id("customer-contracts-table")
    row = contracts.locator(f'[data-contract-id="{sold["contract_id"]}"]')
    expect(row.get_by_test_id("customer-contract-link")).to_have_text(sold["contract_number"])
    expect(row.get_by_test_id("customer-contract-link")).to_have_attribute(
        "href", f"/contracts/{sold['contract_id']}"
    )
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Browser HQ")
    product_link = row.get_by_role("link", name=re.compile("^Browser Mobile"))
    expect(product_link).to_have_attribute("href", f"/products/{product_id}")

    # The contract page names customer, product and site too, and says what "terminate" does.
    row.get_by_test_id("customer-contract-link").click()
    page.wait_for_url(f"**/contracts/{sold['contract_id']}")
    expect(page.get_by_test_id("contract-customer")).to_contain_text("Browser Pty")
    expect(page.get_by_test_id("contract-product")).to_contain_text("Browser Mobile")
    expect(page.get_by_test_id("contract-site")).to_have_text("Browser HQ")
    expect(page.get_by_test_id("contract-action-close")).to_have_text("Terminate contract")


def test_archived_customer_offers_no_new_contract(page, live_server, app, database, committed_user):
    from omnicrm.customers.use_cases import archive_customer, create_customer

    email, password = committed_user("admin")
    with app.test_request_context(), database.job_scope() as session:
        customer = create_customer(session, customer_name=f"Archived Pty {uuid.uuid4().hex[:8]}")
        session.flush()
        archive_customer(session, customer_id=customer.customer_id)
        customer_id = customer.customer_id
    login(page, live_server, email, password)

    page.goto(f"{live_server}/customers/{customer_id}")
    expect(page.get_by_test_id("customer-no-contract")).to_contain_text("archived")
    expect(page.get_by_test_id("customer-new-contract")).to_have_count(0)


def test_missing_customer_is_not_found_without_retry(page, live_server, committed_user):
    email, password = committed_user("admin")
    login(page, live_server, email, password)

    page.goto(f"{live_server}/customers/2000000000")
    expect(page.get_by_test_id("customer-not-found")).to_contain_text("Customer not found")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
