"""Domain events: how one domain's change causes work in another without calling up to it.

A domain defines its events as frozen dataclasses (``services/events.py``:
``ServiceStatusChanged``) and publishes them from its use cases with :func:`publish`. A domain
that cares subscribes a handler in its ``handlers.py`` with :func:`subscribe`; the top-level
``omnicrm/wiring.py`` imports every ``handlers.py`` once, so the registry is complete before
any unit of work runs.

Handlers run synchronously, in the publisher's transaction (``session``): what they change
commits or rolls back with the change that caused it, and an error in a handler fails the
publisher's request or job. Side effects (a Dramatiq message, a Socket.IO emit, a mail) are
registered by handlers with :func:`omnicrm.core.db.after_commit`, so they happen only once the
unit of work has committed.

The dependency points from the subscriber to the publisher (it imports the event class), so
a lower domain never imports a higher one. import-linter's contracts in pyproject.toml hold
the domains to that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """Base of every domain event: immutable facts, named in the past tense."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], None]

_handlers: dict[type[Event], list[Handler]] = {}


def subscribe(
    event_type: type[E],
) -> Callable[[Callable[[Session, E], None]], Callable[[Session, E], None]]:
    """Register the decorated function to handle ``event_type`` (and its subclasses)."""

    def register(handler: Callable[[Session, E], None]) -> Callable[[Session, E], None]:
        handlers = _handlers.setdefault(event_type, [])
        if handler not in handlers:  # a re-imported module registers once
            handlers.append(handler)
        return handler

    return register


def publish(session: Session, event: Event) -> None:
    """Run every handler of ``event`` now, in ``session``'s transaction, in the order they
    were registered (the order of wiring.py)."""
    for event_type in type(event).__mro__:
        for handler in _handlers.get(event_type, ()):  # type: ignore[arg-type]
            handler(session, event)


def handlers_of(event_type: type[Event]) -> list[Handler]:
    """The handlers registered for exactly ``event_type`` (for tests and docs)."""
    return list(_handlers.get(event_type, ()))
