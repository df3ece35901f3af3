"""Billing in a real browser: a postpaid customer with an active priced service, billed from
the customer page's Billing tab. A manual charge is added through the dialog and shows in the
pro-forma; the run is followed live (Socket.IO ``/billing``) until it is done, the new invoice
opens from the tab with both lines, and its PDF downloads carrying its number. The run is then
listed on the Billing runs page, whose run page links to the run's invoices.

Along the way: the balance due is read with one list query naming the three open statuses, the
charge is posted with an Idempotency-Key, a line's period is shown up to its last day (the API's
``period_end`` is exclusive) as its description words it, and the statement shows its currency."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login, socket_frames
from tests.e2e.test_service_balance_ui import assert_fits_the_window

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
OPEN_STATUSES = ["issued", "partially_paid", "overdue"]
# A calendar day as the UI shows it (formatDate in src/lib/format.ts: the browser's locale).
FORMAT_DAY = """day => {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(y, m - 1, d));
}"""


@pytest.fixture
def billable(
    app: Any, database: Any, committed_sale: Callable[..., tuple[str, str, int, int]]
) -> tuple[str, str, int, int]:
    """An admin and a postpaid customer with an active 15.00 (+10 % tax) monthly service that
    has never been billed, committed; returns (email, password, customer_id, service_id)."""
    from omnicrm.catalog.models import Product
    from omnicrm.services.models import ServiceStatus
    from omnicrm.services.use_cases import open_service

    email, password, customer_id, product_id = committed_sale(
        payment_type="postpaid",
        stock=0,
        retail_cost=Decimal("15.00"),
        tax_percentage=Decimal("10.00"),
        billing_period="monthly",
    )
    with app.test_request_context(), database.job_scope() as session:
        product = session.get(Product, product_id)
        service_id = open_service(
            session, customer_id=customer_id, product=product, status=ServiceStatus.active
        )
    return email, password, customer_id, service_id


def test_billing_a_customer_from_the_billing_tab(page, live_server, billable, worker, tmp_path):
    email, password, customer_id, _ = billable
    frames = socket_frames(page)
    login(page, live_server, email, password)
    invoice_queries: list[dict[str, list[str]]] = []
    page.on(
        "request",
        lambda request: (
            invoice_queries.append(parse_qs(urlsplit(request.url).query))
            if request.method == "GET" and urlsplit(request.url).path == "/crm/invoice/"
            else None
        ),
    )
    page.goto(f"{live_server}/customers/{customer_id}")
    page.get_by_test_id("tab-billing").click()

    tab = page.get_by_test_id("customer-billing")
    invoices = tab.get_by_test_id("customer-invoices-table")
    expect(invoices).to_contain_text("No invoices yet")
    expect(tab.get_by_test_id("billing-balance-due")).to_have_text(re.compile(r"^0\.00"))
    # The balance due: one list query for the three open statuses (the param repeated).
    balance_queries = [q for q in invoice_queries if "status" in q]
    assert len(balance_queries) == 1, invoice_queries
    assert balance_queries[0]["status"] == OPEN_STATUSES
    assert balance_queries[0]["customer_id"] == [str(customer_id)]

    # A manual charge, sent as the decimal string typed; the next invoice will carry it.
    tab.get_by_test_id("billing-add-charge").click()
    page.get_by_test_id("charge-description").fill("Installation visit")
    page.get_by_test_id("charge-amount").fill("5.50")
    with page.expect_request(
        lambda r: r.method == "POST" and urlsplit(r.url).path == "/crm/transaction/"
    ) as charge_request:
        page.get_by_test_id("charge-submit").click()
    assert UUID.match(charge_request.value.headers.get("idempotency-key", "")), (
        charge_request.value.headers
    )
    expect(page.get_by_role("dialog")).to_have_count(0)
    transactions = tab.get_by_test_id("transactions-table")
    expect(transactions.get_by_test_id("transaction-row")).to_have_count(1)
    expect(transactions).to_contain_text("Installation visit")
    expect(transactions.get_by_test_id("transaction-void")).to_have_count(1)

    # The pro-forma: this month's service charge and the manual one, unnumbered.
    tab.get_by_test_id("billing-proforma").click()
    proforma = page.get_by_test_id("proforma")
    expect(proforma.get_by_test_id("proforma-status")).to_have_text("Draft")
    expect(proforma.get_by_test_id("invoice-line")).to_have_count(2)
    expect(proforma).to_contain_text("Installation visit")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The run is queued, taken by the worker and followed live until it is done.
    tab.get_by_test_id("billing-run-customer").click()
    run = tab.get_by_test_id("customer-billing-run")
    expect(run.get_by_test_id("billing-run-status")).to_have_text("Done", timeout=60_000)
    expect(run.get_by_test_id("billing-run-progress")).to_have_attribute("aria-valuenow", "100")
    expect(run.get_by_test_id("billing-run-result")).to_contain_text("1 invoice created")
    run_id = run.get_by_test_id("billing-run-progress-panel").get_attribute("data-run-id")
    # The page joined the run's room on /billing: the server sent its progress over the socket.
    progress = [f for f in frames if '"billing.progress"' in f]
    assert any(f'"billing_run_id":{run_id}' in f for f in progress), frames

    # The tab reads its invoices again: the new one is there, issued, and the balance is due.
    rows = invoices.get_by_test_id("invoice-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-status", "issued")
    link = rows.first.get_by_test_id("invoice-link")
    expect(link).to_have_text(re.compile(r"^INV-\d{4}-"))
    number = link.inner_text()
    expect(tab.get_by_test_id("billing-balance-due")).not_to_have_text(re.compile(r"^0\.00"))
    assert all(q["status"] == OPEN_STATUSES for q in invoice_queries if "status" in q), (
        invoice_queries
    )
    # The statement shows its amounts in the currency the API names.
    expect(tab.get_by_test_id("statement-closing")).to_have_text(re.compile(r"^-?[\d.]+ [A-Z]{3}$"))
    page.screenshot(path=str(ARTIFACTS / "billing-customer-tab.png"), full_page=True)

    link.click()
    page.wait_for_url("**/invoices/*")
    expect(page.get_by_test_id("invoice-number")).to_have_text(number)
    expect(page.get_by_test_id("invoice-status")).to_have_text("Issued")
    expect(page.get_by_test_id("invoice-line")).to_have_count(2)
    # The service's line covers [start, end): its period ends on the day its description names.
    recurring = page.get_by_test_id("invoice-line").filter(
        has_text=re.compile(r"\d{4}-\d{2}-\d{2} to ")
    )
    expect(recurring).to_have_count(1)
    first, last = re.search(
        r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", recurring.inner_text()
    ).groups()
    shown = (
        f"{page.evaluate(FORMAT_DAY, first)} \u2013 {page.evaluate(FORMAT_DAY, last)}"  # en dash
    )
    expect(recurring.get_by_test_id("invoice-line-period")).to_have_text(shown)

    with page.expect_download() as download_info:
        page.get_by_test_id("invoice-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    body = saved.read_bytes()
    assert len(body) > 0
    assert body.startswith(b"%PDF")
    assert number.encode() in body
    page.screenshot(path=str(ARTIFACTS / "billing-invoice.png"), full_page=True)

    # The run on the Billing runs page; its page links to the invoices it wrote.
    page.get_by_test_id("nav-billing/runs").click()
    row = page.locator(f'[data-testid="run-row"][data-run-id="{run_id}"]')
    expect(row).to_have_attribute("data-status", "done")
    row.get_by_role("link").first.click()
    page.wait_for_url(f"**/billing/runs/{run_id}")
    expect(page.get_by_test_id("billing-run-status")).to_have_text("Done")
    page.screenshot(path=str(ARTIFACTS / "billing-run.png"), full_page=True)
    page.get_by_test_id("billing-run-invoices").click()
    page.wait_for_url("**/invoices?billing_run_id=*")
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(page.get_by_test_id("invoice-link")).to_have_text(number)
    page.screenshot(path=str(ARTIFACTS / "billing-invoices.png"), full_page=True)

    # A phone's width: the Billing tab's cards stack and nothing makes the page scroll sideways.
    page.goto(f"{live_server}/customers/{customer_id}?tab=billing")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_test_id("billing-balance-due")).to_be_visible()
    expect(page.get_by_test_id("statement-closing")).to_be_visible()
    assert_fits_the_window(page)
    page.screenshot(path=str(ARTIFACTS / "billing-customer-tab-390.png"), full_page=True)
