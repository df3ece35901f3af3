"""What happens to provisioning jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omnicrm.core.events import Event


@dataclass(frozen=True)
class JobQueued(Event):
    """A job is ready for a worker (new, retried, or re-queued after ``delay_ms``)."""

    provision_id: int
    delay_ms: int = 0


@dataclass(frozen=True)
class JobStatusChanged(Event):
    """A job's status, progress or error changed: ``payload`` is what live clients are sent."""

    payload: Mapping[str, Any]


@dataclass(frozen=True)
class TaskRecorded(Event):
    """A play's task result was stored: ``payload`` is what live clients are sent."""

    payload: Mapping[str, Any]


@dataclass(frozen=True)
class JobEnded(Event):
    """A job ended for good (success, failed, cancelled), after its effects on the service."""

    provision_id: int
    provisioning_status: int
    service_id: int | None
