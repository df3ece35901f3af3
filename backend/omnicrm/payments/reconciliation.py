"""Reconciliation (the report's A43): the gateway's records against ours.

A run over a period first settles every gateway payment still open (``unknown``,
``requires_action``, ``pending``) from what Stripe says about it — found by its PaymentIntent or,
when the answer was lost before we learnt its id, by our key in the metadata; one Stripe has no
trace of after ``PAYMENT_UNKNOWN_GRACE_MINUTES`` failed. Then it compares Stripe's charges in
the period with our payments: money Stripe took that we have no payment for, payments of ours
with no charge there, and amounts or refunds that differ are listed as items for finance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.payments import use_cases as uc
from omnicrm.payments.cards import require_stripe
from omnicrm.payments.gateway import GatewayCharge, GatewayUnavailable, Outcome
from omnicrm.payments.models import (
    PAID,
    UNSETTLED,
    Payment,
    PaymentStatus,
    Reconciliation,
    ReconciliationItem,
    ReconciliationKind,
    ReconciliationStatus,
)
from omnicrm.payments.stripe_gateway import StripeGateway

MAX_PERIOD = timedelta(days=92)


def request_run(
    session: Session, *, period_start: datetime, period_end: datetime, user_id: int | None
) -> Reconciliation:
    """A run for the workers to do (``tasks.queue_reconciliation``); its status follows."""
    require_stripe()
    if period_end <= period_start:
        raise ValidationFailed.field("period_end", "must be after period_start")
    if period_end - period_start > MAX_PERIOD:
        raise ValidationFailed.field("period_end", "a run covers at most 92 days")
    run = Reconciliation(
        gateway="stripe",
        period_start=period_start,
        period_end=period_end,
        status=ReconciliationStatus.queued,
        requested_by_user_id=user_id,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, reconciliation_id: int) -> Reconciliation:
    run = session.get(Reconciliation, reconciliation_id)
    if run is None:
        raise NotFound(f"reconciliation {reconciliation_id} not found")
    return run


def runs_query() -> Select[Any]:
    return select(Reconciliation).order_by(Reconciliation.reconciliation_id.desc())


def items_of(session: Session, reconciliation_id: int) -> list[ReconciliationItem]:
    return list(
        session.scalars(
            select(ReconciliationItem)
            .where(ReconciliationItem.reconciliation_id == reconciliation_id)
            .order_by(ReconciliationItem.item_id)
        )
    )


class _Run:
    def __init__(self, session: Session, run: Reconciliation, gateway: StripeGateway) -> None:
        self.session, self.run, self.gateway = session, run, gateway

    def item(self, kind: ReconciliationKind, detail: str, **values: Any) -> None:
        self.session.add(
            ReconciliationItem(
                reconciliation_id=self.run.reconciliation_id,
                kind=kind,
                detail=detail[:300],
                **values,
            )
        )
        if kind == ReconciliationKind.resolved:
            self.run.resolved += 1
        else:
            self.run.mismatches += 1

    def resolve_open(self, *, now: datetime, grace: timedelta) -> None:
        """Settle every open gateway payment from what the gateway says about it."""
        open_ids = self.session.scalars(
            select(Payment.payment_id).where(
                Payment.gateway == self.gateway.name,
                Payment.status.in_(UNSETTLED),
                Payment.created_at < self.run.period_end,
            )
        ).all()
        for payment_id in open_ids:
            payment = uc.lock_payment(self.session, payment_id)
            if payment is None or payment.status not in UNSETTLED:
                continue
            if payment.gateway_reference:
                outcome: Outcome | None = self.gateway.intent(payment.gateway_reference)
            else:
                outcome = self.gateway.find(payment.gateway_key or "")
            if outcome is None:
                if payment.created_at > now - grace:
                    continue  # its request may still be on its way to Stripe
                outcome = Outcome(
                    "failed",
                    failure_code="not_at_gateway",
                    failure_message="Stripe has no record of this payment: nothing was taken",
                )
            before = payment.status
            uc.record_outcome(self.session, payment, outcome)
            if payment.status != before:
                self.item(
                    ReconciliationKind.resolved,
                    f"{before.value} → {payment.status.value}"
                    + (f" ({payment.failure_code})" if payment.failure_code else ""),
                    payment_id=payment.payment_id,
                    gateway_reference=payment.gateway_reference,
                    our_amount=payment.amount,
                    our_status=payment.status.value,
                    gateway_status=outcome.status,
                )

    def compare(self, charges: list[GatewayCharge]) -> None:
        succeeded: dict[str, GatewayCharge] = {}
        for charge in charges:
            if charge.status == "succeeded" and charge.payment_reference:
                succeeded[charge.payment_reference] = charge
        ours = self.session.scalars(
            select(Payment)
            .where(
                Payment.gateway == self.gateway.name,
                Payment.created_at >= self.run.period_start,
                Payment.created_at < self.run.period_end,
                Payment.status.notin_(UNSETTLED),
            )
            .order_by(Payment.payment_id)
        ).all()
        for payment in ours:
            self.run.payments_checked += 1
            reference = payment.gateway_reference
            self._compare_one(payment, succeeded.pop(reference, None) if reference else None)
        for charge in succeeded.values():  # money Stripe took in the period, not ours in it
            known = self.session.scalar(
                select(Payment.payment_id).where(
                    Payment.gateway_reference == charge.payment_reference
                )
            )
            if known is None:
                self.item(
                    ReconciliationKind.missing_here,
                    f"Stripe charge {charge.charge_reference} has no payment here",
                    gateway_reference=charge.payment_reference,
                    gateway_amount=charge.amount,
                    gateway_status=charge.status,
                )

    def _compare_one(self, payment: Payment, charge: GatewayCharge | None) -> None:
        values: dict[str, Any] = {
            "payment_id": payment.payment_id,
            "gateway_reference": payment.gateway_reference,
            "our_amount": payment.amount,
            "our_status": payment.status.value,
        }
        if payment.status == PaymentStatus.failed:
            if charge is not None:  # the gateway's word that the money is in wins
                uc.record_outcome(
                    self.session, payment, Outcome("succeeded", charge.payment_reference)
                )
                self.item(
                    ReconciliationKind.resolved,
                    "failed → succeeded: Stripe holds a successful charge",
                    **{**values, "our_status": payment.status.value},
                    gateway_amount=charge.amount,
                    gateway_status=charge.status,
                )
            else:
                self.run.matched += 1
            return
        if payment.status not in PAID:
            return  # still open: the next run looks again
        if charge is None and payment.gateway_reference:
            outside = self.gateway.intent(payment.gateway_reference)  # charged in another period?
            if outside.status == "succeeded":
                self.run.matched += 1
                return
        if charge is None:
            self.item(
                ReconciliationKind.missing_at_gateway,
                "paid here, but Stripe has no successful charge for it",
                **values,
            )
        elif charge.amount != payment.amount or charge.currency != payment.currency:
            self.item(
                ReconciliationKind.amount_differs,
                f"Stripe charged {charge.amount} {charge.currency}",
                **values,
                gateway_amount=charge.amount,
                gateway_status=charge.status,
            )
        elif charge.amount_refunded != payment.amount_refunded:
            self.item(
                ReconciliationKind.refund_differs,
                f"refunded {charge.amount_refunded} at Stripe, {payment.amount_refunded} here",
                **values,
                gateway_amount=charge.amount,
                gateway_status=charge.status,
            )
        else:
            self.run.matched += 1


def execute(
    session: Session, run: Reconciliation, gateway: StripeGateway, *, grace: timedelta
) -> Reconciliation:
    """Do the run (resolve, then compare) in the caller's unit of work."""
    run.status = ReconciliationStatus.running
    work = _Run(session, run, gateway)
    try:
        work.resolve_open(now=utcnow(), grace=grace)
        charges = list(gateway.charges(run.period_start, run.period_end))
        run.gateway_records = len(charges)
        work.compare(charges)
    except GatewayUnavailable as error:
        run.status = ReconciliationStatus.failed
        run.error = error.message[:500]
    else:
        run.status = ReconciliationStatus.done
    run.finished_at = utcnow()
    session.flush()
    return run
