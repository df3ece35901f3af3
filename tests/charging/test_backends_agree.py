"""One scenario through the API — a service goes live (allowances), usage is rated, money is
topped up, an add-on is sold, more usage crosses the thresholds — on the internal ledger and on
CGRateS (the fake, speaking its JSON-RPC): both answer the same balances, journal and alerts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from omnicrm.catalog.models import ProductAddonCompatibility, ProductCategory
from omnicrm.charging.allowances import renew_expired_allowances
from omnicrm.charging.models import ThresholdCrossing
from omnicrm.customers.models import PaymentType
from omnicrm.notifications.models import Notification
from omnicrm.services.models import ServiceStatus
from omnicrm.services.use_cases import change_service_status
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory
from tests.fakes.cgrates import FakeCGRateS, fake_cgrates  # noqa: F401

CDR = "/crm/charging/cdr"


@pytest.fixture(params=["internal", "cgrates"])
def backend(request, app, monkeypatch) -> str:
    settings = app.extensions["omnicrm_settings"]
    if request.param == "cgrates":
        fake: FakeCGRateS = request.getfixturevalue("fake_cgrates")
        monkeypatch.setattr(settings, "charging_backend", "cgrates")
        monkeypatch.setattr(settings, "cgrates_url", fake.url)
        monkeypatch.setattr(settings, "cgrates_tenant", "cgrates.org")
    return str(request.param)


def _usage(service, kind: str, units: str, at: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "service_uuid": service.service_uuid,
        "type": kind,
        "units": units,
        "start_time": at.isoformat().replace("+00:00", "Z"),
    }


def _balances(call, service) -> dict[tuple[str, str], tuple[str, str | None]]:
    body = call("get", f"/crm/service/{service.service_id}/balance", 200)
    return {
        (b["balance_type"], b["balance_id"].replace(service.service_uuid, "<uuid>")): (
            b["value"],
            # CGRateS keeps whole seconds.
            None if b["expiry"] is None else b["expiry"][:19],
        )
        for b in body["balances"]
    }


def test_the_same_scenario_leaves_the_same_balances(backend, app, call, db_session, request):
    plan = ProductFactory(
        data_mb=1000, voice_minutes=None, sms=50, rate_per_mb=Decimal("0.05"),
        rate_per_minute=Decimal("0.20"), rate_per_sms=None, allowance_alerts=[50, 100],
        low_balance_alert=Decimal("12.00"),
    )  # fmt: skip
    addon = ProductFactory(
        category=ProductCategory.addon, product_slug=f"extra-{backend}", data_mb=2048,
        voice_minutes=None, sms=None, retail_cost=Decimal("7.50"), provisioning_play=None,
    )  # fmt: skip
    db_session.add(
        ProductAddonCompatibility(
            addon_product_id=addon.product_id, base_product_id=plan.product_id
        )
    )
    customer = CustomerFactory(
        customer_payment_type=PaymentType.prepaid,
        email=f"{backend}-{uuid.uuid4().hex[:6]}@example.com",
    )
    service = ServiceFactory(
        customer_id=customer.customer_id,
        product_id=plan.product_id,
        service_status=ServiceStatus.pending,
    )
    db_session.flush()
    if backend == "cgrates":
        # CGRateS prices usage by its rating plans: the plan's rates, loaded for the account.
        fake: FakeCGRateS = request.getfixturevalue("fake_cgrates")
        fake.load_tariff(service.service_uuid, {"*data": "0.05", "*voice": "0.20"})
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        for status in (ServiceStatus.provisioning, ServiceStatus.active):
            change_service_status(
                db_session, service_id=service.service_id, to_status=status, now=now
            )
    db_session.commit()
    url = f"/crm/service/{service.service_id}"

    first = call("post", CDR, 200, json={"records": [_usage(service, "data", "600", now)]})
    assert first["rated"] == 1
    # A prepaid call with no money yet is refused and changes nothing.
    refused = call("post", CDR, 200, json={"records": [_usage(service, "voice", "5", now)]})
    assert refused["rejected"] == 1
    call("post", f"{url}/topup", 201, json={"amount": "20"})
    sold = call("post", f"{url}/addon", 201, json={"product_id": addon.product_id})
    assert sold["charged"] == "7.50"
    later = now + timedelta(minutes=5)
    batch = [
        _usage(service, "data", "500", later),  # 400 of the allowance, then 100 of the add-on
        _usage(service, "voice", "10", later),  # 2.00 of money
        _usage(service, "sms", "3", later),
    ]
    result = call("post", CDR, 200, json={"records": batch})
    assert [r["outcome"] for r in result["results"]] == ["rated", "rated", "rated"]
    assert [r["charged"] for r in result["results"]] == ["0.00", "2.00", "0.00"]
    again = call("post", CDR, 200, json={"records": batch})
    assert again["duplicate"] == 3

    balances = _balances(call, service)
    values = {key: value for key, (value, _) in balances.items()}
    assert values == {
        ("monetary", "*default"): "10.50",
        ("data", "<uuid>-data"): "0.00",
        ("sms", "<uuid>-sms"): "47.00",
        ("data", f"addon-extra-{backend}-data"): "1948.00",
    }
    month = balances[("data", "<uuid>-data")][1]
    assert month is not None and month > now.isoformat()[:19]
    journal = call("get", f"{url}/ledger", 200)
    # The internal ledger journals usage too; CGRateS debits it inside (see the usage below).
    assert [(m["cause"], m["balance_type"], m["amount"]) for m in reversed(journal)][:6] == [
        ("allowance", "data", "1000.00"),
        ("allowance", "sms", "50.00"),
        *([("usage", "data", "-600.00")] if backend == "internal" else []),
        ("topup", "monetary", "20.00"),
        ("addon", "monetary", "-7.50"),
        ("addon", "data", "2048.00"),
    ]
    usage = call("get", f"{url}/usage?group_by=type", 200)
    assert {u["usage_type"]: u["units"] for u in usage} == {
        "data": "1100.00",
        "voice": "10.00",
        "sms": "3.00",
    }
    # The thresholds read the same balances: half the data, all of it, money below 12.00.
    crossed = db_session.scalars(
        select(ThresholdCrossing.threshold).where(ThresholdCrossing.account == service.service_uuid)
    ).all()
    assert sorted(crossed) == ["data:100", "data:50", "monetary:below"]
    mails = db_session.scalars(
        select(Notification.subject).where(Notification.recipient == customer.email)
    ).all()
    assert len(mails) == 3
    if backend == "cgrates":
        fake = request.getfixturevalue("fake_cgrates")
        assert set(fake.methods_called()) <= {
            "APIerSv2.SetAccount", "APIerSv2.GetAccount", "APIerSv1.SetBalance",
            "APIerSv1.AddBalance", "APIerSv1.DebitBalance", "CDRsV1.ProcessEvent",
            "CDRsV1.GetCDRs", "APIerSv2.SetActions", "APIerSv1.ExecuteAction",
        }  # fmt: skip
        # The add-on is its action, Action_<slug>, executed on the account.
        assert {
            "CDRsV1.ProcessEvent", "APIerSv1.DebitBalance", "APIerSv1.ExecuteAction",
        } <= set(fake.methods_called())  # fmt: skip


def test_rollover_carries_what_the_backend_left(backend, app, call, db_session, request):
    """With CGRateS the usage is debited there: the renewal asks it what was left."""
    plan = ProductFactory(
        data_mb=1000, voice_minutes=None, sms=None, rate_per_mb=None, allowance_rollover=True
    )
    service = ServiceFactory(product_id=plan.product_id, service_status=ServiceStatus.pending)
    start = datetime(2027, 1, 10, 9, tzinfo=UTC)
    with app.app_context():
        for status in (ServiceStatus.provisioning, ServiceStatus.active):
            change_service_status(
                db_session, service_id=service.service_id, to_status=status, now=start
            )
    db_session.commit()
    used = call(
        "post",
        CDR,
        200,
        json={"records": [_usage(service, "data", "300", start + timedelta(days=1))]},
    )
    assert used["rated"] == 1
    with app.app_context():
        assert renew_expired_allowances(db_session, now=start + timedelta(days=32)) == 1
    db_session.commit()
    values = {key: value for key, (value, _) in _balances(call, service).items()}
    assert values == {("data", "<uuid>-data"): "1700.00"}


def test_cgrates_refusing_or_down_leaves_nothing_written_here(
    app, call, db_session, request, monkeypatch
):
    """A refused CGRateS call is a 502 and an unreachable one a 503 (bounded retries); the
    request's journal rolls back with it, so OmniCRM and CGRateS do not drift apart."""
    fake: FakeCGRateS = request.getfixturevalue("fake_cgrates")
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "charging_backend", "cgrates")
    monkeypatch.setattr(settings, "cgrates_url", fake.url)
    service = ServiceFactory(service_status=ServiceStatus.active)
    db_session.commit()
    url = f"/crm/service/{service.service_id}"
    call("post", f"{url}/topup", 201, json={"amount": "5"})
    before = _balances(call, service)

    fake.fail_next("APIerSv1.AddBalance", "SERVER_ERROR")
    refused = call("post", f"{url}/topup", 502, json={"amount": "7"})
    assert refused["code"] == "charging_failed" and "AddBalance" in refused["message"]
    fake.down = True
    try:
        gone = call("post", f"{url}/topup", 503, json={"amount": "7"})
    finally:
        fake.down = False
    assert gone["code"] == "charging_unavailable"

    assert _balances(call, service) == before
    journal = call("get", f"{url}/ledger", 200)
    assert [(m["cause"], m["amount"]) for m in journal] == [("topup", "5.00")]
