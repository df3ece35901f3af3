"""Inventory API: templates, items, validation, filters, stock, and the state machine with its
history (every legal and illegal transition), reservation, permissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.core.errors import InvalidTransition
from omnicrm.inventory import use_cases as uc
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import (
    Inventory,
    InventoryHistory,
    InventoryTemplate,
    ItemState,
    StateChangeRefused,
)
from tests.factories import (
    CustomerFactory,
    PhoneNumberFactory,
    RouterFactory,
    ServiceFactory,
    SimFactory,
    make_iccid,
)

URL = "/crm/inventory/"
ICCID = make_iccid(990001)
IMSI = "001019900000001"
BAD_LUHN = ICCID[:-1] + str((int(ICCID[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def templates(db_session):
    """The built-in templates (``omnicrm db upgrade`` syncs them; tests roll them back)."""
    uc.sync_inventory_templates(db_session)
    db_session.commit()
    return {t.item: t.inventory_template_id for t in db_session.scalars(select(InventoryTemplate))}


def _history(db_session, inventory_id):
    db_session.expire_all()
    return [
        (h.from_state, h.to_state, h.reason)
        for h in db_session.scalars(
            select(InventoryHistory)
            .where(InventoryHistory.inventory_id == inventory_id)
            .order_by(InventoryHistory.inventory_history_id)
        )
    ]


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------
def test_builtin_templates_are_seeded_once_with_their_labels(call, db_session, templates):
    uc.sync_inventory_templates(db_session)  # idempotent
    uc.sync_inventory_templates(db_session)
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(InventoryTemplate)) == len(templates)
    body = call("get", URL + "template/", 200)
    by_name = {t["item"]: t for t in body}
    sim = by_name["SIM Card"]
    assert sim["serial_kind"] == "iccid" and sim["builtin"] is True
    assert [sim[f"itemtext{i}_label"] for i in range(1, 6)] == [
        "ICCID",
        "IMSI",
        "PUK1",
        "PUK2",
        "Ki/OPc reference",
    ]
    assert sim["itemtext6_label"] is None
    assert by_name["Phone Number"]["serial_kind"] == "msisdn"
    assert by_name["Phone Number"]["itemtext1_label"] == "MSISDN"
    router = by_name["Router"]
    assert (router["serial_kind"], router["itemtext1_label"], router["itemtext3_label"]) == (
        "mac",
        "MAC",
        "Management URL",
    )


def test_sync_keeps_an_operators_relabelling(call, db_session, templates):
    sim_id = templates["SIM Card"]
    call("patch", f"{URL}template/{sim_id}", 200, json={"itemtext5_label": "Ki ref (HSM)"})
    uc.sync_inventory_templates(db_session)
    db_session.commit()
    assert call("get", f"{URL}template/{sim_id}", 200)["itemtext5_label"] == "Ki ref (HSM)"


def test_create_get_and_patch_a_template(call):
    created = call(
        "post",
        URL + "template/",
        201,
        json={"item": "  ONT   fibre ", "serial_kind": "free", "itemtext1_label": "GPON SN"},
    )
    assert created["item"] == "ONT fibre"
    assert created["builtin"] is False
    template_id = created["inventory_template_id"]
    assert call("get", f"{URL}template/{template_id}", 200)["itemtext1_label"] == "GPON SN"
    patched = call(
        "patch",
        f"{URL}template/{template_id}",
        200,
        json={"item": "ONT", "serial_kind": "mac", "itemtext2_label": "PON port"},
    )
    assert (patched["item"], patched["serial_kind"], patched["itemtext2_label"]) == (
        "ONT",
        "mac",
        "PON port",
    )
    assert call("get", URL + "template/", 200, query_string={"q": "ont"})[0]["item"] == "ONT"


def test_template_rules(call, templates):
    call("post", URL + "template/", 409, json={"item": "sim card"})  # case-insensitive
    call("post", URL + "template/", 422, json={"item": "X", "serial_kind": "imei"})
    call("post", URL + "template/", 422, json={"item": "X", "builtin": True})  # unknown field
    sim_id = templates["SIM Card"]
    body = call("patch", f"{URL}template/{sim_id}", 409, json={"item": "SIM"})
    assert body["code"] == "builtin_template"
    call("patch", f"{URL}template/{sim_id}", 409, json={"serial_kind": "free"})
    custom = call("post", URL + "template/", 201, json={"item": "Dongle"})
    call(
        "post",
        URL,
        201,
        json={"inventory_template_id": custom["inventory_template_id"], "serial": "D1"},
    )
    body = call(
        "patch",
        f"{URL}template/{custom['inventory_template_id']}",
        409,
        json={"serial_kind": "mac"},
    )
    assert body["code"] == "template_in_use"
    call("get", f"{URL}template/{10**20}", 404)
    call("get", f"{URL}template/999999", 404)


# --------------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------------
def test_create_a_sim_card_normalises_and_mirrors_the_iccid(call, db_session, templates):
    spaced = " ".join(ICCID[i : i + 4] for i in range(0, len(ICCID), 4))
    body = call(
        "post",
        URL,
        201,
        json={
            "inventory_template_id": templates["SIM Card"],
            "serial": spaced,
            "itemtext2": f" {IMSI} ",
            "itemtext3": "12345678",
            "itemtext5": "hsm://keys/42",
        },
    )
    assert body["serial"] == ICCID
    assert body["itemtext1"] == ICCID
    assert body["itemtext2"] == IMSI
    assert body["item"] == "SIM Card"
    assert body["item_state"] == "new"
    assert body["customer_id"] is None and body["service_id"] is None
    assert _history(db_session, body["inventory_id"]) == [(None, "new", "created")]
    detail = call("get", f"{URL}{body['inventory_id']}", 200)
    assert [h["to_state"] for h in detail["history"]] == ["new"]
    assert detail["history"][0]["user_id"] is not None


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"serial": BAD_LUHN, "itemtext2": IMSI}, "serial", "Luhn"),
        ({"serial": "1234567890123456782"}, "serial", "89"),
        ({"serial": ICCID, "itemtext2": None}, "itemtext2", "IMSI is required"),
        ({"serial": ICCID, "itemtext2": "12345"}, "itemtext2", "15 digits"),
        ({"serial": ICCID, "itemtext2": IMSI, "itemtext3": "12"}, "itemtext3", "8 digits"),
        ({"serial": ICCID, "itemtext2": IMSI, "itemtext1": "x"}, "itemtext1", "equals serial"),
    ],
)
def test_sim_card_validation(call, templates, db_session, payload, field, message):
    body = call("post", URL, 422, json={"inventory_template_id": templates["SIM Card"], **payload})
    assert any(message in m for m in body["errors"]["json"][field]), body
    assert db_session.scalar(select(func.count()).select_from(Inventory)) == 0


def test_numbers_and_routers(call, templates):
    number = call(
        "post",
        URL,
        201,
        json={"inventory_template_id": templates["Phone Number"], "serial": "(202) 555-0199"},
    )
    assert (number["serial"], number["itemtext1"]) == ("+12025550199", "+12025550199")
    call(
        "post", URL, 422, json={"inventory_template_id": templates["Phone Number"], "serial": "12"}
    )
    router = call(
        "post",
        URL,
        201,
        json={
            "inventory_template_id": templates["Router"],
            "serial": "AA-BB-CC-00-11-22",
            "itemtext2": "SN-1",
            "management_url": "https://10.1.1.1/",
            "config_content": "hostname r1\n",
        },
    )
    assert router["serial"] == "aa:bb:cc:00:11:22"
    assert (router["itemtext1"], router["itemtext3"]) == ("aa:bb:cc:00:11:22", "https://10.1.1.1/")
    call(
        "post",
        URL,
        422,
        json={
            "inventory_template_id": templates["Router"],
            "serial": "aa:bb",
            "management_url": "x",
        },
    )


def test_serial_is_unique_per_template(call, templates, db_session):
    sim = {"inventory_template_id": templates["SIM Card"], "serial": ICCID, "itemtext2": IMSI}
    first = call("post", URL, 201, json=sim)
    body = call("post", URL, 409, json={**sim, "itemtext2": "001019900000002"})
    assert body["code"] == "duplicate_serial"
    assert body["existing_inventory_id"] == first["inventory_id"]
    body = call("post", URL, 409, json={**sim, "serial": make_iccid(990002)})  # same IMSI
    assert body["field"] == "itemtext2"
    # Another template may hold the same serial text.
    custom = call("post", URL + "template/", 201, json={"item": "Spare ICCIDs"})
    call(
        "post",
        URL,
        201,
        json={"inventory_template_id": custom["inventory_template_id"], "serial": ICCID},
    )
    # The database itself refuses a duplicate (the constraint, not only the check).
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            Inventory(inventory_template_id=templates["SIM Card"], serial=ICCID, itemtext2="x")
        )
        db_session.flush()


def test_patch_changes_texts_but_never_state_serial_or_binding(call, templates, db_session):
    sim = SimFactory()
    db_session.commit()
    path = f"{URL}{sim.inventory_id}"
    body = call(
        "patch",
        path,
        200,
        json={"itemtext5": "hsm://9", "config_content": "x", "itemtext9": "note"},
    )
    assert (body["itemtext5"], body["itemtext9"], body["config_content"]) == (
        "hsm://9",
        "note",
        "x",
    )
    call("patch", path, 422, json={"itemtext2": None})  # the IMSI cannot be cleared
    call("patch", path, 422, json={"itemtext2": "123"})
    call("patch", path, 422, json={"itemtext1": make_iccid(5)})  # mirrors the serial
    assert call("patch", path, 200, json={"itemtext1": sim.serial})["itemtext1"] == sim.serial
    for forbidden in (
        {"item_state": "retired"},
        {"serial": make_iccid(6)},
        {"customer_id": 1},
        {"service_id": 1},
    ):
        body = call("patch", path, 422, json=forbidden)
        assert "Unknown field" in json.dumps(body["errors"])
    other = SimFactory()
    db_session.commit()
    assert (
        call("patch", path, 409, json={"itemtext2": other.itemtext2})["code"] == "duplicate_serial"
    )
    db_session.expire_all()
    assert db_session.get(Inventory, sim.inventory_id).item_state == ItemState.new


def test_the_model_refuses_a_state_change_outside_change_state(db_session):
    sim = SimFactory()
    db_session.flush()
    with pytest.raises(StateChangeRefused):
        sim.item_state = ItemState.retired


def test_item_changes_are_in_the_activity_log_without_config(call, templates, db_session):
    sim = SimFactory()
    db_session.commit()
    call(
        "patch",
        f"{URL}{sim.inventory_id}",
        200,
        json={"config_content": "secret=1", "itemtext9": "n"},
    )
    row = db_session.scalar(
        select(Activity)
        .where(Activity.object_type == "inventory", Activity.object_id == str(sim.inventory_id))
        .order_by(Activity.activity_id.desc())
    )
    assert row.action == "update"
    assert row.after == {"itemtext9": "n"}


def test_list_filters_search_sort_and_paginate(call, templates, db_session):
    customer = CustomerFactory()
    sims = [SimFactory() for _ in range(3)]
    reserved = SimFactory(item_state=ItemState.reserved, customer_id=customer.customer_id)
    service = ServiceFactory(customer_id=customer.customer_id)
    assigned = SimFactory(
        item_state=ItemState.assigned,
        customer_id=customer.customer_id,
        service_id=service.service_id,
    )
    number = PhoneNumberFactory()
    router = RouterFactory(itemtext2="SERIAL-XYZ")
    db_session.commit()

    def ids(**params):
        return [i["inventory_id"] for i in call("get", URL, 200, query_string=params)]

    assert ids(state="new", template="SIM Card") == [s.inventory_id for s in sims]
    assert ids(state=["reserved", "assigned"]) == [reserved.inventory_id, assigned.inventory_id]
    assert ids(template="sim card", sort="-inventory_id")[0] == assigned.inventory_id
    assert ids(template_id=templates["Router"]) == [router.inventory_id]
    assert ids(customer_id=customer.customer_id) == [reserved.inventory_id, assigned.inventory_id]
    assert ids(service_id=service.service_id) == [assigned.inventory_id]
    assert ids(q=sims[1].serial[-8:]) == [sims[1].inventory_id]
    assert ids(q="serial-xyz") == [router.inventory_id]
    assert ids(q=number.serial[1:]) == [number.inventory_id]  # without the +
    assert ids(q=router.serial.replace(":", "").upper()) == [router.inventory_id]
    assert ids(q="100%_") == []
    assert ids(template="Nope") == []
    response = call("get", URL, 200, query_string={"page_size": 2, "page": 2})
    assert len(response) == 2
    call("get", URL, 422, query_string={"sort": "itemtext1"})
    call("get", URL, 422, query_string={"state": "lost"})
    call("get", URL, 422, query_string={"customer_id": str(10**20)})
    call("get", URL, 422, query_string={"q": "a\x00"})


def test_stock_levels_count_every_state_per_template(call, templates, db_session):
    for _ in range(3):
        SimFactory()
    SimFactory(item_state=ItemState.reserved)
    SimFactory(item_state=ItemState.retired)
    PhoneNumberFactory()
    db_session.commit()
    levels = {row["item"]: row for row in call("get", URL + "stock", 200)}
    assert levels["SIM Card"]["counts"] == {
        "new": 3,
        "reserved": 1,
        "assigned": 0,
        "returned": 0,
        "quarantined": 0,
        "retired": 1,
    }
    assert levels["SIM Card"]["total"] == 5
    assert levels["Phone Number"]["counts"]["new"] == 1
    assert levels["Router"]["total"] == 0
    only = call("get", URL + "stock", 200, query_string={"template": "phone number"})
    assert [row["item"] for row in only] == ["Phone Number"]


# --------------------------------------------------------------------------------------------
# State machine
# --------------------------------------------------------------------------------------------
# The specification, written out (not derived from the code's table).
LEGAL = {
    ("new", "reserved"),
    ("new", "retired"),
    ("reserved", "assigned"),
    ("reserved", "new"),
    ("reserved", "retired"),
    ("assigned", "returned"),
    ("assigned", "quarantined"),
    ("returned", "new"),
    ("returned", "retired"),
    ("quarantined", "new"),
    ("quarantined", "retired"),
}
STATES = [s.value for s in ItemState]
PAIRS = [(a, b) for a in STATES for b in STATES]


def test_the_code_table_is_the_specification():
    assert {(a.value, b.value) for a, targets in uc.TRANSITIONS.items() for b in targets} == LEGAL


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_transition_is_allowed_or_refused_with_history(db_session, source, target):
    customer = CustomerFactory()
    bound = source in ("reserved", "assigned")
    sim = SimFactory(
        item_state=ItemState(source),
        customer_id=customer.customer_id if bound else None,
        service_id=(
            ServiceFactory(customer_id=customer.customer_id).service_id
            if source == "assigned"
            else None
        ),
    )
    db_session.flush()
    if (source, target) in LEGAL:
        item = uc.change_state(
            db_session,
            inventory_id=sim.inventory_id,
            to_state=target,
            reason="test",
            customer_id=customer.customer_id if target in ("reserved", "assigned") else None,
        )
        assert item.item_state == ItemState(target)
        assert _history(db_session, sim.inventory_id) == [(source, target, "test")]
        if target in ("reserved", "assigned"):
            assert item.customer_id == customer.customer_id
        else:
            assert (item.customer_id, item.service_id) == (None, None)
    else:
        with pytest.raises(InvalidTransition) as caught:
            uc.change_state(db_session, inventory_id=sim.inventory_id, to_state=target)
        assert caught.value.extra["from_state"] == source
        assert caught.value.extra["to_state"] == target
        assert _history(db_session, sim.inventory_id) == []
        db_session.expire_all()
        assert db_session.get(Inventory, sim.inventory_id).item_state == ItemState(source)


ACTIONS = {"reserve": "reserved", "assign": "assigned", "retire": "retired", "release": "new"}


@pytest.mark.parametrize("source", STATES)
@pytest.mark.parametrize("action", [*ACTIONS, "return"])
def test_every_action_endpoint_from_every_state(api, admin_headers, db_session, source, action):
    customer = CustomerFactory()
    sim = SimFactory(
        item_state=ItemState(source),
        customer_id=customer.customer_id if source in ("reserved", "assigned") else None,
    )
    db_session.commit()
    target = "returned" if action == "return" else ACTIONS[action]
    payload = {"reason": f"{action} it"}
    if action == "assign":
        payload["customer_id"] = customer.customer_id
    response = api.client.post(
        f"{URL}{sim.inventory_id}/{action}", json=payload, headers=admin_headers
    )
    body = response.get_json()
    if (source, target) in LEGAL:
        assert response.status_code == 200, body
        assert body["item_state"] == target
        assert body["history"][-1]["from_state"] == source
        assert body["history"][-1]["to_state"] == target
        assert body["history"][-1]["reason"] == f"{action} it"
        assert body["history"][-1]["user_id"] is not None
    else:
        assert response.status_code == 409, body
        assert body["code"] == "invalid_transition"
        assert (body["from_state"], body["to_state"]) == (source, target)
        assert source in body["message"] and target in body["message"]
        assert _history(db_session, sim.inventory_id) == []


def test_a_sims_life_reserve_assign_return_restock(call, db_session):
    customer = CustomerFactory()
    sim = SimFactory()
    service_id = ServiceFactory(customer_id=customer.customer_id).service_id
    db_session.commit()
    path = f"{URL}{sim.inventory_id}"
    call("post", path + "/assign", 409, json={"customer_id": customer.customer_id})  # reserve first
    call("post", path + "/reserve", 200, json={"customer_id": customer.customer_id})
    call("post", path + "/assign", 404, json={"service_id": 999999})  # no such service
    body = call(
        "post", path + "/assign", 200, json={"service_id": service_id}
    )  # customer: reserved
    assert (body["customer_id"], body["service_id"]) == (customer.customer_id, service_id)
    call("post", path + "/retire", 409, json={})  # assigned: return first
    body = call("post", path + "/return", 200, json={"reason": "contract closed"})
    assert (body["item_state"], body["customer_id"], body["service_id"]) == ("returned", None, None)
    body = call("post", path + "/release", 200, json={"reason": "restock"})
    assert body["item_state"] == "new"
    assert [(h["from_state"], h["to_state"]) for h in body["history"]] == [
        ("new", "reserved"),
        ("reserved", "assigned"),
        ("assigned", "returned"),
        ("returned", "new"),
    ]
    # The history keeps who held it.
    assert body["history"][1]["customer_id"] == customer.customer_id
    assert body["history"][1]["service_id"] == service_id


def test_assign_needs_a_live_customer(call, db_session):
    sim = SimFactory(item_state=ItemState.reserved)
    archived = CustomerFactory(customer_status="Archived")
    db_session.commit()
    path = f"{URL}{sim.inventory_id}/assign"
    assert "customer_id" in call("post", path, 422, json={})["errors"]["json"]
    assert call("post", path, 404, json={"customer_id": 999999})["errors"]["json"]["customer_id"]
    assert call("post", path, 409, json={"customer_id": archived.customer_id})["code"] == (
        "customer_archived"
    )
    call("post", path, 422, json={"customer_id": "1"})  # strict integers
    call("post", path, 422, json={"customer_id": 1, "item_state": "assigned"})
    call("post", f"{URL}{10**20}/reserve", 404, json={})
    call("post", f"{URL}999999/reserve", 404, json={})
    assert _history(db_session, sim.inventory_id) == []


def test_a_returned_number_is_quarantined_then_released(call, db_session):
    customer = CustomerFactory()
    number = PhoneNumberFactory(item_state=ItemState.assigned, customer_id=customer.customer_id)
    quick = PhoneNumberFactory(item_state=ItemState.assigned, customer_id=customer.customer_id)
    db_session.commit()
    body = call("post", f"{URL}{number.inventory_id}/return", 200, json={"reason": "terminated"})
    assert body["item_state"] == "quarantined"
    until = datetime.fromisoformat(body["quarantined_until"])
    expected = datetime.now(UTC) + timedelta(days=uc.NUMBER_QUARANTINE_DAYS)
    assert abs(until - expected) < timedelta(minutes=5)
    call("post", f"{URL}{number.inventory_id}/reserve", 409, json={})
    body = call("post", f"{URL}{quick.inventory_id}/return", 200, json={"quarantine_days": 0})
    assert body["item_state"] == "returned"
    # The periodic release: nothing is due now, everything is in 91 days.
    assert uc.release_expired_quarantine(db_session) == 0
    assert uc.release_expired_quarantine(db_session, now=until + timedelta(seconds=1)) == 1
    db_session.commit()
    body = call("get", f"{URL}{number.inventory_id}", 200)
    assert body["item_state"] == "new" and body["quarantined_until"] is None
    assert body["history"][-1]["reason"] == "quarantine ended"
    # An explicit release ends a quarantine early.
    other = PhoneNumberFactory(item_state=ItemState.quarantined, quarantined_until=until)
    db_session.commit()
    assert call("post", f"{URL}{other.inventory_id}/release", 200, json={})["item_state"] == "new"


# --------------------------------------------------------------------------------------------
# reserve_free_item (what the contracts domain calls)
# --------------------------------------------------------------------------------------------
def test_reserve_free_item_takes_the_oldest_new_one_then_runs_out(db_session):
    retired = SimFactory(item_state=ItemState.retired)
    first, second = SimFactory(), SimFactory()
    PhoneNumberFactory()
    db_session.flush()
    assert retired.inventory_id < first.inventory_id
    got = uc.reserve_free_item(db_session, template_name="SIM Card", reason="contract 1")
    assert got.inventory_id == first.inventory_id and got.item_state == ItemState.reserved
    assert _history(db_session, first.inventory_id) == [("new", "reserved", "contract 1")]
    assert uc.reserve_free_item(db_session, template_name="sim card").inventory_id == (
        second.inventory_id
    )
    with pytest.raises(InventoryUnavailable, match="no free SIM Card"):
        uc.reserve_free_item(db_session, template_name="SIM Card")


def test_reserve_free_item_by_serial(db_session):
    customer = CustomerFactory()
    number = PhoneNumberFactory(serial="+12025550142")
    db_session.flush()
    got = uc.reserve_free_item(
        db_session,
        template_name="Phone Number",
        serial="(202) 555-0142",
        customer_id=customer.customer_id,
    )
    assert got.inventory_id == number.inventory_id
    assert got.customer_id == customer.customer_id
    with pytest.raises(InventoryUnavailable) as caught:
        uc.reserve_free_item(db_session, template_name="Phone Number", serial="+12025550142")
    assert caught.value.code == "inventory_unavailable"
    assert caught.value.status == 409
    from omnicrm.core.errors import NotFound, ValidationFailed

    with pytest.raises(NotFound):
        uc.reserve_free_item(db_session, template_name="Phone Number", serial="+12025550143")
    with pytest.raises(ValidationFailed):
        uc.reserve_free_item(db_session, template_name="Phone Number", serial="12")
    with pytest.raises(NotFound):
        uc.reserve_free_item(db_session, template_name="Pager")


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------
WRITES = [
    ("post", "/crm/inventory/template/", {"item": "Intruder"}),
    ("patch", "/crm/inventory/template/{inventory_template_id}", {"itemtext9_label": "x"}),
    ("post", "/crm/inventory/", {"inventory_template_id": 1, "serial": "x"}),
    ("patch", "/crm/inventory/{inventory_id}", {"itemtext9": "x"}),
    ("post", "/crm/inventory/{inventory_id}/reserve", {}),
    ("post", "/crm/inventory/{inventory_id}/assign", {"customer_id": 1}),
    ("post", "/crm/inventory/{inventory_id}/return", {}),
    ("post", "/crm/inventory/{inventory_id}/retire", {}),
    ("post", "/crm/inventory/{inventory_id}/release", {}),
]
READS = [
    "/crm/inventory/template/",
    "/crm/inventory/template/{inventory_template_id}",
    "/crm/inventory/",
    "/crm/inventory/{inventory_id}",
    "/crm/inventory/stock",
]


def test_the_permission_lists_cover_every_route(app):
    import re

    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("inventory."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(m.lower(), path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(m, p) for m, p, _ in WRITES} | {("get", p) for p in READS}


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_finance_cannot_write_inventory(
    api, make_user, db_session, templates, method, path, payload
):
    sim = SimFactory()
    db_session.commit()
    ids = {"inventory_id": sim.inventory_id, "inventory_template_id": templates["SIM Card"]}
    headers = api.headers_for(make_user("finance").email)
    response = getattr(api.client, method)(path.format(**ids), json=payload, headers=headers)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["required"] == ["inventory.write"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Inventory)) == 1
    assert db_session.get(Inventory, sim.inventory_id).item_state == ItemState.new
    assert _history(db_session, sim.inventory_id) == []


@pytest.mark.parametrize("path", READS)
def test_sales_and_support_read_but_self_care_does_not(api, make_user, db_session, templates, path):
    sim = SimFactory()
    db_session.commit()
    url = path.format(inventory_id=sim.inventory_id, inventory_template_id=templates["SIM Card"])
    for role in ("sales", "support"):
        assert (
            api.client.get(url, headers=api.headers_for(make_user(role).email)).status_code == 200
        )
    assert (
        api.client.get(url, headers=api.headers_for(make_user("customer").email)).status_code == 403
    )
    assert api.client.get(url).status_code == 401
