"""What happens to notifications."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class NotificationQueued(Event):
    """A message was written to the outbox; a worker delivers it once this commits."""

    notification_id: int
