"""What happens to a service, for the domains built on services (contracts follow its status;
provisioning applies suspensions, resumptions and terminations to the network)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from omnicrm.core.events import Event
from omnicrm.services.models import ServiceStatus


@dataclass(frozen=True)
class ServiceStatusChanged(Event):
    """One service (a bundle child too) moved from one status to another."""

    service_id: int
    from_status: ServiceStatus
    to_status: ServiceStatus
    bundled_parent_id: int | None


@dataclass(frozen=True)
class ServiceSuspended(Event):
    """A service (with its bundle children) was suspended by a staff or system action."""

    service_id: int


@dataclass(frozen=True)
class ServiceResumed(Event):
    """A suspended service (with its bundle children) was resumed."""

    service_id: int


@dataclass(frozen=True)
class ServiceTerminated(Event):
    """A service was terminated; ``was_live``: it was active or suspended (on the network),
    and its SIM and number are still bound to it while handlers run."""

    service_id: int
    was_live: bool
    bundled_parent_id: int | None


@dataclass(frozen=True)
class ServicePlanChanged(Event):
    """A live service moved to another product (tariff) at ``at``: its prices are now the new
    product's. Billing prorates the rest of the billed period from the old prices to the new."""

    service_id: int
    customer_id: int
    from_product_id: int
    to_product_id: int
    from_retail_cost: Decimal
    to_retail_cost: Decimal
    from_wholesale_cost: Decimal
    to_wholesale_cost: Decimal
    from_tax_percentage: Decimal
    to_tax_percentage: Decimal
    at: datetime
