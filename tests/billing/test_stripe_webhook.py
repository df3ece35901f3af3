"""`POST /crm/webhook/stripe`: public, but only Stripe's signature (the real scheme, HMAC-SHA256
over `t.payload`, with a 300 s tolerance on `t`) lets an event in; each event is applied once in
the transaction of its effect, and any delivery order ends in the same state."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from omnicrm.billing.models import Settlement
from omnicrm.payments.models import GatewayEvent
from tests.fakes.stripe import STRIPE_WEBHOOK_SECRET

D = Decimal
HOOK = "/crm/webhook/stripe"


@pytest.fixture
def waiting(call, stripe_on, billable, run_now):
    """A card payment of a 44.00 invoice waiting on 3-D Secure; returns (payment, invoice)."""
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    invoice = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)[0]
    token = "pm_card_authenticationRequired"
    call("post", "/crm/payment-method/", 201,
         json={"customer_id": customer.customer_id, "token": token})  # fmt: skip
    payment = call(
        "post", "/crm/payment/", 202,
        json={"customer_id": customer.customer_id, "amount": "44.00", "method": "card",
              "charge_card": True, "customer_present": True},
    )  # fmt: skip
    return payment, invoice


def _succeeded(stripe_on, payment):
    events = stripe_on.complete_action(payment["gateway_reference"])
    return next(e for e in events if e["type"] == "payment_intent.succeeded")


def test_a_bad_signature_is_refused_and_changes_nothing(client, waiting, stripe_on, call):
    payment, invoice = waiting
    event = _succeeded(stripe_on, payment)
    body, headers = stripe_on.webhook(event, "whsec_not_ours")
    answer = client.post(HOOK, data=body, headers=headers)
    assert (answer.status_code, answer.get_json()["code"]) == (400, "bad_signature")
    # A payload changed after signing, and one with no signature at all.
    body, headers = stripe_on.webhook(event, STRIPE_WEBHOOK_SECRET)
    forged = body.replace(b'"succeeded"', b'"succeeded" ', 1)
    assert client.post(HOOK, data=forged, headers=headers).status_code == 400
    assert (
        client.post(HOOK, data=body, headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert call("get", f"/crm/payment/{payment['payment_id']}", 200)["status"] == "requires_action"
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_due"] == "44.00"


def test_an_old_timestamp_is_refused(deliver, waiting, stripe_on, call):
    payment, _ = waiting
    event = _succeeded(stripe_on, payment)
    stale = deliver(event, timestamp=int(time.time()) - 301)
    assert (stale.status_code, stale.get_json()["code"]) == (400, "bad_signature")
    assert call("get", f"/crm/payment/{payment['payment_id']}", 200)["status"] == "requires_action"
    assert deliver(event).status_code == 200  # the same event, freshly signed, goes in


def test_without_a_webhook_secret_nothing_is_accepted(deliver, waiting, stripe_on, app):
    payment, _ = waiting
    event = _succeeded(stripe_on, payment)
    settings = app.extensions["omnicrm_settings"]
    settings.stripe_webhook_secret = ""
    assert deliver(event).status_code == 400


def test_the_same_event_ten_times_has_one_effect(deliver, waiting, stripe_on, call, db_session):
    payment, invoice = waiting
    event = _succeeded(stripe_on, payment)
    answers = [deliver(event).get_json() for _ in range(10)]
    assert [a["duplicate"] for a in answers] == [False] + [True] * 9
    settled = db_session.scalar(
        select(func.sum(Settlement.amount)).where(Settlement.invoice_id == invoice["invoice_id"])
    )
    assert settled == D("44.00")
    rows = db_session.scalar(
        select(func.count()).select_from(GatewayEvent).where(GatewayEvent.event_id == event["id"])
    )
    assert rows == 1


def test_a_replayed_succeeded_event_with_a_new_id_still_pays_once(
    deliver, waiting, stripe_on, call
):
    """Stripe may send two events about one PaymentIntent: the payment's state decides."""
    payment, invoice = waiting
    event = _succeeded(stripe_on, payment)
    twin = stripe_on.make_event("payment_intent.succeeded", event["data"]["object"])
    assert deliver(event).get_json()["outcome"].endswith("applied")
    assert deliver(twin).get_json()["outcome"].endswith("succeeded")
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_paid"] == "44.00"


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_delivery_order_ends_in_the_same_state(deliver, waiting, stripe_on, call, order):
    """requires_action, a failed attempt and the success, in every order: paid once."""
    payment, invoice = waiting
    intent = stripe_on.payment_intents[payment["gateway_reference"]]
    requires = stripe_on.make_event("payment_intent.requires_action", dict(intent))
    failed_snapshot = {
        **intent,
        "status": "requires_payment_method",
        "last_payment_error": {"code": "payment_intent_authentication_failure",
                               "message": "failed authentication"},
    }  # fmt: skip
    failed = stripe_on.make_event("payment_intent.payment_failed", failed_snapshot)
    succeeded = _succeeded(stripe_on, payment)
    events = [requires, failed, succeeded]
    for index in order:
        assert deliver(events[index]).status_code == 200
    final = call("get", f"/crm/payment/{payment['payment_id']}", 200)
    assert (final["status"], final["failure_code"]) == ("succeeded", None)
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_paid"] == "44.00"


def test_events_about_others_are_answered_and_ignored(deliver, stripe_on):
    other = stripe_on.make_event("customer.created", {"id": "cus_x", "object": "customer"})
    assert deliver(other).get_json()["outcome"] == "ignored"
    foreign = stripe_on.make_event(
        "payment_intent.succeeded",
        {"id": "pi_not_ours", "object": "payment_intent", "status": "succeeded", "metadata": {}},
    )
    assert deliver(foreign).get_json()["outcome"] == "no payment of ours"


def test_a_body_that_is_not_an_event_is_refused(client, stripe_on):
    body = json.dumps({"hello": "world"}).encode()
    headers = {"Stripe-Signature": stripe_on.sign(body, STRIPE_WEBHOOK_SECRET)}
    answer = client.post(HOOK, data=body, headers=headers)
    assert (answer.status_code, answer.get_json()["code"]) == (400, "bad_signature")
