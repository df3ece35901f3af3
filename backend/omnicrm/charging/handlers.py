"""How charging reacts to other domains' events (registered by omnicrm/wiring.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.charging.allowances import follow_plan_change, grant_allowances
from omnicrm.charging.events import ThresholdCrossed
from omnicrm.charging.thresholds import describe
from omnicrm.core.db import utcnow
from omnicrm.core.events import subscribe
from omnicrm.customers.models import Customer
from omnicrm.notifications.use_cases import queue_email, queue_sms
from omnicrm.services.events import ServicePlanChanged, ServiceStatusChanged
from omnicrm.services.models import Service, ServiceStatus

FIRST_LIVE_FROM = (ServiceStatus.pending, ServiceStatus.provisioning)


@subscribe(ServiceStatusChanged)
def open_allowances(session: Session, event: ServiceStatusChanged) -> None:
    """A service that goes live for the first time gets its product's allowances (a resumed one
    keeps what it had). With CGRateS the activation play has loaded them under the same names
    already; setting them again to their size changes only their expiry, to the period's end."""
    if event.to_status != ServiceStatus.active or event.from_status not in FIRST_LIVE_FROM:
        return
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    grant_allowances(session, service, start=service.start_date or utcnow())


@subscribe(ServicePlanChanged)
def follow_the_plan(session: Session, event: ServicePlanChanged) -> None:
    """The allowances follow a plan change: the new product's, at their full size, for the rest
    of the current period; the old product's that the new one lacks drop to zero."""
    service = session.get(Service, event.service_id)
    assert service is not None  # it has just changed in this transaction
    follow_plan_change(session, service, from_product_id=event.from_product_id, at=event.at)


UNITS = {"data": "MB", "voice": "minutes", "sms": "messages"}


@subscribe(ThresholdCrossed)
def tell_the_customer(session: Session, event: ThresholdCrossed) -> None:
    """An e-mail to the customer (through the outbox) when it has an address."""
    if event.play is not None and event.threshold.endswith(":exhausted"):
        return  # the play's level: the percentage levels tell the customer
    customer = session.get(Customer, event.customer_id)
    if customer is None or not customer.email:
        return
    service = session.get(Service, event.service_id)
    name = service.service_name if service else f"service {event.service_id}"
    facts = describe(event) | {
        "customer_name": customer.customer_name,
        "service_name": name,
        "unit": UNITS.get(event.balance_type, ""),
    }
    queue_email(
        session,
        to=customer.email,
        template="charging_threshold",
        context=facts,
        customer_id=customer.customer_id,
    )
    if customer.phone:
        queue_sms(
            session,
            to=customer.phone,
            template="charging_threshold",
            context=facts,
            customer_id=customer.customer_id,
        )
