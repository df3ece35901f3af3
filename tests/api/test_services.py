"""Services API: the status machine (every legal and illegal transition, with its history),
termination returning inventory and closing the contract, bundle children following their
parent, lists with filters/search/sort, permissions."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from omnicrm.contracts import use_cases as contracts
from omnicrm.contracts.models import Contract
from omnicrm.core.errors import InvalidTransition
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, ItemState
from omnicrm.provisioning.use_cases import PlayConfig
from omnicrm.services import use_cases as uc
from omnicrm.services.models import Service, ServiceStatus, ServiceStatusHistory
from tests.factories import (
    BundleFactory,
    CustomerFactory,
    PhoneNumberFactory,
    ProductFactory,
    ServiceFactory,
    SimFactory,
)

URL = "/crm/service/"
S = ServiceStatus
ACTIONS = {"suspend": S.suspended, "resume": S.active, "terminate": S.terminated}
# How to reach each status from pending with use-case calls.
PATHS = {
    S.pending: [],
    S.provisioning: [S.provisioning],
    S.active: [S.provisioning, S.active],
    S.suspended: [S.provisioning, S.active, S.suspended],
    S.failed: [S.failed],
    S.terminated: [S.terminated],
}


def _service_in(db_session, status):
    service = ServiceFactory()
    for step in PATHS[status]:
        uc.change_service_status(db_session, service_id=service.service_id, to_status=step)
    db_session.commit()
    return service


@pytest.fixture
def sold(app, db_session):
    """A real sale (SIM + number bound, contract active) through the use case."""
    inv.sync_inventory_templates(db_session)
    SimFactory()
    PhoneNumberFactory(serial="+61412399001")
    customer = CustomerFactory()
    product = ProductFactory(product_name="Mobile 5")
    contract = contracts.create_contract(
        db_session,
        customer_id=customer.customer_id,
        product_id=product.product_id,
        play_config=PlayConfig.from_settings(app.extensions["omnicrm_settings"]),
    )
    db_session.commit()
    return contract


# --------------------------------------------------------------------------------------------
# The status machine
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "action"), list(itertools.product(list(S), list(ACTIONS))))
def test_every_action_from_every_status(call, db_session, status, action):
    service = _service_in(db_session, status)
    target = ACTIONS[action]
    legal = target in uc.TRANSITIONS[status]
    url = f"{URL}{service.service_id}/{action}"
    if legal:
        body = call("post", url, 200, json={"reason": f"{action} please"})
        assert body["service_status"] == target.value
        assert body["status_history"][-1]["from_status"] == status.value
        assert body["status_history"][-1]["to_status"] == target.value
        assert body["status_history"][-1]["reason"] == f"{action} please"
        assert body["status_history"][-1]["user_id"] is not None
    else:
        body = call("post", url, 409, json={"reason": "no"})
        assert body["code"] == "invalid_transition"
        assert (body["from_status"], body["to_status"]) == (status.value, target.value)
        db_session.expire_all()
        assert db_session.get(Service, service.service_id).service_status == status


def test_the_transition_table(db_session):
    """pending -> provisioning -> active <-> suspended -> terminated; failed from
    pending/provisioning (and back to provisioning on a retry); nothing leaves terminated."""
    allowed = {(a, b) for a, targets in uc.TRANSITIONS.items() for b in targets}
    assert allowed == {
        (S.pending, S.provisioning),
        (S.pending, S.failed),
        (S.pending, S.terminated),
        (S.provisioning, S.active),
        (S.provisioning, S.failed),
        (S.active, S.suspended),
        (S.active, S.terminated),
        (S.suspended, S.active),
        (S.suspended, S.terminated),
        (S.failed, S.provisioning),  # a retried activation job
        (S.failed, S.terminated),
    }
    for source, target in itertools.product(list(S), list(S)):
        service = ServiceFactory()
        for step in PATHS[source]:
            uc.change_service_status(db_session, service_id=service.service_id, to_status=step)
        if (source, target) in allowed:
            uc.change_service_status(db_session, service_id=service.service_id, to_status=target)
            assert service.service_status == target
        else:
            with pytest.raises(InvalidTransition):
                uc.change_service_status(
                    db_session, service_id=service.service_id, to_status=target
                )
    db_session.rollback()


def test_dates_follow_the_status(db_session):
    service = _service_in(db_session, S.active)
    assert service.start_date is not None and service.end_date is None
    uc.terminate_service(db_session, service_id=service.service_id, reason="done")
    assert service.end_date is not None


def test_reason_is_required_and_bounded(call, db_session):
    service = _service_in(db_session, S.active)
    url = f"{URL}{service.service_id}/suspend"
    call("post", url, 422, json={})
    call("post", url, 422, json={"reason": ""})
    call("post", url, 422, json={"reason": "x" * 501})
    call("post", url, 422, json={"reason": "ok", "service_status": "active"})
    call("post", url, 200, json={"reason": "x" * 500})
    call("post", f"{URL}999999/suspend", 404, json={"reason": "x"})


# --------------------------------------------------------------------------------------------
# Termination, contract sync, bundles
# --------------------------------------------------------------------------------------------
def test_terminate_returns_sim_and_quarantines_number_and_closes_contract(call, db_session, sold):
    body = call("get", f"{URL}{sold.service_id}", 200)
    assert sorted(i["item"] for i in body["inventory"]) == ["Phone Number", "SIM Card"]
    body = call("post", f"{URL}{sold.service_id}/terminate", 200, json={"reason": "churn"})
    assert body["service_status"] == "terminated" and body["end_date"]
    assert body["inventory"] == []
    db_session.expire_all()
    sim = db_session.get(Inventory, sold.sim_inventory_id)
    number = db_session.get(Inventory, sold.number_inventory_id)
    assert sim.item_state == ItemState.returned
    assert number.item_state == ItemState.quarantined and number.quarantined_until is not None
    contract = db_session.get(Contract, sold.contract_id)
    assert contract.contract_status.value == "closed"


def test_service_suspend_and_resume_carry_the_contract(call, db_session, sold):
    call("post", f"{URL}{sold.service_id}/suspend", 200, json={"reason": "unpaid"})
    db_session.expire_all()
    assert db_session.get(Contract, sold.contract_id).contract_status.value == "suspended"
    call("post", f"{URL}{sold.service_id}/resume", 200, json={"reason": "paid"})
    db_session.expire_all()
    assert db_session.get(Contract, sold.contract_id).contract_status.value == "active"


def test_bundle_children_follow_suspend_resume_terminate(app, call, db_session):
    customer = CustomerFactory()
    a, b = ProductFactory(inventory_items_list=[]), ProductFactory(inventory_items_list=[])
    bundle = BundleFactory(children=[a, b])
    contract = contracts.create_contract(
        db_session,
        customer_id=customer.customer_id,
        product_id=bundle.product_id,
        play_config=PlayConfig.from_settings(app.extensions["omnicrm_settings"]),
    )
    db_session.commit()
    parent = contract.service_id

    def statuses():
        db_session.expire_all()
        children = uc.children_of(db_session, parent)
        assert len(children) == 2
        return {c.service_status.value for c in children}

    assert statuses() == {"active"}
    call("post", f"{URL}{parent}/suspend", 200, json={"reason": "x"})
    assert statuses() == {"suspended"}
    call("post", f"{URL}{parent}/resume", 200, json={"reason": "x"})
    assert statuses() == {"active"}
    call("post", f"{URL}{parent}/terminate", 200, json={"reason": "x"})
    assert statuses() == {"terminated"}


def test_history_starts_at_creation(db_session, sold):
    rows = db_session.scalars(
        select(ServiceStatusHistory)
        .where(ServiceStatusHistory.service_id == sold.service_id)
        .order_by(ServiceStatusHistory.service_status_history_id)
    ).all()
    assert [(r.from_status, r.to_status) for r in rows] == [
        (None, "pending"),
        ("pending", "provisioning"),
        ("provisioning", "active"),
    ]


# --------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------
def test_get_shows_prices_snapshot_and_inventory(call, sold):
    body = call("get", f"{URL}{sold.service_id}", 200)
    assert body["retail_cost"] == "20.00" and body["wholesale_cost"] == "8.00"
    assert body["price_snapshot"]["product_name"] == "Mobile 5"
    assert body["service_uuid"] == sold.service.service_uuid
    assert body["service_billed"] is True and body["bundled_parent_id"] is None
    call("get", f"{URL}999999", 404)
    call("get", f"{URL}0", 404)


def test_list_filters_search_and_sort(call, db_session, sold):
    other = _service_in(db_session, S.failed)
    ids = lambda body: [s["service_id"] for s in body]  # noqa: E731
    assert set(ids(call("get", URL, 200))) == {sold.service_id, other.service_id}
    by_customer = call("get", URL, 200, query_string={"customer_id": sold.customer_id})
    assert ids(by_customer) == [sold.service_id]
    assert ids(call("get", URL, 200, query_string={"product_id": other.product_id})) == [
        other.service_id
    ]
    assert ids(call("get", URL, 200, query_string={"service_status": "failed"})) == [
        other.service_id
    ]
    for q in ("+61412399001", "+61 412 399 001", sold.service.service_uuid[:12], "mobile 5"):
        assert ids(call("get", URL, 200, query_string={"q": q})) == [sold.service_id], q
    assert call("get", URL, 200, query_string={"q": "nothing-like-it"}) == []
    asc = ids(call("get", URL, 200, query_string={"sort": "service_id"}))
    assert asc == sorted(asc)
    assert ids(call("get", URL, 200, query_string={"sort": "-service_id"})) == asc[::-1]
    call("get", URL, 422, query_string={"sort": "service_uuid"})
    call("get", URL, 422, query_string={"service_status": "lost"})
    call("get", URL, 422, query_string={"page_size": 1000})


def test_permissions(api, make_user, db_session):
    service = _service_in(db_session, S.active)
    sales = api.headers_for(make_user("sales").email)  # service.read only
    support = api.headers_for(make_user("support").email)  # service.write
    url = f"{URL}{service.service_id}"
    assert api.client.get(url, headers=sales).status_code == 200
    assert api.client.post(f"{url}/suspend", json={"reason": "x"}, headers=sales).status_code == 403
    assert (
        api.client.post(f"{url}/suspend", json={"reason": "x"}, headers=support).status_code == 200
    )
    assert api.client.get(URL).status_code == 401
