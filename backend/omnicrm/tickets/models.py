"""Tickets (the report's Ticket entity, linked to a customer and optionally a contract and a
service) and their TicketStatus machine: free -activate-> active -suspend-> suspended -resume->
active -block-> blocked -close-> closed, and active -close-> closed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, utcnow
from omnicrm.core.fields import enum_column


class TicketStatus(enum.StrEnum):
    free = "free"
    active = "active"
    suspended = "suspended"
    blocked = "blocked"
    closed = "closed"


class TicketPriority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


S = TicketStatus
# action -> (the states it may start from, the state it leads to)
ACTIONS: dict[str, tuple[frozenset[TicketStatus], TicketStatus]] = {
    "activate": (frozenset({S.free}), S.active),
    "suspend": (frozenset({S.active}), S.suspended),
    "resume": (frozenset({S.suspended}), S.active),
    "block": (frozenset({S.active}), S.blocked),
    "close": (frozenset({S.active, S.blocked}), S.closed),
}


def allowed_actions(status: TicketStatus) -> list[str]:
    return [action for action, (sources, _) in ACTIONS.items() if status in sources]


@auditable(object_type="ticket", customer_id_attr="customer_id")
class Ticket(Base):
    __tablename__ = "ticket"

    ticket_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.contract_id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.service_id"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[TicketPriority] = mapped_column(
        enum_column(TicketPriority), default=TicketPriority.normal
    )
    category: Mapped[str | None] = mapped_column(String(50))
    # The team whose queue it is in (support, noc, billing, …: the operator's words).
    team: Mapped[str | None] = mapped_column(String(50), index=True)
    status: Mapped[TicketStatus] = mapped_column(
        enum_column(TicketStatus), default=TicketStatus.free, index=True
    )
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # What opened it when it was not a person (``provision:<id>``): one ticket per source.
    source: Mapped[str | None] = mapped_column(String(64), unique=True)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set once by the breach job when it went past due_at open.
    breached_at: Mapped[datetime | None] = mapped_column()
    # The customer sees it (self-care, e-mails on opening, replies and closing); an internal
    # ticket (a fault found by staff or a system) is for staff only until made visible.
    customer_visible: Mapped[bool] = mapped_column(default=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    # Loaded with the ticket (one more query per page of tickets, not one per ticket).
    tag_rows: Mapped[list[TicketTag]] = relationship(
        lazy="selectin", order_by="TicketTag.tag", viewonly=True
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class TicketTransition(Base):
    """Who moved the ticket, when, why (the ticket's history)."""

    __tablename__ = "ticket_transition"

    transition_id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.ticket_id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[TicketStatus | None] = mapped_column(enum_column(TicketStatus))
    to_status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus))
    reason: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketComment(Base):
    """An internal note (staff only) or a reply the customer sees."""

    __tablename__ = "ticket_comment"

    comment_id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.ticket_id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketTag(Base):
    __tablename__ = "ticket_tag"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.ticket_id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class TicketAttachment(Base):
    """A file on a ticket: stored under a name of ours (never the caller's), typed from an
    allow-list and checked against its content."""

    __tablename__ = "ticket_attachment"

    attachment_id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.ticket_id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # shown and offered on download
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
