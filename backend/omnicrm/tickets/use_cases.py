"""Tickets: opened by staff (or by an event, e.g. a provisioning job that failed for good),
moved along the TicketStatus machine, worked with internal notes and replies the customer sees.

A transition locks the ticket row: two agents moving one ticket at once queue, and the second
finds the state the first left (and gets 409 if its move is no longer allowed). Every move is
recorded with who, when and why; an illegal one names the actions allowed from where it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.auth.models import User
from omnicrm.contracts.models import Contract
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, NotFound, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email
from omnicrm.services.models import Service
from omnicrm.tickets.events import TicketBreached, TicketMoved
from omnicrm.tickets.models import (
    ACTIONS,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketPriority,
    TicketStatus,
    TicketTag,
    TicketTransition,
    allowed_actions,
)
from omnicrm.tickets.sla import Sla


class TicketTransitionRefused(Conflict):
    code = "invalid_transition"


class TicketClosed(Conflict):
    code = "ticket_closed"


class TicketInternal(Conflict):
    code = "ticket_internal"


def _tell_customer(session: Session, ticket: Ticket, *, template: str, **facts: Any) -> None:
    """E-mail the customer about a ticket they can see (through the outbox)."""
    if not ticket.customer_visible:
        return
    customer = session.get(Customer, ticket.customer_id)
    if customer is None or not customer.email:
        return
    queue_email(
        session,
        to=customer.email,
        template=template,
        context={
            "ticket_id": ticket.ticket_id,
            "ticket_subject": ticket.subject,
            "customer_name": customer.customer_name,
            **facts,
        },
        customer_id=customer.customer_id,
    )


def _check_assignee(session: Session, user_id: int | None) -> None:
    if user_id is None:
        return
    user = session.get(User, user_id)
    if user is None or not user.is_active or "ticket.write" not in user.permission_names:
        raise ValidationFailed.field(
            "assignee_user_id", f"user {user_id} is not active staff who can work tickets"
        )


def _check_links(
    session: Session, customer_id: int, contract_id: int | None, service_id: int | None
) -> None:
    if session.get(Customer, customer_id) is None:
        raise ValidationFailed.field("customer_id", f"customer {customer_id} does not exist")
    if contract_id is not None:
        contract = session.get(Contract, contract_id)
        if contract is None or contract.customer_id != customer_id:
            raise ValidationFailed.field(
                "contract_id", f"contract {contract_id} is not one of customer {customer_id}'s"
            )
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None or service.customer_id != customer_id:
            raise ValidationFailed.field(
                "service_id", f"service {service_id} is not one of customer {customer_id}'s"
            )


def open_ticket(
    session: Session,
    *,
    customer_id: int,
    subject: str,
    sla: Sla,
    description: str = "",
    priority: str = "normal",
    category: str | None = None,
    contract_id: int | None = None,
    service_id: int | None = None,
    assignee_user_id: int | None = None,
    team: str | None = None,
    tags: list[str] | None = None,
    customer_visible: bool = True,
    notify_customer: bool = True,
    user_id: int | None = None,
    source: str | None = None,
) -> Ticket:
    """A new ticket, ``free``, due by its priority's SLA."""
    _check_links(session, customer_id, contract_id, service_id)
    _check_assignee(session, assignee_user_id)
    now = utcnow()
    level = TicketPriority(priority)
    ticket = Ticket(
        customer_id=customer_id,
        contract_id=contract_id,
        service_id=service_id,
        subject=subject,
        description=description,
        priority=level,
        category=category,
        status=TicketStatus.free,
        assignee_user_id=assignee_user_id,
        team=team,
        customer_visible=customer_visible and notify_customer,
        source=source,
        due_at=sla.due(now, level.value),
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    _set_tags(session, ticket.ticket_id, tags or [])
    session.add(
        TicketTransition(
            ticket_id=ticket.ticket_id,
            action="open",
            from_status=None,
            to_status=TicketStatus.free,
            user_id=user_id,
            created_at=now,
        )
    )
    session.flush()
    _tell_customer(session, ticket, template="ticket_opened")
    return ticket


def open_once(session: Session, *, source: str, **fields: Any) -> Ticket | None:
    """Open a ticket for ``source`` unless one exists (the unique source decides when two
    handlers race); None when it did."""
    if session.scalar(select(Ticket.ticket_id).where(Ticket.source == source)) is not None:
        return None
    try:
        with session.begin_nested():
            return open_ticket(session, source=source, **fields)
    except IntegrityError:
        return None


def _set_tags(session: Session, ticket_id: int, tags: list[str]) -> None:
    session.execute(delete(TicketTag).where(TicketTag.ticket_id == ticket_id))
    for tag in sorted(set(tags)):
        session.add(TicketTag(ticket_id=ticket_id, tag=tag))
    session.flush()
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None:
        session.refresh(ticket, ["tag_rows"])


def get_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    stmt = select(Ticket).where(Ticket.ticket_id == ticket_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    ticket = session.scalar(stmt)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def transition(
    session: Session,
    *,
    ticket_id: int,
    action: str,
    reason: str | None = None,
    user_id: int | None = None,
) -> Ticket:
    """Move the ticket by ``action`` (the row is locked first: concurrent moves queue)."""
    ticket = get_ticket(session, ticket_id, lock=True)
    sources, target = ACTIONS[action]
    if ticket.status not in sources:
        raise TicketTransitionRefused(
            f"ticket {ticket_id} is {ticket.status.value}: it cannot {action}",
            extra={
                "from_status": ticket.status.value,
                "action": action,
                "allowed": allowed_actions(ticket.status),
            },
        )
    now = utcnow()
    session.add(
        TicketTransition(
            ticket_id=ticket_id,
            action=action,
            from_status=ticket.status,
            to_status=target,
            reason=reason,
            user_id=user_id,
            created_at=now,
        )
    )
    source_status = ticket.status
    ticket.status = target
    ticket.updated_at = now
    ticket.closed_at = now if target == TicketStatus.closed else None
    session.flush()
    publish(
        session,
        TicketMoved(
            ticket_id=ticket_id,
            action=action,
            from_status=source_status.value,
            to_status=target.value,
        ),
    )
    if target == TicketStatus.closed:
        _tell_customer(session, ticket, template="ticket_closed", reason=reason or "")
    return ticket


def update_ticket(session: Session, *, ticket_id: int, sla: Sla, **changes: Any) -> Ticket:
    """Change the assignee, priority (the due time follows), category or subject."""
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.status == TicketStatus.closed:
        raise TicketClosed(f"ticket {ticket_id} is closed")
    if "assignee_user_id" in changes:
        _check_assignee(session, changes["assignee_user_id"])
    if "tags" in changes:
        _set_tags(session, ticket_id, changes.pop("tags") or [])
    if "priority" in changes:
        level = TicketPriority(changes.pop("priority"))
        if level != ticket.priority:
            ticket.priority = level
            ticket.due_at = sla.due(ticket.created_at, level.value)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.updated_at = utcnow()
    session.flush()
    return ticket


def comment(
    session: Session, *, ticket_id: int, body: str, internal: bool, user_id: int | None
) -> TicketComment:
    """An internal note, or a reply the customer sees (and is e-mailed)."""
    ticket = get_ticket(session, ticket_id)
    if ticket.status == TicketStatus.closed:
        raise TicketClosed(f"ticket {ticket_id} is closed: reopen it with a new ticket")
    if not internal and not ticket.customer_visible:
        raise TicketInternal(
            f"ticket {ticket_id} is internal: make it visible to the customer before replying"
        )
    note = TicketComment(
        ticket_id=ticket_id, body=body, internal=internal, author_user_id=user_id,
        created_at=utcnow(),
    )  # fmt: skip
    session.add(note)
    ticket.updated_at = utcnow()
    session.flush()
    if not internal:
        _tell_customer(session, ticket, template="ticket_replied", reply=body)
    return note


def customer_history(session: Session, ticket: Ticket) -> list[dict[str, Any]]:
    """What the customer sees of a ticket (the self-care view): its status changes and the
    replies, oldest first; never internal notes, reasons or who on the staff did what."""
    if not ticket.customer_visible:
        return []
    entries: list[dict[str, Any]] = [
        {"kind": "status", "at": t.created_at, "status": t.to_status.value, "body": None}
        for t in session.scalars(
            select(TicketTransition)
            .where(TicketTransition.ticket_id == ticket.ticket_id)
            .order_by(TicketTransition.transition_id)
        )
    ]
    entries += [
        {"kind": "reply", "at": c.created_at, "status": None, "body": c.body}
        for c in session.scalars(
            select(TicketComment)
            .where(TicketComment.ticket_id == ticket.ticket_id, TicketComment.internal.is_(False))
            .order_by(TicketComment.comment_id)
        )
    ]
    return sorted(entries, key=lambda entry: entry["at"])


def flag_breaches(session: Session, *, now: datetime) -> list[int]:
    """Open tickets past their due time are flagged once, and a breach event published."""
    breached = session.scalars(
        select(Ticket)
        .where(
            Ticket.status != TicketStatus.closed,
            Ticket.due_at < now,
            Ticket.breached_at.is_(None),
        )
        .order_by(Ticket.due_at)
        .with_for_update(skip_locked=True)
    ).all()
    for ticket in breached:
        ticket.breached_at = now
        publish(
            session,
            TicketBreached(ticket_id=ticket.ticket_id, assignee_user_id=ticket.assignee_user_id),
        )
        assignee = session.get(User, ticket.assignee_user_id) if ticket.assignee_user_id else None
        if assignee is not None and assignee.email:
            queue_email(
                session,
                to=assignee.email,
                template="ticket_breached",
                context={
                    "ticket_id": ticket.ticket_id,
                    "ticket_subject": ticket.subject,
                    "due_at": f"{ticket.due_at:%Y-%m-%d %H:%M}",
                },
            )
    session.flush()
    return [ticket.ticket_id for ticket in breached]


def tickets_query(
    *,
    customer_id: int | None = None,
    status: list[str] | None = None,
    priority: str | None = None,
    assignee_user_id: int | None = None,
    unassigned: bool = False,
    breached: bool = False,
    team: str | None = None,
    tag: str | None = None,
    now: datetime | None = None,
) -> Select[Any]:
    stmt = select(Ticket)
    if team:
        stmt = stmt.where(Ticket.team == team)
    if tag:
        stmt = stmt.where(
            exists().where(TicketTag.ticket_id == Ticket.ticket_id, TicketTag.tag == tag)
        )
    if customer_id is not None:
        stmt = stmt.where(Ticket.customer_id == customer_id)
    if status:
        stmt = stmt.where(Ticket.status.in_([TicketStatus(s) for s in status]))
    if priority:
        stmt = stmt.where(Ticket.priority == TicketPriority(priority))
    if assignee_user_id is not None:
        stmt = stmt.where(Ticket.assignee_user_id == assignee_user_id)
    if unassigned:
        stmt = stmt.where(Ticket.assignee_user_id.is_(None))
    if breached:
        stmt = stmt.where(Ticket.status != TicketStatus.closed, Ticket.due_at < (now or utcnow()))
    return stmt.order_by(Ticket.due_at, Ticket.ticket_id)


def ticket_view(session: Session, ticket: Ticket) -> dict[str, Any]:
    """The ticket with its history (transitions and comments, oldest first)."""
    history = session.scalars(
        select(TicketTransition)
        .where(TicketTransition.ticket_id == ticket.ticket_id)
        .order_by(TicketTransition.transition_id)
    ).all()
    comments = session.scalars(
        select(TicketComment)
        .where(TicketComment.ticket_id == ticket.ticket_id)
        .order_by(TicketComment.comment_id)
    ).all()
    attachments = session.scalars(
        select(TicketAttachment)
        .where(TicketAttachment.ticket_id == ticket.ticket_id)
        .order_by(TicketAttachment.attachment_id)
    ).all()
    return {
        "ticket": ticket,
        "transitions": history,
        "comments": comments,
        "attachments": attachments,
    }
