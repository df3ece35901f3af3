"""The outbox names the customer a message was written for, in the list (one query for the
page) and on the message's page."""

from __future__ import annotations

import uuid

from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.catalog import TEMPLATES
from tests.factories import CustomerFactory


def _queue(db_session, customer_id, to):
    template = "ticket_replied"
    note = uc.queue_email(
        db_session,
        to=to,
        template=template,
        context=dict(TEMPLATES[template].sample),
        customer_id=customer_id,
    )
    db_session.commit()
    return note.notification_id


def test_messages_name_their_customer(call, db_session):
    customer = CustomerFactory(customer_name=f"Outbox {uuid.uuid4().hex[:6]}")
    db_session.commit()
    to = f"o-{uuid.uuid4().hex[:8]}@example.com"
    named = _queue(db_session, customer.customer_id, to)
    anonymous = _queue(db_session, None, to)
    rows = call("get", f"/crm/notification/?recipient={to}", 200)
    by_id = {r["notification_id"]: r for r in rows}
    assert by_id[named]["customer_name"] == customer.customer_name
    assert by_id[anonymous]["customer_name"] is None
    detail = call("get", f"/crm/notification/{named}", 200)
    assert (detail["customer_id"], detail["customer_name"]) == (
        customer.customer_id,
        customer.customer_name,
    )
    listed = call("get", f"/crm/notification/?customer_id={customer.customer_id}", 200)
    assert [r["customer_name"] for r in listed] == [customer.customer_name]
