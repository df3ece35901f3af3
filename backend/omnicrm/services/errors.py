"""Services-domain errors (illegal status changes use core's ``InvalidTransition``)."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class ServiceBusy(Conflict):
    """The service is in a state where this action cannot run yet (e.g. being provisioned)."""

    code = "service_busy"
