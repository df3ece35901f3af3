"""Inventory items name the customer and the service they are bound to (list, detail and the
answers of the lifecycle actions), read with the page rather than one query per item; adding a
single item validates it as an import row would, each refusal naming its field."""

from __future__ import annotations

import uuid

import pytest

from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import InventoryTemplate
from tests.factories import CustomerFactory, ServiceFactory, SimFactory, make_iccid
from tests.sql import selects

URL = "/crm/inventory/"
_GOOD = make_iccid(880000)
BAD_LUHN = _GOOD[:-1] + str((int(_GOOD[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def templates(db_session):
    inv.sync_inventory_templates(db_session)
    db_session.commit()
    return {t.item: t.inventory_template_id for t in db_session.query(InventoryTemplate)}


def _bind(call, db_session, customer, service):
    sim = SimFactory()
    db_session.commit()
    path = f"{URL}{sim.inventory_id}"
    call("post", path + "/reserve", 200, json={"customer_id": customer.customer_id})
    return call("post", path + "/assign", 200, json={"service_id": service.service_id})


def test_a_bound_item_names_its_customer_and_service(call, db_session, database):
    customer = CustomerFactory(customer_name=f"Holder {uuid.uuid4().hex[:6]}")
    service = ServiceFactory(customer_id=customer.customer_id, service_name="Mobile 5G")
    db_session.commit()
    assigned = _bind(call, db_session, customer, service)
    assert (assigned["customer_name"], assigned["service_name"]) == (
        customer.customer_name,
        "Mobile 5G",
    )
    detail = call("get", f"{URL}{assigned['inventory_id']}", 200)
    assert (detail["customer_name"], detail["service_name"]) == (
        customer.customer_name,
        "Mobile 5G",
    )

    def listed():
        with selects(database) as seen:
            rows = call("get", f"{URL}?customer_id={customer.customer_id}", 200)
        return rows, len(seen)

    rows, queries = listed()
    assert [(r["customer_name"], r["service_name"]) for r in rows] == [
        (customer.customer_name, "Mobile 5G")
    ]
    for _ in range(3):
        _bind(call, db_session, customer, service)
    rows, more_queries = listed()
    assert len(rows) == 4
    assert {r["customer_name"] for r in rows} == {customer.customer_name}
    assert more_queries == queries  # the names come with the page, not one query per item

    returned = call("post", f"{URL}{assigned['inventory_id']}/return", 200, json={})
    assert (returned["customer_name"], returned["service_name"]) == (None, None)


def test_a_free_item_has_no_names(call, templates):
    item = call(
        "post",
        URL,
        201,
        json={"inventory_template_id": templates["Router"], "serial": "02:00:00:00:aa:01"},
    )
    assert (item["customer_name"], item["service_name"]) == (None, None)
    call("delete", f"{URL}{item['inventory_id']}", 405)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"serial": BAD_LUHN, "itemtext2": "001010000000001"}, "serial"),
        ({"serial": make_iccid(880001), "itemtext2": "12345"}, "itemtext2"),  # IMSI
        ({"serial": make_iccid(880002)}, "itemtext2"),  # IMSI required
        ({"serial": make_iccid(880003), "itemtext2": "001010000880003",
          "itemtext3": "12"}, "itemtext3"),  # PUK
    ],
)  # fmt: skip
def test_adding_a_sim_is_validated_like_an_import_row(call, templates, body, field):
    refused = call("post", URL, 422, json={"inventory_template_id": templates["SIM Card"], **body})
    assert field in refused["errors"]["json"]


def test_adding_a_duplicate_names_the_field(call, templates):
    iccid, imsi = make_iccid(880010), "001010000880010"
    sim = {"inventory_template_id": templates["SIM Card"], "serial": iccid, "itemtext2": imsi}
    call("post", URL, 201, json=sim)
    again = call("post", URL, 409, json=sim)
    assert (again["code"], again["field"]) == ("duplicate_serial", "serial")
    same_imsi = call("post", URL, 409, json={**sim, "serial": make_iccid(880011)})
    assert same_imsi["field"] == "itemtext2"
    number = {"inventory_template_id": templates["Phone Number"], "serial": "not a number"}
    assert "serial" in call("post", URL, 422, json=number)["errors"]["json"]
    call("post", URL, 404, json={**sim, "inventory_template_id": 999999})
    assert "serial" in call("post", URL, 422, json={"inventory_template_id": 1})["errors"]["json"]
