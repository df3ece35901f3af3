"""How billing follows the domains below it (registered by omnicrm/wiring.py): a sale's setup
fee, an add-on, a service going live, suspended, resumed, re-planned or terminated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.billing import use_cases as uc
from omnicrm.billing.models import TransactionKind
from omnicrm.catalog.models import BillingPeriod, Product
from omnicrm.charging.backends import Charging
from omnicrm.charging.events import AddonSold
from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
from omnicrm.contracts.events import ContractCreated
from omnicrm.core.events import subscribe
from omnicrm.extensions import get_settings
from omnicrm.services.events import ServicePlanChanged, ServiceStatusChanged
from omnicrm.services.models import Service, ServiceStatus

S = ServiceStatus
FIRST_LIVE_FROM = (S.pending, S.provisioning)


def _suspended_billed() -> bool:
    return get_settings().billing_suspended_policy == "bill"


@subscribe(ContractCreated)
def bill_setup_fee(session: Session, event: ContractCreated) -> None:
    """The sale's setup fee becomes a transaction (once: ``setup:<charge id>``), written in one
    statement: the sale's path is kept short (its activity row records the sale)."""
    if event.setup_amount <= 0:
        return
    tariff = uc.Tariff(
        service_id=event.service_id,
        customer_id=event.customer_id,
        name=event.product_name,
        currency=event.currency,
        period=BillingPeriod.one_off,
        price=event.setup_amount,
        wholesale=Decimal(0),
        tax=event.tax_percentage,
    )
    row = uc.line(
        tariff,
        kind=TransactionKind.setup,
        description=f"Setup fee: {event.product_name} ({event.contract_number})",
        net=event.setup_amount,
        source=f"setup:{event.setup_charge_id}",
    )
    uc.insert_lines(session, [{**row, "contract_id": event.contract_id}])


@subscribe(AddonSold)
def bill_addon(session: Session, event: AddonSold) -> None:
    """An add-on's price as a transaction. Prepaid: paid from the balance already (recorded,
    never invoiced). Postpaid: owed on the next invoice, so the money the sale took from the
    balance goes back to it (a movement of its own): the customer pays it once, by invoice."""
    if event.price <= 0:
        return
    addon = session.get(Product, event.addon_product_id)
    service = session.get(Service, event.service_id)
    assert addon is not None and service is not None
    uc.record(
        session,
        customer_id=service.customer_id,
        service_id=service.service_id,
        kind=TransactionKind.addon,
        description=f"Add-on: {addon.product_name} on {service.service_name}",
        net=event.price,
        tax_percentage=addon.tax_percentage,
        currency=addon.currency,
        paid_from_balance=event.prepaid,
        source=f"addon:{event.reference}"[:160] if event.reference else None,
    )
    if not event.prepaid and event.account:
        Charging.configured(session).add(
            event.account,
            BalanceSpec(BalanceType.monetary, event.price),
            cause=Cause.adjustment,
            reference=f"{event.reference}: billed on the invoice"[:200],
        )


@subscribe(ServiceStatusChanged)
def follow_service(session: Session, event: ServiceStatusChanged) -> None:
    """Live for the first time: billable from today. Suspended (policy "skip"): credited from
    today. Resumed: billable again from today. Terminated: credited (or charged) to today."""
    day = uc.today()
    source, target = event.from_status, event.to_status
    skip_suspended = not _suspended_billed()
    if target == S.active and source in FIRST_LIVE_FROM:
        service = session.get(Service, event.service_id)
        assert service is not None
        uc.open_cursor(session, service, day=day)
    elif target == S.suspended and skip_suspended:
        _settle(session, event.service_id, day, "Suspension credit")
    elif target == S.active and source == S.suspended and skip_suspended:
        uc.resume_from(session, event.service_id, day=day)
    elif target == S.terminated and (source == S.active or not skip_suspended):
        _settle(session, event.service_id, day, "Termination credit")


def _settle(session: Session, service_id: int, day: date, what: str) -> None:
    service = session.get(Service, service_id)
    assert service is not None
    uc.settle_to(session, uc.Tariff.of(service), day=day, what_credit=what)


@subscribe(ServicePlanChanged)
def follow_plan_change(session: Session, event: ServicePlanChanged) -> None:
    service = session.get(Service, event.service_id)
    assert service is not None
    if service.service_status == S.suspended and not _suspended_billed():
        return  # not billed while suspended: resumption bills the new plan from that day
    after = uc.Tariff.of(service)
    old_name = session.scalar(
        select(Product.product_name).where(Product.product_id == event.from_product_id)
    )
    before = after.with_prices(
        event.from_retail_cost,
        event.from_wholesale_cost,
        event.from_tax_percentage,
        name=old_name or after.name,
    )
    after = after.with_prices(
        event.to_retail_cost, event.to_wholesale_cost, event.to_tax_percentage
    )
    uc.change_plan(session, before, after, day=event.at.date())
