"""Card payments through Stripe: the real `stripe` library against the fake Stripe server of
tests/fakes/stripe.py. Saved cards (tokens only), the default, a charge that settles an invoice,
a decline kept as a failed attempt, 3-D Secure, a lost answer left `unknown`, refunds through
Stripe, automatic charges on the due date and expiring cards."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from omnicrm.billing.models import Invoice, Settlement, Transaction
from omnicrm.customers.models import Customer
from omnicrm.notifications.models import Notification
from omnicrm.payments import jobs
from omnicrm.payments import use_cases as uc
from omnicrm.payments.models import GatewayCustomer, Payment, PaymentCard, PaymentStatus

D = Decimal
PAY = "/crm/payment/"
CARDS = "/crm/payment-method/"


@pytest.fixture
def owed(billable, run_now, call):
    """A postpaid customer with one issued 44.00 invoice; returns (customer, invoice)."""
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    invoice = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)[0]
    assert invoice["total"] == "44.00"
    return customer, invoice


def save_card(call, customer_id, token="pm_card_visa", expected=201, **extra):
    return call("post", CARDS, expected, json={"customer_id": customer_id, "token": token, **extra})


def card_payment(call, customer, expected, **extra):
    body = {"customer_id": customer.customer_id, "amount": "44.00", "method": "card",
            "charge_card": True, **extra}  # fmt: skip
    return call("post", PAY, expected, json=body)


# --- saved cards ---------------------------------------------------------------------------------


def test_cards_are_saved_as_tokens_with_one_default(call, stripe_on, owed, db_session):
    customer, _ = owed
    setup = call("post", f"{CARDS}setup", 200, json={"customer_id": customer.customer_id})
    assert setup["client_secret"].startswith(setup["setup_intent_id"] + "_secret_")
    assert setup["publishable_key"].startswith("pk_test_")
    # What Stripe.js does in the browser: confirm the SetupIntent with the card it collected.
    confirmed = stripe_on.client().v1.setup_intents.confirm(
        setup["setup_intent_id"], {"payment_method": "pm_card_visa"}
    )
    first = save_card(call, customer.customer_id, confirmed.payment_method)
    assert (first["brand"], first["last4"], first["is_default"]) == ("visa", "4242", True)
    assert first["customer_name"] == customer.customer_name and not first["expired"]
    second = save_card(call, customer.customer_id, "pm_card_mastercard")
    assert (second["brand"], second["last4"], second["is_default"]) == ("mastercard", "4444", False)

    # One Stripe customer holds both; its default follows ours.
    stripe_customer = db_session.scalar(
        select(GatewayCustomer.reference).where(GatewayCustomer.customer_id == customer.customer_id)
    )
    assert len(stripe_on.customers) == 1
    made = call("post", f"{CARDS}{second['payment_method_id']}/default", 200)
    assert made["is_default"] is True
    default = stripe_on.customers[stripe_customer]["invoice_settings"]["default_payment_method"]
    assert default == second["reference"]
    listed = call("get", f"{CARDS}?customer_id={customer.customer_id}", 200)
    assert [c["payment_method_id"] for c in listed] == [
        second["payment_method_id"], first["payment_method_id"],
    ]  # fmt: skip
    assert [c["is_default"] for c in listed] == [True, False]

    removed = call("delete", f"{CARDS}{first['payment_method_id']}", 200)
    assert removed["removed_at"] is not None
    assert stripe_on.payment_methods[first["reference"]]["customer"] is None  # detached
    assert len(call("get", f"{CARDS}?customer_id={customer.customer_id}", 200)) == 1
    # Only what may be shown is kept: the token, brand, last 4 and expiry.
    columns = set(PaymentCard.__table__.columns.keys())
    assert not columns & {"number", "card_number", "cvc", "pan"}


def test_a_token_must_be_a_stripe_payment_method_and_stripe_must_be_on(
    call, owed, api, admin_headers
):
    customer, _ = owed
    refused = save_card(call, customer.customer_id, "../../v1/customers", expected=422)
    assert "token" in refused["errors"]["json"]
    # Without STRIPE_SECRET_KEY there is nothing to save cards with.
    assert save_card(call, customer.customer_id, expected=409)["code"] == "gateway_not_configured"
    body = {
        "customer_id": customer.customer_id,
        "amount": "1",
        "method": "card",
        "charge_card": True,
    }
    answer = api.client.post(PAY, headers=admin_headers, json=body)
    assert (answer.status_code, answer.get_json()["code"]) == (409, "gateway_not_configured")
    config = call("get", f"{PAY}gateway", 200)
    assert (config["gateway"], config["card_payments"], config["publishable_key"]) == (
        "manual", False, None,
    )  # fmt: skip


def test_a_card_saved_for_one_customer_cannot_be_taken_by_another(call, stripe_on, billable):
    alice, _ = billable()
    bob, _ = billable()
    card = save_card(call, alice.customer_id)
    refused = save_card(call, bob.customer_id, card["reference"], expected=409)
    assert refused["code"] == "gateway_refused"


# --- charging a saved card ---------------------------------------------------------------------


def test_charging_the_default_card_settles_the_invoice(call, stripe_on, owed, db_session):
    customer, invoice = owed
    card = save_card(call, customer.customer_id)
    paid = card_payment(call, customer, 201)
    assert (paid["status"], paid["gateway"], paid["payment_method_id"]) == (
        "succeeded", "stripe", card["payment_method_id"],
    )  # fmt: skip
    assert paid["receipt_number"].startswith("RCPT-")
    assert paid["allocations"] == [
        {"invoice_id": invoice["invoice_id"], "invoice_number": invoice["invoice_number"],
         "amount": "44.00"},
    ]  # fmt: skip
    intent = stripe_on.payment_intents[paid["gateway_reference"]]
    assert (intent["amount"], intent["currency"], intent["status"]) == (4400, "usd", "succeeded")
    assert intent["customer"] and intent["payment_method"] == card["reference"]
    payment = db_session.get(Payment, paid["payment_id"])
    assert intent["metadata"]["omnicrm_key"] == payment.gateway_key
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["status"] == "paid"


def test_a_declined_card_is_kept_as_a_failed_attempt_and_changes_nothing(
    api, admin_headers, call, stripe_on, owed, db_session
):
    customer, invoice = owed
    save_card(call, customer.customer_id, "pm_card_chargeCustomerFail")
    body = {"customer_id": customer.customer_id, "amount": "44.00", "method": "card",
            "charge_card": True}  # fmt: skip
    answer = api.client.post(PAY, headers=admin_headers, json=body)
    assert answer.status_code == 402
    problem = answer.get_json()
    assert problem["code"] == "payment_declined" and problem["failure_code"]
    failed = call("get", f"{PAY}{problem['payment_id']}", 200)
    assert (failed["status"], failed["receipt_number"], failed["allocations"]) == (
        "failed", None, [],
    )  # fmt: skip
    assert failed["failure_message"]
    after = call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)
    assert (after["status"], after["amount_due"]) == ("issued", "44.00")
    # A refund of money never taken is refused.
    refund = api.client.post(
        f"{PAY}{problem['payment_id']}/refund", headers=admin_headers,
        json={"amount": "1", "reason": "x"},
    )  # fmt: skip
    assert (refund.status_code, refund.get_json()["code"]) == (409, "payment_state")


def test_three_d_secure_waits_for_the_customer_then_the_webhook_applies_it(
    call, stripe_on, owed, deliver, db_session
):
    customer, invoice = owed
    save_card(call, customer.customer_id, "pm_card_authenticationRequired")
    waiting = card_payment(call, customer, 202, customer_present=True)
    assert waiting["status"] == "requires_action"
    assert waiting["client_secret"].startswith(waiting["gateway_reference"] + "_secret_")
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_due"] == "44.00"
    # Not stored: a later read has no secret.
    assert call("get", f"{PAY}{waiting['payment_id']}", 200).get("client_secret") is None

    events = stripe_on.complete_action(waiting["gateway_reference"])  # the customer passes 3DS
    succeeded = [e for e in events if e["type"] == "payment_intent.succeeded"]
    assert len(succeeded) == 1
    first = deliver(succeeded[0])
    assert first.status_code == 200 and first.get_json()["duplicate"] is False
    again = deliver(succeeded[0])
    assert again.get_json() == {"received": True, "duplicate": True}
    done = call("get", f"{PAY}{waiting['payment_id']}", 200)
    assert done["status"] == "succeeded" and done["receipt_number"].startswith("RCPT-")
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["status"] == "paid"
    settled = db_session.scalar(
        select(func.sum(Settlement.amount)).where(Settlement.invoice_id == invoice["invoice_id"])
    )
    assert settled == D("44.00")  # delivered twice, settled once


def test_off_session_the_banks_request_is_recorded_as_requires_action(call, stripe_on, owed):
    customer, _ = owed
    save_card(call, customer.customer_id, "pm_card_authenticationRequired")
    waiting = card_payment(call, customer, 202)
    assert (waiting["status"], waiting["failure_code"]) == (
        "requires_action", "authentication_required",
    )  # fmt: skip


def test_a_lost_answer_is_unknown_never_paid(call, stripe_on, owed):
    customer, invoice = owed
    save_card(call, customer.customer_id)
    stripe_on.fail_next("POST", "/v1/payment_intents", "drop_after")  # Stripe took it
    unknown = card_payment(call, customer, 202)
    assert (unknown["status"], unknown["receipt_number"]) == ("unknown", None)
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_due"] == "44.00"
    assert len(stripe_on.payment_intents) == 1  # resolved by reconciliation (its own tests)


def test_a_retry_with_the_same_key_charges_once(call, stripe_on, owed):
    customer, _ = owed
    save_card(call, customer.customer_id)
    headers = {"Idempotency-Key": "card-retry-1"}
    body = {"customer_id": customer.customer_id, "amount": "44.00", "method": "card",
            "charge_card": True}  # fmt: skip
    first = call("post", PAY, 201, json=body, headers=headers)
    second = call("post", PAY, 201, json=body, headers=headers)
    assert first["payment_id"] == second["payment_id"]
    assert stripe_on.count("POST", "/v1/payment_intents") == 1


def test_an_amount_finer_than_a_cent_is_refused_before_stripe(call, stripe_on, owed):
    customer, _ = owed
    save_card(call, customer.customer_id)
    refused = card_payment(call, customer, 422, amount="10.005")
    assert "amount" in refused["errors"]["json"]
    assert stripe_on.count("POST", "/v1/payment_intents") == 0


# --- refunds through Stripe ----------------------------------------------------------------------


def test_refunds_go_back_through_stripe_and_reopen_the_invoice(call, stripe_on, owed, deliver):
    customer, invoice = owed
    save_card(call, customer.customer_id)
    paid = card_payment(call, customer, 201)
    partial = call("post", f"{PAY}{paid['payment_id']}/refund", 200,
                   json={"amount": "10.00", "reason": "goodwill"})  # fmt: skip
    assert partial["status"] == "partially_refunded"
    refund_ref = partial["refunds"][0]["gateway_reference"]
    assert stripe_on.refunds[refund_ref]["amount"] == 1000
    charge = stripe_on.charges[
        stripe_on.payment_intents[paid["gateway_reference"]]["latest_charge"]
    ]
    assert charge["amount_refunded"] == 1000
    reopened = call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)
    assert (reopened["status"], reopened["amount_due"]) == ("partially_paid", "10.00")
    # Stripe tells us about our own refund: already known, nothing changes.
    ours = [
        e for e in stripe_on.events_of("refund.created") if e["data"]["object"]["id"] == refund_ref
    ]
    assert deliver(ours[0]).get_json()["outcome"] == "refund known"
    too_much = call("post", f"{PAY}{paid['payment_id']}/refund", 409,
                    json={"amount": "34.01", "reason": "x"})  # fmt: skip
    assert too_much["code"] == "refund_exceeds_payment"

    # A refund made in Stripe's dashboard is mirrored from its webhook, once.
    stripe_on.client().v1.refunds.create(
        {"payment_intent": paid["gateway_reference"], "amount": 500}
    )
    dashboard = stripe_on.events_of("refund.created")[-1]
    assert "mirrored" in deliver(dashboard).get_json()["outcome"]
    assert deliver(dashboard).get_json()["duplicate"] is True
    after = call("get", f"{PAY}{paid['payment_id']}", 200)
    assert after["amount_refunded"] == "15.00"
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_due"] == "15.00"


def test_a_refund_stripe_refuses_changes_nothing_here(call, stripe_on, owed):
    customer, invoice = owed
    save_card(call, customer.customer_id)
    paid = card_payment(call, customer, 201)
    # Refunded entirely at Stripe behind our back: Stripe refuses the next one.
    stripe_on.client().v1.refunds.create({"payment_intent": paid["gateway_reference"]})
    refused = call("post", f"{PAY}{paid['payment_id']}/refund", 409,
                   json={"amount": "5.00", "reason": "x"})  # fmt: skip
    assert refused["code"] == "gateway_refused"
    assert call("get", f"{PAY}{paid['payment_id']}", 200)["amount_refunded"] == "0.00"
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["status"] == "paid"


# --- the scheduler: automatic charges and expiring cards ---------------------------------------


def test_invoices_due_are_charged_to_the_default_card(call, stripe_on, owed, db_session, app):
    customer, invoice = owed
    save_card(call, customer.customer_id)
    row = db_session.get(Invoice, invoice["invoice_id"])
    row.due_date = date.today()
    db_session.commit()
    settings = app.extensions["omnicrm_settings"]
    counts = jobs.autocharge(db_session, settings)
    assert counts["charged"] == 1
    db_session.commit()
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["status"] == "paid"
    assert jobs.autocharge(db_session, settings) == {
        "charged": 0, "failed": 0, "requires_action": 0, "unknown": 0,
    }  # fmt: skip


def test_an_automatic_charge_the_bank_wants_confirmed_mails_the_customer(
    call, stripe_on, owed, db_session, app
):
    customer, invoice = owed
    save_card(call, customer.customer_id, "pm_card_authenticationRequired")
    db_session.get(Invoice, invoice["invoice_id"]).due_date = date.today() - timedelta(days=1)
    db_session.commit()
    counts = jobs.autocharge(db_session, app.extensions["omnicrm_settings"])
    assert counts["requires_action"] == 1
    mail = db_session.scalar(
        select(Notification).where(
            Notification.template == "payment_action_required",
            Notification.recipient == customer.email,
        )
    )
    assert mail is not None and invoice["invoice_number"] in mail.subject
    # The waiting attempt is not charged again by the next day's run.
    assert jobs.autocharge(db_session, app.extensions["omnicrm_settings"])["requires_action"] == 0


def test_cards_expiring_within_60_days_are_listed_and_their_owners_reminded_once(
    call, stripe_on, owed, db_session, app, deliver
):
    customer, _ = owed
    soon = date.today() + timedelta(days=40)
    save_card(call, customer.customer_id)  # expires in three years
    stripe_customer = db_session.scalar(
        select(GatewayCustomer.reference).where(GatewayCustomer.customer_id == customer.customer_id)
    )
    token = stripe_on.add_card(
        stripe_customer, brand="mastercard", last4="5454", exp_month=soon.month,
        exp_year=soon.year,
    )  # fmt: skip
    expiring_card = save_card(call, customer.customer_id, token)
    assert expiring_card["expires_soon"] is True
    listed = call("get", f"{CARDS}expiring", 200)
    mine = [c for c in listed if c["customer_id"] == customer.customer_id]
    assert [c["last4"] for c in mine] == ["5454"]

    settings = app.extensions["omnicrm_settings"]
    assert jobs.card_expiry(db_session, settings)["reminded"] >= 1
    assert jobs.card_expiry(db_session, settings)["reminded"] == 0  # once per card
    reminders = db_session.scalars(
        select(Notification).where(
            Notification.template == "card_expiring", Notification.recipient == customer.email
        )
    ).all()
    assert len(reminders) == 1 and "5454" in reminders[0].subject

    # The card network renews the card: Stripe says so, and it no longer expires soon.
    method = dict(stripe_on.payment_methods[token])
    method["card"] = {**method["card"], "exp_year": soon.year + 4}
    event = stripe_on.make_event("payment_method.automatically_updated", method)
    assert deliver(event).get_json()["outcome"] == "card updated"
    renewed = call("get", f"{CARDS}{expiring_card['payment_method_id']}", 200)
    assert (renewed["exp_year"], renewed["expires_soon"]) == (soon.year + 4, False)
    assert renewed["expiry_reminded_at"] is None  # a new expiry gets its own reminder


# --- concurrency (real commits) ---------------------------------------------------------------


@pytest.fixture
def card_payer(app, database, stripe_on):
    """A committed customer with a saved Visa at the fake Stripe (Core inserts), cleaned up."""
    tag = uuid.uuid4().hex[:8]
    client = stripe_on.client()
    stripe_customer = client.v1.customers.create({"name": f"racer {tag}"})
    method = client.v1.payment_methods.attach("pm_card_visa", {"customer": stripe_customer.id})
    with app.app_context(), database.job_scope() as session:
        customer_id = session.execute(
            Customer.__table__.insert()
            .values(customer_name=f"Racing card payer {tag}", customer_payment_type="postpaid")
            .returning(Customer.__table__.c.customer_id)
        ).scalar_one()
        session.execute(
            GatewayCustomer.__table__.insert().values(
                customer_id=customer_id, gateway="stripe", reference=stripe_customer.id,
                created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        session.execute(
            PaymentCard.__table__.insert().values(
                customer_id=customer_id, gateway="stripe", reference=method.id, brand="visa",
                last4="4242", exp_month=12, exp_year=2030, is_default=True,
                created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    yield customer_id
    with app.app_context(), database.job_scope() as session:
        session.execute(delete(Settlement).where(Settlement.customer_id == customer_id))
        session.execute(delete(Transaction).where(Transaction.customer_id == customer_id))
        session.execute(delete(Payment).where(Payment.customer_id == customer_id))
        session.execute(delete(PaymentCard).where(PaymentCard.customer_id == customer_id))
        session.execute(delete(GatewayCustomer).where(GatewayCustomer.customer_id == customer_id))
        session.execute(delete(Customer).where(Customer.customer_id == customer_id))


@pytest.mark.committed
def test_racing_identical_card_payments_with_one_key_charge_once(
    app, database, stripe_on, card_payer
):
    """Reliability plan #13: 50 identical requests (8 on SQLite) with one Idempotency-Key make
    one payment, and Stripe is asked once."""
    racers = 50 if database.engine.dialect.name == "postgresql" else 8
    start = threading.Barrier(racers)
    results: list[object] = []

    def pay() -> None:
        try:
            with app.app_context():
                start.wait()
                with database.job_scope() as session:
                    payment = uc.take_payment(
                        session, customer_id=card_payer, amount=D("30"), method="card",
                        charge_card=True, idempotency=(f"card-race-{card_payer}", "same-body"),
                    )  # fmt: skip
                    results.append((payment.payment_id, payment.status))
        except BaseException as exc:  # collected, checked below
            results.append(exc)

    threads = [threading.Thread(target=pay) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(isinstance(r, tuple) for r in results), [
        r for r in results if not isinstance(r, tuple)
    ][:3]
    assert len({r[0] for r in results}) == 1  # type: ignore[index]
    assert stripe_on.count("POST", "/v1/payment_intents") == 1
    with app.app_context(), database.job_scope() as session:
        payments = session.scalars(select(Payment).where(Payment.customer_id == card_payer)).all()
        assert [(p.status, p.amount) for p in payments] == [(PaymentStatus.succeeded, D("30"))]


def test_a_card_tops_up_a_prepaid_balance_and_a_dashboard_refund_takes_it_back(
    call, stripe_on, deliver, db_session
):
    from omnicrm.customers.models import PaymentType
    from omnicrm.services.models import ServiceStatus
    from tests.charging.test_addons import _values  # the balances as the API shows them
    from tests.factories import CustomerFactory, ProductFactory, ServiceFactory

    customer = CustomerFactory(customer_payment_type=PaymentType.prepaid)
    service = ServiceFactory(
        customer_id=customer.customer_id, product_id=ProductFactory().product_id,
        service_status=ServiceStatus.active,
    )  # fmt: skip
    db_session.commit()
    save_card(call, customer.customer_id)
    paid = card_payment(call, customer, 201, amount="25.00", service_id=service.service_id)
    assert _values(call, service)[("monetary", "*default")] == "25.00"
    # Refunded in Stripe's dashboard: the money went back, so the balance gives it up.
    stripe_on.client().v1.refunds.create({"payment_intent": paid["gateway_reference"]})
    assert "mirrored" in deliver(stripe_on.events_of("refund.created")[-1]).get_json()["outcome"]
    assert _values(call, service)[("monetary", "*default")] == "0.00"
    assert call("get", f"{PAY}{paid['payment_id']}", 200)["status"] == "refunded"
