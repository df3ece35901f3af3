"""Charging thresholds: a product's levels (percent of an allowance used, money below an amount,
a play when an allowance is used up) fire once per period — an e-mail to the customer, a live
event to staff, the play queued — and allowances roll over when the product says so."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
import socketio
from sqlalchemy import select

from omnicrm.charging.allowances import renew_expired_allowances
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.models import ThresholdCrossing
from omnicrm.charging.thresholds import check_thresholds
from omnicrm.customers.models import PaymentType
from omnicrm.notifications.models import Notification
from omnicrm.provisioning.models import Provision
from omnicrm.provisioning.realtime import DASHBOARD
from omnicrm.services.models import ServiceStatus
from omnicrm.services.use_cases import change_service_status
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory

CDR = "/crm/charging/cdr"


def _live_service(app, db_session, *, start=None, **product_fields):
    values = {
        "data_mb": 1000, "voice_minutes": None, "sms": None, "rate_per_mb": None,
        "rate_per_minute": Decimal("0.50"), "rate_per_sms": None,
        "allowance_alerts": [80, 100], **product_fields,
    }  # fmt: skip
    product = ProductFactory(**values)
    customer = CustomerFactory(
        customer_payment_type=PaymentType.prepaid, email=f"{uuid.uuid4().hex[:8]}@example.com"
    )
    service = ServiceFactory(
        customer_id=customer.customer_id,
        product_id=product.product_id,
        service_status=ServiceStatus.pending,
    )
    start = start or datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        for status in (ServiceStatus.provisioning, ServiceStatus.active):
            change_service_status(
                db_session, service_id=service.service_id, to_status=status, now=start
            )
    db_session.commit()
    return service, customer


def _use(call, service, kind, units, at=None):
    at = at or datetime.now(UTC)
    record = {
        "id": uuid.uuid4().hex,
        "service_uuid": service.service_uuid,
        "type": kind,
        "units": units,
        "start_time": at.isoformat().replace("+00:00", "Z"),
    }
    return call("post", CDR, 200, json={"records": [record]})


def _mails(db_session, customer) -> list[str]:
    return list(
        db_session.scalars(
            select(Notification.subject)
            .where(Notification.recipient == customer.email)
            .order_by(Notification.notification_id)
        )
    )


def test_each_level_mails_the_customer_once_per_period(app, call, db_session):
    service, customer = _live_service(app, db_session)
    _use(call, service, "data", "500")
    assert _mails(db_session, customer) == []
    _use(call, service, "data", "350")  # 85 % used
    _use(call, service, "data", "10")  # still past 80 %: not again
    name = service.service_name
    assert _mails(db_session, customer) == [f"80% of your data used on {name}"]
    _use(call, service, "data", "140")  # 100 %
    assert _mails(db_session, customer) == [
        f"80% of your data used on {name}",
        f"100% of your data used on {name}",
    ]
    crossings = db_session.scalars(
        select(ThresholdCrossing.threshold).where(ThresholdCrossing.account == service.service_uuid)
    ).all()
    assert sorted(crossings) == ["data:100", "data:80"]


def test_low_money_mails_once(app, call, db_session):
    service, customer = _live_service(app, db_session, low_balance_alert=Decimal("5.00"))
    call("post", f"/crm/service/{service.service_id}/topup", 201, json={"amount": "10"})
    _use(call, service, "voice", "8")  # 4.00 charged: 6.00 left
    assert _mails(db_session, customer) == []
    _use(call, service, "voice", "4")  # 2.00 more: 4.00 left, below 5.00
    _use(call, service, "voice", "2")  # 3.00 left: not again this period
    [mail] = _mails(db_session, customer)
    assert mail == f"Low balance on {service.service_name}"
    body = db_session.scalars(
        select(Notification.body_text).where(Notification.recipient == customer.email)
    ).one()
    assert "4.00" in body and "5.00" in body


def test_a_new_period_fires_again(app, call, db_session):
    start = datetime(2027, 1, 10, 9, tzinfo=UTC)
    service, customer = _live_service(app, db_session, start=start)
    _use(call, service, "data", "900", at=start + timedelta(days=1))
    assert len(_mails(db_session, customer)) == 1
    renewed_at = start + timedelta(days=32)
    with app.app_context():
        assert renew_expired_allowances(db_session, now=renewed_at) == 1
        # As a batch rated on renewal day would: the allowance is full again, no new level.
        assert check_thresholds(db_session, [service.service_uuid]) == []
    db_session.commit()
    ledger = InternalLedger(db_session)
    [data] = ledger.balances(service.service_uuid, now=renewed_at)
    assert data.value == Decimal(1000)  # no rollover: the 100 left expired
    _use(call, service, "data", "850", at=renewed_at)
    subjects = _mails(db_session, customer)
    assert len(subjects) == 2 and subjects[0] == subjects[1]


def test_unused_allowance_rolls_over_up_to_one_periods_size(app, call, db_session):
    start = datetime(2027, 1, 10, 9, tzinfo=UTC)
    service, _ = _live_service(
        app, db_session, start=start, allowance_rollover=True, allowance_alerts=[]
    )
    _use(call, service, "data", "300", at=start + timedelta(days=1))
    ledger = InternalLedger(db_session)
    with app.app_context():
        renew_expired_allowances(db_session, now=start + timedelta(days=32))
        [data] = ledger.balances(service.service_uuid, now=start + timedelta(days=32))
        assert data.value == Decimal(1700)  # 1000 + the 700 left
        renew_expired_allowances(db_session, now=start + timedelta(days=60))
        [data] = ledger.balances(service.service_uuid, now=start + timedelta(days=60))
        assert data.value == Decimal(2000)  # 1000 + at most one period's 1000
    assert ledger.verify(service.service_uuid) == []


def test_an_allowance_used_up_runs_the_products_play(app, call, db_session):
    service, _ = _live_service(app, db_session, exhausted_play="provision_smoke")
    _use(call, service, "data", "999")
    assert (
        db_session.scalars(
            select(Provision).where(Provision.service_id == service.service_id)
        ).all()
        == []
    )
    _use(call, service, "data", "1")
    [job] = db_session.scalars(select(Provision).where(Provision.service_id == service.service_id))
    assert (job.provisioning_play, job.action) == ("provision_smoke", "simple")
    _use(call, service, "data", "0.5")  # rejected (no rate), and no second job
    assert (
        len(
            db_session.scalars(
                select(Provision).where(Provision.service_id == service.service_id)
            ).all()
        )
        == 1
    )


def test_staff_see_a_threshold_live(app, db_session, live_server, admin_headers):
    service, _ = _live_service(app, db_session)
    seen: list[dict[str, Any]] = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)

    def on_threshold(data: dict[str, Any]) -> None:
        seen.append(data)
        arrived.set()

    client.on("charging.threshold", on_threshold, namespace="/provision")
    token = admin_headers["Authorization"].removeprefix("Bearer ")
    client.connect(
        live_server, auth={"token": token}, namespaces=["/", "/provision"],
        transports=["websocket"], wait_timeout=10,
    )  # fmt: skip
    try:
        ack = client.call("join", {"room": DASHBOARD}, namespace="/provision", timeout=10)
        assert ack["ok"] is True
        record = {
            "id": uuid.uuid4().hex, "service_uuid": service.service_uuid, "type": "data",
            "units": "900", "start_time": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        response = requests.post(
            f"{live_server}{CDR}", json={"records": [record]}, headers=admin_headers, timeout=10
        )
        assert response.status_code == 200, response.text
        assert arrived.wait(10), "no charging.threshold event"
    finally:
        client.disconnect()
    assert seen[0]["service_id"] == service.service_id
    assert (seen[0]["threshold"], seen[0]["percent_used"], seen[0]["value"]) == (
        "data:80",
        80,
        "100.00",
    )


def test_the_catalog_checks_threshold_settings(call):
    base = {
        "product_name": f"Plan {uuid.uuid4().hex[:6]}",
        "category": "standalone",
        "retail_cost": "10",
    }
    made = call(
        "post", "/crm/product/", 201,
        json={**base, "allowance_alerts": [100, 80], "low_balance_alert": "5",
              "exhausted_play": "provision_smoke", "allowance_rollover": True},
    )  # fmt: skip
    assert made["allowance_alerts"] == [80, 100] and made["low_balance_alert"] == "5.00"
    assert made["exhausted_play"] == "provision_smoke" and made["allowance_rollover"] is True
    twice = call("post", "/crm/product/", 422, json={**base, "allowance_alerts": [80, 80]})
    assert "allowance_alerts" in twice["errors"]["json"]
    missing = call("post", "/crm/product/", 422, json={**base, "exhausted_play": "no_such_play"})
    assert "exhausted_play" in missing["errors"]["json"]
    for bad in ({"allowance_alerts": [0]}, {"allowance_alerts": [101]}, {"exhausted_play": "../x"}):
        call("post", "/crm/product/", 422, json={**base, **bad})
