"""Payments (the report's GetDeposit: staff or a gateway take money, the system records it and
says "payment confirmed") and refunds.

A payment either tops up a service's balance (prepaid, through charging) or settles the
customer's open invoices, oldest due first or the one named, the rest left as account credit
(through billing). A refund takes back what it can from where the payment went, never more
than was paid: the payment row is locked, so concurrent refunds queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
from omnicrm.payments import cards
from omnicrm.payments.dunning import release_if_cleared
from omnicrm.payments.gateway import MANUAL, Gateway, Outcome, to_minor
from omnicrm.payments.models import PAID, Payment, PaymentMethod, PaymentStatus, Refund
from omnicrm.services.models import Service


class RefundTooLarge(Conflict):
    code = "refund_exceeds_payment"


class PaymentState(Conflict):
    code = "payment_state"


class PaymentInDoubt(Conflict):
    code = "payment_in_doubt"


class InvoiceNotOpen(Conflict):
    code = "invoice_not_open"


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
    card_id: int | None = None,
    charge_card: bool = False,
    customer_present: bool = False,
    note: str | None = None,
    user_id: int | None = None,
    idempotency: tuple[str, str] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Payment:
    """Record a payment and apply it: a top-up of ``service_id``'s balance, or invoices settled
    (``invoice_id``, else the oldest open ones) with any excess as account credit. Then a
    receipt number and a "payment confirmed" e-mail. The same Idempotency-Key with the same
    body answers the first payment; with another body, 422.

    With ``charge_card`` (or a ``card_id``) the money is taken from a saved card through Stripe
    first: only a charge that succeeded is applied; a declined one is kept as ``failed``, one
    the bank wants the customer to authenticate as ``requires_action``, and one whose answer
    was lost as ``unknown`` (the webhook or the reconciler finishes those)."""
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
    card = None
    if charge_card or card_id is not None:
        if method != PaymentMethod.card:
            raise ValidationFailed.field("method", "a saved card pays by card")
        gateway = cards.require_stripe()
        card = cards.usable_card(session, customer_id=customer_id, card_id=card_id)
        if card is None:
            raise ValidationFailed.field(
                "payment_method_id", "the customer has no default saved card"
            )
        _refuse_while_in_doubt(session, customer_id)
        to_minor(amount, currency)  # refuse fractions of a cent before anything is written
    payment = Payment(
        customer_id=customer_id,
        service_id=service_id,
        invoice_id=invoice_id,
        amount=amount,
        currency=currency,
        method=PaymentMethod(method),
        status=PaymentStatus.pending,
        gateway=MANUAL.name if card is None else gateway.name,
        card_id=None if card is None else card.card_id,
        gateway_key=str(uuid.uuid4()),
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
    if card is None:
        outcome = MANUAL.charge(amount=amount, currency=currency, key=payment.gateway_key or "")
    else:
        reference = cards.gateway_customer(session, customer, gateway)
        outcome = gateway.charge(
            amount=amount,
            currency=currency,
            key=payment.gateway_key or "",
            customer_reference=reference,
            card_reference=card.reference,
            off_session=not customer_present,
            description=f"{customer.customer_name}: payment {payment.payment_id}",
        )
    record_outcome(session, payment, outcome, user_id=user_id)
    if on_outcome is not None:
        on_outcome(outcome)  # what is not kept (the 3-D Secure client secret) for the answer
    return payment


def _refuse_while_in_doubt(session: Session, customer_id: int) -> None:
    """A card payment whose answer was lost may have been taken: charging again could take
    the money twice, so it waits until reconciliation knows."""
    in_doubt = session.scalar(
        select(Payment.payment_id)
        .where(
            Payment.customer_id == customer_id,
            Payment.gateway != MANUAL.name,
            Payment.status == PaymentStatus.unknown,
        )
        .limit(1)
    )
    if in_doubt is not None:
        raise PaymentInDoubt(
            f"payment {in_doubt} may have been taken (Stripe did not answer): run "
            "reconciliation before charging this customer again",
            extra={"payment_id": in_doubt},
        )


def record_outcome(
    session: Session, payment: Payment, outcome: Outcome, *, user_id: int | None = None
) -> bool:
    """Bring a payment up to what its gateway says (the charge's answer, a webhook, the
    reconciler); True when this applied its money. The gateway's word that the money is in
    wins over any earlier failure; nothing changes a payment whose money is applied."""
    if payment.status in PAID:
        return False
    if outcome.reference:
        payment.gateway_reference = outcome.reference
    if outcome.status == "succeeded":
        payment.failure_code = payment.failure_message = None
        _apply(session, payment, user_id=user_id)
        return True
    if outcome.status == "failed":
        payment.status = PaymentStatus.failed
        payment.failure_code = (outcome.failure_code or "failed")[:64]
        payment.failure_message = outcome.failure_message
    elif outcome.status == "requires_action" and payment.status != PaymentStatus.failed:
        payment.status = PaymentStatus.requires_action
        payment.failure_code = outcome.failure_code
        payment.failure_message = outcome.failure_message
    elif outcome.status == "unknown" and payment.status == PaymentStatus.pending:
        payment.status = PaymentStatus.unknown
        payment.failure_message = "the gateway did not answer; reconciliation will find out"
    session.flush()
    return False


def lock_payment(session: Session, payment_id: int) -> Payment | None:
    return session.scalar(
        select(Payment)
        .where(Payment.payment_id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _apply(session: Session, payment: Payment, *, user_id: int | None) -> None:
    """The money is in: top up or settle, number the receipt, confirm to the customer."""
    day = today()
    if payment.service_id is not None:
        top_up(
            session,
            service_id=payment.service_id,
            amount=payment.amount,
            note=f"payment {reference_of(payment)}",
            user_id=user_id,
            idempotency=None,
        )
    else:
        _, payment.credit = billing.settle(
            session,
            customer_id=payment.customer_id,
            amount=payment.amount,
            currency=payment.currency,
            reference=reference_of(payment),
            invoice_id=payment.invoice_id,
            day=day,
        )
        release_if_cleared(session, payment.customer_id)
    payment.status = PaymentStatus.succeeded
    # Numbered last: the sequence row stays locked until commit, so the less that comes
    # after taking the number, the less concurrent payments wait.
    number = billing.take_numbers(session, series="RCPT", year=day.year, count=1) + 1
    payment.receipt_number = billing.number("RCPT", day.year, number)
    session.flush()
    customer = session.get(Customer, payment.customer_id)
    if customer is not None and customer.email:
        queue_email(
            session,
            to=customer.email,
            template="payment_confirmed",
            context={
                "payment_id": payment.payment_id,
                "customer_name": customer.customer_name,
                "amount": format_money(payment.amount),
                "currency": payment.currency,
                "receipt_number": payment.receipt_number,
            },
            customer_id=customer.customer_id,
        )


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
    session: Session,
    *,
    payment_id: int,
    amount: Decimal,
    reason: str,
    user_id: int | None,
    made_at_gateway: str | None = None,
) -> Payment:
    """Give back ``amount`` of a payment through its gateway. A top-up takes the money back
    from the balance (409 if it is no longer there); invoices it settled are due again,
    newest first, then its account credit is taken back. Never more than is left.

    ``made_at_gateway`` names a refund already made there (in Stripe's dashboard, reported
    by the webhook): it is mirrored here, and the gateway is not asked again."""
    payment = lock_payment(session, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    if payment.status not in PAID:
        raise PaymentState(
            f"payment {payment_id} is {payment.status.value}: no money was taken to refund",
            extra={"status": payment.status.value},
        )
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
            # Refused when the top-up was spent, unless the gateway already gave it back.
            allow_negative=made_at_gateway is not None,
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
    if made_at_gateway is None:
        # The key is the refund's place in the payment's history: a retry of a refund whose
        # answer was lost asks Stripe with the same key (and is answered, not made twice).
        key = f"omnicrm-refund-{payment.gateway_key}-{payment.amount_refunded}-{amount}"
        made_at_gateway = gateway_of(payment).refund(
            reference=payment.gateway_reference,
            amount=amount,
            currency=payment.currency,
            key=key,
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
            gateway_reference=made_at_gateway,
            created_by_user_id=user_id,
            created_at=utcnow(),
        )
    )
    session.flush()
    return payment


def gateway_of(payment: Payment) -> Gateway:
    """The gateway that took the payment (refunds go back through it)."""
    if payment.gateway == MANUAL.name:
        return MANUAL
    return cards.require_stripe()


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
