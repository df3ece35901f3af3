"""Usage rating through the API on the internal ledger: allowances first, then the product's
rate against money; prepaid refusals change nothing, postpaid keeps arrears; a batch sent again
changes nothing (and a property test over any batches and top-ups)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.models import UsageRecord
from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause, UsageType
from omnicrm.charging.rating import Incoming, rate_batch
from omnicrm.charging.use_cases import ensure_account
from omnicrm.customers.models import PaymentType
from omnicrm.inventory.models import Inventory
from omnicrm.services.models import ServiceStatus
from tests.factories import CustomerFactory, PhoneNumberFactory, ProductFactory, ServiceFactory

START = "2027-03-10T10:00:00Z"
RATES = {UsageType.data: Decimal("0.05"), UsageType.voice: Decimal("0.20")}
CDR = "/crm/charging/cdr"


def _service(db_session, *, payment=PaymentType.prepaid, data_mb=100, money="0", **rates):
    product = ProductFactory(
        data_mb=None, voice_minutes=None, sms=None, rate_per_mb=Decimal("0.05"),
        rate_per_minute=Decimal("0.20"), rate_per_sms=None, **rates,
    )  # fmt: skip
    customer = CustomerFactory(customer_payment_type=payment)
    service = ServiceFactory(
        customer_id=customer.customer_id,
        product_id=product.product_id,
        service_status=ServiceStatus.active,
    )
    ensure_account(db_session, service)
    ledger = InternalLedger(db_session)
    if data_mb:
        ledger.set_balance(
            service.service_uuid,
            BalanceSpec(BalanceType.data, Decimal(data_mb), balance_id="plan-data", weight=20),
            cause=Cause.allowance,
            reference="test allowance",
        )
    if Decimal(money):
        ledger.add_balance(
            service.service_uuid,
            BalanceSpec(BalanceType.monetary, Decimal(money)),
            cause=Cause.topup,
            reference="test",
        )
    return service


def _record(service, units, kind="data", **extra):
    return {
        "id": extra.pop("id", uuid.uuid4().hex),
        "service_uuid": service.service_uuid,
        "type": kind,
        "units": units,
        "start_time": START,
        **extra,
    }


def _values(db_session, service):
    return {
        b.balance_type.value: b.value
        for b in InternalLedger(db_session).balances(service.service_uuid)
    }


def test_usage_draws_the_allowance_then_charges_money(call, db_session):
    service = _service(db_session, data_mb=100, money="10")
    body = call(
        "post", CDR, 200, json={"records": [_record(service, "60"), _record(service, "70")]}
    )
    first, second = body["results"]
    assert first == {"id": first["id"], "outcome": "rated", "from_allowance": "60.00",
                     "charged": "0.00", "arrears": "0.00", "reason": None}  # fmt: skip
    # 40 MB left in the allowance, 30 MB at 0.05 = 1.50
    assert second["from_allowance"] == "40.00" and second["charged"] == "1.50"
    assert body["rated"] == 2 and body["rejected"] == body["duplicate"] == 0
    assert _values(db_session, service) == {"data": Decimal(0), "monetary": Decimal("8.50")}
    assert InternalLedger(db_session).verify(service.service_uuid) == []


def test_a_batch_sent_again_changes_nothing(call, db_session):
    service = _service(db_session, data_mb=100, money="10")
    batch = {"records": [_record(service, "150", id="cdr-1"), _record(service, "1", "voice")]}
    call("post", CDR, 200, json=batch)
    after_first = _values(db_session, service)
    again = call("post", CDR, 200, json=batch)
    assert again["duplicate"] == 2 and {r["outcome"] for r in again["results"]} == {"duplicate"}
    assert _values(db_session, service) == after_first
    twice_in_one = call("post", CDR, 200, json={"records": [_record(service, "1", id="x")] * 2})
    assert [r["outcome"] for r in twice_in_one["results"]] == ["rated", "duplicate"]


def test_prepaid_usage_money_cannot_cover_is_rejected_and_changes_nothing(call, db_session):
    service = _service(db_session, data_mb=10, money="1")
    body = call("post", CDR, 200, json={"records": [_record(service, "100")]})
    [result] = body["results"]
    assert result["outcome"] == "rejected" and result["reason"] == "not enough credit"
    assert _values(db_session, service) == {"data": Decimal(10), "monetary": Decimal(1)}
    stored = db_session.query(UsageRecord).filter_by(record_id=result["id"]).one()
    assert stored.outcome.value == "rejected"


def test_postpaid_usage_beyond_credit_is_kept_as_arrears(call, db_session):
    service = _service(db_session, payment=PaymentType.postpaid, data_mb=0, money="1")
    [result] = call("post", CDR, 200, json={"records": [_record(service, "100")]})["results"]
    assert result["outcome"] == "arrears"
    assert result["charged"] == "1.00" and result["arrears"] == "4.00"
    assert _values(db_session, service)["monetary"] == Decimal(0)


def test_unrated_kinds_unknown_services_and_closed_ones_are_rejected(call, db_session):
    service = _service(db_session, data_mb=0, money="50")
    closed = _service(db_session, money="50")
    closed.service_status = ServiceStatus.terminated
    db_session.flush()
    records = [
        _record(service, "1", "sms"),  # the product has no SMS rate and no SMS allowance
        {**_record(service, "1"), "service_uuid": uuid.uuid4().hex},
        _record(closed, "1"),
    ]
    reasons = [r["reason"] for r in call("post", CDR, 200, json={"records": records})["results"]]
    assert reasons == [
        "the product does not rate it",
        "no service with this uuid or msisdn",
        "service is terminated",
    ]


def test_records_find_their_service_by_msisdn(call, db_session):
    service = _service(db_session, data_mb=0, money="5")
    number = PhoneNumberFactory()
    db_session.get(Inventory, number.inventory_id).service_id = service.service_id
    db_session.flush()
    record = _record(service, "2", "voice")
    del record["service_uuid"]
    record["msisdn"] = number.serial
    [result] = call("post", CDR, 200, json={"records": [record]})["results"]
    assert result["charged"] == "0.40"


@pytest.mark.parametrize(
    "record",
    [
        {"type": "data", "units": "1", "start_time": START},  # no service
        {"type": "fax", "units": "1", "start_time": START, "msisdn": "+61412345678"},
        {"type": "data", "units": 1, "start_time": START, "msisdn": "+61412345678"},
        {"type": "data", "units": "1", "start_time": "2027-03-10", "msisdn": "+61412345678"},
        {"type": "data", "units": "-1", "start_time": START, "msisdn": "+61412345678"},
    ],
)
def test_a_malformed_record_refuses_the_batch_naming_it(call, record):
    error = call("post", CDR, 422, json={"records": [{"id": "bad", **record}]})
    assert "0" in error["errors"]["json"]["records"]


def test_usage_totals_by_type_and_day(call, db_session):
    service = _service(db_session, data_mb=100, money="10")
    records = [
        _record(service, "30"),
        _record(service, "90", start_time="2027-03-11T23:30:00+02:00"),  # 21:30 UTC on the 11th
        _record(service, "3", "voice"),
    ]
    call("post", CDR, 200, json={"records": records})
    by_type = call("get", f"/crm/service/{service.service_id}/usage", 200)
    assert [(t["usage_type"], t["units"], t["records"]) for t in by_type] == [
        ("data", "120.00", 2),
        ("voice", "3.00", 1),
    ]
    by_day = call("get", f"/crm/service/{service.service_id}/usage?group_by=day", 200)
    assert [(d["day"], d["usage_type"], d["units"]) for d in by_day] == [
        ("2027-03-10", "data", "30.00"),
        ("2027-03-10", "voice", "3.00"),
        ("2027-03-11", "data", "90.00"),
    ]
    since = call("get", f"/crm/service/{service.service_id}/usage?from=2027-03-11T00:00:00Z", 200)
    assert [t["units"] for t in since] == ["90.00"]


units = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(80), places=4)
batches = st.lists(
    st.lists(st.tuples(st.sampled_from(["data", "voice"]), units), min_size=1, max_size=6),
    min_size=1,
    max_size=4,
)


@given(batches=batches, postpaid=st.booleans(), topup=units)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_batches_keep_the_ledger_true_and_replays_change_nothing(
    db_session, batches, postpaid, topup
):
    payment = PaymentType.postpaid if postpaid else PaymentType.prepaid
    service = _service(db_session, payment=payment, data_mb=50, money="20")
    ledger = InternalLedger(db_session)
    for number, batch in enumerate(batches):
        records = [
            Incoming(f"{service.service_uuid}-{number}-{i}", UsageType(kind), amount, _start(),
                     service_uuid=service.service_uuid)
            for i, (kind, amount) in enumerate(batch)
        ]  # fmt: skip
        results = rate_batch(db_session, records)
        before = _values(db_session, service)
        assert {r.outcome.value for r in rate_batch(db_session, records)} == {"duplicate"}
        assert _values(db_session, service) == before
        for record, result in zip(records, results, strict=True):
            if result.outcome.value == "rated":
                assert result.from_allowance + (
                    result.charged
                    / (Decimal("0.05") if record.usage_type == "data" else Decimal("0.20"))
                ).quantize(Decimal("0.0001")) >= record.units - Decimal("0.01")
        ledger.add_balance(
            service.service_uuid,
            BalanceSpec(BalanceType.monetary, topup),
            cause=Cause.topup,
            reference="between batches",
        )
    values = _values(db_session, service)
    assert all(v >= 0 for v in values.values())  # postpaid's unpaid part is arrears, not debt
    assert ledger.verify(service.service_uuid) == []


def _start():
    from datetime import UTC, datetime

    return datetime(2027, 3, 10, 10, tzinfo=UTC)


_BASE = datetime(2027, 3, 10, 10, tzinfo=UTC)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("topup"), st.integers(1, 50), st.integers(1, 48)),
        st.tuples(st.just("use"), st.integers(1, 60), st.integers(0, 60)),
    ),
    min_size=1,
    max_size=12,
)


@given(steps=_steps)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_expired_balances_are_never_drawn_and_the_ledger_stays_true(db_session, steps):
    """Data top-ups with expiries and usage at any times: each record draws exactly what a plain
    model says (live balances only, soonest expiry first), money never pays (there is none),
    and every balance equals the sum of its movements."""
    service = _service(db_session, data_mb=0, money="0")
    ledger = InternalLedger(db_session)
    model: list[list[Any]] = []  # [balance_id, value, expiry], in creation order
    for number, (kind, amount, hours) in enumerate(steps):
        if kind == "topup":
            balance_id, expiry = f"t{number}", _BASE + timedelta(hours=hours)
            ledger.add_balance(
                service.service_uuid,
                BalanceSpec(
                    BalanceType.data, Decimal(amount), balance_id=balance_id, expiry=expiry
                ),
                cause=Cause.topup,
                reference="property",
            )
            model.append([balance_id, Decimal(amount), expiry])
            continue
        at = _BASE + timedelta(hours=hours)
        live = sorted((b for b in model if b[2] > at), key=lambda b: b[2])
        [result] = rate_batch(
            db_session,
            [Incoming(f"{service.service_uuid}-{number}", UsageType.data, Decimal(amount), at,
                      service_uuid=service.service_uuid)],
        )  # fmt: skip
        if sum(b[1] for b in live) >= amount:
            assert (result.outcome.value, result.from_allowance) == ("rated", Decimal(amount))
            left = Decimal(amount)
            for balance in live:
                take = min(left, balance[1])
                balance[1] -= take
                left -= take
        else:  # the rest would cost money a prepaid service does not have
            assert result.outcome.value == "rejected"
    held = {
        b.balance_id: b.value
        for b in ledger.balances(service.service_uuid, now=_BASE - timedelta(days=1))
        if b.balance_type == BalanceType.data
    }
    assert held == {b[0]: b[1] for b in model}
    assert ledger.verify(service.service_uuid) == []
