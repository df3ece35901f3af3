"""Tickets and the report's TicketStatus machine: every (state, action) pair, the history of
who moved a ticket and why, notes and replies, SLA due times and breaches, queues, and a failed
provisioning job opening exactly one ticket."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from omnicrm.customers.models import Customer
from omnicrm.notifications.models import Notification
from omnicrm.provisioning.events import JobEnded
from omnicrm.provisioning.models import Provision, ProvisionStatus
from omnicrm.tickets import use_cases as uc
from omnicrm.tickets.handlers import ticket_for_failed_job
from omnicrm.tickets.models import ACTIONS, Ticket, TicketStatus, TicketTransition
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory

T = "/crm/ticket/"
# How to reach each state from a new ticket.
PATHS: dict[TicketStatus, list[str]] = {
    TicketStatus.free: [],
    TicketStatus.active: ["activate"],
    TicketStatus.suspended: ["activate", "suspend"],
    TicketStatus.blocked: ["activate", "block"],
    TicketStatus.closed: ["activate", "close"],
}
LEGAL = {
    (TicketStatus.free, "activate"): TicketStatus.active,
    (TicketStatus.active, "suspend"): TicketStatus.suspended,
    (TicketStatus.suspended, "resume"): TicketStatus.active,
    (TicketStatus.active, "block"): TicketStatus.blocked,
    (TicketStatus.blocked, "close"): TicketStatus.closed,
    (TicketStatus.active, "close"): TicketStatus.closed,
}


@pytest.fixture
def customer(db_session):
    made = CustomerFactory(email=f"t-{uuid.uuid4().hex[:8]}@example.com")
    db_session.commit()
    return made


def _open(call, customer, **extra):
    body = {"customer_id": customer.customer_id, "subject": "No signal", **extra}
    return call("post", T, 201, json=body)


def test_a_new_ticket_is_free_and_due_by_its_sla(call, customer):
    ticket = _open(call, customer, priority="urgent", description="Since this morning")
    assert (ticket["status"], ticket["allowed_actions"]) == ("free", ["activate"])
    created = datetime.fromisoformat(ticket["created_at"])
    due = datetime.fromisoformat(ticket["due_at"])
    assert due - created == timedelta(hours=4)  # urgent: TICKET_SLA_HOURS
    assert ticket["breached"] is False
    assert [(t["action"], t["from_status"], t["to_status"]) for t in ticket["transitions"]] == [
        ("open", None, "free")
    ]


@pytest.mark.parametrize("state", list(TicketStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_state_and_action(call, customer, db_session, state, action):
    ticket = _open(call, customer)
    url = f"{T}{ticket['ticket_id']}"
    for step in PATHS[state]:
        call("post", f"{url}/{step}", 200, json={})
    before = call("get", url, 200)
    target = LEGAL.get((state, action))
    if target is not None:
        moved = call("post", f"{url}/{action}", 200, json={"reason": f"{action} it"})
        assert moved["status"] == target.value
        last = moved["transitions"][-1]
        assert (last["action"], last["from_status"], last["to_status"], last["reason"]) == (
            action, state.value, target.value, f"{action} it",
        )  # fmt: skip
        assert last["user_id"] is not None
        assert (moved["closed_at"] is not None) == (target == TicketStatus.closed)
    else:
        refused = call("post", f"{url}/{action}", 409, json={})
        assert refused["code"] == "invalid_transition"
        assert refused["from_status"] == state.value
        assert refused["allowed"] == before["allowed_actions"]
        assert call("get", url, 200) == before  # nothing changed


def test_notes_stay_inside_and_replies_reach_the_customer(call, customer, db_session):
    ticket = _open(call, customer)
    url = f"{T}{ticket['ticket_id']}"
    note = call("post", f"{url}/comment", 201, json={"body": "Checked the cell: fine"})
    reply = call("post", f"{url}/comment", 201, json={"body": "Please restart", "internal": False})
    assert (note["internal"], reply["internal"]) == (True, False)
    mails = db_session.scalars(
        select(Notification)
        .where(Notification.recipient == customer.email)
        .order_by(Notification.notification_id)
    ).all()
    assert [m.template for m in mails] == ["ticket_opened", "ticket_replied"]
    assert "Please restart" in mails[1].body_text and f"#{ticket['ticket_id']}" in mails[1].subject
    detail = call("get", url, 200)
    assert [c["body"] for c in detail["comments"]] == ["Checked the cell: fine", "Please restart"]
    call("post", f"{url}/activate", 200, json={})
    call("post", f"{url}/close", 200, json={})
    assert call("post", f"{url}/comment", 409, json={"body": "late"})["code"] == "ticket_closed"


def test_links_and_assignees_are_checked(call, customer, make_user, db_session):
    other = CustomerFactory()
    service = ServiceFactory(customer_id=other.customer_id, product_id=ProductFactory().product_id)
    db_session.commit()
    refused = call("post", T, 422, json={"customer_id": customer.customer_id, "subject": "x",
                                         "service_id": service.service_id})  # fmt: skip
    assert "service_id" in refused["errors"]["json"]
    sales = make_user("sales")  # may read tickets, not work them
    body = {"customer_id": customer.customer_id, "subject": "x", "assignee_user_id": sales.id}
    assert "assignee_user_id" in call("post", T, 422, json=body)["errors"]["json"]
    agent = make_user("support")
    ticket = _open(call, customer, assignee_user_id=agent.id)
    assert ticket["assignee_user_id"] == agent.id
    queue = call("get", f"{T}?assignee_user_id={agent.id}", 200)
    assert [t["ticket_id"] for t in queue] == [ticket["ticket_id"]]
    moved = call("patch", f"{T}{ticket['ticket_id']}", 200,
                 json={"priority": "low", "assignee_user_id": None})  # fmt: skip
    assert moved["assignee_user_id"] is None
    due = datetime.fromisoformat(moved["due_at"]) - datetime.fromisoformat(moved["created_at"])
    assert due == timedelta(hours=72)
    unassigned = call("get", f"{T}?unassigned=true&customer_id={customer.customer_id}", 200)
    assert [t["ticket_id"] for t in unassigned] == [ticket["ticket_id"]]


def test_a_ticket_past_its_due_time_is_breached(call, customer, db_session):
    ticket = _open(call, customer)
    row = db_session.get(Ticket, ticket["ticket_id"])
    row.due_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.commit()
    assert call("get", f"{T}{ticket['ticket_id']}", 200)["breached"] is True
    breached = call("get", f"{T}?breached=true&customer_id={customer.customer_id}", 200)
    assert [t["ticket_id"] for t in breached] == [ticket["ticket_id"]]


def test_only_staff_who_may_can_read_or_work_tickets(api, make_user, customer):
    body = {"customer_id": customer.customer_id, "subject": "x"}
    billing = api.headers_for(make_user("finance").email)
    assert api.client.get(T, headers=billing).status_code == 403
    sales = api.headers_for(make_user("sales").email)
    assert api.client.get(T, headers=sales).status_code == 200
    assert api.client.post(T, headers=sales, json=body).status_code == 403
    assert api.client.post(T, json=body).status_code == 401


def test_a_failed_provisioning_job_opens_one_ticket(db_session, app):
    customer = CustomerFactory()
    service = ServiceFactory(
        customer_id=customer.customer_id, product_id=ProductFactory().product_id
    )
    db_session.flush()
    job = Provision(
        customer_id=customer.customer_id, service_id=service.service_id, action="activate",
        provisioning_play="mobile_activate", provisioning_status=int(ProvisionStatus.failed),
        error="HSS unreachable",
    )  # fmt: skip
    db_session.add(job)
    db_session.flush()
    failed = JobEnded(
        provision_id=job.provision_id, provisioning_status=2, service_id=service.service_id
    )
    ticket_for_failed_job(db_session, failed)
    ticket_for_failed_job(db_session, failed)  # failed again after a manual retry
    ticket_for_failed_job(  # a retry that succeeds opens nothing
        db_session,
        JobEnded(
            provision_id=job.provision_id, provisioning_status=0, service_id=service.service_id
        ),
    )
    tickets = db_session.scalars(
        select(Ticket).where(Ticket.customer_id == customer.customer_id)
    ).all()
    assert len(tickets) == 1
    [ticket] = tickets
    assert (ticket.source, ticket.priority.value, ticket.service_id) == (
        f"provision:{job.provision_id}", "high", service.service_id,
    )  # fmt: skip
    assert "HSS unreachable" in ticket.description


# --- two agents at once (real commits) -----------------------------------------------------------


@pytest.fixture
def racing_ticket(app, database):
    tag = uuid.uuid4().hex[:8]
    with app.app_context(), database.job_scope() as session:
        customer_id = session.execute(
            Customer.__table__.insert()
            .values(customer_name=f"Racing ticket {tag}", customer_payment_type="prepaid")
            .returning(Customer.__table__.c.customer_id)
        ).scalar_one()
        now = datetime.now(UTC)
        ticket_id = session.execute(
            Ticket.__table__.insert()
            .values(
                customer_id=customer_id,
                subject="race",
                description="",
                priority="normal",
                status="active",
                created_at=now,
                updated_at=now,
            )
            .returning(Ticket.__table__.c.ticket_id)
        ).scalar_one()
    yield ticket_id
    with app.app_context(), database.job_scope() as session:
        session.execute(delete(TicketTransition).where(TicketTransition.ticket_id == ticket_id))
        session.execute(delete(Ticket).where(Ticket.ticket_id == ticket_id))
        session.execute(delete(Customer).where(Customer.customer_id == customer_id))


@pytest.mark.committed
def test_two_agents_moving_one_ticket_cannot_both_win(app, database, racing_ticket):
    """One suspends, one blocks, the same active ticket at the same moment: the row lock makes
    them queue, so one wins and the other is told the ticket is no longer active."""
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def agent(action: str) -> None:
        with app.app_context():
            start.wait()
            try:
                with database.job_scope() as session:
                    uc.transition(session, ticket_id=racing_ticket, action=action)
                results[action] = "moved"
            except uc.TicketTransitionRefused as refused:
                results[action] = refused.extra["from_status"]

    threads = [threading.Thread(target=agent, args=(a,)) for a in ("suspend", "block")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winner = next(action for action, result in results.items() if result == "moved")
    loser = next(action for action in ("suspend", "block") if action != winner)
    # The loser found the ticket where the winner left it.
    assert results[loser] == {"suspend": "suspended", "block": "blocked"}[winner]
    with app.app_context(), database.job_scope() as session:
        moves = session.scalar(
            select(func.count())
            .select_from(TicketTransition)
            .where(TicketTransition.ticket_id == racing_ticket)
        )
        assert moves == 1


# --- tags, teams and attachments ------------------------------------------------------------------


def test_tags_and_teams_make_queues(call, customer):
    noc = _open(call, customer, team="noc", tags=["outage", "sydney"])
    assert (noc["team"], noc["tags"]) == ("noc", ["outage", "sydney"])
    _open(call, customer, team="billing")
    listed = call("get", f"{T}?team=noc&customer_id={customer.customer_id}", 200)
    assert [t["ticket_id"] for t in listed] == [noc["ticket_id"]]
    assert listed[0]["tags"] == ["outage", "sydney"]
    tagged = call("get", f"{T}?tag=outage&customer_id={customer.customer_id}", 200)
    assert [t["ticket_id"] for t in tagged] == [noc["ticket_id"]]
    retagged = call("patch", f"{T}{noc['ticket_id']}", 200, json={"tags": ["resolved-soon"]})
    assert retagged["tags"] == ["resolved-soon"]
    bad = call("post", T, 422, json={"customer_id": customer.customer_id, "subject": "x",
                                     "tags": ["Not A Tag"]})  # fmt: skip
    assert "tags" in bad["errors"]["json"]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(api, headers, ticket_id, name, content):
    from io import BytesIO

    return api.client.post(
        f"{T}{ticket_id}/attachment", headers=headers,
        data={"file": (BytesIO(content), name)}, content_type="multipart/form-data",
    )  # fmt: skip


def test_attachments_are_typed_limited_and_stored_under_our_names(
    api, admin_headers, call, customer, app
):
    ticket = _open(call, customer)
    ok = _upload(api, admin_headers, ticket["ticket_id"], "../../etc/screen shot.png", PNG)
    assert ok.status_code == 201, ok.get_json()
    attachment = ok.get_json()
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "screen shot.png", "image/png", len(PNG),
    )  # fmt: skip
    directory = app.extensions["omnicrm_settings"].attachment_dir
    stored = list((directory / str(ticket["ticket_id"])).iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == PNG  # a name of ours, in its folder
    download = api.client.get(
        f"{T}{ticket['ticket_id']}/attachment/{attachment['attachment_id']}", headers=admin_headers
    )
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "image/png"
    detail = call("get", f"{T}{ticket['ticket_id']}", 200)
    assert [a["attachment_id"] for a in detail["attachments"]] == [attachment["attachment_id"]]

    renamed = _upload(api, admin_headers, ticket["ticket_id"], "invoice.pdf", b"MZ\x90\x00binary")
    assert renamed.status_code == 422  # a .pdf that is not a PDF
    script = _upload(api, admin_headers, ticket["ticket_id"], "run.sh", b"#!/bin/sh\n")
    assert script.status_code == 422
    settings = app.extensions["omnicrm_settings"]
    settings.ticket_attachment_max_bytes = 10
    try:
        big = _upload(api, admin_headers, ticket["ticket_id"], "big.txt", b"x" * 11)
    finally:
        settings.ticket_attachment_max_bytes = 5 * 1024 * 1024
    assert big.status_code == 413
    assert len(list((directory / str(ticket["ticket_id"])).iterdir())) == 1  # nothing left over
    other = _open(call, customer)
    wrong = api.client.get(
        f"{T}{other['ticket_id']}/attachment/{attachment['attachment_id']}", headers=admin_headers
    )
    assert wrong.status_code == 404  # an attachment is reached through its own ticket only


def test_a_rolled_back_upload_leaves_no_file_behind(call, customer, database, tmp_path):
    """The file is written before its row; when the unit of work rolls back, the file goes."""
    from io import BytesIO

    from omnicrm.core.db import discard
    from omnicrm.tickets.attachments import attach

    ticket = _open(call, customer)
    session = database.new_session()
    try:
        attach(
            session, ticket_id=ticket["ticket_id"], filename="note.txt",
            stream=BytesIO(b"hello"), directory=tmp_path, max_bytes=100, user_id=None,
        )  # fmt: skip
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
        discard(session)  # what a failing request does
    finally:
        session.close()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# --- SLAs in business hours, breaches, what the customer sees ------------------------------------


def test_business_hours_count_only_while_the_desk_is_open():
    from omnicrm.tickets.sla import Sla

    hours = {"normal": 10.0}
    desk = {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00", "timezone": "Europe/Berlin"}
    sla = Sla(hours, desk)
    friday_4pm = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    # 1 h on Friday, nothing at the weekend, 8 h on Monday, 1 h on Tuesday: 10:00 Berlin.
    assert sla.due(friday_4pm, "normal") == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # counts from Monday 09:00
    assert sla.due(saturday, "normal") == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    assert Sla(hours).due(saturday, "normal") == saturday + timedelta(hours=10)


def test_breaches_are_flagged_once_and_the_assignee_told(call, customer, make_user, db_session):
    from omnicrm.tickets.jobs import sla_breaches

    agent = make_user("support")
    late = _open(call, customer, assignee_user_id=agent.id, subject="Late one")
    on_time = _open(call, customer)
    db_session.get(Ticket, late["ticket_id"]).due_at = datetime.now(UTC) - timedelta(minutes=5)
    db_session.commit()
    assert sla_breaches(db_session, None)["breached"] >= 1
    assert sla_breaches(db_session, None)["breached"] == 0  # once
    flagged = call("get", f"{T}{late['ticket_id']}", 200)
    assert flagged["breached_at"] is not None and flagged["breached"] is True
    assert call("get", f"{T}{on_time['ticket_id']}", 200)["breached_at"] is None
    alerts = db_session.scalars(
        select(Notification).where(
            Notification.template == "ticket_breached", Notification.recipient == agent.email
        )
    ).all()
    assert len(alerts) == 1 and "Late one" in alerts[0].subject


def test_the_customer_sees_status_changes_and_replies_only(call, customer, db_session):
    ticket = _open(call, customer)
    url = f"{T}{ticket['ticket_id']}"
    call("post", f"{url}/activate", 200, json={"reason": "agent picked it up"})
    call("post", f"{url}/comment", 201, json={"body": "internal: customer is rude"})
    call("post", f"{url}/comment", 201, json={"body": "We are on it", "internal": False})
    call("post", f"{url}/close", 200, json={"reason": "fixed the APN"})
    seen = call("get", f"{url}/customer-view", 200)
    assert [(e["kind"], e["status"], e["body"]) for e in seen] == [
        ("status", "free", None),
        ("status", "active", None),
        ("reply", None, "We are on it"),
        ("status", "closed", None),
    ]
    assert "rude" not in str(seen) and "agent picked" not in str(seen)
    mails = db_session.scalars(
        select(Notification.template)
        .where(Notification.recipient == customer.email)
        .order_by(Notification.notification_id)
    ).all()
    assert mails == ["ticket_opened", "ticket_replied", "ticket_closed"]


def test_an_internal_ticket_tells_the_customer_nothing(call, customer, db_session):
    ticket = _open(call, customer, customer_visible=False)
    url = f"{T}{ticket['ticket_id']}"
    refused = call("post", f"{url}/comment", 409, json={"body": "hi", "internal": False})
    assert refused["code"] == "ticket_internal"
    call("post", f"{url}/comment", 201, json={"body": "note"})
    call("post", f"{url}/activate", 200, json={})
    call("post", f"{url}/close", 200, json={})
    assert call("get", f"{url}/customer-view", 200) == []
    mails = db_session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient == customer.email)
    )
    assert mails == 0
