"""Helpers shared by the inventory use cases: id bounds, field errors, history rows, the
customer check of a reservation or assignment."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from omnicrm.core.context import current_principal
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.customers import use_cases as customers
from omnicrm.customers.errors import CustomerArchived
from omnicrm.customers.models import CustomerStatus
from omnicrm.inventory import validation as v
from omnicrm.inventory.models import Inventory, InventoryHistory, ItemState

DEFAULT_REGION = v.DEFAULT_REGION


def raise_field_errors(errors: Mapping[str, list[str]], location: str = "json") -> None:
    if errors:
        raise ValidationFailed(
            "invalid " + ", ".join(sorted(errors)), errors={location: dict(errors)}
        )


def history_row(
    item: Inventory, from_state: ItemState | None, reason: str | None
) -> InventoryHistory:
    """The history row of ``item`` having just reached its current state from ``from_state``
    (None: created), with the binding and the acting user."""
    principal = current_principal.get()
    return InventoryHistory(
        inventory_id=item.inventory_id,
        from_state=from_state.value if from_state is not None else None,
        to_state=item.item_state.value,
        reason=reason,
        customer_id=item.customer_id,
        service_id=item.service_id,
        user_id=principal.user_id if principal is not None else None,
    )


def check_customer(session: Session, customer_id: int) -> None:
    """The customer an item is reserved or assigned to exists and is not archived."""
    try:
        customer = customers.get_customer(session, customer_id=customer_id)
    except NotFound:
        raise NotFound(
            f"customer {customer_id} not found",
            errors={"json": {"customer_id": ["no such customer"]}},
        ) from None
    if customer.customer_status == CustomerStatus.archived:
        raise CustomerArchived(
            f"customer {customer_id} is archived", extra={"customer_id": customer_id}
        )
