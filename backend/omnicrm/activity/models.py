"""The append-only ``activity`` table (UPDATE/DELETE are refused by database triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, column, func, select
from sqlalchemy import table as core_table
from sqlalchemy.orm import Mapped, column_property, mapped_column

from omnicrm.activity.render import FieldChange, field_changes, summarize
from omnicrm.core.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit id.
_ID = BigInteger().with_variant(Integer(), "sqlite")
# Every domain records activity, so this one imports none: it knows the user table's name
# columns only, to show the actor by name (read when the row is, so a renamed user reads anew).
_USER = core_table("user_account", column("id"), column("full_name"), column("username"))


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

    # The acting user's full name (else username), in the same SELECT: no query per row.
    actor_name: Mapped[str | None] = column_property(
        select(func.coalesce(func.nullif(_USER.c.full_name, ""), _USER.c.username))
        .where(_USER.c.id == user_id)
        .correlate_except(_USER)
        .scalar_subquery()
    )

    @property
    def actor(self) -> str:
        """Who did it, as staff read it: the user's name, an API key, or the system."""
        if self.user_id is not None:
            return self.actor_name or f"User #{self.user_id}"
        if self.api_key_id is not None:
            return f"API key #{self.api_key_id}"
        return "System"

    @property
    def changes(self) -> list[FieldChange]:
        return field_changes(self.object_type, self.before, self.after)

    @property
    def summary(self) -> str:
        return summarize(self.action, self.object_type, self.object_id, self.before, self.after)
