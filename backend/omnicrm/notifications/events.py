"""What happens to notifications."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class NotificationQueued(Event):
    """A message was written to the outbox; a worker delivers it once this commits."""

    notification_id: int


@dataclass(frozen=True)
class NotificationsQueued(Event):
    """Many messages were written to the outbox at once (a billing run's invoices): workers
    deliver them in batches once this commits."""

    notification_ids: tuple[int, ...]
