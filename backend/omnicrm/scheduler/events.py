"""What happens to scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class RunQueued(Event):
    """A run of a periodic job was recorded; a worker runs it once this commits."""

    run_id: int
    time_limit_ms: int
