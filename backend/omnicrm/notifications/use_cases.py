"""Queue notifications in the outbox; a mailer backend (outbox-only now, Mailjet later) sends."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, insert, select, text
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.events import publish
from omnicrm.notifications.events import NotificationQueued, NotificationsQueued
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


def queue_emails(session: Session, messages: list[dict[str, Any]]) -> list[int]:
    """Queue many e-mails in one statement (a billing run's invoices): each message has
    ``to``, ``subject``, ``body``, ``template`` and ``context``. They are delivered after
    commit, in batches (``NotificationsQueued``). PostgreSQL: one ``INSERT ... SELECT FROM
    unnest(arrays)``, five parameters whatever the count."""
    if not messages:
        return []
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                text(
                    "INSERT INTO notification (channel, recipient, subject, body_text, template, "
                    "context, status, attempts, created_at) "
                    "SELECT 'email', m.r, m.s, m.b, m.t, CAST(m.c AS json), 'queued', 0, :now "
                    "FROM unnest(CAST(:r AS text[]), CAST(:s AS text[]), CAST(:b AS text[]), "
                    "CAST(:t AS text[]), CAST(:c AS text[])) AS m(r, s, b, t, c) "
                    "RETURNING notification_id"
                ),
                {
                    "now": now,
                    "r": [m["to"] for m in messages],
                    "s": [m["subject"][:255] for m in messages],
                    "b": [m["body"] for m in messages],
                    "t": [m["template"] for m in messages],
                    "c": [json.dumps(m.get("context") or {}) for m in messages],
                },
            )
        )
    else:
        ids = list(
            session.scalars(
                insert(Notification).returning(Notification.notification_id),
                [
                    {
                        "channel": "email",
                        "recipient": m["to"],
                        "subject": m["subject"][:255],
                        "body_text": m["body"],
                        "template": m["template"],
                        "context": m.get("context") or {},
                        "status": NotificationStatus.queued,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for m in messages
                ],
            )
        )
    publish(session, NotificationsQueued(notification_ids=tuple(ids)))
    return ids


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
