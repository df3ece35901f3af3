"""Payments (the report's GetDeposit: staff or a gateway take money, the system records it and
says "payment confirmed") and refunds.

A payment either tops up a service's balance (prepaid, through charging) or settles the
customer's open invoices, oldest due first or the one named, the rest left as account credit
(through billing). A refund takes back what it can from where the payment went, never more
than was paid: the payment row is locked, so concurrent refunds queue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.billing import invoices as billing
from omnicrm.billing.models import Invoice, InvoiceKind, InvoiceStatus, Settlement
from omnicrm.billing.use_cases import today
from omnicrm.charging.backends import Charging
from omnicrm.charging.ports import Cause
from omnicrm.charging.use_cases import ensure_account, top_up
from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, NotFound, ValidationFailed
from omnicrm.core.idempotency import IdempotencyMismatch
from omnicrm.core.money import format_money
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email
from omnicrm.payments.dunning import release_if_cleared
from omnicrm.payments.models import Payment, PaymentMethod, PaymentStatus, Refund
from omnicrm.services.models import Service


class RefundTooLarge(Conflict):
    code = "refund_exceeds_payment"


class InvoiceNotOpen(Conflict):
    code = "invoice_not_open"


@dataclass(frozen=True)
class ManualGateway:
    """The embedded default: staff record cash, bank and voucher payments taken elsewhere;
    nothing is sent anywhere, each gets a reference of its own."""

    name: str = "manual"

    def charge(self, amount: Decimal, currency: str) -> str:
        return f"manual-{uuid.uuid4().hex[:16]}"

    def refund(self, reference: str | None, amount: Decimal) -> str:
        return f"manual-refund-{uuid.uuid4().hex[:16]}"


GATEWAY = ManualGateway()


def reference_of(payment: Payment) -> str:
    """How billing names what this payment paid."""
    return f"payment:{payment.payment_id}"


def take_payment(
    session: Session,
    *,
    customer_id: int,
    amount: Decimal,
    method: str,
    invoice_id: int | None = None,
    service_id: int | None = None,
    note: str | None = None,
    user_id: int | None = None,
    idempotency: tuple[str, str] | None = None,
) -> Payment:
    """Record a payment and apply it: a top-up of ``service_id``'s balance, or invoices settled
    (``invoice_id``, else the oldest open ones) with any excess as account credit. Then a
    receipt number and a "payment confirmed" e-mail. The same Idempotency-Key with the same
    body answers the first payment; with another body, 422."""
    if idempotency is not None:
        first = _replay(session, *idempotency)
        if first is not None:
            return first
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    if amount <= 0:
        raise ValidationFailed.field("amount", "must be more than zero")
    if service_id is not None and invoice_id is not None:
        raise ValidationFailed.field(
            "service_id", "a payment tops up a service or settles invoices, not both"
        )
    currency = customer.currency or "USD"
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None or service.customer_id != customer_id:
            raise ValidationFailed.field(
                "service_id", f"service {service_id} is not one of customer {customer_id}'s"
            )
    if invoice_id is not None:
        currency = _payable_invoice(session, customer_id, invoice_id).currency
    day = today()
    payment = Payment(
        customer_id=customer_id,
        service_id=service_id,
        invoice_id=invoice_id,
        amount=amount,
        currency=currency,
        method=PaymentMethod(method),
        gateway=GATEWAY.name,
        gateway_reference=GATEWAY.charge(amount, currency),
        # Numbered last (below): the sequence row stays locked until commit, so the less
        # that comes after taking the number, the less concurrent payments wait.
        receipt_number=f"pending-{uuid.uuid4().hex[:20]}",  # fits String(32)
        note=note,
        created_by_user_id=user_id,
        created_at=utcnow(),
    )
    if idempotency is not None:
        payment.idempotency_key, payment.request_hash = idempotency
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        if idempotency is None:
            raise
        first = _replay(session, *idempotency)  # a concurrent retry won: answer its payment
        if first is None:
            raise
        return first
    if service_id is not None:
        top_up(
            session,
            service_id=service_id,
            amount=amount,
            note=f"payment {reference_of(payment)}",
            user_id=user_id,
            idempotency=None,
        )
    else:
        _, payment.credit = billing.settle(
            session,
            customer_id=customer_id,
            amount=amount,
            currency=currency,
            reference=reference_of(payment),
            invoice_id=invoice_id,
            day=day,
        )
        release_if_cleared(session, customer_id)
    number = billing.take_numbers(session, series="RCPT", year=day.year, count=1) + 1
    payment.receipt_number = billing.number("RCPT", day.year, number)
    session.flush()
    if customer.email:
        queue_email(
            session,
            to=customer.email,
            subject=f"Payment confirmed: {payment.receipt_number}",
            body=(
                f"Dear {customer.customer_name},\n\nwe received your payment of "
                f"{format_money(amount)} {currency} (receipt {payment.receipt_number}).\n"
            ),
            template="payment_confirmed",
            context={"payment_id": payment.payment_id, "receipt": payment.receipt_number},
        )
    return payment


def _payable_invoice(session: Session, customer_id: int, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.customer_id != customer_id:
        raise ValidationFailed.field(
            "invoice_id", f"invoice {invoice_id} is not one of customer {customer_id}'s"
        )
    open_statuses = (InvoiceStatus.issued, InvoiceStatus.partially_paid, InvoiceStatus.overdue)
    if invoice.kind != InvoiceKind.invoice or invoice.status not in open_statuses:
        raise InvoiceNotOpen(
            f"invoice {invoice_id} is {invoice.status.value}: nothing to pay on it",
            extra={"status": invoice.status.value},
        )
    return invoice


def _replay(session: Session, key: str, fingerprint: str) -> Payment | None:
    first = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    if first is not None and first.request_hash != fingerprint:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used for another payment",
            extra={"payment_id": first.payment_id},
        )
    return first


def refund(
    session: Session, *, payment_id: int, amount: Decimal, reason: str, user_id: int | None
) -> Payment:
    """Give back ``amount`` of a payment through its gateway. A top-up takes the money back
    from the balance (409 if it is no longer there); invoices it settled are due again,
    newest first, then its account credit is taken back. Never more than is left."""
    payment = session.scalar(
        select(Payment)
        .where(Payment.payment_id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    left = payment.amount - payment.amount_refunded
    if amount <= 0:
        raise ValidationFailed.field("amount", "must be more than zero")
    if amount > left:
        raise RefundTooLarge(
            f"payment {payment_id} has {format_money(left)} left to refund, less than "
            f"{format_money(amount)}",
            extra={"refundable": format_money(left)},
        )
    if payment.service_id is not None:
        service = session.get(Service, payment.service_id)
        assert service is not None  # a foreign key
        charging = Charging.configured(session)
        account = ensure_account(session, service, charging)
        charging.lock_account(account.account)
        charging.charge(
            account.account,
            amount,
            cause=Cause.adjustment,
            reference=f"refund of payment {payment.receipt_number}"[:200],
            allow_negative=False,
            user_id=user_id,
        )
    else:
        billing.unsettle(
            session,
            reference=reference_of(payment),
            amount=amount,
            customer_id=payment.customer_id,
            currency=payment.currency,
            day=today(),
        )
    payment.amount_refunded += amount
    payment.status = (
        PaymentStatus.refunded
        if payment.amount_refunded >= payment.amount
        else PaymentStatus.partially_refunded
    )
    session.add(
        Refund(
            payment_id=payment.payment_id,
            amount=amount,
            reason=reason,
            gateway_reference=GATEWAY.refund(payment.gateway_reference, amount),
            created_by_user_id=user_id,
            created_at=utcnow(),
        )
    )
    session.flush()
    return payment


def get_payment(session: Session, *, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    return payment


def payment_view(session: Session, payment: Payment) -> dict[str, Any]:
    """The payment with where it went (invoices, with what each still holds) and its refunds."""
    settled = session.execute(
        select(Settlement.invoice_id, Invoice.invoice_number, Settlement.amount)
        .join(Invoice, Invoice.invoice_id == Settlement.invoice_id)
        .where(Settlement.reference == reference_of(payment))
        .order_by(Settlement.settlement_id)
    ).all()
    allocations: dict[int, dict[str, Any]] = {}
    for invoice_id, number, amount in settled:
        row = allocations.setdefault(
            invoice_id, {"invoice_id": invoice_id, "invoice_number": number, "amount": Decimal(0)}
        )
        row["amount"] += amount
    refunds = session.scalars(
        select(Refund).where(Refund.payment_id == payment.payment_id).order_by(Refund.refund_id)
    ).all()
    return {"payment": payment, "allocations": list(allocations.values()), "refunds": refunds}


def payments_query(
    *, customer_id: int | None = None, status: str | None = None, method: str | None = None
) -> Select[Any]:
    stmt = select(Payment)
    if customer_id is not None:
        stmt = stmt.where(Payment.customer_id == customer_id)
    if status:
        stmt = stmt.where(Payment.status == PaymentStatus(status))
    if method:
        stmt = stmt.where(Payment.method == PaymentMethod(method))
    return stmt.order_by(Payment.payment_id.desc())
