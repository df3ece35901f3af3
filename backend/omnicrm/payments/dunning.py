"""Dunning: configurable steps by days past an invoice's due date (``DUNNING_STEPS``), run by
the scheduler. A reminder e-mails the customer; a suspension suspends the customer's active
services with the reason ``non-payment`` and remembers them; a termination request is recorded
for staff. Each step is taken once per invoice and shows on the customer's activity. A payment
that clears the customer's overdue debt resumes the services dunning suspended, and only
those."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.billing.models import Invoice, InvoiceKind, InvoiceStatus
from omnicrm.core.db import utcnow
from omnicrm.core.money import format_money
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email
from omnicrm.payments.models import DunningAction, DunningHold, DunningStep
from omnicrm.services import use_cases as services
from omnicrm.services.models import Service, ServiceStatus

REASON = "non-payment"


def steps_from(config: list[dict[str, Any]]) -> list[tuple[int, DunningAction]]:
    """``DUNNING_STEPS`` as (days, action), checked, in order of days."""
    steps = []
    for entry in config:
        days, action = int(entry["days"]), DunningAction(entry["action"])
        if days < 0:
            raise ValueError(f"dunning step {entry}: days must not be negative")
        steps.append((days, action))
    return sorted(steps, key=lambda s: s[0])


def run_dunning(session: Session, *, day: date, config: list[dict[str, Any]]) -> dict[str, int]:
    """Take every step now due for every overdue invoice; how many of each action."""
    steps = steps_from(config)
    done = {action.value: 0 for action in DunningAction}
    overdue = session.execute(
        select(Invoice.invoice_id, Invoice.customer_id, Invoice.due_date)
        .where(
            Invoice.kind == InvoiceKind.invoice,
            Invoice.status == InvoiceStatus.overdue,
            Invoice.total > Invoice.amount_paid,
        )
        .order_by(Invoice.due_date, Invoice.invoice_id)
    ).all()
    for invoice_id, customer_id, due in overdue:
        if due is None:
            continue  # a draft's; overdue invoices always have one
        late = (day - due).days
        for index, (days, action) in enumerate(steps):
            if late < days:
                break
            if _take(session, invoice_id, customer_id, index, action, late):
                done[action.value] += 1
    return done


def _take(
    session: Session,
    invoice_id: int,
    customer_id: int,
    index: int,
    action: DunningAction,
    late: int,
) -> bool:
    """Take step ``index`` for the invoice unless it was taken (the unique key decides)."""
    step = DunningStep(
        customer_id=customer_id,
        invoice_id=invoice_id,
        step=index,
        action=action,
        days_overdue=late,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(step)
            session.flush()
    except IntegrityError:
        return False
    customer = session.get(Customer, customer_id)
    assert customer is not None  # a foreign key
    due = overdue_amount(session, customer_id)
    if action == DunningAction.reminder and customer.email:
        queue_email(
            session,
            to=customer.email,
            template="dunning_reminder",
            context={
                "invoice_id": invoice_id,
                "days_overdue": late,
                "customer_name": customer.customer_name,
                "amount": format_money(due),
                "currency": customer.currency,
            },
            customer_id=customer.customer_id,
        )
    elif action == DunningAction.suspend:
        live = session.scalars(
            select(Service.service_id).where(
                Service.customer_id == customer_id,
                Service.service_status == ServiceStatus.active,
                Service.bundled_parent_id.is_(None),
            )
        ).all()
        for service_id in live:
            services.suspend_service(session, service_id=service_id, reason=REASON)
            session.add(
                DunningHold(
                    service_id=service_id,
                    customer_id=customer_id,
                    dunning_step_id=step.dunning_step_id,
                    suspended_at=utcnow(),
                )
            )
    session.flush()
    return True


def overdue_amount(session: Session, customer_id: int) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Invoice.total - Invoice.amount_paid), 0)).where(
            Invoice.customer_id == customer_id,
            Invoice.kind == InvoiceKind.invoice,
            Invoice.status == InvoiceStatus.overdue,
        )
    )
    return Decimal(total or 0)


def release_if_cleared(session: Session, customer_id: int) -> int:
    """After a payment: when nothing is overdue any more, resume the services dunning
    suspended (those still suspended), and only those; how many."""
    if overdue_amount(session, customer_id) > 0:
        return 0
    holds = session.scalars(
        select(DunningHold).where(
            DunningHold.customer_id == customer_id, DunningHold.resumed_at.is_(None)
        )
    ).all()
    resumed = 0
    for hold in holds:
        service = session.get(Service, hold.service_id)
        if service is not None and service.service_status == ServiceStatus.suspended:
            services.resume_service(session, service_id=hold.service_id, reason="payment received")
            resumed += 1
        hold.resumed_at = utcnow()
    session.flush()
    return resumed


def dunning_queue(session: Session) -> list[dict[str, Any]]:
    """Customers with overdue money: how much, since when, the last step taken, what is held."""
    rows = session.execute(
        select(
            Invoice.customer_id,
            Customer.customer_name,
            func.sum(Invoice.total - Invoice.amount_paid),
            func.min(Invoice.due_date),
            func.count(),
        )
        .join(Customer, Customer.customer_id == Invoice.customer_id)
        .where(
            Invoice.kind == InvoiceKind.invoice,
            Invoice.status == InvoiceStatus.overdue,
            Invoice.total > Invoice.amount_paid,
        )
        .group_by(Invoice.customer_id, Customer.customer_name)
        .order_by(func.min(Invoice.due_date), Invoice.customer_id)
    ).all()
    queue = []
    for customer_id, name, due, oldest, count in rows:
        last = session.scalar(
            select(DunningStep)
            .where(DunningStep.customer_id == customer_id)
            .order_by(DunningStep.dunning_step_id.desc())
            .limit(1)
        )
        held = session.scalars(
            select(DunningHold.service_id).where(
                DunningHold.customer_id == customer_id, DunningHold.resumed_at.is_(None)
            )
        ).all()
        queue.append(
            {
                "customer_id": customer_id,
                "customer_name": name,
                "overdue": Decimal(due),
                "oldest_due_date": oldest,
                "invoices": count,
                "last_action": last.action.value if last else None,
                "last_action_at": last.created_at if last else None,
                "suspended_service_ids": list(held),
            }
        )
    return queue
