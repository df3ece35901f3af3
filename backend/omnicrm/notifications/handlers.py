"""The outbox's hand-off to the workers (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit
from omnicrm.core.events import subscribe
from omnicrm.notifications.events import NotificationQueued
from omnicrm.notifications.tasks import deliver_notification


@subscribe(NotificationQueued)
def deliver_after_commit(session: Session, event: NotificationQueued) -> None:
    def send() -> None:
        deliver_notification.send(event.notification_id)

    after_commit(session, send)
