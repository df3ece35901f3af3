"""A ticket worked on the board, and the customer's mail in the Outbox — in a real browser.

An admin opens a ticket for a customer (who has an e-mail address) from the customer's Tickets
tab, then moves it across the ticket board: dragged from Free to Active, then with its "Move
to…" menu to Suspended and back to Active (resume). On the ticket's page they add an internal
note and then a reply. The Outbox shows the reply mail for the customer's address, "[ticket
#<id>] Re: ...", queued while the embedded worker is held; once the worker delivers it (the file
transport writes an .eml) the list, polling while a row is queued, shows it sent without a
reload. Its page has the reply in its Text tab (and in its sandboxed HTML). The internal note
is in no mail to the customer: not in the Outbox, not in the database, not in the .eml files.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as email_policy
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, or_, select

from tests.e2e.conftest import ARTIFACTS, login
from tests.factories import delete_tickets

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@dataclass
class Arranged:
    email: str
    password: str
    customer_id: int
    customer_name: str
    customer_email: str


@pytest.fixture
def arranged(app: Any, database: Any, committed_user: Any) -> Iterator[Arranged]:
    """An admin and a customer with an e-mail address, committed; afterwards the customer, their
    tickets (with history) and every message to them are removed."""
    from omnicrm.customers.models import Customer
    from omnicrm.customers.use_cases import create_customer
    from omnicrm.notifications.models import Notification
    from omnicrm.tickets.models import Ticket

    email, password = committed_user("admin", "E2E Support")
    tag = uuid.uuid4().hex[:8]
    customer_email = f"board-{tag}@customer.example"
    with app.test_request_context(), database.job_scope() as session:
        customer = create_customer(
            session,
            customer_name=f"Board Pty {tag}",
            customer_account_type="Business",
            email=customer_email,
        )
        customer_id = customer.customer_id
        customer_name = customer.customer_name
    yield Arranged(email, password, customer_id, customer_name, customer_email)

    with database.job_scope() as session:
        session.execute(
            delete(Notification).where(
                or_(
                    Notification.customer_id == customer_id,
                    Notification.recipient == customer_email,
                )
            )
        )
        delete_tickets(session, Ticket.customer_id == customer_id)
        session.execute(delete(Customer).where(Customer.customer_id == customer_id))


def _column(page: Any, status: str) -> Any:
    return page.locator(f'[data-testid="ticket-column"][data-status="{status}"]')


def _card(page: Any, ticket_id: int, status: str | None = None) -> Any:
    """The ticket's card (in ``status``'s column)."""
    within = _column(page, status) if status else page
    return within.locator(f'[data-testid="ticket-card"][data-ticket-id="{ticket_id}"]')


@contextmanager
def _move(page: Any, ticket_id: int, action: str, to: str) -> Iterator[None]:
    """The move made inside the block is the API's (200), and the card sits in ``to``'s column
    afterwards."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/crm/ticket/{ticket_id}/{action}")
    ) as answer:
        yield
    assert answer.value.status == 200, answer.value.text()
    expect(_card(page, ticket_id, to)).to_have_attribute("data-status", to)


def _move_with_menu(page: Any, ticket_id: int, action: str, to: str) -> None:
    with _move(page, ticket_id, action, to):
        _card(page, ticket_id).get_by_test_id("ticket-move-menu").click()
        page.get_by_test_id(f"ticket-move-{action}").click()


def test_a_ticket_moved_on_the_board_and_its_reply_in_the_outbox(
    page, live_server, arranged, worker, database, settings
):
    from omnicrm.notifications.models import Notification, NotificationStatus
    from omnicrm.tickets.models import Ticket, TicketStatus

    a = arranged
    tag = uuid.uuid4().hex[:6]
    subject = f"No data since the update {tag}"
    note = f"Internal: HLR shows the APN barred, do not tell them yet {tag}"
    reply = f"We reset your data session; please restart your phone. {tag}"
    login(page, live_server, a.email, a.password)

    # The customer's Tickets tab: New ticket, for them.
    page.goto(f"{live_server}/customers/{a.customer_id}")
    page.get_by_test_id("tab-tickets").click()
    page.get_by_test_id("customer-ticket-new").click()
    form = page.get_by_test_id("ticket-new-form")
    expect(form.get_by_test_id("ticket-new-customer")).to_have_value(
        re.compile(re.escape(a.customer_name))
    )
    form.get_by_test_id("ticket-new-subject").fill(subject)
    form.get_by_test_id("ticket-new-description").fill("The customer's phone shows no data.")
    form.get_by_test_id("ticket-new-submit").click()
    expect(form).to_have_count(0)
    row = page.get_by_test_id("customer-ticket-row").filter(has_text=subject)
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "free")
    ticket_id = int(row.get_attribute("data-ticket-id") or 0)
    assert ticket_id > 0

    # The board: Free → Active by dragging the card onto the Active column.
    page.get_by_test_id("nav-tickets").click()
    page.wait_for_url("**/tickets")
    card = _card(page, ticket_id)
    expect(_card(page, ticket_id, "free")).to_be_visible()
    expect(card.get_by_test_id("ticket-card-subject")).to_have_text(subject)
    expect(card.get_by_test_id("ticket-card-customer")).to_contain_text(a.customer_name)
    with _move(page, ticket_id, "activate", "active"):
        card.drag_to(_column(page, "active"))

    # Active → Suspended → Active (resume), with the card's "Move to…" menu.
    _move_with_menu(page, ticket_id, "suspend", "suspended")
    _move_with_menu(page, ticket_id, "resume", "active")
    page.screenshot(path=str(ARTIFACTS / "ticket-board.png"), full_page=True)
    with database.job_scope() as session:
        assert session.get(Ticket, ticket_id).status == TicketStatus.active

    # The ticket's page: its moves in the timeline, then an internal note and a reply.
    card.get_by_test_id("ticket-card-subject").click()
    page.wait_for_url(f"**/tickets/{ticket_id}")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Active")
    timeline = page.get_by_test_id("ticket-timeline")
    expect(timeline.locator('[data-kind="transition"]')).to_have_count(4)  # opened + 3 moves

    composer = page.get_by_test_id("ticket-composer")
    expect(composer.get_by_test_id("ticket-comment-internal")).to_have_attribute(
        "data-internal", "true"
    )
    composer.get_by_test_id("ticket-comment-body").fill(note)
    composer.get_by_test_id("ticket-comment-submit").click()
    expect(timeline.locator('[data-kind="note"]').filter(has_text=note)).to_have_count(1)

    composer.get_by_test_id("ticket-comment-internal").get_by_text("Reply to customer").click()
    expect(composer.get_by_test_id("ticket-comment-internal")).to_have_attribute(
        "data-internal", "false"
    )
    composer.get_by_test_id("ticket-comment-body").fill(reply)
    # Hold the worker: the reply mail waits, queued, until the Outbox shows it.
    worker.pause()
    composer.get_by_test_id("ticket-comment-submit").click()
    expect(timeline.locator('[data-kind="reply"]').filter(has_text=reply)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "ticket-page.png"), full_page=True)

    # The Outbox, for the customer's address: the reply mail, queued.
    page.get_by_test_id("nav-outbox").click()
    page.wait_for_url("**/outbox")
    # Everything from here on happens in this one document: a reload would lose the mark.
    page.evaluate("window.__outboxTest = 'same document'")
    page.get_by_test_id("outbox-filter-recipient").fill(a.customer_email)
    rows = page.get_by_test_id("outbox-row")
    expect(rows.filter(has_text=f"[ticket #{ticket_id}] We opened:")).to_have_count(1)
    mail = rows.filter(has_text=f"[ticket #{ticket_id}] Re:")
    expect(mail).to_have_count(1)
    expect(mail.get_by_test_id("outbox-row-subject")).to_have_text(
        re.compile(rf"^\[ticket #{ticket_id}\] Re: ")
    )
    expect(mail.get_by_test_id("outbox-row-recipient")).to_have_text(a.customer_email)
    expect(mail.get_by_test_id("outbox-row-template")).to_have_text("Ticket replied")
    expect(mail).to_have_attribute("data-status", "queued")
    expect(mail.get_by_test_id("outbox-row-status")).to_have_text("Queued")
    expect(rows).to_have_count(2)
    assert int(page.get_by_test_id("outbox-status-queued").get_attribute("data-count") or 0) >= 1

    # The worker sends it; the list, read again every 10 s while a row is queued, shows it sent.
    worker.resume()
    expect(mail).to_have_attribute("data-status", "sent", timeout=30_000)
    expect(mail.get_by_test_id("outbox-row-status")).to_have_text("Sent")
    expect(mail.get_by_test_id("outbox-row-error")).to_have_count(0)
    assert page.evaluate("window.__outboxTest") == "same document"
    # Nothing in the customer's mail holds the internal note.
    expect(page.get_by_test_id("outbox-table")).not_to_contain_text(note)
    page.screenshot(path=str(ARTIFACTS / "outbox.png"), full_page=True)
    notification_id = int(mail.get_attribute("data-notification-id") or 0)

    # The message: to the customer, about their ticket, the reply in its Text tab.
    mail.get_by_test_id("outbox-row-subject").click()
    page.wait_for_url(f"**/outbox/{notification_id}")
    expect(page.get_by_test_id("notification-status")).to_have_text("Sent")
    expect(page.get_by_test_id("notification-recipient")).to_have_text(a.customer_email)
    expect(page.get_by_test_id("notification-customer")).to_have_attribute(
        "href", f"/customers/{a.customer_id}"
    )
    expect(page.get_by_test_id("notification-provider")).to_contain_text("file")
    frame = page.get_by_test_id("notification-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(
        page.frame_locator('[data-testid="notification-html"]').get_by_text(reply)
    ).to_be_visible()
    page.get_by_test_id("notification-tab-text").click()
    text = page.get_by_test_id("notification-text")
    expect(text).to_be_visible()
    expect(text).to_contain_text(reply)
    expect(text).not_to_contain_text(note)
    # A sent message is not sent again.
    expect(page.get_by_test_id("notification-resend")).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "outbox-message.png"), full_page=True)

    # The database and the delivered files agree: no mail to the customer holds the note.
    with database.job_scope() as session:
        mails = session.scalars(
            select(Notification).where(
                or_(
                    Notification.customer_id == a.customer_id,
                    Notification.recipient == a.customer_email,
                )
            )
        ).all()
        assert sorted(m.template for m in mails) == ["ticket_opened", "ticket_replied"]
        for m in mails:
            assert note not in (m.subject + m.body_text + (m.body_html or ""))
        [sent] = [m for m in mails if m.template == "ticket_replied"]
        assert sent.notification_id == notification_id
        assert sent.status == NotificationStatus.sent
        assert reply in sent.body_text
    eml = message_from_bytes(
        (settings.instance_path / "outbox" / f"{notification_id}.eml").read_bytes(),
        policy=email_policy,
    )
    assert eml["To"] == a.customer_email
    assert eml["Subject"].startswith(f"[ticket #{ticket_id}] Re: ")
    plain = eml.get_body(("plain",)).get_content()
    assert reply in plain and note not in plain
    assert note not in eml.get_body(("html",)).get_content()
