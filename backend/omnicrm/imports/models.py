"""An import job and the rows it could not apply."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from omnicrm.core.db import Base, utcnow


class ImportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ImportKind(enum.StrEnum):
    subscribers = "subscribers"
    stock = "stock"


# At most one live (queued or running, not a dry run) import of a file per kind: the database
# refuses the second (a partial unique index), so two uploads at once cannot both run.
_LIVE = text("status IN ('queued', 'running') AND dry_run = false")


class ImportJob(Base):
    __tablename__ = "import_job"
    __table_args__ = (
        Index(
            "uq_import_job_live_file",
            "kind",
            "file_hash",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
    )

    import_id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(Enum(ImportKind, native_enum=False, length=16))
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=16), default=ImportStatus.queued, index=True
    )
    dry_run: Mapped[bool] = mapped_column(default=False)
    # What the kind needs besides the file: a stock import's template
    # (``{"inventory_template_id", "template"}``).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filename: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the file's bytes: the same file again is recognised.
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Where the upload is kept while the job needs it (a name under IMPORT_DIR, never a path
    # the caller chose).
    stored_as: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(default=0)
    delimiter: Mapped[str] = mapped_column(String(1), default=",")
    # The file's header row (normalised): the error CSV gives failed rows back under it.
    header: Mapped[list[str]] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column("row_count", default=0)  # data rows in the file
    processed: Mapped[int] = mapped_column(default=0)  # rows committed (the resume point)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))  # why the whole job failed
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    # Renewed with every committed chunk: a running job whose heartbeat stopped lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    @property
    def template(self) -> str | None:
        """A stock import's template name."""
        return (self.options or {}).get("template")


class ImportRowError(Base):
    """A row that was not applied: its line in the file, the field and the reason, and the row
    as it was (for the error CSV the operator fixes and uploads again)."""

    __tablename__ = "import_row_error"

    import_row_error_id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("import_job.import_id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    raw: Mapped[list[str] | None] = mapped_column(JSON)
