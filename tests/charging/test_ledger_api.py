"""The internal ledger through the API: balances, staff top-ups (idempotent), the movement ledger,
and the ledger's invariants under any sequence of changes (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicrm.charging.ledger import InsufficientBalance, InternalLedger
from omnicrm.charging.ports import AccountOptions, BalanceSpec, BalanceType, Cause
from omnicrm.services.models import ServiceStatus
from tests.factories import CustomerFactory, ServiceFactory


@pytest.fixture
def service(db_session):
    return ServiceFactory(service_status=ServiceStatus.active)


def _balances(call, service_id):
    return call("get", f"/crm/service/{service_id}/balance", 200)


def test_a_new_service_has_no_balances(call, service):
    body = _balances(call, service.service_id)
    assert body["account"] == service.service_uuid
    assert body["backend"] == "internal" and body["balances"] == []


def test_top_up_adds_to_the_monetary_balance_and_leaves_a_movement(call, service, api):
    first = call("post", f"/crm/service/{service.service_id}/topup", 201, json={"amount": "10.50"})
    assert first["amount"] == "10.50" and first["value_after"] == "10.50"
    assert first["cause"] == "topup" and first["balance_type"] == "monetary"
    second = call(
        "post",
        f"/crm/service/{service.service_id}/topup",
        201,
        json={"amount": "4.5", "note": "cash"},
    )
    assert second["value_after"] == "15.00" and second["reference"] == "staff top-up: cash"
    [money] = _balances(call, service.service_id)["balances"]
    assert money["balance_type"] == "monetary" and money["value"] == "15.00"
    ledger = call("get", f"/crm/service/{service.service_id}/ledger", 200)
    assert [m["movement_id"] for m in ledger] == [second["movement_id"], first["movement_id"]]
    assert ledger[0]["user_id"] is not None


def test_the_same_idempotency_key_tops_up_once(call, service, db_session):
    url = f"/crm/service/{service.service_id}/topup"
    headers = {"Idempotency-Key": "till-42"}
    first = call("post", url, 201, json={"amount": "20"}, headers=headers)
    again = call("post", url, 201, json={"amount": "20"}, headers=headers)
    assert again["movement_id"] == first["movement_id"]
    assert _balances(call, service.service_id)["balances"][0]["value"] == "20.00"
    other = call("post", url, 422, json={"amount": "21"}, headers=headers)
    assert other["code"] == "idempotency_key_reused"
    assert InternalLedger(db_session).verify(service.service_uuid) == []


@pytest.mark.parametrize("amount", ["0", "0.00", "-5", "1000000", "1.23456", "1e3", 5, ""])
def test_a_top_up_amount_outside_the_document_is_refused(call, service, amount):
    error = call("post", f"/crm/service/{service.service_id}/topup", 422, json={"amount": amount})
    assert "amount" in error["errors"]["json"]
    assert _balances(call, service.service_id)["balances"] == []


def test_a_terminated_service_takes_no_top_up(call, db_session):
    closed = ServiceFactory(service_status=ServiceStatus.terminated)
    error = call("post", f"/crm/service/{closed.service_id}/topup", 409, json={"amount": "5"})
    assert error["code"] == "service_terminated"
    call("post", "/crm/service/999999/topup", 404, json={"amount": "5"})
    call("get", "/crm/service/999999/balance", 404)


def test_top_up_needs_payment_write(api, make_user, service):
    sales = api.headers_for(make_user("sales").email)
    response = api.client.post(
        f"/crm/service/{service.service_id}/topup", json={"amount": "5"}, headers=sales
    )
    assert response.status_code == 403
    finance = api.headers_for(make_user("finance").email)
    response = api.client.post(
        f"/crm/service/{service.service_id}/topup", json={"amount": "5"}, headers=finance
    )
    assert response.status_code == 201


def test_a_top_up_extends_the_expiry_of_the_balance_it_joins(db_session):
    ledger = InternalLedger(db_session)
    ledger.create_account("acct-expiry")
    soon = datetime(2027, 1, 31, tzinfo=UTC)
    later = soon + timedelta(days=30)
    spec = BalanceSpec(BalanceType.data, Decimal(1024), balance_id="pack", expiry=soon)
    ledger.add_balance("acct-expiry", spec, cause=Cause.topup, reference="t1")
    ledger.add_balance(
        "acct-expiry",
        BalanceSpec(BalanceType.data, Decimal(512), balance_id="pack", expiry=later),
        cause=Cause.topup,
        reference="t2",
    )
    ledger.add_balance(  # an earlier expiry never shortens it
        "acct-expiry",
        BalanceSpec(BalanceType.data, Decimal(1), balance_id="pack", expiry=soon),
        cause=Cause.topup,
        reference="t3",
    )
    [pack] = ledger.balances("acct-expiry", now=soon - timedelta(days=1))
    assert pack.value == Decimal(1537) and pack.expiry == later


def test_a_debit_below_zero_is_refused_and_changes_nothing(db_session):
    ledger = InternalLedger(db_session)
    ledger.create_account("acct-debit")
    money = BalanceSpec(BalanceType.monetary, Decimal("5"))
    ledger.add_balance("acct-debit", money, cause=Cause.topup, reference="t")
    with pytest.raises(InsufficientBalance):
        ledger.debit_balance(
            "acct-debit", BalanceSpec(BalanceType.monetary, Decimal("5.01")), cause=Cause.usage,
            reference="u",
        )  # fmt: skip
    assert ledger.balances("acct-debit")[0].value == Decimal("5")
    ledger.create_account("acct-debit", AccountOptions(allow_negative=True))  # overdraft allowed
    ledger.debit_balance(
        "acct-debit", BalanceSpec(BalanceType.monetary, Decimal("7")), cause=Cause.usage,
        reference="u",
    )  # fmt: skip
    assert ledger.balances("acct-debit")[0].value == Decimal("-2")
    assert ledger.verify("acct-debit") == []


def test_set_balance_renews_an_allowance_to_exactly_its_size(db_session):
    ledger = InternalLedger(db_session)
    ledger.create_account("acct-allow")
    allowance = BalanceSpec(BalanceType.sms, Decimal(100), balance_id="plan-sms")
    ledger.set_balance("acct-allow", allowance, cause=Cause.allowance, reference="month 1")
    ledger.debit_balance(
        "acct-allow", BalanceSpec(BalanceType.sms, Decimal(30), balance_id="plan-sms"),
        cause=Cause.usage, reference="sms",
    )  # fmt: skip
    movement = ledger.set_balance("acct-allow", allowance, cause=Cause.allowance, reference="m2")
    assert movement.amount == Decimal(30) and movement.value_after == Decimal(100)
    assert ledger.verify("acct-allow") == []


amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4)
steps = st.lists(
    st.tuples(st.sampled_from(["topup", "debit"]), st.sampled_from(list(BalanceType)), amounts),
    min_size=1,
    max_size=25,
)


@given(steps=steps, overdraft=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_sequence_keeps_each_balance_the_sum_of_its_movements(db_session, steps, overdraft):
    ledger = InternalLedger(db_session)
    account = f"prop-{CustomerFactory().customer_id}"
    ledger.create_account(account, AccountOptions(allow_negative=overdraft))
    expected = {kind: Decimal(0) for kind in BalanceType}
    for action, kind, amount in steps:
        spec = BalanceSpec(kind, amount)
        if action == "topup":
            ledger.add_balance(account, spec, cause=Cause.topup, reference="p")
            expected[kind] += amount
        elif overdraft or expected[kind] >= amount:
            ledger.debit_balance(account, spec, cause=Cause.usage, reference="p")
            expected[kind] -= amount
        else:
            with pytest.raises(InsufficientBalance):
                ledger.debit_balance(account, spec, cause=Cause.usage, reference="p")
    values = {b.balance_type: b.value for b in ledger.balances(account)}
    assert {k: values.get(k, Decimal(0)) for k in BalanceType} == expected
    assert overdraft or all(v >= 0 for v in values.values())
    assert ledger.verify(account) == []
