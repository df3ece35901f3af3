"""Periodic jobs and their runs: the schedule each job has on this installation, and one row
per run (fired by a scheduler or run now by a user), with its outcome."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicrm.core.db import Base, utcnow


class RunOutcome(enum.StrEnum):
    queued = "queued"  # the message is on its way to a worker
    running = "running"
    success = "success"
    failed = "failed"


class RunTrigger(enum.StrEnum):
    schedule = "schedule"  # fired by a scheduler at its due time
    manual = "manual"  # "run now" by a user (API, CLI)


class ScheduledJob(Base):
    """A registered job as last seen by a scheduler or a run: its effective schedule."""

    __tablename__ = "scheduled_job"

    job_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    schedule: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduledJobRun(Base):
    """One run of a job: who fired it for which due time, which worker ran it, how it ended."""

    __tablename__ = "scheduled_job_run"
    __table_args__ = (Index("ix_scheduled_job_run_latest", "job_name", "run_id"),)

    run_id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(
        String(100), ForeignKey("scheduled_job.job_name", ondelete="CASCADE")
    )
    trigger: Mapped[RunTrigger] = mapped_column(Enum(RunTrigger, native_enum=False, length=16))
    # The due time a scheduler fired it for (None for a manual run).
    due_at: Mapped[datetime | None] = mapped_column()
    # The scheduler ("host:pid") or the user ("user:<id> <email>") that started it.
    fired_by: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[RunOutcome] = mapped_column(
        Enum(RunOutcome, native_enum=False, length=16), default=RunOutcome.queued, index=True
    )
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    worker: Mapped[str | None] = mapped_column(String(200))  # the worker ("host:pid") that ran it
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
