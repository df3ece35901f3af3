"""What contracts tell the domains above them (billing turns a sale's charges into
transactions)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from omnicrm.core.events import Event


@dataclass(frozen=True)
class ContractCreated(Event):
    """A contract was written with its one-off charge, the setup fee (``setup_charge_id``;
    its amount is net, tax at ``tax_percentage``)."""

    contract_id: int
    contract_number: str
    customer_id: int
    service_id: int
    product_name: str
    setup_charge_id: int
    setup_amount: Decimal
    currency: str
    tax_percentage: Decimal
    # The service went live in the sale itself (no activation play): the contract is active.
    active: bool = False


@dataclass(frozen=True)
class ContractStatusChanged(Event):
    """A contract moved from one status to another (it follows its service)."""

    contract_id: int
    customer_id: int
    from_status: str
    to_status: str
