"""The outbox's hand-off to the workers (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit
from omnicrm.core.events import subscribe
from omnicrm.notifications.events import NotificationQueued, NotificationsQueued
from omnicrm.notifications.tasks import deliver_notification, deliver_notifications

BATCH = 500  # messages per worker message


@subscribe(NotificationQueued)
def deliver_after_commit(session: Session, event: NotificationQueued) -> None:
    def send() -> None:
        deliver_notification.send(event.notification_id)

    after_commit(session, send)


@subscribe(NotificationsQueued)
def deliver_many_after_commit(session: Session, event: NotificationsQueued) -> None:
    ids = list(event.notification_ids)

    def send() -> None:
        for start in range(0, len(ids), BATCH):
            deliver_notifications.send(ids[start : start + BATCH])

    after_commit(session, send)
