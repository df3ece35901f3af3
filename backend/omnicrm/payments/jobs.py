"""Payments' periodic jobs (fired by the scheduler, run by a worker: see scheduler/)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from omnicrm.billing.models import Invoice, InvoiceKind, InvoiceStatus
from omnicrm.billing.use_cases import today
from omnicrm.core.db import utcnow
from omnicrm.core.idempotency import request_fingerprint
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email
from omnicrm.payments import stripe_gateway
from omnicrm.payments.cards import remind_expiring
from omnicrm.payments.dunning import run_dunning
from omnicrm.payments.gateway import GatewayUnavailable
from omnicrm.payments.models import Payment, PaymentCard, PaymentStatus, Reconciliation
from omnicrm.payments.reconciliation import execute
from omnicrm.payments.use_cases import take_payment
from omnicrm.scheduler.registry import periodic

# Days an unpaid invoice is charged again to the default card before dunning alone goes on.
AUTOCHARGE_ATTEMPTS = 3


@periodic(
    "payments.dunning",
    every=timedelta(days=1),
    description="Dunning steps for overdue invoices: reminders, suspension for non-payment, "
    "termination requests (DUNNING_STEPS)",
)
def dunning(session: Session, settings: Any) -> dict[str, int]:
    return run_dunning(session, day=today(), config=settings.dunning_steps)


@periodic(
    "payments.card_expiry",
    every=timedelta(days=1),
    description="E-mail the owners of saved cards expiring within CARD_EXPIRY_WARNING_DAYS "
    "(once per card and expiry)",
)
def card_expiry(session: Session, settings: Any) -> dict[str, int]:
    return remind_expiring(session, day=today(), days=settings.card_expiry_warning_days)


@periodic(
    "payments.reconcile",
    every=timedelta(days=1),
    description="Compare Stripe's charges of the last two days with our payments; settle "
    "payments whose gateway answer was lost",
)
def reconcile(session: Session, settings: Any) -> dict[str, int]:
    gateway = stripe_gateway.configured()
    if gateway is None:
        return {"skipped": 1}  # no Stripe: nothing to reconcile
    end = datetime.combine(today(), time(), tzinfo=UTC) + timedelta(days=1)
    run = Reconciliation(
        gateway=gateway.name,
        period_start=end - timedelta(days=2),
        period_end=end,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    grace = timedelta(minutes=settings.payment_unknown_grace_minutes)
    execute(session, run, gateway, grace=grace)
    return {
        "reconciliation_id": run.reconciliation_id,
        "mismatches": run.mismatches,
        "resolved": run.resolved,
    }


def _due_for_autocharge(session: Session, day: Any) -> list[Invoice]:
    has_card = exists().where(
        PaymentCard.customer_id == Invoice.customer_id,
        PaymentCard.is_default.is_(True),
        PaymentCard.removed_at.is_(None),
    )
    attempts = (
        select(func.count())
        .select_from(Payment)
        .where(Payment.invoice_id == Invoice.invoice_id, Payment.gateway == "stripe")
        .scalar_subquery()
    )
    open_attempt = exists().where(
        Payment.invoice_id == Invoice.invoice_id,
        Payment.gateway == "stripe",
        Payment.status.in_(
            [PaymentStatus.pending, PaymentStatus.requires_action, PaymentStatus.unknown]
        ),
    )
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.kind == InvoiceKind.invoice,
                Invoice.status.in_(
                    [InvoiceStatus.issued, InvoiceStatus.partially_paid, InvoiceStatus.overdue]
                ),
                Invoice.due_date <= day,
                has_card,
                ~open_attempt,
                attempts < AUTOCHARGE_ATTEMPTS,
            )
            .order_by(Invoice.due_date, Invoice.invoice_id)
        )
    )


@periodic(
    "payments.autocharge",
    every=timedelta(days=1),
    description="Charge postpaid invoices due today to the customer's default card (Stripe; "
    "3-D Secure requests e-mail the customer)",
)
def autocharge(session: Session, settings: Any) -> dict[str, int]:
    if not settings.payment_autocharge or stripe_gateway.configured() is None:
        return {"skipped": 1}
    day = today()
    counts = {"charged": 0, "failed": 0, "requires_action": 0, "unknown": 0}
    for invoice in _due_for_autocharge(session, day):
        body = {"invoice_id": invoice.invoice_id, "day": day.isoformat()}
        try:
            payment = take_payment(
                session,
                customer_id=invoice.customer_id,
                amount=invoice.amount_due,
                method="card",
                invoice_id=invoice.invoice_id,
                charge_card=True,
                note=f"automatic charge of {invoice.invoice_number}",
                idempotency=(
                    f"autocharge:{invoice.invoice_id}:{day.isoformat()}",
                    request_fingerprint(body),
                ),
            )
        except GatewayUnavailable:
            break  # Stripe is down or refuses our key: tomorrow's run tries again
        if payment.status == PaymentStatus.succeeded:
            counts["charged"] += 1
        else:
            counts[payment.status.value] = counts.get(payment.status.value, 0) + 1
        if payment.status == PaymentStatus.requires_action:
            customer = session.get(Customer, invoice.customer_id)
            if customer is not None and customer.email:
                queue_email(
                    session,
                    to=customer.email,
                    template="payment_action_required",
                    context={
                        "payment_id": payment.payment_id,
                        "customer_name": customer.customer_name,
                        "invoice_number": invoice.invoice_number,
                    },
                    customer_id=customer.customer_id,
                )
    return counts
