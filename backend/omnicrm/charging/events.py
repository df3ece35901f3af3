"""What charging tells the domains above it (provisioning applies a sold add-on to the
network)."""

from __future__ import annotations

from dataclasses import dataclass

from omnicrm.core.events import Event


@dataclass(frozen=True)
class AddonSold(Event):
    """An add-on was sold onto a live service: its price taken and its balances added."""

    service_id: int
    addon_product_id: int
