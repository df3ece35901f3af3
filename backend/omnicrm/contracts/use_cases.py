"""Contract business rules: the GetSim sale, the status machine, the document's data.

Plain functions over a Session: they flush, never commit. ``create_contract`` is the report's
GetSim flow in one unit of work: customer Open? product sellable to them? reserve the SIM,
number (and whatever else ``inventory_items_list`` names), create the service (and one child
service per bundle child), bind the items, write the contract and its setup charge, and queue
the activation play when the product has one. Any failure rolls the whole unit back, so a
refused sale leaves nothing behind. It is the hot path (>= 100 sales/s is the target), so it
writes with a few Core statements and records the same history and activity rows the status
machines would.

Statuses::

    draft <──> accepted ──> active <──> suspended
      └───────────┴────────────┴────────────┴──> closed

A sale with an activation play is accepted at once and activated when its job succeeds (a
product without one is active at once); if the job fails for good the contract goes back to
draft (its SIM and number were released) until the job is retried.

A contract follows its service (:func:`follow_service`): activation makes it active, a
suspension suspends it, termination closes it. Contract actions drive the service.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defaultload, lazyload

from omnicrm.activity.recorder import queue_change
from omnicrm.catalog import use_cases as catalog
from omnicrm.catalog.models import Product
from omnicrm.contracts.errors import CustomerNotOpen, IdempotencyInFlight, IdempotencyMismatch
from omnicrm.contracts.events import ContractCreated, ContractStatusChanged
from omnicrm.contracts.models import Contract, ContractCharge, ContractStatus
from omnicrm.core.context import current_principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.core.fields import storable_id
from omnicrm.core.money import round_money
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import use_cases as customers
from omnicrm.customers.models import CustomerStatus, Site
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import SerialKind
from omnicrm.provisioning import use_cases as provisioning
from omnicrm.services import use_cases as services
from omnicrm.services.models import Service, ServiceStatus

C = ContractStatus
TRANSITIONS: dict[ContractStatus, frozenset[ContractStatus]] = {
    C.draft: frozenset({C.accepted, C.closed}),
    C.accepted: frozenset({C.active, C.draft, C.closed}),  # draft: its activation failed
    C.active: frozenset({C.suspended, C.closed}),
    C.suspended: frozenset({C.active, C.closed}),
    C.closed: frozenset(),
}

SORT_COLUMNS: dict[str, Any] = {
    "contract_id": Contract.contract_id,
    "contract_number": Contract.contract_number,
    "contract_status": Contract.contract_status,
    "created_at": Contract.created_at,
}


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------
# A contract shows its service's id, charging id and status, never the service's item list.
_DETAIL = (defaultload(Contract.service).lazyload(Service.inventory),)


def get_contract(session: Session, *, contract_id: int) -> Contract:
    contract = (
        session.get(Contract, contract_id, options=_DETAIL) if storable_id(contract_id) else None
    )
    if contract is None:
        raise NotFound(f"contract {contract_id} not found")
    return contract


def contracts_query(
    *,
    customer_id: int | None = None,
    product_id: int | None = None,
    contract_status: list[str] | None = None,
    q: str | None = None,
    sort: str = "-created_at",
) -> Select[Any]:
    """Contracts matching every filter; ``q`` searches the contract number."""
    stmt = select(Contract)
    if customer_id is not None:
        stmt = stmt.where(Contract.customer_id == customer_id)
    if product_id is not None:
        stmt = stmt.where(Contract.product_id == product_id)
    if contract_status:
        stmt = stmt.where(Contract.contract_status.in_([C(s) for s in contract_status]))
    if q and q.strip():
        stmt = stmt.where(Contract.contract_number.ilike(like_pattern(q.strip()), escape="\\"))
    return stmt.order_by(*order_by(sort, SORT_COLUMNS, Contract.contract_id))


# ---------------------------------------------------------------------------------------------
# GetSim
# ---------------------------------------------------------------------------------------------
def contract_number(contract_id: int, created_at: datetime) -> str:
    return f"C-{created_at.year}-{contract_id:06d}"


def _replay(session: Session, key: str, fingerprint: str) -> Contract | None:
    existing = session.execute(
        select(Contract.contract_id, Contract.request_hash).where(Contract.idempotency_key == key)
    ).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise IdempotencyMismatch(
            "this Idempotency-Key was used with a different request body",
            extra={"contract_id": existing.contract_id},
        )
    return get_contract(session, contract_id=existing.contract_id)


def _open_customer(session: Session, customer_id: int) -> customers.Standing:
    """An Open customer's standing; 404 unknown, 409 ``customer_not_open``."""
    standing = customers.standing(session, customer_id=customer_id)
    if standing.status != CustomerStatus.open:
        raise CustomerNotOpen(
            f"customer {customer_id} is {standing.status.value}, not Open",
            extra={"customer_id": customer_id, "customer_status": standing.status.value},
        )
    return standing


def _wanted_items(
    session: Session,
    *,
    product: Product,
    sim_iccid: str | None,
    msisdn: str | None,
    default_region: str,
) -> list[inventory.Wanted]:
    """One entry per name in the product's ``inventory_items_list``; the given ICCID and MSISDN
    (normalised, 422 naming the field when invalid) go to the first SIM-card and phone-number
    entries, and a refusal of them names ``sim_iccid`` / ``msisdn``."""
    given: dict[SerialKind, str | None] = {SerialKind.iccid: sim_iccid, SerialKind.msisdn: msisdn}
    picks: list[inventory.Wanted] = []
    templates = inventory.templates_named(
        session, product.inventory_items_list, field_name="product_id"
    )
    for template in templates:
        serial = given.pop(template.serial_kind, None)
        if serial is None:
            picks.append(inventory.Wanted(template))
            continue
        field = _FIELDS[template.serial_kind]
        picks.append(
            inventory.Wanted(
                template, _valid_serial(template.serial_kind, serial, default_region), field
            )
        )
    for kind, field in _FIELDS.items():
        if given.get(kind) is not None:
            raise ValidationFailed.field(
                field, f"product {product.product_id} does not bind a {kind.value} item"
            )
    return picks


_FIELDS = {SerialKind.iccid: "sim_iccid", SerialKind.msisdn: "msisdn"}
_CONTRACT = cast(Table, Contract.__table__)
_CHARGE = cast(Table, ContractCharge.__table__)


def _valid_serial(kind: SerialKind, value: str, default_region: str) -> str:
    try:
        return inventory.normalise_serial(kind, value, default_region=default_region)
    except ValueError as exc:
        raise ValidationFailed.field(_FIELDS[kind], str(exc)) from None


def create_contract(
    session: Session,
    *,
    customer_id: int,
    product_id: int,
    sim_iccid: str | None = None,
    msisdn: str | None = None,
    site_id: int | None = None,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
    default_region: str = inventory.DEFAULT_REGION,
    play_config: provisioning.PlayConfig,
) -> Contract:
    """Sell ``product_id`` to ``customer_id`` (GetSim): one unit of work, all or nothing.

    409 ``customer_not_open``, ``product_disabled``, ``product_not_eligible``,
    ``inventory_unavailable`` (the SIM/number is taken, or none is free), 422 when the product
    is priced in another currency than the customer's, or the key was used with another body.
    With an ``idempotency_key`` already used for the same body, the first contract is returned
    as it is now.

    The hot path of the product, so its writes are Core statements, about fifteen in all (see
    docs/performance.md): the checks, one locked pick per item, the services and their history,
    the binding, the contract with its number and setup charge; activity rows go in the commit's
    one INSERT. A product with an activation play leaves the service ``provisioning``, the items
    reserved and the contract ``accepted`` until the job ends; without one, everything is
    active and assigned at once.
    """
    if idempotency_key is not None:
        replay = _replay(session, idempotency_key, request_hash or "")
        if replay is not None:
            return replay
    standing = _open_customer(session, customer_id)
    product = catalog.get_sellable_product(
        session, product_id=product_id, customer_payment_type=standing.payment_type.value
    )
    if product.currency != standing.currency:
        raise ValidationFailed.field(
            "product_id",
            f"priced in {product.currency}; customer {customer_id} is billed in "
            f"{standing.currency}",
        )
    if site_id is not None and customers.get_site(session, site_id=site_id).customer_id != (
        customer_id
    ):
        raise ValidationFailed.field("site_id", "belongs to another customer")
    wanted = _wanted_items(
        session, product=product, sim_iccid=sim_iccid, msisdn=msisdn, default_region=default_region
    )
    play = provisioning.activation_play(product, config=play_config)
    items = inventory.reserve_items(
        session, wanted=wanted, customer_id=customer_id, reason="contract sale"
    )
    sim = next((i for i in items if i.template.serial_kind == SerialKind.iccid), None)
    number = next((i for i in items if i.template.serial_kind == SerialKind.msisdn), None)
    service_id = services.open_service(
        session,
        customer_id=customer_id,
        product=product,
        children=[
            catalog.get_product(session, product_id=child_id)
            for child_id in product.bundle_children
        ],
        service_name=product.product_name
        if number is None
        else f"{product.product_name} {number.serial}",
        site_id=site_id,
        status=ServiceStatus.provisioning if play else ServiceStatus.active,
    )
    inventory.hand_to_service(
        session,
        items=items,
        customer_id=customer_id,
        service_id=service_id,
        assign=play is None,
        reason=services.ACTIVATED_DIRECTLY,
    )
    contract_id = _insert_contract(
        session,
        product=product,
        values={
            "customer_id": customer_id,
            "product_id": product.product_id,
            "service_id": service_id,
            "site_id": site_id,
            "sim_inventory_id": sim.inventory_id if sim is not None else None,
            "number_inventory_id": number.inventory_id if number is not None else None,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash if idempotency_key is not None else None,
        },
        active=play is None,
    )
    if play is not None:
        service = services.get_service(session, service_id=service_id)
        provisioning.start_activation(session, service=service, product=product, config=play_config)
    return get_contract(session, contract_id=contract_id)


def _insert_contract(
    session: Session, *, product: Product, values: dict[str, Any], active: bool
) -> int:
    """The contract (``active`` with its dates when its service is, else ``accepted``), its
    number and its setup charge; an index refusing it is a 409, nothing written."""
    principal = current_principal.get()
    now = utcnow()
    start = now.date() if active else None
    values = {
        **values,
        "contract_status": C.active if active else C.accepted,
        "term_months": product.contract_term_months,
        "start_date": start,
        "end_date": _end_date(start, product.contract_term_months),
        "price_snapshot": catalog.price_snapshot_json(product),
        "accepted_by_user_id": principal.user_id if principal is not None else None,
        "accepted_at": now,
        "created_at": now,
        "updated_at": now,
    }
    try:
        contract_id = session.execute(
            insert(_CONTRACT).values(values).returning(_CONTRACT.c.contract_id)
        ).scalar_one()
    except IntegrityError as exc:
        if "idempotency_key" in str(exc.orig):
            raise IdempotencyInFlight(
                "a request with this Idempotency-Key is already being processed"
            ) from None
        raise InventoryUnavailable(
            "the SIM or number is already bound to a live contract"
        ) from None
    number = contract_number(contract_id, now)
    session.execute(
        update(_CONTRACT)
        .where(_CONTRACT.c.contract_id == contract_id)
        .values(contract_number=number, updated_at=now)
    )
    setup = product.retail_setup_cost or Decimal(0)
    charge_id = session.execute(
        insert(_CHARGE)
        .values(
            contract_id=contract_id,
            kind="setup",
            amount=setup,
            currency=product.currency,
            tax_percentage=product.tax_percentage,
            tax_amount=round_money(setup * product.tax_percentage / 100),
            created_at=now,
        )
        .returning(_CHARGE.c.contract_charge_id)
    ).scalar_one()
    publish(
        session,
        ContractCreated(
            contract_id=int(contract_id),
            contract_number=number,
            customer_id=values["customer_id"],
            service_id=values["service_id"],
            product_name=product.product_name,
            setup_charge_id=int(charge_id),
            setup_amount=setup,
            currency=product.currency,
            tax_percentage=product.tax_percentage,
            active=active,
        ),
    )
    queue_change(
        session,
        Contract,
        action="create",
        object_id=contract_id,
        customer_id=values["customer_id"],
        before=None,
        after={"contract_id": contract_id, **values, "contract_number": number},
    )
    return int(contract_id)


# ---------------------------------------------------------------------------------------------
# Status machine
# ---------------------------------------------------------------------------------------------
def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _end_date(start: date | None, term_months: int) -> date | None:
    """When a contract of ``term_months`` (0: open-ended) started on ``start`` ends."""
    return _add_months(start, term_months) if start is not None and term_months else None


def _check(contract: Contract, target: ContractStatus) -> None:
    source = contract.contract_status
    InvalidTransition.check(f"contract {contract.contract_id}", source, target, TRANSITIONS)


def _set_status(session: Session, contract: Contract, target: ContractStatus) -> None:
    _check(contract, target)
    before = contract.contract_status
    now = utcnow()
    if target == C.active and contract.start_date is None:
        contract.start_date = now.date()
        contract.end_date = _end_date(contract.start_date, contract.term_months)
    if target == C.closed:
        contract.closed_at = now
    contract.contract_status = target
    publish(
        session,
        ContractStatusChanged(
            contract_id=contract.contract_id,
            customer_id=contract.customer_id,
            from_status=ContractStatus(before).value,
            to_status=target.value,
        ),
    )


# What a contract becomes when its service reaches a status, from which contract statuses.
_FOLLOW: dict[ServiceStatus, tuple[ContractStatus, frozenset[ContractStatus]]] = {
    # A failed activation released the SIM and number: the sale is back to a draft (not live,
    # so the items can be sold again); retrying the job accepts it again.
    ServiceStatus.failed: (C.draft, frozenset({C.accepted})),
    ServiceStatus.provisioning: (C.accepted, frozenset({C.draft})),
    ServiceStatus.active: (C.active, frozenset({C.accepted, C.suspended})),
    ServiceStatus.suspended: (C.suspended, frozenset({C.active})),
    ServiceStatus.terminated: (C.closed, frozenset({C.draft, C.accepted, C.active, C.suspended})),
}


def follow_service(session: Session, *, service: Service) -> None:
    """Bring the service's contract (if any) in line with the service's new status."""
    rule = _FOLLOW.get(service.service_status)
    if rule is None or service.bundled_parent_id is not None:
        return
    contract = session.scalar(
        select(Contract).where(Contract.service_id == service.service_id).options(lazyload("*"))
    )
    if contract is not None and contract.contract_status in rule[1]:
        _set_status(session, contract, rule[0])
        session.flush()


def suspend_contract(session: Session, *, contract_id: int, reason: str) -> Contract:
    """active -> suspended, with its service."""
    contract = get_contract(session, contract_id=contract_id)
    _check(contract, C.suspended)
    services.suspend_service(session, service_id=contract.service_id, reason=reason)
    return contract


def resume_contract(session: Session, *, contract_id: int, reason: str) -> Contract:
    """suspended -> active, with its service."""
    contract = get_contract(session, contract_id=contract_id)
    _check(contract, C.active)
    services.resume_service(session, service_id=contract.service_id, reason=reason)
    return contract


def close_contract(session: Session, *, contract_id: int, reason: str) -> Contract:
    """-> closed: the service is terminated and its SIM and number go back to stock."""
    contract = get_contract(session, contract_id=contract_id)
    _check(contract, C.closed)
    if contract.service.service_status == ServiceStatus.terminated:
        _set_status(session, contract, C.closed)
        session.flush()
    else:
        services.terminate_service(session, service_id=contract.service_id, reason=reason)
    session.expire(contract, ["sim", "number"])
    return contract


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------
def contract_document(session: Session, *, contract_id: int) -> dict[str, Any]:
    """Everything the contract PDF prints, from the contract and its sale-time snapshot."""
    contract = get_contract(session, contract_id=contract_id)
    customer = customers.get_customer(session, customer_id=contract.customer_id)
    site: Site | None = None
    if contract.site_id is not None:
        site = customers.get_site(session, site_id=contract.site_id)
    else:
        site = session.scalars(
            customers.sites_query(customer_id=contract.customer_id).limit(1)
        ).first()
    return {
        "contract": contract,
        "customer": customer,
        "site": site,
        "snapshot": contract.price_snapshot,
        "charges": list(contract.charges),
    }
