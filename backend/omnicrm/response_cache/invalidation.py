"""Invalidation: the namespaces a unit of work touched get new versions after its COMMIT."""

from __future__ import annotations

from typing import Any

import redis
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from omnicrm.core.logging import get_logger
from omnicrm.response_cache.store import bump

log = get_logger("omnicrm.cache")
_namespaces_by_model: dict[type, str] = {}
_installed = False
_SESSION_KEY = "cache_namespaces"


def register_cached_models(namespace: str, *models: type) -> None:
    """Changes to these models invalidate ``namespace``."""
    for model in models:
        _namespaces_by_model[model] = namespace


def _touched(session: Session) -> set[str]:
    found: set[str] = session.info.setdefault(_SESSION_KEY, set())
    return found


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        namespace = _namespaces_by_model.get(type(obj))
        if namespace is not None:
            _touched(session).add(namespace)


def _on_orm_execute(state: Any) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    for mapper in state.all_mappers:
        namespace = _namespaces_by_model.get(mapper.class_)
        if namespace is not None:
            _touched(state.session).add(namespace)


def _after_commit(session: Session) -> None:
    namespaces = session.info.pop(_SESSION_KEY, None)
    if not namespaces:
        return
    try:
        client: redis.Redis = current_app.extensions["omnicrm_redis"]
        bump(client, *sorted(namespaces))
    except RuntimeError:
        log.warning("cache_bump_outside_app", namespaces=sorted(namespaces))
    except redis.RedisError:
        log.error("cache_bump_failed", namespaces=sorted(namespaces))


def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def install_invalidation() -> None:
    """Listen to every SQLAlchemy session of the process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True
