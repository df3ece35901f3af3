"""Services-domain errors (illegal status changes use core's ``InvalidTransition``)."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class ServiceBusy(Conflict):
    """The service is in a state where this action cannot run yet (e.g. being provisioned)."""

    code = "service_busy"


class PlanChangeRefused(Conflict):
    """The service cannot move to another product now: it is not live (active or suspended), or
    it is part of a bundle (a bundle parent or child changes plan only with its bundle)."""

    code = "plan_change_refused"
