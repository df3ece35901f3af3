"""The outbox: queue a catalogued message (rendered now, in the cause's transaction), deliver it
from a worker after commit, record what the provider later reports, and keep each customer's
opt-outs. docs/notifications.md tells the whole story."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Select, Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, NotFound, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.notifications.catalog import CATEGORIES, OPTIONAL_CATEGORIES, TEMPLATES, spec_of
from omnicrm.notifications.events import NotificationQueued, NotificationsQueued
from omnicrm.notifications.mailer import DeliveryError, Outgoing, Transport
from omnicrm.notifications.models import (
    FINAL,
    Notification,
    NotificationOptOut,
    NotificationStatus,
)
from omnicrm.notifications.render import PARTS, Rendered, render

S = NotificationStatus


def _settings() -> Any:
    return current_app.extensions["omnicrm_settings"] if has_app_context() else None


def template_globals() -> dict[str, Any]:
    """What every template may use besides its own facts."""
    settings = _settings()
    # The self-care portal's preferences page, once there is one to link to.
    base = {"preferences_url": None}
    if settings is None:
        return base | {"company_name": "OmniCRM", "company_address": "", "public_url": ""}
    return base | {
        "company_name": settings.company_name,
        "company_address": settings.company_address,
        "public_url": settings.public_url.rstrip("/"),
    }


def render_template(
    name: str, context: dict[str, Any], *, strict: bool = False, subject_only: bool = False
) -> Rendered:
    settings = _settings()
    return render(
        name,
        context,
        globals_=template_globals(),
        override_dir=settings.template_dir if settings is not None else None,
        strict=strict,
        parts=frozenset({"subject"}) if subject_only else frozenset(PARTS),
    )


def _opted_out(session: Session, customer_ids: Iterable[int | None], category: str) -> set[int]:
    if category not in OPTIONAL_CATEGORIES:
        return set()
    ids = {i for i in customer_ids if i is not None}
    if not ids:
        return set()
    return set(
        session.scalars(
            select(NotificationOptOut.customer_id).where(
                NotificationOptOut.customer_id.in_(ids), NotificationOptOut.category == category
            )
        )
    )


def queue_email(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    customer_id: int | None = None,
    channel: str = "email",
) -> Notification:
    """Render ``template`` for ``context`` and put it in the outbox; a worker sends it once the
    caller's transaction commits. A customer who opted out of its category gets a
    ``suppressed`` row (what was not sent, and why) and no message."""
    spec = spec_of(template)
    facts = context or {}
    rendered = render_template(template, facts)
    blocked = customer_id is not None and customer_id in _opted_out(
        session, [customer_id], spec.category
    )
    note = Notification(
        channel=channel,
        recipient=to.strip().lower() if channel == "email" else to.strip(),
        customer_id=customer_id,
        category=spec.category,
        subject=rendered.subject,
        body_text=(rendered.sms or rendered.text) if channel == "sms" else rendered.text,
        body_html=None if channel == "sms" else rendered.html,
        template=template,
        context=facts,
        status=S.suppressed if blocked else S.queued,
        last_error="the customer opted out of this category" if blocked else None,
    )
    session.add(note)
    session.flush()
    if not blocked:
        publish(session, NotificationQueued(notification_id=note.notification_id))
    return note


def queue_for_customer(
    session: Session,
    *,
    customer_id: int,
    email: str | None,
    phone: str | None,
    messages: list[tuple[str, dict[str, Any]]],
) -> list[int]:
    """Queue several messages to one customer at once — e-mail to ``email``, and SMS to
    ``phone`` for templates that have an SMS version — in two statements (their opt-outs, one
    INSERT) whatever the count; what they opted out of is written ``suppressed``."""
    out = set(
        session.scalars(
            select(NotificationOptOut.category).where(NotificationOptOut.customer_id == customer_id)
        )
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for template, facts in messages:
        spec = spec_of(template)
        rendered = render_template(template, facts)
        blocked = spec.category in out and spec.category in OPTIONAL_CATEGORIES
        common = {
            "customer_id": customer_id,
            "category": spec.category,
            "subject": rendered.subject,
            "template": template,
            "context": facts,
            "status": S.suppressed if blocked else S.queued,
            "last_error": "the customer opted out of this category" if blocked else None,
            "attempts": 0,
            "created_at": now,
        }
        if email:
            rows.append(
                common
                | {
                    "channel": "email",
                    "recipient": email.strip().lower(),
                    "body_text": rendered.text,
                    "body_html": rendered.html,
                }
            )
        if phone and rendered.sms is not None and "sms" in spec.channels:
            rows.append(
                common
                | {
                    "channel": "sms",
                    "recipient": phone,
                    "body_text": rendered.sms,
                    "body_html": None,
                }
            )
    if not rows:
        return []
    table = cast(Table, Notification.__table__)
    ids = list(session.scalars(insert(table).returning(table.c.notification_id), rows))
    queued = tuple(i for i, row in zip(ids, rows, strict=True) if row["status"] == S.queued)
    if queued:
        publish(session, NotificationsQueued(notification_ids=queued))
    return ids


def queue_sms(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    customer_id: int | None = None,
) -> Notification:
    """The SMS version of ``template`` (its ``.sms.txt``) through the SMS transport."""
    if "sms" not in spec_of(template).channels:
        raise LookupError(f"template {template!r} has no SMS version")
    return queue_email(
        session, to=to, template=template, context=context, customer_id=customer_id, channel="sms"
    )


def queue_emails(session: Session, template: str, messages: list[dict[str, Any]]) -> list[int]:
    """Queue many messages of one template at once (a billing run's invoices): each has ``to``,
    ``context`` and optionally ``customer_id``. Delivered after commit, in batches
    (``NotificationsQueued``). On PostgreSQL one ``INSERT ... SELECT FROM unnest(arrays)``.
    Only the subject is rendered here: the worker that sends a message renders its bodies
    (:func:`deliver`), so a 100,000-invoice run does not spend its time in Jinja."""
    if not messages:
        return []
    spec = spec_of(template)
    blocked = _opted_out(session, (m.get("customer_id") for m in messages), spec.category)
    now = utcnow()
    rows = []
    for m in messages:
        rendered = render_template(template, m["context"], subject_only=True)
        suppressed = m.get("customer_id") in blocked
        rows.append(
            {
                "recipient": m["to"].strip().lower(),
                "customer_id": m.get("customer_id"),
                "subject": rendered.subject,
                "body_text": "",  # rendered when sent
                "body_html": None,
                "context": m["context"],
                "status": S.suppressed if suppressed else S.queued,
            }
        )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                text(
                    "INSERT INTO notification (channel, recipient, customer_id, category, subject, "
                    "body_text, body_html, template, context, status, attempts, created_at) "
                    "SELECT 'email', m.r, m.cu, :category, m.s, m.b, m.h, :template, "
                    "CAST(m.c AS json), m.st, 0, :now "
                    "FROM unnest(CAST(:r AS text[]), CAST(:cu AS integer[]), CAST(:s AS text[]), "
                    "CAST(:b AS text[]), CAST(:h AS text[]), CAST(:c AS text[]), "
                    "CAST(:st AS text[])) AS m(r, cu, s, b, h, c, st) "
                    "RETURNING notification_id"
                ),
                {
                    "now": now,
                    "category": spec.category,
                    "template": template,
                    "r": [row["recipient"] for row in rows],
                    "cu": [row["customer_id"] for row in rows],
                    "s": [row["subject"] for row in rows],
                    "b": [row["body_text"] for row in rows],
                    "h": [row["body_html"] for row in rows],
                    "c": [json.dumps(row["context"]) for row in rows],
                    "st": [row["status"].value for row in rows],
                },
            )
        )
    else:
        ids = list(
            session.scalars(
                insert(Notification).returning(Notification.notification_id),
                [
                    {
                        **row,
                        "channel": "email",
                        "category": spec.category,
                        "template": template,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for row in rows
                ],
            )
        )
    queued = tuple(i for i, row in zip(ids, rows, strict=True) if row["status"] == S.queued)
    if queued:
        publish(session, NotificationsQueued(notification_ids=queued))
    return ids


def deliver(
    session: Session,
    *,
    transports: Callable[[str], Transport],
    notification_id: int,
    max_attempts: int,
) -> Notification | None:
    """One delivery attempt of a queued message, in its own unit of work. It ends ``sent``;
    or, after a failure, ``queued`` again with the error (the caller retries later) until the
    last attempt or a permanent refusal, which end ``failed``. Raises :class:`DeliveryError`
    when it should be tried again: the row's state is committed first by the caller."""
    note = session.get(Notification, notification_id, with_for_update=True, populate_existing=True)
    if note is None or note.status != S.queued:
        return note  # sent meanwhile, suppressed, or already given up on
    note.attempts += 1
    note.last_attempt_at = utcnow()
    if not note.body_text:  # queued in bulk: its bodies are rendered now, and kept
        rendered = render_template(note.template, note.context or {})
        note.body_text = rendered.text
        note.body_html = rendered.html
    transport = transports(note.channel)
    try:
        provider_id = transport.send(
            Outgoing(
                notification_id=note.notification_id,
                channel=note.channel,
                recipient=note.recipient,
                subject=note.subject,
                text=note.body_text,
                html=note.body_html,
                template=note.template,
                facts=note.context or {},
            )
        )
    except DeliveryError as exc:
        note.last_error = str(exc)[:500]
        if exc.permanent or note.attempts >= max_attempts:
            note.status = S.failed
            session.flush()
            return note
        session.flush()
        raise
    except Exception as exc:  # a transport bug must not lose the message either
        note.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if note.attempts >= max_attempts:
            note.status = S.failed
            session.flush()
            return note
        session.flush()
        raise DeliveryError(note.last_error) from exc
    note.status = S.sent
    note.provider = transport.name
    note.provider_id = (provider_id or "")[:64] or None
    note.sent_at = utcnow()
    note.last_error = None
    session.flush()
    return note


def stale_queued(session: Session, *, older_than_minutes: int, limit: int = 1000) -> list[int]:
    """Queued messages nobody has tried for a while (a lost broker message, a dead worker)."""
    cutoff = utcnow() - timedelta(minutes=older_than_minutes)
    return list(
        session.scalars(
            select(Notification.notification_id)
            .where(
                Notification.status == S.queued,
                func.coalesce(Notification.last_attempt_at, Notification.created_at) < cutoff,
            )
            .order_by(Notification.notification_id)
            .limit(limit)
        )
    )


class NotResendable(Conflict):
    code = "notification_not_resendable"


def resend(session: Session, *, notification_id: int) -> Notification:
    """Queue a failed or bounced message again (after the address was corrected, say)."""
    note = get_notification(session, notification_id, lock=True)
    if note.status not in (S.failed, S.bounced):
        raise NotResendable(
            f"only failed or bounced messages are sent again; this one is {note.status.value}"
        )
    spec = TEMPLATES.get(note.template)
    if spec is None or spec.sensitive:
        raise NotResendable("a one-time link is not sent again: ask for a new one")
    note.status = S.queued
    note.attempts = 0
    note.last_error = None
    # a new delivery: nothing of the old one (a late report about it no longer matches)
    note.sent_at = note.delivered_at = note.last_attempt_at = None
    note.provider = note.provider_id = None
    session.flush()
    publish(session, NotificationQueued(notification_id=note.notification_id))
    return note


def get_notification(session: Session, notification_id: int, *, lock: bool = False) -> Notification:
    note = session.get(Notification, notification_id, with_for_update=lock)
    if note is None:
        raise NotFound(f"notification {notification_id} not found")
    return note


# What a provider's event means for a message (Mailjet's names).
PROVIDER_EVENTS: dict[str, NotificationStatus] = {
    "sent": S.delivered,
    "bounce": S.bounced,
    "blocked": S.failed,
}


def record_provider_event(
    session: Session,
    *,
    provider: str,
    event: str,
    provider_id: str | None,
    notification_id: int | None,
    detail: str | None = None,
) -> bool:
    """A delivery report: ``sent`` (Mailjet: the recipient's server took it) → delivered,
    ``bounce`` → bounced, ``blocked`` → failed. Reports arrive in any order and more than once:
    a final state (bounced, failed) is never undone, and delivered never goes back to sent.
    True when it changed the message."""
    target = PROVIDER_EVENTS.get(event)
    if target is None:
        return False  # opens, clicks, spam reports and unsubscribes are not delivery states
    note = None
    if notification_id is not None:
        note = session.get(
            Notification, notification_id, with_for_update=True, populate_existing=True
        )
        if note is not None and note.provider not in (None, provider):
            note = None
    if note is None and provider_id:
        note = session.scalar(
            select(Notification)
            .where(Notification.provider == provider, Notification.provider_id == provider_id)
            .with_for_update()
        )
    if note is None or note.status in FINAL or note.status in (S.suppressed, target):
        return False
    if target == S.delivered:
        note.delivered_at = utcnow()
    else:
        note.last_error = (detail or event)[:500]
    note.status = target
    session.flush()
    return True


def list_notifications(
    *,
    recipient: str | None = None,
    status: str | None = None,
    template: str | None = None,
    channel: str | None = None,
    customer_id: int | None = None,
    category: str | None = None,
) -> Select[Any]:
    stmt = select(Notification).order_by(Notification.notification_id.desc())
    if recipient:
        stmt = stmt.where(Notification.recipient == recipient.strip().lower())
    for column, value in (
        (Notification.status, status),
        (Notification.template, template),
        (Notification.channel, channel),
        (Notification.customer_id, customer_id),
        (Notification.category, category),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def status_counts(session: Session, **filters: Any) -> dict[str, int]:
    """Messages per status, among those the list's other filters select."""
    matching = list_notifications(**filters).order_by(None).subquery()
    rows = session.execute(
        select(matching.c.status, func.count()).group_by(matching.c.status)
    ).all()
    counts = {status.value: 0 for status in S}
    counts.update({str(getattr(s, "value", s)): n for s, n in rows})
    return counts


def preferences(session: Session, *, customer_id: int) -> list[dict[str, Any]]:
    """Every category with whether the customer receives it (required ones always)."""
    out = set(
        session.scalars(
            select(NotificationOptOut.category).where(NotificationOptOut.customer_id == customer_id)
        )
    )
    return [
        {
            "category": name,
            "label": category.label,
            "required": category.required,
            "subscribed": category.required or name not in out,
        }
        for name, category in CATEGORIES.items()
        if name != "staff"
    ]


def set_opt_outs(
    session: Session, *, customer_id: int, opted_out: list[str]
) -> list[dict[str, Any]]:
    """Replace the customer's opt-outs (only optional categories may be opted out of)."""
    wanted = set(opted_out)
    refused = sorted(wanted - set(OPTIONAL_CATEGORIES))
    if refused:
        raise ValidationFailed.field(
            "opted_out",
            f"{', '.join(refused)}: not a category a customer can opt out of "
            f"(optional: {', '.join(OPTIONAL_CATEGORIES)})",
        )
    current = {
        row.category: row
        for row in session.scalars(
            select(NotificationOptOut)
            .where(NotificationOptOut.customer_id == customer_id)
            .with_for_update()
        )
    }
    for category in set(current) - wanted:
        session.delete(current[category])
    for category in sorted(wanted - set(current)):
        session.add(NotificationOptOut(customer_id=customer_id, category=category))
    session.flush()
    return preferences(session, customer_id=customer_id)


def requeue(session: Session, ids: list[int]) -> None:
    """Touch ``ids`` so the next sweep leaves them alone for a while, and hand them on."""
    if not ids:
        return
    session.execute(
        update(Notification)
        .where(Notification.notification_id.in_(ids), Notification.status == S.queued)
        .values(last_attempt_at=utcnow())
    )
    publish(session, NotificationsQueued(notification_ids=tuple(ids)))
