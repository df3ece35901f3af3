"""Plan change (POST /crm/service/<id>/change-plan): a live service moves to another standalone
product; its prices follow, billing hears of it (ServicePlanChanged) and its allowances follow."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from omnicrm.activity.models import Activity
from omnicrm.catalog import use_cases as catalog
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.periods import add_months
from omnicrm.core import events
from omnicrm.core.db import utcnow
from omnicrm.customers.models import PaymentType
from omnicrm.services import use_cases as uc
from omnicrm.services.events import ServicePlanChanged
from omnicrm.services.models import Service, ServiceStatus, ServiceStatusHistory
from tests.factories import (
    AddonFactory,
    BundleFactory,
    CustomerFactory,
    ProductFactory,
    ServiceFactory,
)

S = ServiceStatus


def _url(service_id: int) -> str:
    return f"/crm/service/{service_id}/change-plan"


@pytest.fixture
def published(monkeypatch):
    """Every ServicePlanChanged published, after the real handlers ran."""
    seen: list[ServicePlanChanged] = []
    handlers = [*events.handlers_of(ServicePlanChanged), lambda _s, event: seen.append(event)]
    monkeypatch.setitem(events._handlers, ServicePlanChanged, handlers)
    return seen


@pytest.fixture
def plans(db_session):
    """The plan a service was sold with and one to move to (other prices, other allowances)."""
    old = ProductFactory(
        product_slug="mobile-1gb",
        retail_cost=Decimal("20.00"),
        wholesale_cost=Decimal("8.00"),
        tax_percentage=Decimal("10.00"),
        data_mb=1000,
        sms=100,
        voice_minutes=None,
    )
    new = ProductFactory(
        product_slug="mobile-5gb",
        retail_cost=Decimal("35.00"),
        wholesale_cost=Decimal("12.50"),
        tax_percentage=Decimal("20.00"),
        data_mb=5000,
        sms=None,
        voice_minutes=200,
    )
    return old, new


def _live_service(db_session, product, status=S.active, *, start=None, **fields):
    """A service sold with ``product`` (its snapshot) that went live at ``start``."""
    service = ServiceFactory(
        product_id=product.product_id,
        retail_cost=product.retail_cost,
        wholesale_cost=product.wholesale_cost,
        price_snapshot=catalog.price_snapshot_json(product),
        **fields,
    )
    path = {
        S.active: [S.provisioning, S.active],
        S.suspended: [S.provisioning, S.active, S.suspended],
        S.terminated: [S.provisioning, S.active, S.terminated],
        S.pending: [],
        S.provisioning: [S.provisioning],
        S.failed: [S.failed],
    }[status]
    for step in path:
        uc.change_service_status(
            db_session, service_id=service.service_id, to_status=step, now=start
        )
    db_session.commit()
    return service


def test_a_live_service_moves_to_the_new_plan(call, db_session, plans, published):
    old, new = plans
    start = utcnow() - timedelta(days=3)
    service = _live_service(db_session, old, start=start)
    # Edited after the sale: the service was sold at 10 %, and billing prorates from that.
    old.tax_percentage = Decimal("15.00")
    db_session.commit()
    before = utcnow()

    body = call(
        "post",
        _url(service.service_id),
        200,
        json={"product_id": new.product_id, "reason": "customer wants more data"},
    )

    assert body["product_id"] == new.product_id
    assert Decimal(body["retail_cost"]) == Decimal("35.00")
    assert Decimal(body["wholesale_cost"]) == Decimal("12.50")
    assert body["price_snapshot"]["product_id"] == new.product_id
    assert body["price_snapshot"]["tax_percentage"] == "20.00"
    assert body["service_status"] == "active"
    assert "status_history" in body
    db_session.expire_all()
    stored = db_session.get(Service, service.service_id)
    assert stored.product_id == new.product_id and stored.retail_cost == Decimal("35.00")

    [event] = published
    assert event == ServicePlanChanged(
        service_id=service.service_id,
        customer_id=service.customer_id,
        from_product_id=old.product_id,
        to_product_id=new.product_id,
        from_retail_cost=Decimal("20.00"),
        to_retail_cost=Decimal("35.00"),
        from_wholesale_cost=Decimal("8.00"),
        to_wholesale_cost=Decimal("12.50"),
        from_tax_percentage=Decimal("10.00"),
        to_tax_percentage=Decimal("20.00"),
        at=event.at,
    )
    assert before <= event.at <= utcnow()

    # The status did not change, so no history row; the activity log has the change and why.
    history = db_session.scalars(
        select(ServiceStatusHistory).where(ServiceStatusHistory.service_id == service.service_id)
    ).all()
    assert [h.to_status for h in history] == ["provisioning", "active"]
    rows = db_session.scalars(
        select(Activity)
        .where(Activity.object_type == "service")
        .where(Activity.object_id == str(service.service_id))
        .where(Activity.action.in_(["update", "change_plan"]))
        .order_by(Activity.activity_id)
    ).all()
    plan_rows = [r for r in rows if r.after and "retail_cost" in r.after]
    assert len(plan_rows) == 1
    assert plan_rows[0].before["product_id"] == old.product_id
    assert plan_rows[0].after["product_id"] == new.product_id
    assert Decimal(plan_rows[0].after["retail_cost"]) == Decimal("35.00")
    [why] = [r for r in rows if r.action == "change_plan"]
    assert why.before == {"product_id": old.product_id}
    assert why.after == {"product_id": new.product_id, "reason": "customer wants more data"}
    assert why.customer_id == service.customer_id


def test_the_allowances_follow_the_plan_for_the_rest_of_the_period(
    call, db_session, plans, published
):
    old, new = plans
    start = utcnow() - timedelta(days=3)
    service = _live_service(db_session, old, start=start)
    period_end = add_months(start, 1)
    ledger = InternalLedger(db_session)
    granted = {b.balance_id: b.value for b in ledger.balances(service.service_uuid)}
    assert granted == {f"{service.service_uuid}-data": 1000, f"{service.service_uuid}-sms": 100}

    call("post", _url(service.service_id), 200, json={"product_id": new.product_id})

    db_session.expire_all()
    balances = {b.balance_id: b for b in ledger.balances(service.service_uuid)}
    uuid = service.service_uuid
    assert {k: b.value for k, b in balances.items()} == {
        f"{uuid}-data": Decimal(5000),  # the new size
        f"{uuid}-voice": Decimal(200),  # new with the plan
        f"{uuid}-sms": Decimal(0),  # the new plan has none: nothing left this period
    }
    assert {b.expiry for b in balances.values()} == {period_end}
    assert ledger.verify(uuid) == []
    movements = call("get", f"/crm/service/{service.service_id}/ledger?cause=expiry", 200)
    assert [(m["balance_id"], Decimal(m["amount"])) for m in movements] == [
        (f"{uuid}-sms", Decimal(-100))
    ]


def test_a_suspended_service_changes_plan_and_stays_suspended(call, db_session, plans, published):
    old, new = plans
    service = _live_service(db_session, old, S.suspended)
    body = call("post", _url(service.service_id), 200, json={"product_id": new.product_id})
    assert body["service_status"] == "suspended" and body["product_id"] == new.product_id
    assert len(published) == 1


def test_unknown_service_is_404(call):
    body = call("post", _url(999_999), 404, json={"product_id": 1})
    assert body["code"] == "not_found"
    call("post", _url(2**31), 404, json={"product_id": 1})


@pytest.mark.parametrize("target", ["same", "unknown", "addon", "bundle", "other_currency"])
def test_a_product_that_is_not_a_plan_for_it_is_422(call, db_session, plans, published, target):
    old, _ = plans
    service = _live_service(db_session, old)
    product_id = {
        "same": lambda: old.product_id,
        "unknown": lambda: 999_999,
        "addon": lambda: AddonFactory(compatible_with=[old]).product_id,
        "bundle": lambda: BundleFactory(children=[old]).product_id,
        "other_currency": lambda: ProductFactory(currency="EUR").product_id,
    }[target]()
    db_session.commit()

    body = call("post", _url(service.service_id), 422, json={"product_id": product_id})

    assert body["code"] == "validation_error"
    assert list(body["errors"]["json"]) == ["product_id"]
    assert published == []
    db_session.expire_all()
    assert db_session.get(Service, service.service_id).product_id == old.product_id


@pytest.mark.parametrize("status", [S.terminated, S.pending, S.provisioning, S.failed])
def test_a_service_that_is_not_live_is_409(call, db_session, plans, published, status):
    old, new = plans
    service = _live_service(db_session, old, status)
    body = call("post", _url(service.service_id), 409, json={"product_id": new.product_id})
    assert body["code"] == "plan_change_refused"
    assert body["service_status"] == status.value
    assert published == []


def test_a_bundle_service_is_409(call, db_session, plans, published):
    old, new = plans
    parent = _live_service(db_session, BundleFactory(children=[old]))
    child = _live_service(db_session, old, bundled_parent_id=parent.service_id)
    for service in (parent, child):
        body = call("post", _url(service.service_id), 409, json={"product_id": new.product_id})
        assert body["code"] == "plan_change_refused"
    assert published == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"enabled": False}, "product_disabled"),
        ({"prepaid_eligible": False}, "product_not_eligible"),
    ],
)
def test_a_product_not_sold_to_the_customer_is_409(
    call, db_session, plans, published, change, code
):
    old, new = plans
    customer = CustomerFactory(customer_payment_type=PaymentType.prepaid)
    service = _live_service(db_session, old, customer_id=customer.customer_id)
    for key, value in change.items():
        setattr(new, key, value)
    db_session.commit()
    body = call("post", _url(service.service_id), 409, json={"product_id": new.product_id})
    assert body["code"] == code
    assert published == []


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"product_id": "2"},
        {"product_id": 0},
        {"product_id": 2, "reason": "x" * 501},
        {"product_id": 2, "service_status": "active"},
    ],
)
def test_an_invalid_body_is_422(call, db_session, plans, payload):
    service = _live_service(db_session, plans[0])
    body = call("post", _url(service.service_id), 422, json=payload)
    assert body["code"] == "validation_error"


def test_changing_a_plan_needs_service_write(api, make_user, db_session, plans):
    old, new = plans
    service = _live_service(db_session, old)
    sales = api.headers_for(make_user("sales").email)  # service.read only
    support = api.headers_for(make_user("support").email)  # service.write
    payload = {"product_id": new.product_id}
    assert api.client.post(_url(service.service_id), json=payload, headers=sales).status_code == 403
    db_session.expire_all()
    assert db_session.get(Service, service.service_id).product_id == old.product_id
    response = api.client.post(_url(service.service_id), json=payload, headers=support)
    assert response.status_code == 200, response.get_json()
    assert api.client.post(_url(service.service_id), json=payload).status_code == 401
