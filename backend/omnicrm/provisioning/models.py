"""Provisioning jobs (the seed's Provision) and their task results (Provision_Event)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.activity.audit import auditable
from omnicrm.core.db import Base, TimestampMixin, utcnow

if TYPE_CHECKING:
    from omnicrm.auth.models import User
    from omnicrm.customers.models import Customer


class ProvisionStatus(enum.IntEnum):
    """OmniCRM's codes (0-3) plus the two a queue needs."""

    success = 0
    running = 1
    failed = 2  # critical: the job failed
    failed_ignored = 3  # a task failed under ``ignore_errors: true`` (events only)
    queued = 4
    cancelled = 5
    skipped = 6  # a task Ansible skipped (its ``when`` was false): events only

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ProvisionStatus.success: "Success",
    ProvisionStatus.running: "Running",
    ProvisionStatus.failed: "Failed",
    ProvisionStatus.failed_ignored: "Failed (ignored)",
    ProvisionStatus.queued: "Queued",
    ProvisionStatus.cancelled: "Cancelled",
    ProvisionStatus.skipped: "Skipped",
}

# A job in one of these is over; only these may be retried (failed, cancelled).
FINAL = frozenset({ProvisionStatus.success, ProvisionStatus.failed, ProvisionStatus.cancelled})


class ProvisionAction(enum.StrEnum):
    """What a job does to its service, which decides what success and failure change."""

    activate = "activate"  # success: service active, items assigned; failure: failed, released
    deprovision = "deprovision"
    suspend = "suspend"
    resume = "resume"
    addon = "addon"
    simple = "simple"  # a named play for a service, triggered by an external system (the OCS)


@auditable(
    object_type="provision",
    customer_id_attr="customer_id",
    # Status changes are the story; the variables, lease renewals and counters are noise.
    exclude=("provisioning_json_vars", "lease_owner", "lease_expires_at", "tasks_done"),
)
class Provision(Base, TimestampMixin):
    """One provisioning job: a play run for a product, customer and (usually) a service."""

    __tablename__ = "provision"
    __table_args__ = (
        Index("ix_provision_status_lease", "provisioning_status", "lease_expires_at"),
    )

    provision_id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.product_id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id"), index=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.service_id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(16), default=ProvisionAction.activate.value)
    provisioning_play: Mapped[str] = mapped_column(String(100))
    # The extra vars the play gets (product vars, service, customer, inventory), frozen at start.
    provisioning_json_vars: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Inventory ids the job holds (activation): re-reserved on a manual retry.
    inventory_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    provisioning_status: Mapped[int] = mapped_column(
        Integer, default=int(ProvisionStatus.queued), index=True
    )
    task_count: Mapped[int] = mapped_column(Integer, default=0)  # expected tasks (progress)
    tasks_done: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs started
    retries: Mapped[int] = mapped_column(Integer, default=0)  # re-runs after the first
    max_retries: Mapped[int] = mapped_column(Integer, default=3)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    initiated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    initiated_by: Mapped[str] = mapped_column(String(100), default="")  # "user:3", "api-key:x"
    # The worker holding the job and until when: a dead worker's lease runs out.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)
    config_content: Mapped[str | None] = mapped_column(Text)  # a rendered device config
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))

    events: Mapped[list[ProvisionEvent]] = relationship(
        lazy="select",
        viewonly=True,
        order_by="ProvisionEvent.event_number",
    )
    # Read by the detail view only (its name on the job page); lists do not load it.
    customer: Mapped[Customer] = relationship(lazy="select", viewonly=True)
    # Who queued it, for their name: lists load it with selectinload (reads.provisions_query).
    initiated_by_user: Mapped[User | None] = relationship(lazy="select", viewonly=True)

    @property
    def customer_name(self) -> str:
        return self.customer.customer_name

    @property
    def initiated_by_name(self) -> str | None:
        """The name of the user who queued it (None: the system or an API key)."""
        user = self.initiated_by_user
        if user is None:
            return None
        return user.full_name or user.username

    @property
    def status(self) -> ProvisionStatus:
        return ProvisionStatus(self.provisioning_status)

    @property
    def status_label(self) -> str:
        return self.status.label


class ProvisionEvent(Base):
    """One task result of a job (numbered across attempts, in the order Ansible ran them)."""

    __tablename__ = "provision_event"
    __table_args__ = (UniqueConstraint("provision_id", "event_number"),)

    provision_event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    provision_id: Mapped[int] = mapped_column(
        ForeignKey("provision.provision_id", ondelete="CASCADE"), index=True
    )
    event_number: Mapped[int] = mapped_column(Integer)
    event_name: Mapped[str] = mapped_column(String(500))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    host: Mapped[str | None] = mapped_column(String(200))
    changed: Mapped[bool] = mapped_column(default=False)
    skipped: Mapped[bool] = mapped_column(default=False)
    provisioning_status: Mapped[int] = mapped_column(Integer)
    provisioning_result_json: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # When Ansible finished the task (its clock) and when we stored it.
    task_finished_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def status_label(self) -> str:
        # Rows from before ``skipped`` had its own code: success with the flag.
        if self.skipped and self.provisioning_status == ProvisionStatus.success:
            return ProvisionStatus.skipped.label
        return ProvisionStatus(self.provisioning_status).label
