"""The report's A24: a customer is told when their contract is created and when its status
changes (activated, suspended, resumed, closed), through the outbox's templates; activation,
suspension and resumption also by SMS when the customer has a phone number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.contracts.events import ContractCreated, ContractStatusChanged
from omnicrm.contracts.models import Contract
from omnicrm.core.events import subscribe
from omnicrm.core.money import format_money
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_for_customer

# (from, to) → template; a failed activation (accepted → draft) and its retry say nothing.
_CHANGES = {
    ("accepted", "active"): "service_activated",
    ("active", "suspended"): "service_suspended",
    ("suspended", "active"): "service_resumed",
}


def _tell(session: Session, customer_id: int, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Queue ``messages`` (template, facts) to the customer: a lean read of their name and
    addresses, their opt-outs, one INSERT."""
    customer = session.execute(
        select(Customer.customer_name, Customer.email, Customer.phone).where(
            Customer.customer_id == customer_id
        )
    ).one_or_none()
    if customer is None:
        return
    queue_for_customer(
        session,
        customer_id=customer_id,
        email=customer.email,
        phone=customer.phone,
        messages=[
            (template, {"customer_name": customer.customer_name, **facts})
            for template, facts in messages
        ],
    )


@subscribe(ContractCreated)
def tell_created(session: Session, event: ContractCreated) -> None:
    facts = {
        "contract_id": event.contract_id,
        "contract_number": event.contract_number,
        "product_name": event.product_name,
    }
    money = {"setup_amount": format_money(event.setup_amount), "currency": event.currency}
    messages = [("contract_created", facts | money)]
    if event.active:  # live at once (no activation play): no status change will say so
        messages.append(("service_activated", facts))
    _tell(session, event.customer_id, messages)


@subscribe(ContractStatusChanged)
def tell_status(session: Session, event: ContractStatusChanged) -> None:
    if event.to_status == "closed":
        template = "contract_closed"
    else:
        template = _CHANGES.get((event.from_status, event.to_status), "")
    if not template:
        return
    row = session.execute(
        select(Contract.contract_number, Product.product_name)
        .join(Product, Product.product_id == Contract.product_id)
        .where(Contract.contract_id == event.contract_id)
    ).one()
    facts = {
        "contract_id": event.contract_id,
        "contract_number": row.contract_number or f"#{event.contract_id}",
        "product_name": row.product_name,
    }
    _tell(session, event.customer_id, [(template, facts)])
