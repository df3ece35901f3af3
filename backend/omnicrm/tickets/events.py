"""What happens to tickets, for whoever reacts (staff alerts, the self-care portal)."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class TicketMoved(Event):
    """A ticket moved along the TicketStatus machine."""

    ticket_id: int
    action: str
    from_status: str
    to_status: str


@dataclass(frozen=True)
class TicketBreached(Event):
    """An open ticket went past its SLA due time (once per ticket)."""

    ticket_id: int
    assignee_user_id: int | None
