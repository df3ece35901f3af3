"""Saved cards (Stripe PaymentMethods): saved through a SetupIntent that the browser's Stripe
Elements confirms, listed per customer, one default, removed (detached at Stripe, kept here as
history), and watched for expiry. Only tokens and what may be shown are kept."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import Conflict, NotFound, ValidationFailed
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email
from omnicrm.payments import stripe_gateway
from omnicrm.payments.gateway import CardDetails
from omnicrm.payments.models import GatewayCustomer, PaymentCard
from omnicrm.payments.stripe_gateway import StripeGateway


class GatewayNotConfigured(Conflict):
    code = "gateway_not_configured"


def require_stripe() -> StripeGateway:
    gateway = stripe_gateway.configured()
    if gateway is None:
        raise GatewayNotConfigured(
            "card payments need Stripe: STRIPE_SECRET_KEY is not set on this installation"
        )
    return gateway


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def gateway_customer(session: Session, customer: Customer, gateway: StripeGateway) -> str:
    """The customer's Stripe customer, created on first need. Two requests racing to create it
    both ask Stripe, and the unique key keeps one (the other is an unused Stripe record)."""
    query = select(GatewayCustomer.reference).where(
        GatewayCustomer.customer_id == customer.customer_id,
        GatewayCustomer.gateway == gateway.name,
    )
    reference = session.scalar(query)
    if reference is not None:
        return reference
    reference = gateway.create_customer(
        customer_id=customer.customer_id,
        name=customer.customer_name,
        email=customer.email,
        key=f"omnicrm-customer-{uuid.uuid4()}",
    )
    try:
        with session.begin_nested():
            session.add(
                GatewayCustomer(
                    customer_id=customer.customer_id, gateway=gateway.name, reference=reference
                )
            )
    except IntegrityError:
        winner = session.scalar(query)
        assert winner is not None
        return winner
    return reference


def card_setup(session: Session, *, customer_id: int) -> dict[str, Any]:
    """A SetupIntent for the browser: Stripe Elements collects the card and confirms it; the
    token it yields is then saved with :func:`save_card`."""
    gateway = require_stripe()
    customer = _customer(session, customer_id)
    intent = gateway.setup_intent(gateway_customer(session, customer, gateway))
    return {
        "setup_intent_id": intent.reference,
        "client_secret": intent.client_secret,
        "publishable_key": gateway.publishable_key,
    }


def _record(session: Session, customer_id: int, details: CardDetails) -> PaymentCard:
    card = session.scalar(select(PaymentCard).where(PaymentCard.reference == details.reference))
    if card is None:
        card = PaymentCard(
            customer_id=customer_id,
            gateway="stripe",
            reference=details.reference,
            created_at=utcnow(),
        )
        session.add(card)
    elif card.customer_id != customer_id:
        raise Conflict("this card is saved for another customer", code="card_in_use")
    card.brand, card.last4 = details.brand, details.last4
    if (card.exp_month, card.exp_year) != (details.exp_month, details.exp_year):
        card.expiry_reminded_at = None  # a new expiry gets its own reminder
    card.exp_month, card.exp_year = details.exp_month, details.exp_year
    card.removed_at = None
    return card


def save_card(
    session: Session, *, customer_id: int, token: str, make_default: bool = False
) -> PaymentCard:
    """Attach the card ``token`` to the customer at Stripe and keep what may be shown of it.
    The customer's first card becomes the default."""
    gateway = require_stripe()
    customer = _customer(session, customer_id)
    reference = gateway_customer(session, customer, gateway)
    details = gateway.attach(token=token, customer_reference=reference)
    card = _record(session, customer_id, details)
    session.flush()
    has_default = session.scalar(
        select(func.count())
        .select_from(PaymentCard)
        .where(
            PaymentCard.customer_id == customer_id,
            PaymentCard.is_default.is_(True),
            PaymentCard.removed_at.is_(None),
        )
    )
    if make_default or not has_default:
        _make_default(session, card, gateway, reference)
    return card


def get_card(session: Session, card_id: int) -> PaymentCard:
    card = session.get(PaymentCard, card_id)
    if card is None:
        raise NotFound(f"payment method {card_id} not found")
    return card


def _make_default(
    session: Session, card: PaymentCard, gateway: StripeGateway, customer_reference: str
) -> None:
    gateway.set_default(customer_reference=customer_reference, card_reference=card.reference)
    for other in session.scalars(
        select(PaymentCard).where(
            PaymentCard.customer_id == card.customer_id, PaymentCard.is_default.is_(True)
        )
    ):
        other.is_default = False
    card.is_default = True
    session.flush()


def make_default(session: Session, *, card_id: int) -> PaymentCard:
    card = get_card(session, card_id)
    if card.removed_at is not None:
        raise Conflict("the card was removed", code="card_removed")
    gateway = require_stripe()
    reference = gateway_customer(session, _customer(session, card.customer_id), gateway)
    _make_default(session, card, gateway, reference)
    return card


def remove_card(session: Session, *, card_id: int) -> PaymentCard:
    """Detach the card at Stripe; it stays here (payments name it) as removed."""
    card = get_card(session, card_id)
    if card.removed_at is None:
        require_stripe().detach(card.reference)
        card.removed_at = utcnow()
        card.is_default = False
        session.flush()
    return card


def usable_card(session: Session, *, customer_id: int, card_id: int | None) -> PaymentCard | None:
    """The card a payment names, or the customer's default (None when there is none)."""
    if card_id is None:
        return session.scalar(
            select(PaymentCard).where(
                PaymentCard.customer_id == customer_id,
                PaymentCard.is_default.is_(True),
                PaymentCard.removed_at.is_(None),
            )
        )
    card = session.get(PaymentCard, card_id)
    if card is None or card.customer_id != customer_id or card.removed_at is not None:
        raise ValidationFailed.field(
            "payment_method_id",
            f"payment method {card_id} is not a saved card of customer {customer_id}",
        )
    return card


def cards_query(*, customer_id: int | None = None, include_removed: bool = False) -> Select[Any]:
    stmt = select(PaymentCard)
    if customer_id is not None:
        stmt = stmt.where(PaymentCard.customer_id == customer_id)
    if not include_removed:
        stmt = stmt.where(PaymentCard.removed_at.is_(None))
    return stmt.order_by(PaymentCard.is_default.desc(), PaymentCard.card_id.desc())


def expiry_date(card: PaymentCard) -> date:
    """A card is good through the last day of its expiry month."""
    return date(
        card.exp_year, card.exp_month, calendar.monthrange(card.exp_year, card.exp_month)[1]
    )


def _month_index(year: Any, month: Any) -> Any:
    return year * 12 + month - 1


def expiring_query(*, day: date, days: int) -> Select[PaymentCard, str]:
    """Saved cards whose last good day is within ``days`` of ``day`` (expired ones too)."""
    until = day + timedelta(days=days)
    last_day_of_month = until.day == calendar.monthrange(until.year, until.month)[1]
    target = _month_index(until.year, until.month) + (1 if last_day_of_month else 0)
    return (
        select(PaymentCard, Customer.customer_name)
        .join(Customer, Customer.customer_id == PaymentCard.customer_id)
        .where(
            PaymentCard.removed_at.is_(None),
            _month_index(PaymentCard.exp_year, PaymentCard.exp_month) < target,
        )
        .order_by(PaymentCard.exp_year, PaymentCard.exp_month, PaymentCard.card_id)
    )


def remind_expiring(session: Session, *, day: date, days: int) -> dict[str, int]:
    """E-mail each owner of a card about to expire, once per card and expiry."""
    reminded = 0
    for card, _name in session.execute(
        expiring_query(day=day, days=days).where(PaymentCard.expiry_reminded_at.is_(None))
    ).all():
        customer = session.get(Customer, card.customer_id)
        card.expiry_reminded_at = utcnow()
        if customer is None or not customer.email:
            continue
        ends = expiry_date(card)
        verb = "expired" if ends < day else "expires"
        queue_email(
            session,
            to=customer.email,
            template="card_expiring",
            context={
                "card_id": card.card_id,
                "customer_name": customer.customer_name,
                "brand": card.brand,
                "last4": card.last4,
                "expires": f"{ends:%d %b %Y}",
                "expired": verb == "expired",
            },
            customer_id=customer.customer_id,
        )
        reminded += 1
    session.flush()
    return {"reminded": reminded}


def update_from_gateway(session: Session, details: CardDetails) -> PaymentCard | None:
    """A card Stripe changed (the network updated its expiry): keep ours the same."""
    card = session.scalar(select(PaymentCard).where(PaymentCard.reference == details.reference))
    if card is None:
        return None
    if (card.exp_month, card.exp_year) != (details.exp_month, details.exp_year):
        card.expiry_reminded_at = None
    card.brand, card.last4 = details.brand, details.last4
    card.exp_month, card.exp_year = details.exp_month, details.exp_year
    session.flush()
    return card


def detached_at_gateway(session: Session, reference: str) -> None:
    card = session.scalar(select(PaymentCard).where(PaymentCard.reference == reference))
    if card is not None and card.removed_at is None:
        card.removed_at = utcnow()
        card.is_default = False
        session.flush()


def card_saved_at_gateway(
    session: Session, *, customer_reference: str, card_reference: str
) -> None:
    """A SetupIntent succeeded (the browser saved a card): record it if it is not yet."""
    gateway = require_stripe()
    customer_id = session.scalar(
        select(GatewayCustomer.customer_id).where(
            GatewayCustomer.gateway == gateway.name, GatewayCustomer.reference == customer_reference
        )
    )
    if customer_id is None:
        return
    exists = session.scalar(
        select(PaymentCard.card_id).where(PaymentCard.reference == card_reference)
    )
    if exists is None:
        save_card(session, customer_id=customer_id, token=card_reference)
