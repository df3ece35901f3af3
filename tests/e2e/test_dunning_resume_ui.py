"""Dunning released by a payment, in a real browser. A postpaid customer's mobile service was
activated by its real play (mobile_activate); their invoice is overdue past the suspension step
of ``DUNNING_STEPS``, and the dunning job suspended the service for ``non-payment``, held it
(``dunning_hold``) and barred it on the network (mobile_suspend ran through the worker).

Staff see the customer on the Dunning page (suspended, how many days overdue, the held service),
open the customer's Billing tab and record a cash payment of the whole balance due: the dialog
confirms it with a receipt number and the balance is 0.00. The customer leaves the Dunning
queue; the service is Active again ("payment received") and its resume job (mobile_resume),
queued by the payment, is opened while it waits for a worker: its tasks then arrive live over
Socket.IO (no polling, no reload of the page since the Dunning page opened) until Success. The
database agrees: the hold is released (``resumed_at``), the invoice is paid, and the subscriber
is active again in the HSS spool."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import ARTIFACTS, login, socket_frames

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

# Past the suspension step by this many days (and short of any later step).
PAST_SUSPENSION = 5


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``predicate`` until it returns something truthy (the worker's jobs run in threads
    of this process; the page is not involved yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def shown(amount: Decimal) -> str:
    """An amount as the UI shows it (formatMoney in src/lib/money.ts): 2 to 4 decimals."""
    whole, _, fraction = f"{amount:f}".partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


@dataclass
class Dunned:
    email: str
    password: str
    customer_id: int
    customer_name: str
    service_id: int
    service_name: str
    invoice_id: int
    invoice_number: str
    amount_due: Decimal
    days_overdue: int
    imsi: str


def job_of(database: Any, service_id: int, action: str) -> Any:
    """The service's latest ``action`` job, detached (None before there is one)."""
    from omnicrm.provisioning.models import Provision

    with database.job_scope() as session:
        job = session.scalars(
            select(Provision)
            .where(Provision.service_id == service_id, Provision.action == action)
            .order_by(Provision.provision_id.desc())
            .limit(1)
        ).first()
        if job is not None:
            session.expunge(job)
        return job


def finished(database: Any, service_id: int, action: str) -> Any:
    """Wait for the service's ``action`` job to end; it must have succeeded."""
    from omnicrm.provisioning.models import FINAL, ProvisionStatus

    def ended() -> Any:
        job = job_of(database, service_id, action)
        return job if job is not None and job.provisioning_status in FINAL else None

    job = wait_for(ended, f"the {action} job of service {service_id}")
    assert job.provisioning_status == ProvisionStatus.success, (action, job.error)
    return job


@pytest.fixture
def dunned(
    app: Any,
    database: Any,
    committed_sale: Callable[..., tuple[str, str, int, int]],
    worker: Any,
) -> Iterator[Dunned]:
    """An admin and a postpaid customer whose mobile service the dunning job suspended for an
    overdue invoice, all committed and the suspend play run; returns what the test needs."""
    from omnicrm.billing.invoices import issue_one, mark_overdue, void_invoice
    from omnicrm.billing.models import Invoice, InvoiceStatus
    from omnicrm.billing.run import execute_run, request_run
    from omnicrm.billing.use_cases import today
    from omnicrm.contracts.use_cases import create_contract
    from omnicrm.customers.models import Customer
    from omnicrm.payments.dunning import REASON, run_dunning, steps_from
    from omnicrm.payments.models import DunningAction, DunningHold
    from omnicrm.provisioning.use_cases import PlayConfig
    from omnicrm.services.models import Service, ServiceStatus, ServiceStatusHistory

    settings = app.extensions["omnicrm_settings"]
    steps = steps_from(settings.dunning_steps)
    [suspension] = [days for days, action in steps if action == DunningAction.suspend]
    late = suspension + PAST_SUSPENSION
    assert all(days <= late for days, _ in steps if days <= suspension)
    assert all(days > late for days, _ in steps if days > suspension), steps

    email, password, customer_id, product_id = committed_sale(
        payment_type="postpaid",
        retail_cost=Decimal("15.00"),
        tax_percentage=Decimal("10.00"),
        billing_period="monthly",
        data_mb=5120,
        voice_minutes=200,
        sms=200,
        provisioning_play="mobile_activate",
        provisioning_json_vars={"apn": "internet", "qos_profile": "basic"},
    )
    # The sale: the activation play runs in the worker and makes the service active.
    with app.test_request_context(), database.job_scope() as session:
        contract = create_contract(
            session,
            customer_id=customer_id,
            product_id=product_id,
            play_config=PlayConfig.from_settings(settings),
        )
        service_id = contract.service_id
    activation = finished(database, service_id, "activate")
    imsi = activation.provisioning_json_vars["inventory"]["sim"]["imsi"]

    # Billed (a run for this customer, left as a draft), issued long enough ago that the
    # invoice is now overdue past the suspension step.
    with app.test_request_context(), database.job_scope() as session:
        run_id = request_run(
            session, period_end=today(), customer_id=customer_id, user_id=None
        ).billing_run_id
    with app.test_request_context():
        execute_run(
            database,
            run_id,
            chunk_size=settings.billing_chunk_size,
            auto_issue=False,
            payment_terms_days=settings.billing_payment_terms_days,
        )
    terms = settings.billing_payment_terms_days
    with app.test_request_context(), database.job_scope() as session:
        [invoice] = session.scalars(select(Invoice).where(Invoice.billing_run_id == run_id)).all()
        invoice = issue_one(
            session,
            invoice_id=invoice.invoice_id,
            day=today() - timedelta(days=terms + late),
            payment_terms_days=terms,
        )
        assert invoice.due_date == today() - timedelta(days=late)
        assert invoice.total > 0
        invoice_id = invoice.invoice_id
    # The scheduler's two daily jobs, as they run: overdue today, then today's dunning steps.
    with app.test_request_context(), database.job_scope() as session:
        mark_overdue(session, day=today())
        taken = run_dunning(session, day=today(), config=settings.dunning_steps)
        assert taken["suspend"] >= 1, taken
    # The suspension runs the family's suspend play (the subscriber is barred).
    finished(database, service_id, "suspend")

    with database.job_scope() as session:
        service = session.get(Service, service_id)
        assert service.service_status == ServiceStatus.suspended
        assert (
            session.scalar(
                select(ServiceStatusHistory.reason)
                .where(ServiceStatusHistory.service_id == service_id)
                .order_by(ServiceStatusHistory.service_status_history_id.desc())
                .limit(1)
            )
            == REASON
        )
        [hold] = session.scalars(
            select(DunningHold).where(DunningHold.service_id == service_id)
        ).all()
        assert hold.resumed_at is None
        invoice = session.get(Invoice, invoice_id)
        assert invoice.status == InvoiceStatus.overdue
        customer = session.get(Customer, customer_id)
        arranged = Dunned(
            email=email,
            password=password,
            customer_id=customer_id,
            customer_name=customer.customer_name,
            service_id=service_id,
            service_name=service.service_name,
            invoice_id=invoice_id,
            invoice_number=invoice.invoice_number or "",
            amount_due=invoice.total - invoice.amount_paid,
            days_overdue=late,
            imsi=imsi,
        )
    hss = settings.spool_dir / "hss" / f"{imsi}.json"
    assert json.loads(hss.read_text())["state"] == "barred"

    yield arranged

    # A test that failed before the payment leaves no overdue money for later dunning runs.
    with app.test_request_context(), database.job_scope() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice.status != InvoiceStatus.paid and invoice.amount_paid == 0:
            void_invoice(
                session,
                invoice_id=invoice_id,
                reason="browser test cleanup",
                user_id=None,
                day=today(),
            )


def test_a_payment_resumes_the_service_dunning_suspended(
    page, live_server, dunned, worker, app, database
):
    from omnicrm.billing.models import Invoice, InvoiceStatus
    from omnicrm.payments.models import DunningHold, Payment, PaymentMethod
    from omnicrm.provisioning.models import ProvisionStatus
    from omnicrm.services.models import Service, ServiceStatus

    d = dunned
    frames = socket_frames(page)
    login(page, live_server, d.email, d.password)
    polled: list[str] = []
    page.on(
        "request",
        lambda request: (
            polled.append(request.url)
            if urlsplit(request.url).path.endswith("/events") and "/crm/provision/" in request.url
            else None
        ),
    )

    # The Dunning queue: the customer, suspended, how long overdue, how much and what is held.
    page.goto(f"{live_server}/payments/dunning")
    # Everything from here on happens in this one document: a reload would lose the mark.
    page.evaluate("window.__dunningTest = 'same document'")
    row = page.locator(f'[data-testid="dunning-row"][data-customer-id="{d.customer_id}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(d.customer_name)
    expect(row).to_contain_text(shown(d.amount_due))
    expect(row.get_by_test_id("dunning-days")).to_have_text(f"{d.days_overdue} days overdue")
    expect(row.get_by_test_id("dunning-action")).to_have_attribute("data-action", "suspend")
    expect(row.get_by_test_id("dunning-action")).to_have_text("Suspended")
    held = row.locator(f'a[href="/services/{d.service_id}"]')
    expect(held).to_have_text(f"#{d.service_id}")
    page.screenshot(path=str(ARTIFACTS / "dunning-queue.png"), full_page=True)

    # The customer's Billing tab: the overdue invoice makes the balance due.
    row.get_by_role("link", name=d.customer_name).click()
    page.wait_for_url(f"**/customers/{d.customer_id}")
    page.get_by_test_id("tab-billing").click()
    tab = page.get_by_test_id("customer-billing")
    expect(tab.get_by_test_id("billing-balance-due")).to_have_text(
        re.compile(rf"^{re.escape(shown(d.amount_due))}\b")
    )
    invoice_row = tab.get_by_test_id("customer-invoices-table").get_by_test_id("invoice-row")
    expect(invoice_row).to_have_count(1)
    expect(invoice_row).to_have_attribute("data-status", "overdue")
    expect(invoice_row.get_by_test_id("invoice-link")).to_have_text(d.invoice_number)

    # Record payment: the whole balance due, in cash, applied to the open invoices.
    amount = tab.get_by_test_id("billing-balance-due").inner_text().split()[0]
    tab.get_by_test_id("billing-record-payment").click()
    dialog = page.get_by_role("dialog", name="Record payment")
    dialog.get_by_test_id("payment-amount").fill(amount)
    dialog.get_by_test_id("payment-method").click()
    page.get_by_role("option", name="Cash", exact=True).click()
    expect(dialog.get_by_test_id("payment-method")).to_have_value("Cash")
    expect(dialog.get_by_test_id("payment-target-auto")).to_be_visible()
    # Hold the worker: the resume job the payment queues waits until the page watches it.
    worker.pause()
    dialog.get_by_test_id("payment-submit").click()
    receipt = dialog.get_by_test_id("payment-result-receipt")
    expect(receipt).to_have_text(re.compile(r"^RCPT-\d{4}-\d{6}$"))
    receipt_number = receipt.inner_text()
    allocation = dialog.get_by_test_id("payment-result-allocation")
    expect(allocation).to_have_count(1)
    expect(allocation).to_contain_text(d.invoice_number)
    expect(allocation).to_contain_text(shown(d.amount_due))
    expect(dialog.get_by_test_id("payment-result-credit")).to_have_text(
        "Nothing is left as account credit."
    )
    page.screenshot(path=str(ARTIFACTS / "dunning-payment.png"), full_page=True)
    dialog.get_by_test_id("payment-done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(tab.get_by_test_id("billing-balance-due")).to_have_text(re.compile(r"^0\.00\b"))
    expect(invoice_row).to_have_attribute("data-status", "paid")

    # Nothing is overdue any more: the customer has left the Dunning queue.
    page.get_by_test_id("nav-payments/dunning").click()
    page.wait_for_url("**/payments/dunning")
    expect(page.get_by_test_id("dunning-table")).to_be_visible()
    expect(row).to_have_count(0)

    # The service, found on the Services page: active again, for the payment.
    page.get_by_test_id("nav-services").click()
    page.wait_for_url("**/services")
    page.get_by_test_id("service-filter-customer").fill(d.customer_name)
    page.get_by_role("option", name=d.customer_name).click()
    service_row = page.get_by_test_id(f"service-row-{d.service_id}")
    expect(service_row).to_contain_text("Active")
    service_row.get_by_role("link", name=d.service_name).click()
    page.wait_for_url(f"**/services/{d.service_id}")
    expect(page.get_by_test_id("service-status")).to_have_text("Active")
    history = page.get_by_test_id("service-history")
    expect(history).to_contain_text("non-payment")
    expect(history).to_contain_text("payment received")

    # Its provisioning: activated, suspended, and the resume job queued by the payment.
    card = page.get_by_test_id("service-provisioning")
    expect(card.get_by_test_id("provision-job-row")).to_have_count(3)
    suspended_job = card.get_by_test_id("provision-job-row").filter(has_text="mobile_suspend")
    expect(suspended_job).to_contain_text("Success")
    resume_row = card.get_by_test_id("provision-job-row").filter(has_text="mobile_resume")
    expect(resume_row).to_contain_text("Queued")
    resume_job = job_of(database, d.service_id, "resume")
    assert resume_job is not None and resume_job.provisioning_status == ProvisionStatus.queued
    resume_id = resume_job.provision_id
    resume_row.get_by_role("link", name=f"#{resume_id}").click()
    page.wait_for_url(f"**/provisioning/{resume_id}")

    # The job page has joined the job's room and waits for a worker.
    expect(page.get_by_test_id("provision-status")).to_have_text("Queued")
    expect(page.get_by_test_id("provision-live")).to_have_text("Live")
    events = page.get_by_test_id("provision-event-row")
    expect(page.get_by_test_id("provision-events")).to_contain_text("Waiting for a worker")
    expect(events).to_have_count(0)

    # The worker takes the job: its tasks arrive one by one over the socket until Success.
    worker.resume()
    expect(events.first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("provision-status")).to_have_text("Success", timeout=30_000)
    expect(events).to_have_count(resume_job.task_count)
    # Every task ran or was skipped by its condition (a skipped one reads Skipped, not Success).
    statuses = {row.get_attribute("data-status") for row in events.all()}
    assert "Success" in statuses and statuses <= {"Success", "Skipped"}
    numbers = [int(row.get_attribute("data-event-number") or 0) for row in events.all()]
    assert numbers == list(range(1, resume_job.task_count + 1))
    expect(events.last).to_contain_text("Set subscriber active in HSS spool")
    expect(page.get_by_test_id("provision-progress")).to_have_attribute("aria-valuenow", "100")
    page.screenshot(path=str(ARTIFACTS / "dunning-resume-job.png"), full_page=True)
    # Every task came as a provision.event of this job on the socket (the page had joined
    # before the job started, so none was a replay), and the page never fell back to polling.
    payloads = [
        json.loads(frame[frame.index("[") :])[1]
        for frame in frames
        if frame.startswith("42/provision,") and '"provision.event"' in frame
    ]
    live = {p["event_number"] for p in payloads if p["provision_id"] == resume_id}
    assert live == set(numbers), frames
    assert polled == []

    # Back on the service: active, its resume job a Success.
    page.get_by_test_id("provision-service").click()
    page.wait_for_url(f"**/services/{d.service_id}")
    expect(page.get_by_test_id("service-status")).to_have_text("Active")
    expect(resume_row).to_contain_text("Success")
    page.screenshot(path=str(ARTIFACTS / "dunning-resumed-service.png"), full_page=True)
    assert page.evaluate("window.__dunningTest") == "same document"

    # The database agrees: hold released, invoice paid by the cash payment, service active.
    settings = app.extensions["omnicrm_settings"]
    with database.job_scope() as session:
        [hold] = session.scalars(
            select(DunningHold).where(DunningHold.service_id == d.service_id)
        ).all()
        assert hold.resumed_at is not None
        invoice = session.get(Invoice, d.invoice_id)
        assert invoice.status == InvoiceStatus.paid
        assert invoice.amount_paid == invoice.total
        [payment] = session.scalars(
            select(Payment).where(Payment.customer_id == d.customer_id)
        ).all()
        assert (payment.method, payment.amount, payment.receipt_number) == (
            PaymentMethod.cash,
            d.amount_due,
            receipt_number,
        )
        assert session.get(Service, d.service_id).service_status == ServiceStatus.active
    hss = settings.spool_dir / "hss" / f"{d.imsi}.json"
    assert json.loads(hss.read_text())["state"] == "active"
