"""Payments carry the customer's name and the recording user's beside their ids, in the list
(read for the whole page at once) and on the payment page."""

from __future__ import annotations

import uuid

from tests.factories import CustomerFactory
from tests.sql import selects

PAY = "/crm/payment/"


def test_payments_name_their_customer_and_recorder(api, make_user, db_session, database):
    clerk = make_user("admin", full_name="Fay Finance")
    headers = api.headers_for(clerk.email)
    customer = CustomerFactory(customer_name=f"Payer {uuid.uuid4().hex[:6]}")
    db_session.commit()
    body = {"customer_id": customer.customer_id, "amount": "10", "method": "cash"}
    paid = api.client.post(PAY, headers=headers, json=body)
    assert paid.status_code == 201, paid.get_json()
    payment = paid.get_json()
    assert (payment["customer_name"], payment["created_by_user_name"]) == (
        customer.customer_name,
        "Fay Finance",
    )
    detail = api.client.get(f"{PAY}{payment['payment_id']}", headers=headers).get_json()
    assert detail["customer_name"] == customer.customer_name

    def listed():
        with selects(database) as seen:
            rows = api.client.get(
                f"{PAY}?customer_id={customer.customer_id}", headers=headers
            ).get_json()
        return rows, len(seen)

    rows, queries = listed()
    assert [(r["customer_name"], r["created_by_user_name"]) for r in rows] == [
        (customer.customer_name, "Fay Finance")
    ]
    for _ in range(3):
        api.client.post(PAY, headers=headers, json=body)
    rows, more_queries = listed()
    assert len(rows) == 4
    assert {r["customer_name"] for r in rows} == {customer.customer_name}
    assert more_queries == queries  # no query per payment
