"""Queue notifications in the outbox; a mailer backend (outbox-only now, Mailjet later) sends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.events import publish
from omnicrm.notifications.events import NotificationQueued
from omnicrm.notifications.mailer import Mailer
from omnicrm.notifications.models import Notification, NotificationStatus


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> Notification:
    note = Notification(
        recipient=to, subject=subject, body_text=body, template=template, context=context or {}
    )
    session.add(note)
    session.flush()
    publish(session, NotificationQueued(notification_id=note.notification_id))
    return note


def deliver(session: Session, *, mailer: Mailer, notification_id: int) -> Notification | None:
    """Send one queued notification; a failure is recorded on the row and re-raised for retry."""
    note = session.get(Notification, notification_id, with_for_update=True)
    if note is None or note.status == NotificationStatus.sent:
        return note
    note.attempts += 1
    try:
        mailer.send(note)
    except Exception as exc:
        note.status = NotificationStatus.failed
        note.last_error = f"{type(exc).__name__}: {exc}"[:500]
        raise
    note.status = NotificationStatus.sent
    note.sent_at = utcnow()
    note.last_error = None
    session.flush()
    return note


def list_notifications(*, recipient: str | None = None, status: str | None = None) -> Select[Any]:
    stmt = select(Notification).order_by(Notification.notification_id.desc())
    if recipient:
        stmt = stmt.where(Notification.recipient == recipient.lower())
    if status:
        stmt = stmt.where(Notification.status == status)
    return stmt
