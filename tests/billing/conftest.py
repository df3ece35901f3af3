"""Shared billing fixtures: a billable customer, and a run started through the API."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from omnicrm.billing.models import BillingCursor
from omnicrm.billing.tasks import run_billing
from omnicrm.catalog.use_cases import price_snapshot_json
from omnicrm.core import jobs
from omnicrm.customers.models import PaymentType
from omnicrm.services.models import ServiceStatus
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory
from tests.fakes.stripe import (  # noqa: F401 - fake_stripe is a fixture
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_WEBHOOK_SECRET,
    fake_stripe,
)

D = Decimal


@pytest.fixture
def billable(db_session):
    """A postpaid customer with an active 20.00 (+10 % tax) monthly service billed from the
    1st of last month (so a run today bills last month... and this one, in advance)."""

    def _make(**customer_fields):
        product = ProductFactory(retail_cost=D("20.00"), tax_percentage=D("10.00"))
        customer = CustomerFactory(
            customer_payment_type=PaymentType.postpaid,
            email=f"bill-{uuid.uuid4().hex[:8]}@example.com",
            **customer_fields,
        )
        service = ServiceFactory(
            customer_id=customer.customer_id,
            product_id=product.product_id,
            service_status=ServiceStatus.active,
            retail_cost=product.retail_cost,
            price_snapshot=price_snapshot_json(product),
        )
        db_session.flush()
        db_session.add(
            BillingCursor(service_id=service.service_id, billed_through=date(2026, 11, 1))
        )
        db_session.commit()
        return customer, service

    return _make


@pytest.fixture
def run_now(app, call):
    """Start a run through the API and do it as the worker would (the actor's own code)."""

    def _run(**body):
        run = call("post", "/crm/billing/run", 202, json=body)
        assert run["status"] == "queued"
        jobs.use_app(app)
        try:
            run_billing.fn(run["billing_run_id"])
        finally:
            jobs.use_app(None)
        return call("get", f"/crm/billing/run/{run['billing_run_id']}", 200)

    return _run


# --- Stripe: the real `stripe` library against the fake Stripe of tests/fakes/stripe.py --------
STRIPE_SETTINGS = (
    "stripe_secret_key",
    "stripe_api_base",
    "stripe_webhook_secret",
    "stripe_publishable_key",
    "stripe_max_network_retries",
    "stripe_timeout_seconds",
    "payment_unknown_grace_minutes",
)


@pytest.fixture
def stripe_on(app, fake_stripe):  # noqa: F811
    """Stripe configured against a fake Stripe for this test (restored after)."""
    settings = app.extensions["omnicrm_settings"]
    saved = {name: getattr(settings, name) for name in STRIPE_SETTINGS}
    settings.stripe_secret_key = fake_stripe.api_key
    settings.stripe_api_base = fake_stripe.url
    settings.stripe_webhook_secret = STRIPE_WEBHOOK_SECRET
    settings.stripe_publishable_key = STRIPE_PUBLISHABLE_KEY
    settings.stripe_max_network_retries = 0  # a dropped answer surfaces at once
    settings.stripe_timeout_seconds = 5.0
    yield fake_stripe
    for name, value in saved.items():
        setattr(settings, name, value)


@pytest.fixture
def deliver(client, stripe_on):
    """Post an event to the webhook the way Stripe does (signed now, unless told otherwise)."""

    def _deliver(event, *, timestamp=None, secret=STRIPE_WEBHOOK_SECRET):
        body, headers = stripe_on.webhook(event, secret, timestamp)
        return client.post("/crm/webhook/stripe", data=body, headers=headers)

    return _deliver
