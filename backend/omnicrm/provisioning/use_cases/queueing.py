"""Queueing jobs: by hand, for a sale's activation, for a service's follow-up, and the OCS's
simple provisioning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.catalog import use_cases as catalog
from omnicrm.catalog.models import Product
from omnicrm.core.context import current_principal
from omnicrm.core.errors import ValidationFailed
from omnicrm.core.events import publish
from omnicrm.core.idempotency import IdempotencyMismatch, request_fingerprint
from omnicrm.customers import use_cases as customers
from omnicrm.customers.models import Customer
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import Inventory
from omnicrm.plays import declared_vars
from omnicrm.provisioning.errors import PlaybookMissing
from omnicrm.provisioning.events import JobQueued, JobStatusChanged
from omnicrm.provisioning.models import (
    Provision,
    ProvisionAction,
)
from omnicrm.provisioning.use_cases.config import P, PlayConfig
from omnicrm.provisioning.use_cases.plays import (
    check_extra_vars,
    count_tasks,
    play_for,
    play_vars,
    product_vars_for,
)
from omnicrm.services import use_cases as services
from omnicrm.services.models import Service


def queue_job(
    session: Session,
    *,
    config: PlayConfig,
    action: ProvisionAction,
    play: str,
    customer: Customer,
    product: Product | None,
    service: Service | None,
    items: list[Inventory] | None = None,
    parent: Service | None = None,
    extra: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> Provision:
    """Create a queued job and send it to the workers once the unit of work commits.

    ``extra`` (a caller's variables) must be declared by the play: 422 otherwise, and nothing
    is written. The job's activity log gets a ``queue`` row with the caller's and the product's
    variables (secrets masked)."""
    if not config.has_play(play):
        raise PlaybookMissing(
            f"no playbook named {play!r} in the Ansible directory", extra={"play": play}
        )
    extra = dict(extra or {})
    check_extra_vars(config, play, extra)
    items = items or []
    principal = current_principal.get()
    if principal is None:
        initiator = "system"
    elif principal.api_key_id is not None:
        initiator = f"api-key:{principal.api_key_id}"
    else:
        initiator = f"user:{principal.user_id}"
    job = Provision(
        product_id=product.product_id if product else None,
        customer_id=customer.customer_id,
        service_id=service.service_id if service else None,
        action=action.value,
        provisioning_play=play,
        provisioning_json_vars={},
        inventory_ids=[i.inventory_id for i in items],
        provisioning_status=int(P.queued),
        task_count=count_tasks(config.playbook(play)),
        max_retries=config.max_retries,
        initiated_by_user_id=principal.user_id if principal else None,
        initiated_by=initiator,
        idempotency_key=idempotency_key,
        request_hash=request_hash if idempotency_key else None,
    )
    session.add(job)
    session.flush()
    job.provisioning_json_vars = play_vars(
        session,
        config=config,
        play=play,
        customer=customer,
        product=product,
        service=service,
        items=items,
        parent=parent,
        extra=extra,
    )
    job.provisioning_json_vars["omnicrm"]["provision_id"] = job.provision_id
    session.flush()
    _record_vars(session, job, config=config, extra=extra, product=product)
    dispatch_after_commit(session, job)
    return job


def _record_vars(
    session: Session,
    job: Provision,
    *,
    config: PlayConfig,
    extra: Mapping[str, Any],
    product: Product | None,
) -> None:
    """The job's ``queue`` activity row: which play, and the variables from outside the engine
    (the caller's ``extra_vars`` and the product's), declared secrets masked."""
    from omnicrm.activity.recorder import queue_change

    declaration = declared_vars.declaration_for(config.ansible_dir, job.provisioning_play)
    queue_change(
        session,
        Provision,
        action="queue",
        object_id=job.provision_id,
        customer_id=job.customer_id,
        before=None,
        after={
            "provisioning_play": job.provisioning_play,
            "action": job.action,
            "initiated_by": job.initiated_by,
            "extra_vars": declaration.masked(extra),
            "product_vars": declaration.masked(
                product_vars_for(config, job.provisioning_play, product)
            ),
        },
    )


def dispatch_after_commit(session: Session, job: Provision, delay_ms: int = 0) -> None:
    """The job goes to the workers, and its status to live clients, once this commits
    (provisioning/handlers.py)."""
    publish(session, JobQueued(provision_id=job.provision_id, delay_ms=delay_ms))
    publish_status_after_commit(session, status_payload(job))


def status_payload(job: Provision) -> dict[str, Any]:
    return {
        "provision_id": job.provision_id,
        "provisioning_status": job.provisioning_status,
        "status_label": job.status.label,
        "service_id": job.service_id,
        "customer_id": job.customer_id,
        "provisioning_play": job.provisioning_play,
        "action": job.action,
        "attempts": job.attempts,
        "retries": job.retries,
        "tasks_done": job.tasks_done,
        "task_count": job.task_count,
        "error": job.error,
    }


def publish_status_after_commit(session: Session, payload: dict[str, Any]) -> None:
    publish(session, JobStatusChanged(payload=payload))


def active_items(session: Session, service_id: int) -> list[Inventory]:
    return list(session.scalars(inventory.items_query(service_id=service_id)))


def activation_play(product: Product, *, config: PlayConfig) -> str | None:
    """The play that activates a sale of ``product``, or None (the sale activates at once)."""
    return play_for(product, ProvisionAction.activate, config)


def start_activation(
    session: Session, *, service: Service, product: Product, config: PlayConfig
) -> Provision | None:
    """Queue the activation play of a pending service (the GetSim hand-off); None when the
    product has no play (the caller activates directly)."""
    play = play_for(product, ProvisionAction.activate, config)
    if play is None:
        return None
    customer = session.get(Customer, service.customer_id)
    assert customer is not None
    return queue_job(
        session,
        config=config,
        action=ProvisionAction.activate,
        play=play,
        customer=customer,
        product=product,
        service=service,
        items=active_items(session, service.service_id),
    )


def follow_up(
    session: Session, *, service: Service, action: ProvisionAction, config: PlayConfig
) -> Provision | None:
    """Queue the play that applies a service status change to the network (suspend, resume,
    deprovision), when the product's family has one."""
    product = catalog.get_product(session, product_id=service.product_id)
    play = play_for(product, action, config)
    if play is None:
        return None
    customer = session.get(Customer, service.customer_id)
    assert customer is not None
    return queue_job(
        session,
        config=config,
        action=action,
        play=play,
        customer=customer,
        product=product,
        service=service,
        items=active_items(session, service.service_id),
    )


def apply_addon(
    session: Session, *, service: Service, addon: Product, config: PlayConfig
) -> Provision | None:
    """Queue the play that applies an add-on sold onto ``service`` to the network, when the
    add-on has one. Its balances are already in the charging backend (the sale added them):
    ``charged`` tells the play to leave CGRateS alone."""
    play = play_for(addon, ProvisionAction.activate, config)
    if play is None:
        return None
    customer = session.get(Customer, service.customer_id)
    assert customer is not None
    extra = (
        {"charged": True}
        if "charged" in declared_vars.declaration_for(config.ansible_dir, play).variables
        else None
    )
    return queue_job(
        session,
        config=config,
        action=ProvisionAction.addon,
        play=play,
        customer=customer,
        product=addon,
        service=service,
        parent=service,
        items=active_items(session, service.service_id),
        extra=extra,
    )


def create_provision(
    session: Session,
    *,
    customer_id: int,
    product_id: int,
    service_id: int | None = None,
    inventory_ids: list[int] | None = None,
    play: str | None = None,
    extra_vars: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    config: PlayConfig,
) -> Provision:
    """``POST /crm/provision/``: run a product's play for a customer (and service) by hand.

    An add-on product (category ``addon``) with a ``service_id`` applies to that service. The
    job changes no statuses: it is the network side only (the API's manual provisioning).
    """
    body = {
        "customer_id": customer_id,
        "product_id": product_id,
        "service_id": service_id,
        "inventory_ids": inventory_ids,
        "play": play,
        "extra_vars": extra_vars,
    }
    fingerprint = request_fingerprint(body)
    if idempotency_key is not None:
        existing = session.scalar(
            select(Provision).where(Provision.idempotency_key == idempotency_key)
        )
        if existing is not None:
            if existing.request_hash != fingerprint:
                raise IdempotencyMismatch(
                    "this Idempotency-Key was used with a different request body",
                    extra={"provision_id": existing.provision_id},
                )
            return existing
    customer = customers.get_customer(session, customer_id=customer_id)
    product = catalog.get_product(session, product_id=product_id)
    service = None
    parent = None
    items: list[Inventory] = []
    if service_id is not None:
        service = services.get_service(session, service_id=service_id)
        if service.customer_id != customer_id:
            raise ValidationFailed.field("service_id", "belongs to another customer")
        items = active_items(session, service.service_id)
    for inventory_id in inventory_ids or []:
        item = inventory.get_item(session, inventory_id=inventory_id)
        if item.customer_id not in (None, customer_id):
            raise ValidationFailed.field(
                "inventory_ids", f"item {inventory_id} belongs to another customer"
            )
        items.append(item)
    action = ProvisionAction.simple
    if product.category.value == "addon" and service is not None:
        action, parent = ProvisionAction.addon, service
    chosen = play or play_for(product, ProvisionAction.activate, config)
    if chosen is None:
        raise ValidationFailed.field("play", f"product {product_id} has no provisioning play")
    return queue_job(
        session,
        config=config,
        action=action,
        play=chosen,
        customer=customer,
        product=product,
        service=service,
        parent=parent,
        items=items,
        extra=extra_vars,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
    )


def trigger_play(
    session: Session,
    *,
    service_id: int,
    play: str,
    extra_vars: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    config: PlayConfig,
) -> Provision:
    """Simple provisioning: an external system (the OCS) runs a named play for a service, e.g.
    on balance exhaustion. Changes no statuses."""
    service = services.get_service(session, service_id=service_id)
    return create_provision(
        session,
        customer_id=service.customer_id,
        product_id=service.product_id,
        service_id=service_id,
        play=play,
        extra_vars=extra_vars,
        idempotency_key=idempotency_key,
        config=config,
    )
