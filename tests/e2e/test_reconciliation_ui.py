"""Reconciliation and expiring cards in a real browser, with Stripe configured against the fake
Stripe server (tests/fakes/stripe.py) and the embedded worker. A card payment whose answer was
lost (Stripe took it, the connection dropped) shows as `unknown` on the customer's Billing tab;
finance runs a reconciliation from its page, follows the worker's run live until it is done,
sees the payment resolved, opens it from the finding and finds it succeeded with a receipt. The
expiring-cards page lists the customer's card that expires within 60 days, and the Billing tab's
saved cards panel marks it. Stripe.js is never loaded on these pages (nothing may reach
js.stripe.com)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login
from tests.fakes.stripe import STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET, FakeStripe

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def stripe(app: Any) -> Iterator[FakeStripe]:
    """Stripe on, against a fake Stripe, for the live server (the same app)."""
    settings = app.extensions["omnicrm_settings"]
    names = ("stripe_secret_key", "stripe_api_base", "stripe_webhook_secret",
             "stripe_publishable_key", "stripe_max_network_retries")  # fmt: skip
    saved = {name: getattr(settings, name) for name in names}
    with FakeStripe() as fake:
        settings.stripe_secret_key = fake.api_key
        settings.stripe_api_base = fake.url
        settings.stripe_webhook_secret = STRIPE_WEBHOOK_SECRET
        settings.stripe_publishable_key = STRIPE_PUBLISHABLE_KEY
        settings.stripe_max_network_retries = 0
        try:
            yield fake
        finally:
            for name, value in saved.items():
                setattr(settings, name, value)


@pytest.fixture
def in_doubt(app: Any, database: Any, stripe: FakeStripe, committed_user: Any) -> dict[str, Any]:
    """Finance staff, and a customer with two saved cards (one expiring in 40 days) whose card
    payment of 12.34 went unanswered although Stripe took it; all committed."""
    from omnicrm.customers.use_cases import create_customer
    from omnicrm.payments import cards
    from omnicrm.payments import use_cases as uc

    email, password = committed_user("finance", "E2E Finance")
    soon = date.today() + timedelta(days=40)
    with app.test_request_context(), database.job_scope() as session:
        customer = create_customer(
            session,
            customer_name=f"Doubtful Pty {uuid.uuid4().hex[:8]}",
            customer_account_type="Business",
            customer_payment_type="postpaid",
        )
        session.flush()
        cards.save_card(session, customer_id=customer.customer_id, token="pm_card_visa")
        stripe_customer = cards.gateway_customer(session, customer, cards.require_stripe())
        expiring = stripe.add_card(
            stripe_customer, brand="mastercard", last4="5454", exp_month=soon.month,
            exp_year=soon.year,
        )  # fmt: skip
        cards.save_card(session, customer_id=customer.customer_id, token=expiring)
        stripe.fail_next("POST", "/v1/payment_intents", "drop_after")
        payment = uc.take_payment(
            session, customer_id=customer.customer_id, amount=Decimal("12.34"), method="card",
            charge_card=True,
        )  # fmt: skip
        assert payment.status.value == "unknown"
        ids = {"customer_id": customer.customer_id, "payment_id": payment.payment_id}
    return {"email": email, "password": password, **ids}


def test_a_reconciliation_run_resolves_a_payment_in_doubt(
    page: Any, live_server: str, in_doubt: dict[str, Any], stripe: FakeStripe, worker: None,
    app: Any, database: Any,
) -> None:  # fmt: skip
    stripe_js: list[str] = []
    page.on("request", lambda r: stripe_js.append(r.url) if "stripe.com" in r.url else None)
    login(page, live_server, in_doubt["email"], in_doubt["password"])

    # The customer's Billing tab: the payment waits, nothing applied; the saved cards panel.
    page.goto(f"{live_server}/customers/{in_doubt['customer_id']}")
    page.get_by_test_id("tab-billing").click()
    status = page.get_by_test_id("payment-status").first
    expect(status).to_have_attribute("data-status", "unknown")
    labels = page.get_by_test_id("card-label")
    expect(labels).to_have_count(2)
    expect(page.get_by_text("Expires soon")).to_be_visible()

    # Reconciliation, from the navigation.
    page.get_by_role("link", name="Reconciliation").click()
    page.get_by_test_id("reconciliation-new").click()
    page.get_by_test_id("reconciliation-submit").click()
    page.wait_for_url(lambda url: "/payments/reconciliation/" in url)
    # The worker does the run; the page follows it until it is done.
    expect(page.get_by_test_id("reconciliation-resolved")).to_contain_text("1", timeout=30_000)
    finding = page.get_by_test_id("reconciliation-item")
    expect(finding).to_have_count(1)
    expect(finding).to_have_attribute("data-kind", "resolved")
    page.screenshot(path=str(ARTIFACTS / "reconciliation-run.png"), full_page=True)

    # The finding links to the payment: succeeded, with its receipt.
    finding.get_by_test_id("reconciliation-payment").click()
    expect(page.get_by_test_id("payment-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("payment-page-receipt-number")).to_contain_text("RCPT-")

    # Expiring cards: the Mastercard ending 5454, not the Visa (three years to go).
    page.get_by_role("link", name="Expiring cards").click()
    rows = page.get_by_test_id("expiring-row").filter(has_text="5454")
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("expiring-row").filter(has_text="4242")).to_have_count(0)

    assert stripe_js == []  # Stripe.js is loaded only to add a card or pass 3-D Secure
    assert len(stripe.payment_intents) == 1  # charged once
    from omnicrm.payments.models import Payment

    with app.app_context(), database.job_scope() as session:
        payment = session.get(Payment, in_doubt["payment_id"])
        assert payment is not None and payment.status.value == "succeeded"
        assert payment.credit == Decimal("12.34")  # no invoice: account credit
