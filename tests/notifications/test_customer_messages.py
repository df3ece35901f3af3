"""What customers are told: the report's A24 (a contract created, activated, suspended, resumed,
closed: e-mail, and SMS where the template has one), their opt-outs per category (a ``suppressed``
row, never a message; invoices and account messages sent anyway), and the preferences API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from omnicrm.activity.models import Activity
from omnicrm.customers.models import PaymentType
from omnicrm.inventory import use_cases as inv
from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.catalog import TEMPLATES
from omnicrm.notifications.models import Notification, NotificationStatus
from tests.factories import CustomerFactory, PhoneNumberFactory, ProductFactory, SimFactory

S = NotificationStatus


def _messages(db_session, customer_id):
    db_session.expire_all()
    return [
        (n.channel, n.template, n.status.value)
        for n in db_session.scalars(
            select(Notification)
            .where(Notification.customer_id == customer_id)
            .order_by(Notification.notification_id)
        )
    ]


@pytest.fixture
def sale(db_session):
    inv.sync_inventory_templates(db_session)
    SimFactory.create_batch(2)
    PhoneNumberFactory.create_batch(2)
    customer = CustomerFactory(
        customer_name="Grace Hopper", customer_payment_type=PaymentType.prepaid
    )
    product = ProductFactory(product_name="Mobile 20", retail_setup_cost=Decimal("10.00"))
    db_session.commit()
    return customer, product


def test_a24_every_contract_status_change_is_told(call, db_session, sale):
    customer, product = sale
    sold = call(
        "post",
        "/crm/contract/",
        201,
        json={"customer_id": customer.customer_id, "product_id": product.product_id},
    )
    cid = sold["contract_id"]
    for action in ("suspend", "resume", "close"):
        call("post", f"/crm/contract/{cid}/{action}", 200, json={"reason": "internal note"})
    assert _messages(db_session, customer.customer_id) == [
        ("email", "contract_created", "queued"),
        ("email", "service_activated", "queued"),
        ("sms", "service_activated", "queued"),
        ("email", "service_suspended", "queued"),
        ("sms", "service_suspended", "queued"),
        ("email", "service_resumed", "queued"),
        ("sms", "service_resumed", "queued"),
        ("email", "contract_closed", "queued"),
    ]
    notes = db_session.scalars(
        select(Notification)
        .where(Notification.customer_id == customer.customer_id)
        .order_by(Notification.notification_id)
    ).all()
    created, activated = notes[0], notes[1]
    assert created.recipient == customer.email.lower()
    assert created.subject == f"Your contract {sold['contract_number']}: Mobile 20"
    assert "setup fee of 10.00" in created.body_text and "Dear Grace Hopper" in created.body_text
    assert notes[2].recipient == customer.phone and "is now active" in notes[2].body_text
    assert activated.category == "contract"
    assert all("internal note" not in n.body_text for n in notes)  # staff reasons stay inside


def test_an_opted_out_category_is_suppressed_and_required_ones_still_go(call, db_session, sale):
    customer, product = sale
    prefs = call(
        "put",
        f"/crm/customer/{customer.customer_id}/notification-preferences",
        200,
        json={"opted_out": ["contract", "tickets"]},
    )
    subscribed = {p["category"]: p["subscribed"] for p in prefs["preferences"]}
    assert subscribed == {
        "account": True,
        "billing": True,
        "contract": False,
        "payments": True,
        "usage": True,
        "tickets": False,
    }
    call(
        "post",
        "/crm/contract/",
        201,
        json={"customer_id": customer.customer_id, "product_id": product.product_id},
    )
    call("post", "/crm/ticket/", 201, json={"customer_id": customer.customer_id, "subject": "x"})
    uc.queue_email(
        db_session,
        to=customer.email,
        template="dunning_reminder",
        context=TEMPLATES["dunning_reminder"].sample,
        customer_id=customer.customer_id,
    )
    db_session.commit()
    assert _messages(db_session, customer.customer_id) == [
        ("email", "contract_created", "suppressed"),
        ("email", "service_activated", "suppressed"),
        ("sms", "service_activated", "suppressed"),
        ("email", "ticket_opened", "suppressed"),
        ("email", "dunning_reminder", "queued"),  # billing is required
    ]
    suppressed = db_session.scalar(
        select(Notification).where(Notification.status == S.suppressed).limit(1)
    )
    assert suppressed.last_error == "the customer opted out of this category"


def test_bulk_queueing_respects_opt_outs(db_session):
    keen, quiet = CustomerFactory(), CustomerFactory()
    uc.set_opt_outs(db_session, customer_id=quiet.customer_id, opted_out=["payments"])
    sample = TEMPLATES["card_expiring"].sample
    ids = uc.queue_emails(
        db_session,
        "card_expiring",
        [{"to": c.email, "customer_id": c.customer_id, "context": sample} for c in (keen, quiet)],
    )
    rows = [db_session.get(Notification, i) for i in ids]
    assert [(r.customer_id, r.status) for r in rows] == [
        (keen.customer_id, S.queued),
        (quiet.customer_id, S.suppressed),
    ]
    assert rows[0].category == "payments" and "card ending 4242" in rows[0].subject
    # only the subject is rendered in the run; the sending worker renders the bodies
    assert rows[0].body_text == "" and rows[0].body_html is None


def test_a_bulk_message_is_rendered_when_sent_and_shown_before(db_session, call, app):
    from omnicrm.notifications.mailer import FileMailer

    customer = CustomerFactory(customer_name="Bulk Customer")
    facts = {**TEMPLATES["invoice_issued"].sample, "customer_name": "Bulk Customer"}
    [note_id] = uc.queue_emails(
        db_session,
        "invoice_issued",
        [{"to": customer.email, "customer_id": customer.customer_id, "context": facts}],
    )
    db_session.commit()
    shown = call("get", f"/crm/notification/{note_id}", 200)
    assert "Dear Bulk Customer" in shown["body_text"] and "<html" in shown["body_html"]
    settings = app.extensions["omnicrm_settings"]
    outbox = FileMailer(settings.instance_path / "outbox", settings.mail_from)
    uc.deliver(db_session, transports=lambda _: outbox, notification_id=note_id, max_attempts=3)
    db_session.commit()
    note = db_session.get(Notification, note_id)
    assert note.status == S.sent and note.body_text == shown["body_text"]
    assert note.body_html == shown["body_html"]
    assert (
        "Dear Bulk Customer" in (settings.instance_path / "outbox" / f"{note_id}.eml").read_text()
    )


def test_preferences_api_validates_audits_and_checks_permissions(call, db_session, api, make_user):
    customer = CustomerFactory()
    db_session.commit()
    url = f"/crm/customer/{customer.customer_id}/notification-preferences"
    body = call("get", url, 200)
    assert body["customer_id"] == customer.customer_id
    assert all(p["subscribed"] for p in body["preferences"])
    assert {p["category"]: p["required"] for p in body["preferences"]}["billing"] is True

    for bad in ({"opted_out": ["billing"]}, {"opted_out": ["account"]}, {"opted_out": ["x"]},
                {"opted_out": "usage"}, {}, {"opted_out": ["usage"], "extra": 1}):  # fmt: skip
        refused = call("put", url, 422, json=bad)
        assert refused["code"] == "validation_error", bad
    call("put", url, 200, json={"opted_out": ["usage", "usage"]})
    call("put", url, 200, json={"opted_out": ["payments"]})
    kinds = db_session.scalars(
        select(Activity.action).where(
            Activity.object_type == "notification_opt_out",
            Activity.customer_id == customer.customer_id,
        )
    ).all()
    assert sorted(kinds) == ["create", "create", "delete"]
    call("get", "/crm/customer/999999/notification-preferences", 404)
    call("put", "/crm/customer/999999/notification-preferences", 404, json={"opted_out": []})

    sales = api.headers_for(make_user("sales").email)
    assert api.client.put(url, json={"opted_out": []}, headers=sales).status_code == 200
    finance = api.headers_for(make_user("finance").email)
    assert api.client.get(url, headers=finance).status_code == 200
    assert api.client.put(url, json={"opted_out": []}, headers=finance).status_code == 403


def test_a24_activation_by_a_play_is_told_when_the_service_goes_live(call, db_session, sale):
    from omnicrm.services import use_cases as services

    customer, _ = sale
    product = ProductFactory(provisioning_play="provision_smoke")
    db_session.commit()
    sold = call(
        "post",
        "/crm/contract/",
        201,
        json={"customer_id": customer.customer_id, "product_id": product.product_id},
    )
    assert sold["contract_status"] == "accepted"
    assert _messages(db_session, customer.customer_id) == [("email", "contract_created", "queued")]
    # what a successful activation job does; a failed one (back to draft) says nothing
    services.change_service_status(db_session, service_id=sold["service_id"], to_status="active")
    db_session.commit()
    assert _messages(db_session, customer.customer_id)[1:] == [
        ("email", "service_activated", "queued"),
        ("sms", "service_activated", "queued"),
    ]
