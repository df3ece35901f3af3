"""Stripe's webhook: what happened at Stripe, told after the fact — retried for days,
duplicated and out of order. Each event id is recorded in the transaction of its effect, so a
redelivery changes nothing; effects are written so that any order ends in the same state (a
payment Stripe says succeeded is applied once, and nothing undoes it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.logging import get_logger
from omnicrm.payments import cards
from omnicrm.payments import use_cases as uc
from omnicrm.payments.gateway import from_minor
from omnicrm.payments.models import PAID, GatewayEvent, Payment, Refund
from omnicrm.payments.stripe_gateway import KEY_FIELD, card_details, intent_outcome

log = get_logger("omnicrm.payments")


def _payment_for(session: Session, intent: dict[str, Any]) -> Payment | None:
    """Our payment behind a PaymentIntent (by our key in its metadata, else its id), locked."""
    key = (intent.get("metadata") or {}).get(KEY_FIELD)
    column = Payment.gateway_key if key else Payment.gateway_reference
    payment_id = session.scalar(
        select(Payment.payment_id).where(column == (key or intent.get("id")))
    )
    return None if payment_id is None else uc.lock_payment(session, payment_id)


def _intent(session: Session, intent: dict[str, Any]) -> str:
    payment = _payment_for(session, intent)
    if payment is None:
        return "no payment of ours"  # reconciliation lists it (missing here)
    applied = uc.record_outcome(session, payment, intent_outcome(intent))
    return f"payment {payment.payment_id}: {'applied' if applied else payment.status.value}"


def _refund(session: Session, refund: dict[str, Any]) -> str:
    """A refund made at Stripe (its dashboard, or ours answered late): mirrored once."""
    if refund.get("status") not in ("succeeded", "pending"):
        return f"refund {refund.get('status')}"
    if session.scalar(select(Refund.refund_id).where(Refund.gateway_reference == refund["id"])):
        return "refund known"
    intent_id = refund.get("payment_intent")
    payment_id = session.scalar(
        select(Payment.payment_id).where(Payment.gateway_reference == intent_id)
    )
    if payment_id is None:
        return "no payment of ours"
    payment = uc.lock_payment(session, payment_id)
    assert payment is not None
    # Our own refund's row commits with its request; this one waited for the lock, so it sees it.
    if session.scalar(select(Refund.refund_id).where(Refund.gateway_reference == refund["id"])):
        return "refund known"
    amount = from_minor(int(refund["amount"]), payment.currency)
    left = payment.amount - payment.amount_refunded
    if payment.status not in PAID or left <= 0:
        return f"payment {payment_id}: nothing left to mirror (reconciliation lists it)"
    uc.refund(
        session,
        payment_id=payment_id,
        amount=min(amount, left),
        reason="refunded at Stripe",
        user_id=None,
        made_at_gateway=refund["id"],
    )
    return f"payment {payment_id}: refund of {amount} mirrored"


def _handle(session: Session, event_type: str, obj: dict[str, Any]) -> str:
    if event_type.startswith("payment_intent."):
        if event_type in (
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "payment_intent.canceled",
            "payment_intent.requires_action",
        ):
            return _intent(session, obj)
        return "ignored"
    if event_type in ("refund.created", "refund.updated", "charge.refund.updated"):
        return _refund(session, obj)
    if event_type in ("payment_method.updated", "payment_method.automatically_updated"):
        if obj.get("type") == "card":
            card = cards.update_from_gateway(session, card_details(obj))
            return "card updated" if card else "card unknown"
        return "ignored"
    if event_type == "payment_method.detached":
        cards.detached_at_gateway(session, obj["id"])
        return "card removed"
    if event_type == "setup_intent.succeeded":
        if obj.get("customer") and obj.get("payment_method"):
            cards.card_saved_at_gateway(
                session,
                customer_reference=obj["customer"],
                card_reference=obj["payment_method"],
            )
            return "card saved"
        return "ignored"
    return "ignored"


def process(session: Session, event: dict[str, Any]) -> dict[str, Any]:
    """Apply a verified event once: a duplicate (or one a concurrent delivery is applying)
    answers ``duplicate`` and changes nothing."""
    event_id, event_type = str(event["id"])[:255], str(event.get("type", ""))[:100]
    seen = select(GatewayEvent.gateway_event_id).where(
        GatewayEvent.gateway == "stripe", GatewayEvent.event_id == event_id
    )
    if session.scalar(seen) is not None:
        return {"received": True, "duplicate": True}
    row = GatewayEvent(
        gateway="stripe",
        event_id=event_id,
        event_type=event_type,
        outcome="processing",
        received_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return {"received": True, "duplicate": True}
    obj = (event.get("data") or {}).get("object") or {}
    row.outcome = _handle(session, event_type, obj)[:200]
    session.flush()
    log.info("stripe_event", event_id=event_id, event_type=event_type, outcome=row.outcome)
    return {"received": True, "duplicate": False, "outcome": row.outcome}
