"""Write activity rows automatically: a Session ``after_flush`` listener over ``@auditable`` models.

``after_flush`` (not ``before_flush``) because new rows have their primary keys by then, while
``session.new/dirty/deleted`` and attribute history still describe what the flush changed. Rows
are inserted with Core on the flushing connection, so they commit or roll back with the change
itself: a rolled-back request leaves no activity, a committed one always does.

Only the ORM unit of work is seen: a Core ``session.execute(update(...))`` bypasses it, so a use
case that writes audited rows with Core statements (the GetSim sale, for speed) queues their
rows itself with :func:`queue_change`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from omnicrm.activity.audit import AuditSpec, audited_types, spec_for, to_json
from omnicrm.activity.models import Activity
from omnicrm.core.context import current_principal, current_request
from omnicrm.core.db import utcnow

_HASHED_FIELDS = (
    "created_at",
    "user_id",
    "api_key_id",
    "action",
    "object_type",
    "object_id",
    "customer_id",
    "before",
    "after",
    "request_id",
    "ip",
)


# ---------------------------------------------------------------------------------------------
# Row building and signing
# ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def signing_key(secret_key: str) -> bytes:
    """The activity-log HMAC key, derived so that SECRET_KEY itself is never used directly
    (derived once per key: a bulk import signs a row per customer)."""
    return hmac.new(secret_key.encode(), b"omnicrm-activity-v1", hashlib.sha256).digest()


def current_signing_key() -> bytes | None:
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    secret = current_app.config.get("SECRET_KEY")
    return signing_key(str(secret)) if secret else None


def row_digest(row: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 over the canonical JSON of a row's content (everything but its id/hash)."""
    content = {name: to_json(row.get(name)) for name in _HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def build_row(
    *,
    action: str,
    object_type: str,
    object_id: str,
    customer_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    key: bytes | None,
    actor_user_id: int | None = None,
) -> dict[str, Any]:
    """One activity row: the change plus who made it and in which request."""
    principal = current_principal.get()
    request = current_request.get()
    user_id = actor_user_id if actor_user_id is not None else None
    if user_id is None and principal is not None:
        user_id = principal.user_id
    row: dict[str, Any] = {
        "created_at": utcnow(),
        "user_id": user_id,
        "api_key_id": principal.api_key_id if principal else None,
        "action": action[:32],
        "object_type": object_type[:64],
        "object_id": object_id[:128],
        "customer_id": customer_id,
        "before": before,
        "after": after,
        "request_id": request.request_id if request else None,
        "ip": request.ip[:45] if request and request.ip else None,
    }
    row["row_hash"] = row_digest(row, key) if key is not None else None
    return row


# ---------------------------------------------------------------------------------------------
# Reading an instance's state without loading anything (we are inside a flush)
# ---------------------------------------------------------------------------------------------
def _object_id(state: InstanceState[Any]) -> str:
    values = [
        state.dict.get(state.mapper.get_property_by_column(column).key)
        for column in state.mapper.primary_key
    ]
    return "-".join(str(v) for v in values)


def _customer_id(state: InstanceState[Any], spec: AuditSpec) -> int | None:
    if spec.customer_id_attr is None:
        return None
    value = state.dict.get(spec.customer_id_attr)
    return int(value) if isinstance(value, int) else None


def _names(items: Iterable[Any], attr: str) -> list[Any]:
    return sorted((to_json(getattr(item, attr, None)) for item in items), key=str)


def _snapshot(state: InstanceState[Any], spec: AuditSpec) -> dict[str, Any]:
    """Every recorded, non-empty column of an instance (for create and delete)."""
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if spec.skips(attr.key) or attr.key not in state.dict:
            continue
        value = state.dict[attr.key]
        if value is not None:
            values[attr.key] = to_json(value)
    for name, item_attr in spec.collections.items():
        if name in state.dict:
            values[name] = _names(state.dict[name] or [], item_attr)
    return values


def _changes(state: InstanceState[Any], spec: AuditSpec) -> dict[str, tuple[Any, Any]]:
    """Changed columns only, as (before, after) pairs."""
    changes: dict[str, tuple[Any, Any]] = {}
    for attr in state.mapper.column_attrs:
        if spec.skips(attr.key):
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changes[attr.key] = (before, after)
    for name, item_attr in spec.collections.items():
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        kept = list(history.unchanged or ())
        before_names = _names([*kept, *(history.deleted or ())], item_attr)
        after_names = _names([*kept, *(history.added or ())], item_attr)
        if before_names != after_names:
            changes[name] = (before_names, after_names)
    return changes


# ---------------------------------------------------------------------------------------------
# The listener
# ---------------------------------------------------------------------------------------------
def _rows_for_flush(session: Session) -> list[dict[str, Any]]:
    key = current_signing_key()
    rows: list[dict[str, Any]] = []

    def add(obj: object, spec: AuditSpec, action: str, before: Any, after: Any) -> None:
        state = inspect(obj)
        rows.append(
            build_row(
                action=action,
                object_type=spec.object_type,
                object_id=_object_id(state),
                customer_id=_customer_id(state, spec),
                before=before,
                after=after,
                key=key,
            )
        )

    for obj in _ordered(session.new):
        spec = spec_for(obj)
        if spec is not None:
            add(obj, spec, "create", None, _snapshot(inspect(obj), spec))
    for obj in _ordered(session.dirty):
        spec = spec_for(obj)
        if spec is None or obj in session.deleted:
            continue
        changes = _changes(inspect(obj), spec)
        if not changes:
            continue
        action = spec.classify(changes) if spec.classify else "update"
        before = {k: to_json(v[0]) for k, v in changes.items()}
        after = {k: to_json(v[1]) for k, v in changes.items()}
        add(obj, spec, action, before, after)
    for obj in _ordered(session.deleted):
        spec = spec_for(obj)
        if spec is not None:
            add(obj, spec, "delete", _snapshot(inspect(obj), spec), None)
    return rows


def _ordered(objects: Iterable[object]) -> list[object]:
    """A stable order (by type, then id) so a flush's rows read the same way every time."""
    return sorted(objects, key=lambda o: (type(o).__name__, _object_id(inspect(o))))


_PENDING = "pending_activity"


def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    # Rows are computed now (the changes are only visible during the flush) and written in
    # one multi-row INSERT just before COMMIT: a sale touching ten objects costs one statement.
    rows = _rows_for_flush(session)
    if rows:
        session.info.setdefault(_PENDING, []).extend(rows)


def _before_commit(session: Session) -> None:
    # Flush first: its rows join the batch (a flush inside before_commit is allowed).
    session.flush()
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(insert(Activity), rows)


def queue_change(
    session: Session,
    model: type,
    *,
    action: str,
    object_id: int | str,
    customer_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Record a change made with a Core statement, which the flush listener never sees.

    The row joins the unit of work's batch (one INSERT just before COMMIT) and is shaped as the
    listener would shape it: the model's object type, its excluded, secret and bookkeeping
    columns dropped, values as JSON; a ``create`` leaves out empty columns.
    """
    spec = audited_types()[model]

    def clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {
            key: to_json(value)
            for key, value in values.items()
            if not spec.skips(key) and (value is not None or action != "create")
        }

    row = build_row(
        action=action,
        object_type=spec.object_type,
        object_id=str(object_id),
        customer_id=customer_id,
        before=clean(before),
        after=clean(after),
        key=current_signing_key(),
    )
    session.info.setdefault(_PENDING, []).append(row)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install_activity_recorder() -> None:
    """Record changes of auditable models from every Session (idempotent; call at startup)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)
