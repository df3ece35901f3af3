"""The append-only ``activity`` table (UPDATE/DELETE are refused by database triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from omnicrm.core.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit id.
_ID = BigInteger().with_variant(Integer(), "sqlite")


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_object", "object_type", "object_id"),)

    activity_id: Mapped[int] = mapped_column(_ID, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Users are disabled, never deleted, so this FK never has to change an activity row.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    # HMAC of the row's content under a key derived from SECRET_KEY: tampering shows on verify.
    row_hash: Mapped[str | None] = mapped_column(String(64))
