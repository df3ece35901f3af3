"""Audit records that must outlive the request's rollback: a refused login, a wrong password,
a reused refresh token, an attempt to end someone else's session."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from omnicrm.auth.deps import AuthDeps
from omnicrm.core.db import after_end


def audit_after_rollback(session: Session, deps: AuthDeps, **event: Any) -> None:
    """Record an event that must survive the request's rollback (a refused login)."""
    from omnicrm.activity.use_cases import record_event_now

    database = deps.database
    after_end(session, lambda: record_event_now(database, **event))
