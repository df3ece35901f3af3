"""The notification outbox: one row per message, written in the same transaction as its cause,
and the categories each customer has opted out of."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, utcnow


class NotificationStatus(enum.StrEnum):
    queued = "queued"  # waiting for (another) delivery attempt
    sent = "sent"  # handed over: the mail server or provider accepted it
    delivered = "delivered"  # the provider reports the recipient's server took it
    bounced = "bounced"  # the provider reports the recipient's server refused it
    failed = "failed"  # every attempt failed, or the provider blocked it
    suppressed = "suppressed"  # not sent: the customer opted out of its category


# A later report never moves a message back: delivered after bounced stays bounced.
FINAL = frozenset({NotificationStatus.bounced, NotificationStatus.failed})


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_provider_message", "provider", "provider_id"),)

    notification_id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.customer_id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(16), default="staff")
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(64), index=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(NotificationStatus, native_enum=False, length=16), default=NotificationStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Who carried it (file, smtp, mailjet, log) and its id there (Mailjet's MessageID).
    provider: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()


@auditable(object_type="notification_opt_out", customer_id_attr="customer_id")
class NotificationOptOut(Base):
    """A customer does not want messages of ``category`` (required categories are sent anyway)."""

    __tablename__ = "notification_opt_out"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.customer_id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
