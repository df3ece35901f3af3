"""Reading the activity log, recording explicit events (logins, denials) and verifying it."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, column, insert, select, table
from sqlalchemy.orm import Session

from omnicrm.activity.audit import scrub
from omnicrm.activity.models import Activity
from omnicrm.activity.recorder import build_row, current_signing_key, row_digest, signing_key
from omnicrm.core.db import Database
from omnicrm.core.errors import NotFound


def record_event(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    customer_id: int | None = None,
    after: Mapping[str, Any] | None = None,
    actor_user_id: int | None = None,
) -> None:
    """Append one event (e.g. ``login``) to the log in the session's transaction.

    The actor, request id and IP come from the request context, as for automatic rows.
    Secret-named keys in ``after`` (password, token, secret, ...) are dropped.
    """
    row = build_row(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        customer_id=customer_id,
        before=None,
        after=scrub(after),
        key=current_signing_key(),
        actor_user_id=actor_user_id,
    )
    session.execute(insert(Activity), [row])


def record_event_now(
    database: Database,
    *,
    action: str,
    object_type: str,
    object_id: str | int,
    customer_id: int | None = None,
    after: Mapping[str, Any] | None = None,
    actor_user_id: int | None = None,
) -> None:
    """Like :func:`record_event`, committed in its own transaction.

    For events whose request is rolled back (a refused login, a 403), which would otherwise
    take their activity row with them.
    """
    with database.job_scope() as session:
        record_event(
            session,
            action=action,
            object_type=object_type,
            object_id=object_id,
            customer_id=customer_id,
            after=after,
            actor_user_id=actor_user_id,
        )


def activity_query(
    *,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    customer_id: int | None = None,
    action: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Select[Any]:
    """Activity rows matching every given filter, newest first."""
    stmt = select(Activity).order_by(Activity.created_at.desc(), Activity.activity_id.desc())
    if user_id is not None:
        stmt = stmt.where(Activity.user_id == user_id)
    if object_type:
        stmt = stmt.where(Activity.object_type == object_type)
    if object_id:
        stmt = stmt.where(Activity.object_id == object_id)
    if customer_id is not None:
        stmt = stmt.where(Activity.customer_id == customer_id)
    if action:
        stmt = stmt.where(Activity.action == action)
    if from_ is not None:
        stmt = stmt.where(Activity.created_at >= from_)
    if to is not None:
        stmt = stmt.where(Activity.created_at < to)
    return stmt


def customer_activity_query(
    session: Session, *, customer_id: int, action: str | None = None
) -> Select[Any]:
    """Everything that happened to a customer, its contacts and sites (404 if no customer)."""
    if (
        session.scalar(
            select(_CUSTOMER.c.customer_id).where(_CUSTOMER.c.customer_id == customer_id)
        )
        is None
    ):
        raise NotFound(f"customer {customer_id} not found")
    return activity_query(customer_id=customer_id, action=action)


# Every domain records activity, so this one imports none: it knows the customer table only.
_CUSTOMER = table("customer", column("customer_id"))


@dataclass
class VerifyReport:
    checked: int = 0
    altered: list[int] = field(default_factory=list)
    unsigned: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.altered


def verify_activity_log(session: Session, *, secret_key: str, batch: int = 1000) -> VerifyReport:
    """Recompute every row's HMAC: ``altered`` lists rows changed after they were written.

    Rows written outside an app context carry no signature and are listed as ``unsigned``.
    """
    key = signing_key(secret_key)
    report = VerifyReport()
    # Plain rows, not ORM objects: what the database holds now, not what the session remembers.
    table = Activity.__table__
    stmt = select(table).order_by(table.c.activity_id).execution_options(yield_per=batch)
    for row in session.execute(stmt).mappings():
        report.checked += 1
        if row["row_hash"] is None:
            report.unsigned.append(row["activity_id"])
        elif not hmac.compare_digest(row_digest(dict(row), key), row["row_hash"]):
            report.altered.append(row["activity_id"])
    return report
