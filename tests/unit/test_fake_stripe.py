"""The fake Stripe (tests/fakes/stripe.py) driven through the real ``stripe`` library."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import stripe

from tests.fakes.stripe import (
    STRIPE_TEST_KEY,
    STRIPE_WEBHOOK_SECRET,
    FakeStripe,
    fake_stripe,  # noqa: F401
    parse_form,
)

CARD_ONLY = {"payment_method_types": ["card"]}


@pytest.fixture
def fake(fake_stripe: FakeStripe) -> FakeStripe:  # noqa: F811
    return fake_stripe


@pytest.fixture
def client(fake: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        fake.api_key,
        base_addresses={"api": fake.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=2),
    )


def new_customer(client: Any, **params: Any) -> Any:
    return client.v1.customers.create(params={"email": "ada@example.com", **params})


def pay(
    client: Any,
    payment_method: str,
    amount: int = 2500,
    key: str | None = None,
    **params: Any,
) -> Any:
    body: dict[str, Any] = {
        "amount": amount,
        "currency": "usd",
        "payment_method": payment_method,
        "confirm": True,
        **CARD_ONLY,
        **params,
    }
    options: Any = {"idempotency_key": key} if key else {}
    return client.v1.payment_intents.create(params=body, options=options)


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> Any:
    """The ``error`` object the library built from the response body."""
    error = excinfo.value.error
    assert error is not None
    return error


# ---- wire protocol ---------------------------------------------------------------------------
def test_parse_form_bracket_notation() -> None:
    parsed = parse_form(
        "metadata[omnicrm_payment_id]=12&metadata[7]=x&expand[0]=latest_charge&expand[1]=customer"
        "&created[gte]=100&invoice_settings[default_payment_method]=pm_1&confirm=true&amount=50"
        "&items[0][price]=p1&items[1][price]=p2&tags[]=a&tags[]=b"
    )
    assert parsed == {
        "metadata": {"omnicrm_payment_id": "12", "7": "x"},
        "expand": ["latest_charge", "customer"],
        "created": {"gte": "100"},
        "invoice_settings": {"default_payment_method": "pm_1"},
        "confirm": "true",
        "amount": "50",
        "items": [{"price": "p1"}, {"price": "p2"}],
        "tags": ["a", "b"],
    }


def test_authentication(fake: FakeStripe, client: Any) -> None:
    assert fake.url.startswith("http://127.0.0.1:")
    assert fake.api_key == STRIPE_TEST_KEY
    wrong = stripe.StripeClient(
        "sk_test_wrong_key_123456",
        base_addresses={"api": fake.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=2),
    )
    with pytest.raises(stripe.AuthenticationError) as excinfo:
        wrong.v1.customers.create(params={"email": "x@example.com"})
    assert excinfo.value.http_status == 401
    assert "Invalid API Key provided: sk_test_" in str(excinfo.value.user_message)
    assert "wrong_key" not in str(excinfo.value.user_message)  # masked
    raw = requests.get(f"{fake.url}/v1/customers", timeout=2)
    assert raw.status_code == 401
    assert raw.json()["error"]["type"] == "invalid_request_error"
    assert fake.requests == []
    assert fake.client().v1.customers.list().data == []


def test_errors_map_to_library_exceptions(fake: FakeStripe, client: Any) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.create(params={"currency": "usd"})
    assert (missing.value.http_status, missing.value.code) == (400, "parameter_missing")
    assert missing.value.param == "amount"

    with pytest.raises(stripe.InvalidRequestError) as small:
        client.v1.payment_intents.create(params={"amount": 49, "currency": "usd"})
    assert small.value.code == "amount_too_small"
    assert small.value.user_message == "Amount must be at least $0.50 usd"

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.payment_intents.create(params={"amount": 100, "currency": "usd", "amout": 1})
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "amout")

    with pytest.raises(stripe.InvalidRequestError) as not_found:
        client.v1.payment_intents.retrieve("pi_x")
    assert (not_found.value.http_status, not_found.value.code) == (404, "resource_missing")
    assert not_found.value.user_message == "No such payment_intent: 'pi_x'"

    with pytest.raises(stripe.InvalidRequestError) as bad_ref:
        client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd", "customer": "cus_x"}
        )
    assert (bad_ref.value.http_status, bad_ref.value.param) == (400, "customer")

    with pytest.raises(stripe.InvalidRequestError) as bad_expand:
        client.v1.customers.create(params={"expand": ["email"]})
    assert bad_expand.value.param == "expand"
    assert fake.customers == {}


# ---- customers and payment methods -----------------------------------------------------------
def test_customer_cards_and_default(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client, name="Ada", metadata={"omnicrm_customer_id": "7"})
    assert customer.id.startswith("cus_")
    assert customer.object == "customer" and customer.livemode is False
    assert customer.metadata.to_dict() == {"omnicrm_customer_id": "7"}
    assert customer.invoice_settings.default_payment_method is None

    visa = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    assert visa.id.startswith("pm_") and visa.id != "pm_card_visa"
    assert visa.customer == customer.id
    assert (visa.card.brand, visa.card.last4, visa.card.country) == ("visa", "4242", "US")
    assert (visa.card.exp_month, visa.card.exp_year) == (12, datetime.now(UTC).year + 3)
    master = client.v1.payment_methods.attach(
        "pm_card_mastercard", params={"customer": customer.id}
    )
    assert (master.card.brand, master.card.last4) == ("mastercard", "4444")

    updated = client.v1.customers.update(
        customer.id,
        params={
            "invoice_settings": {"default_payment_method": visa.id},
            "metadata": {"tier": "gold"},
            "name": "Ada L.",
        },
    )
    assert updated.invoice_settings.default_payment_method == visa.id
    assert updated.metadata.to_dict() == {"omnicrm_customer_id": "7", "tier": "gold"}
    assert updated.name == "Ada L."
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )
    assert expanded.invoice_settings.default_payment_method.card.last4 == "4242"

    listed = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    assert [pm.id for pm in listed.data] == [master.id, visa.id]
    assert listed.url == f"/v1/customers/{customer.id}/payment_methods"
    top = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in top.data] == [master.id, visa.id]

    stranger = client.v1.payment_methods.retrieve("pm_card_visa")  # a new, unattached pm
    assert stranger.customer is None
    with pytest.raises(stripe.InvalidRequestError) as not_attached:
        client.v1.customers.update(
            customer.id, params={"invoice_settings": {"default_payment_method": stranger.id}}
        )
    assert not_attached.value.param == "invoice_settings[default_payment_method]"

    detached = client.v1.payment_methods.detach(visa.id)
    assert detached.customer is None
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None
    assert [pm.id for pm in client.v1.customers.payment_methods.list(customer.id).data] == [
        master.id
    ]
    types = [event["type"] for event in fake.events]
    assert types.count("payment_method.attached") == 2
    assert "payment_method.detached" in types and "customer.updated" in types

    deleted = client.v1.customers.delete(customer.id)
    assert deleted.deleted is True
    assert client.v1.customers.retrieve(customer.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.update(customer.id, params={"name": "x"})


def test_declining_test_cards_fail_the_card_check(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_methods.attach("pm_card_chargeDeclined", params={"customer": customer.id})
    assert (declined.value.code, error_of(declined).decline_code) == (
        "card_declined",
        "generic_decline",
    )
    later_fail = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    assert later_fail.card.last4 == "0341"
    with pytest.raises(stripe.CardError):
        pay(client, later_fail.id, customer=customer.id, off_session=True)


def test_add_card_helper(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    pm_id = fake.add_card(customer.id, last4="1111", exp_month=3, exp_year=2024)
    card = client.v1.payment_methods.retrieve(pm_id)
    assert (card.customer, card.card.last4, card.card.exp_month, card.card.exp_year) == (
        customer.id,
        "1111",
        3,
        2024,
    )
    poor = fake.add_card(customer.id, behaviour="insufficient_funds", last4="9995")
    with pytest.raises(stripe.CardError) as excinfo:
        pay(client, poor, customer=customer.id, off_session=True)
    assert error_of(excinfo).decline_code == "insufficient_funds"
    assert excinfo.value.user_message == "Your card has insufficient funds."
    with pytest.raises(KeyError):
        fake.add_card("cus_missing")


# ---- setup intents ---------------------------------------------------------------------------
def test_setup_intent_saves_a_card(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "usage": "off_session", "payment_method_types": ["card"]}
    )
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    # What Stripe.js does in the browser:
    confirmed = client.v1.setup_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded"
    pm = client.v1.payment_methods.retrieve(confirmed.payment_method)
    assert pm.customer == customer.id
    assert fake.events_of("setup_intent.succeeded")[-1]["data"]["object"]["id"] == intent.id
    assert client.v1.setup_intents.retrieve(intent.id).status == "succeeded"

    declined = client.v1.setup_intents.create(params={"customer": customer.id})
    with pytest.raises(stripe.CardError) as excinfo:
        client.v1.setup_intents.confirm(
            declined.id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    assert error_of(excinfo).setup_intent.status == "requires_payment_method"


def test_setup_intent_with_3ds(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    intent = client.v1.setup_intents.create(params={"customer": customer.id})
    pending = client.v1.setup_intents.confirm(
        intent.id, params={"payment_method": "pm_card_authenticationRequiredOnSetup"}
    )
    assert pending.status == "requires_action"
    assert pending.next_action.type == "use_stripe_sdk"
    events = fake.complete_action(intent.id)
    assert [event["type"] for event in events] == [
        "payment_method.attached",
        "setup_intent.succeeded",
    ]
    done = client.v1.setup_intents.retrieve(intent.id)
    assert done.status == "succeeded"
    # Set up: later off-session payments need no authentication; on-session ones do.
    off = pay(client, done.payment_method, customer=customer.id, off_session=True)
    assert off.status == "succeeded"
    on = pay(client, done.payment_method, customer=customer.id)
    assert on.status == "requires_action"


# ---- payment intents -------------------------------------------------------------------------
def test_payment_succeeds(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    pm_id = fake.add_card(customer.id)
    intent = pay(
        client,
        pm_id,
        amount=10000,
        customer=customer.id,
        off_session=True,
        description="Invoice 12",
        receipt_email="ada@example.com",
        metadata={"omnicrm_payment_id": "12"},
        expand=["latest_charge.balance_transaction"],
    )
    assert intent.status == "succeeded" and intent.amount_received == 10000
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.capture_method, intent.confirmation_method) == ("automatic", "automatic")
    charge = intent.latest_charge
    assert charge.id.startswith("ch_")
    assert (charge.amount, charge.amount_captured, charge.amount_refunded) == (10000, 10000, 0)
    assert (charge.paid, charge.captured, charge.refunded, charge.status) == (
        True,
        True,
        False,
        "succeeded",
    )
    assert (charge.customer, charge.payment_intent, charge.payment_method) == (
        customer.id,
        intent.id,
        pm_id,
    )
    assert charge.payment_method_details.card.last4 == "4242"
    assert charge.metadata.to_dict() == {"omnicrm_payment_id": "12"}
    txn = charge.balance_transaction
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == (
        "charge",
        10000,
        320,
        9680,
        charge.id,
    )
    types = [event["type"] for event in fake.events]
    assert types[-2:] == ["charge.succeeded", "payment_intent.succeeded"]
    event = fake.events[-1]
    assert event["api_version"] == stripe.api_version
    assert event["data"]["object"]["status"] == "succeeded"
    assert event["request"]["id"].startswith("req_")
    assert event["request"]["idempotency_key"]  # the library generates one for every POST


def test_payment_declined(fake: FakeStripe, client: Any) -> None:
    with pytest.raises(stripe.CardError) as excinfo:
        pay(client, "pm_card_chargeDeclined", metadata={"omnicrm_payment_id": "3"})
    error = excinfo.value
    assert (error.http_status, error.code, error.user_message) == (
        402,
        "card_declined",
        "Your card was declined.",
    )
    details = error_of(excinfo)
    assert details.decline_code == "generic_decline"
    intent = details.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert intent.payment_method is None
    charge = client.v1.charges.retrieve(details.charge)
    assert (charge.status, charge.paid, charge.balance_transaction) == ("failed", False, None)
    assert fake.events_of("payment_intent.payment_failed")[-1]["data"]["object"]["id"] == intent.id
    assert fake.balance_transactions == {}

    with pytest.raises(stripe.CardError) as poor:
        pay(client, "pm_card_chargeDeclinedInsufficientFunds")
    assert error_of(poor).decline_code == "insufficient_funds"


def test_3ds_on_session_then_complete_action(fake: FakeStripe, client: Any) -> None:
    intent = pay(client, "pm_card_threeDSecure2Required")
    assert intent.status == "requires_action"
    assert intent.next_action.type == "use_stripe_sdk"
    assert intent.next_action.use_stripe_sdk.type == "three_d_secure_redirect"
    assert intent.latest_charge is None
    assert fake.events[-1]["type"] == "payment_intent.requires_action"
    events = fake.complete_action(intent.id)
    assert [event["type"] for event in events] == ["charge.succeeded", "payment_intent.succeeded"]
    done = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
    assert done.status == "succeeded"
    assert done.latest_charge.payment_method_details.card.three_d_secure.result == "authenticated"

    failing = pay(client, "pm_card_authenticationRequired")
    events = fake.complete_action(failing.id, succeed=False)
    assert [event["type"] for event in events] == ["payment_intent.payment_failed"]
    failed = client.v1.payment_intents.retrieve(failing.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    with pytest.raises(ValueError):
        fake.complete_action(failing.id)


def test_3ds_off_session_needs_authentication(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    pm_id = fake.add_card(customer.id, last4="3184", behaviour="3ds")
    with pytest.raises(stripe.CardError) as excinfo:
        pay(client, pm_id, customer=customer.id, off_session=True)
    assert excinfo.value.code == "authentication_required"
    assert error_of(excinfo).decline_code == "authentication_required"
    assert error_of(excinfo).payment_intent.status == "requires_payment_method"
    assert fake.events[-1]["type"] == "payment_intent.payment_failed"


def test_create_confirm_cancel(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    bare = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "eur", "customer": customer.id, **CARD_ONLY}
    )
    assert bare.status == "requires_payment_method"
    pm_id = fake.add_card(customer.id)
    ready = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "eur", "customer": customer.id, "payment_method": pm_id}
    )
    assert ready.status == "requires_confirmation"
    assert ready.automatic_payment_methods.enabled is True
    with pytest.raises(stripe.InvalidRequestError) as no_return_url:
        client.v1.payment_intents.confirm(ready.id)
    assert no_return_url.value.param == "return_url"
    confirmed = client.v1.payment_intents.confirm(
        ready.id, params={"return_url": "https://crm.example/return"}
    )
    assert confirmed.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.payment_intents.confirm(ready.id)
    assert again.value.code == "payment_intent_unexpected_state"

    never = client.v1.payment_intents.create(
        params={
            "amount": 700,
            "currency": "eur",
            "customer": customer.id,
            "payment_method": pm_id,
            "confirm": True,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
    )
    assert never.status == "succeeded"

    canceled = client.v1.payment_intents.cancel(
        bare.id, params={"cancellation_reason": "abandoned"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.cancel(confirmed.id)

    other = new_customer(client)
    with pytest.raises(stripe.InvalidRequestError) as wrong_owner:
        client.v1.payment_intents.create(
            params={"amount": 700, "currency": "eur", "customer": other.id, "payment_method": pm_id}
        )
    assert wrong_owner.value.param == "payment_method"


# ---- idempotency -----------------------------------------------------------------------------
def test_idempotent_replay(fake: FakeStripe, client: Any) -> None:
    first = pay(client, "pm_card_visa", key="order-1", metadata={"omnicrm_payment_id": "1"})
    second = pay(client, "pm_card_visa", key="order-1", metadata={"omnicrm_payment_id": "1"})
    assert first.id == second.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert fake.count("POST", "/v1/payment_intents") == 1
    assert len(fake.payment_intents) == len(fake.charges) == 1

    with pytest.raises(stripe.IdempotencyError) as mismatch:
        pay(client, "pm_card_visa", amount=9999, key="order-1")
    assert mismatch.value.http_status == 400
    assert mismatch.value.user_message.startswith(
        "Keys for idempotent requests can only be used with the same parameters"
    )
    assert len(fake.payment_intents) == 1


def test_idempotent_card_error_is_replayed(fake: FakeStripe, client: Any) -> None:
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            pay(client, "pm_card_chargeDeclined", key="declined-1")
    assert fake.count("POST", "/v1/payment_intents") == 1
    # A parameter error is not saved: fixing it under the same key runs the request.
    with pytest.raises(stripe.InvalidRequestError):
        pay(client, "pm_card_visa", amount=10, key="fix-1")
    assert pay(client, "pm_card_visa", amount=50, key="fix-1").status == "succeeded"


def test_idempotency_key_in_use(fake: FakeStripe, client: Any) -> None:
    fake.delay = 0.5
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(pay(client, "pm_card_visa", key="k")))
    first.start()
    deadline = time.monotonic() + 2
    while "k" not in fake.in_progress() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.in_progress() == ["k"]
    with pytest.raises(stripe.APIError) as excinfo:  # the library maps 409 to APIError
        pay(client, "pm_card_visa", key="k")
    first.join()
    assert excinfo.value.http_status == 409
    body: Any = excinfo.value.json_body
    assert body["error"]["type"] == "idempotency_error"
    assert results[0].status == "succeeded"
    assert fake.count("POST", "/v1/payment_intents") == 1


# ---- refunds ---------------------------------------------------------------------------------
def test_refunds(fake: FakeStripe, client: Any) -> None:
    intent = pay(client, "pm_card_visa", amount=5000)
    partial = client.v1.refunds.create(
        params={"payment_intent": intent.id, "amount": 1500, "reason": "requested_by_customer"}
    )
    assert (partial.object, partial.status, partial.amount) == ("refund", "succeeded", 1500)
    assert (partial.charge, partial.payment_intent) == (intent.latest_charge, intent.id)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (1500, False)
    assert [event["type"] for event in fake.events[-2:]] == ["charge.refunded", "refund.created"]
    assert fake.events[-2]["data"]["object"]["amount_refunded"] == 1500

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"charge": charge.id, "amount": 4000})
    assert too_much.value.param == "amount"
    assert too_much.value.user_message == (
        "Refund amount ($40.00) is greater than unrefunded amount on charge ($35.00)"
    )

    rest = client.v1.refunds.create(params={"charge": charge.id})
    assert rest.amount == 3500
    charge = client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (5000, True)
    with pytest.raises(stripe.InvalidRequestError) as already:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert already.value.code == "charge_already_refunded"

    listed = client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.id for r in listed.data] == [rest.id, partial.id]
    assert client.v1.refunds.retrieve(partial.id).amount == 1500
    txn = client.v1.balance_transactions.retrieve(rest.balance_transaction)
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == (
        "refund",
        -3500,
        0,
        -3500,
        rest.id,
    )

    pending = client.v1.payment_intents.create(params={"amount": 900, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as not_paid:
        client.v1.refunds.create(params={"payment_intent": pending.id})
    assert not_paid.value.http_status == 400


# ---- lists, search, balance transactions, events ---------------------------------------------
def test_list_pagination_and_created_filters(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    ids = []
    for day in range(5):
        fake.clock = 1_700_000_000 + day * 86_400
        ids.append(
            client.v1.payment_intents.create(
                params={"amount": 100 + day, "currency": "usd", "customer": customer.id}
            ).id
        )
    fake.clock = None
    newest_first = list(reversed(ids))

    page = client.v1.payment_intents.list(params={"customer": customer.id, "limit": 2})
    assert [pi.id for pi in page.data] == newest_first[:2]
    assert page.has_more is True and page.url == "/v1/payment_intents"
    page2 = client.v1.payment_intents.list(
        params={"customer": customer.id, "limit": 2, "starting_after": page.data[-1].id}
    )
    assert [pi.id for pi in page2.data] == newest_first[2:4]
    last = client.v1.payment_intents.list(
        params={"customer": customer.id, "limit": 2, "starting_after": page2.data[-1].id}
    )
    assert [pi.id for pi in last.data] == newest_first[4:] and last.has_more is False
    back = client.v1.payment_intents.list(params={"limit": 2, "ending_before": ids[1]})
    assert [pi.id for pi in back.data] == [ids[3], ids[2]] and back.has_more is True
    every = client.v1.payment_intents.list(params={"limit": 2}).auto_paging_iter()
    assert [pi.id for pi in every] == newest_first

    window = client.v1.payment_intents.list(
        params={"created": {"gte": 1_700_000_000 + 86_400, "lt": 1_700_000_000 + 3 * 86_400}}
    )
    assert [pi.id for pi in window.data] == [ids[2], ids[1]]
    exact = client.v1.payment_intents.list(params={"created": 1_700_000_000})
    assert [pi.id for pi in exact.data] == [ids[0]]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.list(params={"limit": 101})
    with pytest.raises(stripe.InvalidRequestError) as cursor:
        client.v1.payment_intents.list(params={"starting_after": "pi_missing"})
    assert cursor.value.param == "starting_after"


def test_search_by_metadata(fake: FakeStripe, client: Any) -> None:
    wanted = pay(client, "pm_card_visa", metadata={"omnicrm_payment_id": "42"})
    pay(client, "pm_card_visa", metadata={"omnicrm_payment_id": "43"})
    found = client.v1.payment_intents.search(
        params={"query": "metadata['omnicrm_payment_id']:'42'"}
    )
    assert found.object == "search_result"
    assert [pi.id for pi in found.data] == [wanted.id]
    assert found.has_more is False and found.next_page is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.search(params={"query": "status:'succeeded'"})
    fake.search_lag = 60
    assert (
        client.v1.payment_intents.search(
            params={"query": "metadata['omnicrm_payment_id']:'42'"}
        ).data
        == []
    )


def test_balance_transactions_and_charges(fake: FakeStripe, client: Any) -> None:
    customer = new_customer(client)
    fake.clock = 1_600_000_000
    old = pay(client, "pm_card_visa", amount=1000, customer=customer.id)
    fake.clock = 1_700_000_000
    new = pay(client, "pm_card_mastercard", amount=2000, customer=customer.id)
    client.v1.refunds.create(params={"payment_intent": new.id, "amount": 500})
    fake.clock = None

    charges = client.v1.balance_transactions.list(params={"type": "charge"})
    assert [(t.amount, t.fee, t.net) for t in charges.data] == [(2000, 88, 1912), (1000, 59, 941)]
    recent = client.v1.balance_transactions.list(params={"created": {"gte": 1_650_000_000}})
    assert [(t.type, t.amount) for t in recent.data] == [("refund", -500), ("charge", 2000)]
    assert client.v1.balance_transactions.retrieve(recent.data[1].id).source == new.latest_charge

    by_customer = client.v1.charges.list(params={"customer": customer.id})
    assert [c.payment_intent for c in by_customer.data] == [new.id, old.id]
    by_intent = client.v1.charges.list(params={"payment_intent": old.id})
    assert [c.id for c in by_intent.data] == [old.latest_charge]
    expanded = client.v1.payment_intents.list(
        params={"customer": customer.id, "expand": ["data.latest_charge"]}
    )
    assert [pi.latest_charge.amount for pi in expanded.data] == [2000, 1000]


def test_events_endpoints(fake: FakeStripe, client: Any) -> None:
    intent = pay(client, "pm_card_visa", key="evt-key")
    succeeded = client.v1.events.list(params={"type": "payment_intent.succeeded"})
    assert len(succeeded.data) == 1
    event = client.v1.events.retrieve(succeeded.data[0].id)
    assert event.object == "event" and event.type == "payment_intent.succeeded"
    assert event.data.object.id == intent.id
    assert event.request.idempotency_key == "evt-key"
    assert event.pending_webhooks == 1 and event.livemode is False
    wildcard = client.v1.events.list(params={"type": "payment_intent.*"})
    assert {e.type for e in wildcard.data} == {"payment_intent.created", "payment_intent.succeeded"}


# ---- failure knobs ---------------------------------------------------------------------------
def test_drop_before_applies_nothing(fake: FakeStripe, client: Any) -> None:
    fake.fail_next("POST", "/v1/payment_intents", "drop_before")
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        pay(client, "pm_card_visa", key="drop-1")
    assert time.monotonic() - started < 1
    assert fake.payment_intents == {} and fake.count("POST", "/v1/payment_intents") == 0
    assert pay(client, "pm_card_visa", key="drop-1").status == "succeeded"  # the retry runs


def test_drop_after_applies_then_replays(fake: FakeStripe, client: Any) -> None:
    fake.fail_next("POST", "/v1/payment_intents", "drop_after")
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        pay(client, "pm_card_visa", key="drop-2")
    assert time.monotonic() - started < 1
    assert len(fake.payment_intents) == 1  # Stripe took the payment; the client cannot know
    (applied,) = fake.payment_intents.values()
    assert applied["status"] == "succeeded"
    retried = pay(client, "pm_card_visa", key="drop-2")
    assert retried.id == applied["id"]
    assert retried.last_response.headers["Idempotent-Replayed"] == "true"
    assert fake.count("POST", "/v1/payment_intents") == 1


def test_http_500_and_down(fake: FakeStripe, client: Any) -> None:
    fake.fail_next("POST", "/v1/payment_intents", "http_500")
    with pytest.raises(stripe.APIError) as excinfo:
        pay(client, "pm_card_visa", key="err-1")
    assert excinfo.value.http_status == 500
    assert fake.payment_intents == {}
    assert pay(client, "pm_card_visa", key="err-1").status == "succeeded"

    fake.down = True
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.list()
    fake.down = False
    assert client.v1.customers.list().data == []

    fake.reset()
    assert fake.payment_intents == {} and fake.events == [] and fake.requests == []


# ---- webhooks --------------------------------------------------------------------------------
def test_webhook_signature_round_trip(fake: FakeStripe, client: Any) -> None:
    intent = pay(client, "pm_card_visa")
    event = fake.events_of("payment_intent.succeeded")[-1]
    payload, headers = fake.webhook(event, STRIPE_WEBHOOK_SECRET)
    assert headers["Content-Type"] == "application/json"
    parsed = stripe.Webhook.construct_event(
        payload, headers["Stripe-Signature"], STRIPE_WEBHOOK_SECRET, tolerance=300
    )
    assert parsed.type == "payment_intent.succeeded"
    assert parsed.data.object.id == intent.id

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            payload.replace(b"succeeded", b"failed"),
            headers["Stripe-Signature"],
            STRIPE_WEBHOOK_SECRET,
            tolerance=300,
        )
    stale = fake.sign(payload, STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()) - 600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, STRIPE_WEBHOOK_SECRET, tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            payload, headers["Stripe-Signature"], "whsec_other", tolerance=300
        )

    custom = fake.make_event("charge.dispute.created", {"id": "dp_1", "object": "dispute"})
    assert custom in fake.events
    body, signed = fake.webhook(custom, STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()))
    assert json.loads(body)["data"]["object"]["id"] == "dp_1"
    assert stripe.Webhook.construct_event(body, signed["Stripe-Signature"], STRIPE_WEBHOOK_SECRET)
