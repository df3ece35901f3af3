"""A product's allowances become balances when its service first goes live (internal ledger)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnicrm.catalog.models import BillingPeriod
from omnicrm.charging.allowances import current_period, period_end, renew_expired_allowances
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
from omnicrm.services.models import ServiceStatus
from omnicrm.services.use_cases import change_service_status
from tests.factories import ProductFactory, ServiceFactory


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "period", "end"),
    [
        (_at(2027, 1, 31, 9), BillingPeriod.monthly, _at(2027, 2, 28, 9)),  # short month
        (_at(2026, 12, 15), BillingPeriod.monthly, _at(2027, 1, 15)),  # new year
        (_at(2028, 1, 30), BillingPeriod.monthly, _at(2028, 2, 29)),  # leap year
        (_at(2027, 3, 1), BillingPeriod.weekly, _at(2027, 3, 8)),
        (_at(2027, 3, 1), BillingPeriod.daily, _at(2027, 3, 2)),
        (_at(2027, 3, 1), BillingPeriod.one_off, None),
    ],
)
def test_period_end(start, period, end):
    assert period_end(start, period) == end


@pytest.mark.parametrize(
    ("now", "period", "bounds"),
    [
        (_at(2027, 3, 1), BillingPeriod.monthly, (_at(2027, 2, 28, 12), _at(2027, 3, 31, 12))),
        (_at(2027, 3, 31, 12), BillingPeriod.monthly, (_at(2027, 3, 31, 12), _at(2027, 4, 30, 12))),
        (_at(2028, 2, 29, 13), BillingPeriod.monthly, (_at(2028, 2, 29, 12), _at(2028, 3, 31, 12))),
        (_at(2027, 1, 31, 12), BillingPeriod.monthly, (_at(2027, 1, 31, 12), _at(2027, 2, 28, 12))),
        (_at(2027, 2, 10), BillingPeriod.weekly, (_at(2027, 2, 7, 12), _at(2027, 2, 14, 12))),
        (_at(2027, 2, 10), BillingPeriod.one_off, None),
    ],
)
def test_current_period_counts_from_the_start_day(now, period, bounds):
    assert current_period(_at(2027, 1, 31, 12), period, now) == bounds


def _go_live(db_session, service, at):
    for status in (ServiceStatus.provisioning, ServiceStatus.active):
        change_service_status(db_session, service_id=service.service_id, to_status=status, now=at)


def test_first_activation_grants_the_products_allowances(app, db_session, call):
    product = ProductFactory(product_slug="mobile-10", data_mb=10240, sms=100, voice_minutes=None)
    service = ServiceFactory(product_id=product.product_id)
    start = datetime(2027, 1, 31, 12, tzinfo=UTC)
    with app.app_context():
        _go_live(db_session, service, start)
    body = call("get", f"/crm/service/{service.service_id}/balance", 200)
    # Read as of the period (the API reads "now", which may be past a 2027 expiry only later).
    balances = {
        b.balance_type.value: b
        for b in InternalLedger(db_session).balances(service.service_uuid, now=start)
    }
    assert set(balances) == {"data", "sms"}
    assert balances["data"].value == Decimal(10240) and balances["sms"].value == Decimal(100)
    # Named as the activation play names them in CGRateS.
    assert balances["data"].balance_id == f"{service.service_uuid}-data"
    assert balances["data"].expiry == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert {b["balance_type"] for b in body["balances"]} <= {"data", "sms"}
    ledger = call("get", f"/crm/service/{service.service_id}/ledger?cause=allowance", 200)
    assert len(ledger) == 2 and {m["cause"] for m in ledger} == {"allowance"}


def test_a_resumed_service_keeps_its_allowances_and_gets_none_more(app, db_session):
    product = ProductFactory(product_slug="mobile-5", data_mb=5120, sms=None, voice_minutes=60)
    service = ServiceFactory(product_id=product.product_id)
    start = datetime(2027, 5, 1, tzinfo=UTC)
    with app.app_context():
        _go_live(db_session, service, start)
        ledger = InternalLedger(db_session)
        before = ledger.balances(service.service_uuid, now=start)
        for status in (ServiceStatus.suspended, ServiceStatus.active):
            change_service_status(db_session, service_id=service.service_id, to_status=status)
    assert InternalLedger(db_session).balances(service.service_uuid, now=start) == before
    assert InternalLedger(db_session).verify(service.service_uuid) == []


def test_a_product_without_allowances_opens_no_account(app, db_session, call):
    product = ProductFactory(data_mb=None, sms=None, voice_minutes=None)
    service = ServiceFactory(product_id=product.product_id)
    with app.app_context():
        _go_live(db_session, service, datetime(2027, 5, 1, tzinfo=UTC))
    assert call("get", f"/crm/service/{service.service_id}/balance", 200)["balances"] == []


def test_an_ended_period_renews_the_allowance_to_its_size_on_the_same_billing_day(app, db_session):
    product = ProductFactory(product_slug="mobile-sms", data_mb=None, sms=100, voice_minutes=None)
    service = ServiceFactory(product_id=product.product_id)
    start = _at(2027, 1, 31, 12)
    with app.app_context():
        _go_live(db_session, service, start)
    ledger = InternalLedger(db_session)
    ledger.debit_balance(
        service.service_uuid,
        BalanceSpec(BalanceType.sms, Decimal(70), balance_id=f"{service.service_uuid}-sms"),
        cause=Cause.usage,
        reference="texts",
    )
    with app.app_context():
        assert renew_expired_allowances(db_session, now=_at(2027, 2, 28, 11)) == 0  # not yet
        # The run comes late (April 5). Periods count from the start day, Jan 31: Feb 28,
        # Mar 31, Apr 30 (not Mar 28, Apr 28: a short month does not move the billing day).
        assert renew_expired_allowances(db_session, now=_at(2027, 4, 5)) == 1
        [sms] = ledger.balances(service.service_uuid, now=_at(2027, 4, 5))
        assert sms.value == Decimal(100)  # unused allowance does not roll over
        assert sms.expiry == _at(2027, 4, 30, 12)
        assert renew_expired_allowances(db_session, now=_at(2027, 4, 5)) == 0  # once
    assert ledger.verify(service.service_uuid) == []


def test_a_terminated_service_is_not_renewed(app, db_session):
    product = ProductFactory(product_slug="mobile-t", data_mb=100, sms=None, voice_minutes=None)
    service = ServiceFactory(product_id=product.product_id)
    with app.app_context():
        _go_live(db_session, service, _at(2027, 1, 1))
        change_service_status(
            db_session, service_id=service.service_id, to_status=ServiceStatus.terminated
        )
        assert renew_expired_allowances(db_session, now=_at(2027, 6, 1)) == 0


@given(
    anchor=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    period=st.sampled_from([BillingPeriod.monthly, BillingPeriod.weekly, BillingPeriod.daily]),
)
def test_the_current_period_always_holds_now(anchor, later, period):
    start_, end_ = current_period(anchor, period, anchor + later)
    assert start_ <= anchor + later < end_
    assert period_end(start_, period) == end_ or (
        period == BillingPeriod.monthly and end_.day >= start_.day  # a short month came between
    )
