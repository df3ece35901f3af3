"""Tickets carry names beside ids — the customer's, the assignee's, the creator's, and on the
ticket page the author of each comment and the mover of each transition — read for a whole page
in a fixed number of queries, not one per ticket."""

from __future__ import annotations

import uuid

from tests.factories import CustomerFactory
from tests.sql import selects

T = "/crm/ticket/"


def test_tickets_name_their_customer_assignee_and_creator(api, make_user, db_session, database):
    creator = make_user("admin", full_name="Cora Creator")
    agent = make_user("support", full_name="Abe Agent")
    headers = api.headers_for(creator.email)
    tag = uuid.uuid4().hex[:8]
    customers = [CustomerFactory(customer_name=f"Named {tag} {n}") for n in range(3)]
    db_session.commit()
    for customer in customers:
        body = {"customer_id": customer.customer_id, "subject": f"names {tag}",
                "assignee_user_id": agent.id, "tags": [tag]}  # fmt: skip
        made = api.client.post(T, headers=headers, json=body)
        assert made.status_code == 201, made.get_json()
        ticket = made.get_json()
        assert ticket["customer_name"] == customer.customer_name
        assert (ticket["assignee_name"], ticket["created_by_name"]) == ("Abe Agent", "Cora Creator")
        assert ticket["transitions"][0]["user_name"] == "Cora Creator"

    def listed() -> tuple[list[dict], list[str]]:
        with selects(database) as seen:
            answer = api.client.get(f"{T}?tag={tag}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json(), seen

    rows, seen = listed()
    assert sorted(r["customer_name"] for r in rows) == sorted(c.customer_name for c in customers)
    assert {(r["assignee_name"], r["created_by_name"]) for r in rows} == {
        ("Abe Agent", "Cora Creator")
    }
    # more tickets on the page, the same number of queries (no query per ticket)
    more = CustomerFactory(customer_name=f"Named {tag} more")
    db_session.commit()
    api.client.post(T, headers=headers, json={"customer_id": more.customer_id,
                                               "subject": "more", "tags": [tag]})  # fmt: skip
    rows_after, seen_after = listed()
    assert len(rows_after) == 4
    assert (
        next(r for r in rows_after if r["customer_id"] == more.customer_id)["assignee_name"] is None
    )
    assert len(seen_after) == len(seen)


def test_a_comment_names_its_author_on_the_ticket_page(api, make_user, db_session):
    author = make_user("admin", full_name="")
    headers = api.headers_for(author.email)
    customer = CustomerFactory()
    db_session.commit()
    ticket = api.client.post(
        T, headers=headers, json={"customer_id": customer.customer_id, "subject": "x"}
    ).get_json()
    url = f"{T}{ticket['ticket_id']}"
    api.client.post(f"{url}/comment", headers=headers, json={"body": "looked", "internal": True})
    detail = api.client.get(url, headers=headers).get_json()
    # no full name: the username stands in
    assert detail["comments"][0]["author_name"] == author.username
    assert detail["created_by_name"] == author.username
