"""Selling an add-on onto a service (``POST /crm/service/<id>/addon``): its price from the money
balance, its balances added, its play queued; refusals change nothing; a retry sells once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from omnicrm.catalog.models import ProductAddonCompatibility, ProductCategory
from omnicrm.charging.ledger import InternalLedger
from omnicrm.customers.models import PaymentType
from omnicrm.provisioning.models import Provision, ProvisionAction
from omnicrm.services.models import ServiceStatus
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory


def _addon(db_session, base, **fields):
    values = {
        "category": ProductCategory.addon,
        "product_slug": "data-5g",
        "data_mb": 5120,
        "voice_minutes": None,
        "sms": None,
        "retail_cost": Decimal("7.50"),
        "provisioning_play": None,
        **fields,
    }
    addon = ProductFactory(**values)
    db_session.add(
        ProductAddonCompatibility(
            addon_product_id=addon.product_id, base_product_id=base.product_id
        )
    )
    db_session.flush()
    return addon


@pytest.fixture
def sale(db_session):
    def _make(payment=PaymentType.prepaid, status=ServiceStatus.active, **addon_fields):
        base = ProductFactory(data_mb=None, voice_minutes=None, sms=None)
        customer = CustomerFactory(customer_payment_type=payment)
        service = ServiceFactory(
            customer_id=customer.customer_id, product_id=base.product_id, service_status=status
        )
        return service, _addon(db_session, base, **addon_fields)

    return _make


def _values(call, service):
    body = call("get", f"/crm/service/{service.service_id}/balance", 200)
    return {(b["balance_type"], b["balance_id"]): b["value"] for b in body["balances"]}


def test_a_sale_takes_the_price_and_adds_the_balance(call, sale, db_session):
    service, addon = sale()
    url = f"/crm/service/{service.service_id}"
    call("post", f"{url}/topup", 201, json={"amount": "10"})
    sold = call("post", f"{url}/addon", 201, json={"product_id": addon.product_id})
    assert sold["charged"] == "7.50" and sold["product_slug"] == "data-5g"
    assert [(m["balance_type"], m["amount"], m["cause"]) for m in sold["movements"]] == [
        ("monetary", "-7.50", "addon"),
        ("data", "5120.00", "addon"),
    ]
    data_id = "addon-data-5g-data"
    assert _values(call, service) == {
        ("monetary", "*default"): "2.50",
        ("data", data_id): "5120.00",
    }
    # Again: onto the same balance, and the money runs out for a third.
    call("post", f"{url}/topup", 201, json={"amount": "5"})
    call("post", f"{url}/addon", 201, json={"product_id": addon.product_id})
    assert _values(call, service)[("data", data_id)] == "10240.00"
    refused = call("post", f"{url}/addon", 409, json={"product_id": addon.product_id})
    assert refused["code"] == "insufficient_balance"
    assert _values(call, service) == {
        ("monetary", "*default"): "0.00",
        ("data", data_id): "10240.00",
    }
    assert InternalLedger(db_session).verify(service.service_uuid) == []


def test_a_postpaid_service_is_billed_for_it_on_the_invoice(call, sale):
    service, addon = sale(payment=PaymentType.postpaid)
    sold = call(
        "post",
        f"/crm/service/{service.service_id}/addon",
        201,
        json={"product_id": addon.product_id},
    )
    assert sold["charged"] == "7.50"
    # Taken from the balance (which may go below zero), then moved to the invoice: the
    # customer pays it once, by invoice.
    assert _values(call, service)[("monetary", "*default")] == "0.00"
    ledger = call("get", f"/crm/service/{service.service_id}/ledger", 200)
    money = [(m["cause"], m["amount"]) for m in reversed(ledger) if m["balance_type"] == "monetary"]
    assert money == [("addon", "-7.50"), ("adjustment", "7.50")]
    [line] = call("get", f"/crm/transaction/?service_id={service.service_id}", 200)
    assert (line["kind"], line["amount"], line["paid_from_balance"]) == ("addon", "7.50", False)
    assert line["invoice_id"] is None and line["tax_amount"] == "0.75"


def test_a_prepaid_sale_is_recorded_as_paid_from_the_balance(call, sale):
    service, addon = sale()
    call("post", f"/crm/service/{service.service_id}/topup", 201, json={"amount": "10"})
    call(
        "post",
        f"/crm/service/{service.service_id}/addon",
        201,
        json={"product_id": addon.product_id},
    )
    [line] = call("get", f"/crm/transaction/?service_id={service.service_id}", 200)
    assert (line["kind"], line["amount"], line["paid_from_balance"]) == ("addon", "7.50", True)


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ({"status": ServiceStatus.suspended}, 409, "service_not_active"),
        ({"status": ServiceStatus.pending}, 409, "service_not_active"),
        ({"enabled": False}, 422, "validation_error"),
    ],
)
def test_refusals_change_nothing(call, sale, setup, status, code):
    service, addon = sale(**setup)
    body = call(
        "post",
        f"/crm/service/{service.service_id}/addon",
        status,
        json={"product_id": addon.product_id},
    )
    assert body["code"] == code
    assert call("get", f"/crm/service/{service.service_id}/ledger", 200) == []


def test_an_addon_for_another_plan_or_not_an_addon_is_refused(call, sale, db_session):
    service, _ = sale()
    other_base = ProductFactory()
    elsewhere = _addon(db_session, other_base, product_slug="elsewhere")
    plain = ProductFactory()
    for product in (elsewhere, plain):
        body = call(
            "post",
            f"/crm/service/{service.service_id}/addon",
            409,
            json={"product_id": product.product_id},
        )
        assert body["code"] == "addon_incompatible"
    call("post", f"/crm/service/{service.service_id}/addon", 404, json={"product_id": 999999})
    call("post", "/crm/service/999999/addon", 404, json={"product_id": plain.product_id})


def test_a_retry_with_the_same_key_sells_once(call, sale):
    service, addon = sale(payment=PaymentType.postpaid)
    url = f"/crm/service/{service.service_id}/addon"
    headers = {"Idempotency-Key": "sale-1"}
    first = call("post", url, 201, json={"product_id": addon.product_id}, headers=headers)
    again = call("post", url, 201, json={"product_id": addon.product_id}, headers=headers)
    assert again == first
    assert _values(call, service)[("monetary", "*default")] == "0.00"
    assert len(call("get", f"/crm/transaction/?service_id={service.service_id}", 200)) == 1


def test_the_addons_play_is_queued_to_apply_it_on_the_network(call, sale, db_session):
    service, addon = sale(payment=PaymentType.postpaid, provisioning_play="mobile_addon")
    call(
        "post",
        f"/crm/service/{service.service_id}/addon",
        201,
        json={"product_id": addon.product_id},
    )
    job = db_session.scalars(
        select(Provision).where(Provision.service_id == service.service_id)
    ).one()
    assert job.action == ProvisionAction.addon.value and job.provisioning_play == "mobile_addon"
    assert job.product_id == addon.product_id
    # The sale has put the balance in the charging backend: the play must not add it again.
    assert job.provisioning_json_vars["charged"] is True


def test_a_hostile_body_is_refused_by_the_schema(call, sale):
    service, addon = sale()
    url = f"/crm/service/{service.service_id}/addon"
    for body in (
        {"product_id": str(addon.product_id)},
        {"product_id": addon.product_id, "x": 1},
        {},
    ):
        refused = call("post", url, 422, json=body)
        assert refused["code"] == "validation_error"
