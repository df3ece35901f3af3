"""Service business rules: creation at sale, the status machine, plan changes, termination, the
provisioning seam. Plain functions over a Session: they flush, never commit.

Statuses::

    pending ──> provisioning ──> active <──> suspended ──> terminated
       │          │  ^           └─────────────────────────┘
       └──> failed <─┘  └── failed (a retried activation job)
            (pending and failed may also be terminated: nothing was activated)

Every change goes through :func:`change_service_status`, which locks the row, checks
:data:`TRANSITIONS` (409 ``invalid_transition`` naming from/to otherwise) and writes a
``service_status_history`` row. Bundle children follow their parent. The one exception is the
sale (:func:`open_service`): a sold service is inserted at its first resting status with the
history rows of every step of :data:`SALE_PATHS`, which tests check against the transitions.

A plan change (:func:`change_plan`) is not a status change: it writes no history row. The service
row's before/after (product, prices, snapshot) is in the activity log, with a ``change_plan`` row
naming the reason, and :class:`~omnicrm.services.events.ServicePlanChanged` tells billing and
charging.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, Table, insert, or_, select
from sqlalchemy.orm import Session, lazyload, selectinload

from omnicrm.activity.recorder import queue_change
from omnicrm.catalog import use_cases as catalog
from omnicrm.catalog.models import Product, ProductCategory
from omnicrm.core.context import current_principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.core.fields import storable_id
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers.models import Customer
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import Inventory, ItemState
from omnicrm.services.errors import PlanChangeRefused
from omnicrm.services.events import (
    ServicePlanChanged,
    ServiceResumed,
    ServiceStatusChanged,
    ServiceSuspended,
    ServiceTerminated,
)
from omnicrm.services.models import Service, ServiceStatus, ServiceStatusHistory

S = ServiceStatus
TRANSITIONS: dict[ServiceStatus, frozenset[ServiceStatus]] = {
    S.pending: frozenset({S.provisioning, S.failed, S.terminated}),
    S.provisioning: frozenset({S.active, S.failed}),
    S.active: frozenset({S.suspended, S.terminated}),
    S.suspended: frozenset({S.active, S.terminated}),
    S.failed: frozenset({S.provisioning, S.terminated}),  # a retried activation
    S.terminated: frozenset(),
}

SORT_COLUMNS: dict[str, Any] = {
    "service_id": Service.service_id,
    "service_name": Service.service_name,
    "service_status": Service.service_status,
    "created_at": Service.created_at,
    "updated_at": Service.updated_at,
}


# The customer's, product's and site's names beside their ids, one query each for a whole
# list, without their own eager relationships (tags, bundle items).
NAMES = (
    selectinload(Service.customer).lazyload("*"),
    selectinload(Service.product).lazyload("*"),
    selectinload(Service.site).lazyload("*"),
)


def get_service(session: Session, *, service_id: int) -> Service:
    service = session.get(Service, service_id) if storable_id(service_id) else None
    if service is None:
        raise NotFound(f"service {service_id} not found")
    return service


def get_service_detail(session: Session, *, service_id: int) -> Service:
    """One service with its customer's, product's and site's names loaded."""
    service = session.get(Service, service_id, options=NAMES) if storable_id(service_id) else None
    if service is None:
        raise NotFound(f"service {service_id} not found")
    return service


def services_query(
    *,
    customer_id: int | None = None,
    product_id: int | None = None,
    service_status: list[str] | None = None,
    q: str | None = None,
    sort: str = "-created_at",
    default_region: str = inventory.DEFAULT_REGION,
) -> Select[Any]:
    """Services matching every filter; ``q`` searches the name, the charging id (service_uuid)
    and the serials of the bound inventory (an MSISDN in any format finds its service)."""
    stmt = select(Service).options(*NAMES)
    if customer_id is not None:
        stmt = stmt.where(Service.customer_id == customer_id)
    if product_id is not None:
        stmt = stmt.where(Service.product_id == product_id)
    if service_status:
        stmt = stmt.where(Service.service_status.in_([S(s) for s in service_status]))
    if q and q.strip():
        term = q.strip()
        pattern = like_pattern(term)
        bound = (
            inventory.items_query(q=term, default_region=default_region)
            .with_only_columns(Inventory.service_id)
            .where(Inventory.service_id.is_not(None))
            .order_by(None)
        )
        stmt = stmt.where(
            or_(
                Service.service_name.ilike(pattern, escape="\\"),
                Service.service_uuid.ilike(pattern, escape="\\"),
                Service.service_id.in_(bound),
            )
        )
    return stmt.order_by(*order_by(sort, SORT_COLUMNS, Service.service_id))


def _record(
    session: Session, service: Service, source: ServiceStatus | None, reason: str | None
) -> None:
    principal = current_principal.get()
    session.add(
        ServiceStatusHistory(
            service_id=service.service_id,
            from_status=source.value if source is not None else None,
            to_status=service.service_status.value,
            reason=reason,
            user_id=principal.user_id if principal is not None else None,
        )
    )


# How a sold service reaches the status it is created in, as change_service_status would have
# recorded each step (tests check every step against TRANSITIONS).
_PROVISIONING_PATH: tuple[tuple[ServiceStatus | None, ServiceStatus, str], ...] = (
    (None, S.pending, "sold"),
    (S.pending, S.provisioning, "sent to provisioning"),
)
ACTIVATED_DIRECTLY = "no provisioning play: activated directly"
SALE_PATHS: dict[ServiceStatus, tuple[tuple[ServiceStatus | None, ServiceStatus, str], ...]] = {
    S.provisioning: _PROVISIONING_PATH,
    S.active: (*_PROVISIONING_PATH, (S.provisioning, S.active, ACTIVATED_DIRECTLY)),
}
_SERVICE = cast(Table, Service.__table__)
_STATUS_HISTORY = cast(Table, ServiceStatusHistory.__table__)


def open_service(
    session: Session,
    *,
    customer_id: int,
    product: Product,
    children: Sequence[Product] = (),
    service_name: str | None = None,
    site_id: int | None = None,
    status: ServiceStatus = S.provisioning,
) -> int:
    """Create the service sold with ``product`` (and one child service per bundle child),
    already at ``status``: ``provisioning`` when a job will activate it, ``active`` when nothing
    has to run. Returns the parent's ``service_id``.

    Prices and the price snapshot are copied now, each service gets a fresh charging id, and the
    history shows every step of :data:`SALE_PATHS` as :func:`change_service_status` writes it.
    Core statements (one INSERT per service, one for the history), the GetSim hot path; the
    caller has checked the product is sellable to the customer.
    """
    path = SALE_PATHS[status]
    now = utcnow()
    parent_id = _insert_service(
        session, customer_id, product, service_name, site_id, None, status, now
    )
    ids = [parent_id]
    ids += [
        _insert_service(session, customer_id, child, None, site_id, parent_id, status, now)
        for child in children
    ]
    principal = current_principal.get()
    user_id = principal.user_id if principal is not None else None
    session.execute(
        insert(_STATUS_HISTORY),
        [
            {
                "service_id": service_id,
                "from_status": source.value if source is not None else None,
                "to_status": target.value,
                "reason": reason,
                "user_id": user_id,
                "created_at": now,
            }
            for service_id in ids
            for source, target, reason in path
        ],
    )
    return parent_id


def _plan_values(product: Product) -> dict[str, Any]:
    """What a service takes from its product, at sale and at a plan change: the product, its
    prices and the snapshot billing reads (later product edits never change them)."""
    return {
        "product_id": product.product_id,
        "wholesale_cost": product.wholesale_cost,
        "retail_cost": product.retail_cost,
        "price_snapshot": catalog.price_snapshot_json(product),
    }


def _insert_service(
    session: Session,
    customer_id: int,
    product: Product,
    service_name: str | None,
    site_id: int | None,
    parent_id: int | None,
    status: ServiceStatus,
    now: datetime,
) -> int:
    values: dict[str, Any] = {
        "customer_id": customer_id,
        **_plan_values(product),
        "site_id": site_id,
        "service_name": (service_name or product.product_name)[:200],
        "service_uuid": uuid.uuid4().hex,
        "service_status": status,
        "service_billed": True,
        "bundled_parent_id": parent_id,
        "start_date": now if status == S.active else None,
        "created_at": now,
        "updated_at": now,
    }
    service_id = session.execute(
        insert(_SERVICE).values(values).returning(_SERVICE.c.service_id)
    ).scalar_one()
    queue_change(
        session,
        Service,
        action="create",
        object_id=service_id,
        customer_id=customer_id,
        before=None,
        after={"service_id": service_id, **values},
    )
    return int(service_id)


def children_of(session: Session, service_id: int) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.bundled_parent_id == service_id)
            .order_by(Service.service_id)
        )
    )


def _lock(session: Session, service_id: int) -> Service:
    service = session.scalar(
        select(Service)
        .where(Service.service_id == service_id)
        .options(lazyload("*"))  # a status change needs none of the relationships
        .with_for_update(of=Service)
        .execution_options(populate_existing=True)
    )
    if service is None:
        raise NotFound(f"service {service_id} not found")
    return service


def change_service_status(
    session: Session,
    *,
    service_id: int,
    to_status: ServiceStatus | str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Service:
    """Move one service (not its children) to ``to_status`` and record it: the only way a
    service's status changes."""
    target = S(to_status)
    service = _lock(session, service_id)
    source = service.service_status
    InvalidTransition.check(f"service {service_id}", source, target, TRANSITIONS)
    moment = now or utcnow()
    service.service_status = target
    if target == S.active and service.start_date is None:
        service.start_date = moment
    if target == S.terminated:
        service.end_date = moment
    session.flush()
    _record(session, service, source, reason)
    session.flush()
    publish(
        session,
        ServiceStatusChanged(
            service_id=service.service_id,
            from_status=source,
            to_status=target,
            bundled_parent_id=service.bundled_parent_id,
        ),
    )
    return service


def _cascade(session: Session, parent: Service, target: ServiceStatus, reason: str | None) -> None:
    for child in children_of(session, parent.service_id):
        if target in TRANSITIONS[child.service_status]:
            change_service_status(
                session, service_id=child.service_id, to_status=target, reason=reason
            )


def suspend_service(session: Session, *, service_id: int, reason: str) -> Service:
    """active -> suspended (bundle children too)."""
    service = change_service_status(
        session, service_id=service_id, to_status=S.suspended, reason=reason
    )
    _cascade(session, service, S.suspended, reason)
    publish(session, ServiceSuspended(service_id=service.service_id))
    return service


def resume_service(session: Session, *, service_id: int, reason: str) -> Service:
    """suspended -> active (bundle children too)."""
    service = change_service_status(
        session, service_id=service_id, to_status=S.active, reason=reason
    )
    _cascade(session, service, S.active, reason)
    publish(session, ServiceResumed(service_id=service.service_id))
    return service


def terminate_service(session: Session, *, service_id: int, reason: str) -> Service:
    """-> terminated: bundle children first, then the service; every item bound to them goes
    back to stock through inventory's ``return_item`` (numbers into quarantine)."""
    service = get_service(session, service_id=service_id)
    if S.terminated not in TRANSITIONS[service.service_status]:
        change_service_status(  # raises the 409 naming from/to
            session, service_id=service_id, to_status=S.terminated, reason=reason
        )
    for child in children_of(session, service_id):
        if child.service_status != S.terminated:
            terminate_service(session, service_id=child.service_id, reason=reason)
    was_live = service.service_status in (S.active, S.suspended)
    service = change_service_status(
        session, service_id=service_id, to_status=S.terminated, reason=reason
    )
    # Before the items go back: a handler (provisioning's play) needs the SIM and number.
    publish(
        session,
        ServiceTerminated(
            service_id=service_id,
            was_live=was_live,
            bundled_parent_id=service.bundled_parent_id,
        ),
    )
    return_inventory(session, service_id=service_id, reason=reason)
    return service


def return_inventory(session: Session, *, service_id: int, reason: str | None = None) -> int:
    """Return (assigned) or release (reserved) every item bound to the service; how many."""
    items = session.scalars(inventory.items_query(service_id=service_id)).all()
    for item in items:
        if item.item_state == ItemState.assigned:
            inventory.return_item(session, inventory_id=item.inventory_id, reason=reason)
        elif item.item_state == ItemState.reserved:
            inventory.change_state(
                session, inventory_id=item.inventory_id, to_state=ItemState.new, reason=reason
            )
    session.expire(get_service(session, service_id=service_id), ["inventory"])
    return len(items)


LIVE = (S.active, S.suspended)


def change_plan(
    session: Session,
    *,
    service_id: int,
    product_id: int,
    reason: str | None,
    now: datetime | None = None,
) -> Service:
    """Move a live (active or suspended) service to another standalone product: its prices and
    price snapshot become the new product's, and :class:`ServicePlanChanged` (old and new
    prices and tax, at ``now``) lets billing prorate the period and charging follow the plan.

    404: no such service. 409 ``plan_change_refused``: the service is not live, or is part of a
    bundle; ``product_disabled`` / ``product_not_eligible`` (the customer's payment type). 422 on
    ``product_id``: no such product, not a standalone product, the service's own product, or
    another currency.
    """
    service = _lock(session, service_id)
    if service.service_status not in LIVE:
        raise PlanChangeRefused(
            f"service {service_id} is {service.service_status.value}: only an active or "
            "suspended service changes plan",
            extra={"service_status": service.service_status.value},
        )
    if service.bundled_parent_id is not None or children_of(session, service_id):
        raise PlanChangeRefused(
            f"service {service_id} is part of a bundle: its plan changes with the bundle's"
        )
    old = catalog.get_product(session, product_id=service.product_id)
    new = _plan_target(session, service, old, product_id)
    # The service's prices as sold (its snapshot), not the old product as edited since.
    from_retail, from_wholesale = service.retail_cost, service.wholesale_cost
    sold_tax = (service.price_snapshot or {}).get("tax_percentage")
    from_tax = Decimal(str(sold_tax)) if sold_tax is not None else old.tax_percentage
    for key, value in _plan_values(new).items():
        setattr(service, key, value)
    session.flush()  # the service row's before/after goes to the activity log
    queue_change(
        session,
        Service,
        action="change_plan",
        object_id=service_id,
        customer_id=service.customer_id,
        before={"product_id": old.product_id},
        after={"product_id": new.product_id, "reason": reason},
    )
    publish(
        session,
        ServicePlanChanged(
            service_id=service_id,
            customer_id=service.customer_id,
            from_product_id=old.product_id,
            to_product_id=new.product_id,
            from_retail_cost=from_retail,
            to_retail_cost=new.retail_cost,
            from_wholesale_cost=from_wholesale,
            to_wholesale_cost=new.wholesale_cost,
            from_tax_percentage=from_tax,
            to_tax_percentage=new.tax_percentage,
            at=now or utcnow(),
        ),
    )
    return service


def _plan_target(session: Session, service: Service, old: Product, product_id: int) -> Product:
    """The product ``service`` may move to (the 422s and 409s of :func:`change_plan`)."""
    try:
        new = catalog.get_product(session, product_id=product_id)
    except NotFound:
        raise ValidationFailed.field("product_id", f"product {product_id} does not exist") from None
    if new.category != ProductCategory.standalone:
        raise ValidationFailed.field(
            "product_id",
            f"product {product_id} is a {new.category.value}: a plan changes to a standalone "
            "product",
        )
    if new.product_id == service.product_id:
        raise ValidationFailed.field("product_id", "is the service's product already")
    currency = (service.price_snapshot or {}).get("currency", old.currency)
    if new.currency != currency:
        raise ValidationFailed.field(
            "product_id",
            f"product {product_id} is priced in {new.currency}, the service in {currency}",
        )
    payment_type = session.scalar(
        select(Customer.customer_payment_type).where(Customer.customer_id == service.customer_id)
    )
    assert payment_type is not None  # a foreign key
    return catalog.get_sellable_product(  # 409 product_disabled, product_not_eligible
        session, product_id=product_id, customer_payment_type=payment_type.value
    )


def status_history(session: Session, *, service_id: int) -> list[ServiceStatusHistory]:
    return list(
        session.scalars(
            select(ServiceStatusHistory)
            .where(ServiceStatusHistory.service_id == service_id)
            .order_by(ServiceStatusHistory.service_status_history_id)
        )
    )
