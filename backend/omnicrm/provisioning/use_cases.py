"""Provisioning business rules: queue a job, claim it in a worker, record its tasks, finish it.

Plain functions over a Session: they flush, never commit (the worker's runner commits each step
in a unit of work of its own, so every task result is durable and visible as it happens).

A job's life::

    queued ──claim──> running ──> success
      ^  │               │ └────> failed ── retry ──> queued
      │  └── cancel ──┐  │ └────> cancelled ─ retry ─┘
      └── transient failure / lapsed lease (retries left) ─┘

The worker holding a running job owns a *lease* it renews every third of
``provisioning_lease_seconds``. A worker that dies stops renewing; :func:`reap` (run by every
worker every few seconds) re-queues the job while retries are left, else fails it. A stale
worker that comes back finds it no longer owns the lease and writes nothing more.

What a job's end changes depends on its action: an *activation* that succeeds makes the
service (and its bundle children) active, assigns the SIM and number and activates the contract;
one that fails for good marks the service failed, releases the reserved items back to stock,
returns the contract to draft and notifies the failure list.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, lazyload

from omnicrm.catalog import use_cases as catalog
from omnicrm.catalog.models import Product
from omnicrm.core.context import current_principal
from omnicrm.core.db import after_commit, utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.fields import MAX_ID
from omnicrm.core.idempotency import request_fingerprint
from omnicrm.core.logging import get_logger
from omnicrm.core.query import order_by
from omnicrm.customers.models import Customer
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.errors import InventoryUnavailable
from omnicrm.inventory.models import Inventory, ItemState, SerialKind
from omnicrm.provisioning import declared_vars
from omnicrm.provisioning.declared_vars import ENGINE_VARS, PLAYS_KEY
from omnicrm.provisioning.errors import JobFinished, JobNotRetryable, PlaybookMissing
from omnicrm.provisioning.models import (
    FINAL,
    Provision,
    ProvisionAction,
    ProvisionEvent,
    ProvisionStatus,
)
from omnicrm.services.models import Service, ServiceStatus

P = ProvisionStatus

SORT_COLUMNS: dict[str, Any] = {
    "provision_id": Provision.provision_id,
    "provisioning_status": Provision.provisioning_status,
    "created_at": Provision.created_at,
    "started_at": Provision.started_at,
    "finished_at": Provision.finished_at,
}

log = get_logger("omnicrm.provisioning")


@dataclass(frozen=True)
class PlayConfig:
    """Where plays live and what every job gets (from Settings)."""

    ansible_dir: Path
    spool_dir: Path
    charging_backend: str = "none"
    cgrates_url: str = ""
    cgrates_tenant: str = "cgrates.org"
    max_retries: int = 3

    @classmethod
    def from_settings(cls, settings: Any) -> PlayConfig:
        return cls(
            ansible_dir=Path(settings.ansible_dir),
            spool_dir=Path(settings.spool_dir),
            charging_backend=settings.charging_backend,
            cgrates_url=settings.cgrates_url,
            cgrates_tenant=settings.cgrates_tenant,
            max_retries=settings.provisioning_max_retries,
        )

    def playbook(self, play: str) -> Path:
        return self.ansible_dir / f"{play}.yml"

    def has_play(self, play: str | None) -> bool:
        return declared_vars.has_play(self.ansible_dir, play)


def current_config() -> PlayConfig:
    from flask import current_app

    return PlayConfig.from_settings(current_app.extensions["omnicrm_settings"])


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------
def get_provision(session: Session, *, provision_id: int) -> Provision:
    job = session.get(Provision, provision_id) if 1 <= provision_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    return job


def provisions_query(
    *,
    provisioning_status: list[int] | None = None,
    customer_id: int | None = None,
    service_id: int | None = None,
    product_id: int | None = None,
    action: str | None = None,
    play: str | None = None,
    sort: str = "-provision_id",
) -> Select[Any]:
    stmt = select(Provision)
    if provisioning_status:
        stmt = stmt.where(Provision.provisioning_status.in_(provisioning_status))
    if customer_id is not None:
        stmt = stmt.where(Provision.customer_id == customer_id)
    if service_id is not None:
        stmt = stmt.where(Provision.service_id == service_id)
    if product_id is not None:
        stmt = stmt.where(Provision.product_id == product_id)
    if action is not None:
        stmt = stmt.where(Provision.action == action)
    if play is not None:
        stmt = stmt.where(Provision.provisioning_play == play)
    return stmt.order_by(*order_by(sort, SORT_COLUMNS, Provision.provision_id))


def events_of(session: Session, provision_id: int, *, after: int = 0) -> list[ProvisionEvent]:
    return list(
        session.scalars(
            select(ProvisionEvent)
            .where(ProvisionEvent.provision_id == provision_id)
            .where(ProvisionEvent.event_number > after)
            .order_by(ProvisionEvent.event_number)
        )
    )


def recent_events(session: Session, *, limit: int = 50) -> list[ProvisionEvent]:
    """The latest task results across all jobs, newest first (the dashboard's feed)."""
    return list(
        session.scalars(
            select(ProvisionEvent).order_by(ProvisionEvent.provision_event_id.desc()).limit(limit)
        )
    )


def dashboard(session: Session, *, hours: int = 24, now: datetime | None = None) -> dict[str, Any]:
    """Counts by status, and the success rate per hour over the last ``hours``."""
    moment = now or utcnow()
    counts = dict(
        session.execute(
            select(Provision.provisioning_status, func.count()).group_by(
                Provision.provisioning_status
            )
        ).all()
    )
    since = moment - timedelta(hours=hours)
    finished = session.execute(
        select(Provision.finished_at, Provision.provisioning_status).where(
            Provision.finished_at.is_not(None), Provision.finished_at >= since
        )
    ).all()
    buckets: dict[datetime, list[int]] = {}
    start = since.replace(minute=0, second=0, microsecond=0)
    for i in range(hours + 1):
        buckets[start + timedelta(hours=i)] = [0, 0]
    for finished_at, status in finished:
        if finished_at is None:
            continue
        slot = buckets.setdefault(finished_at.replace(minute=0, second=0, microsecond=0), [0, 0])
        slot[0 if status == P.success else 1] += 1
    series = [
        {
            "hour": hour,
            "succeeded": ok,
            "failed": bad,
            "success_rate": round(ok / (ok + bad), 4) if ok + bad else None,
        }
        for hour, (ok, bad) in sorted(buckets.items())
    ]
    return {
        "counts": {status.name: int(counts.get(int(status), 0)) for status in P},
        "series": series,
        "generated_at": moment,
    }


# ---------------------------------------------------------------------------------------------
# Queueing
# ---------------------------------------------------------------------------------------------
def play_for(product: Product, action: ProvisionAction, config: PlayConfig) -> str | None:
    """The play for ``action`` on a product: ``provisioning_play`` activates; other actions use
    the same family (``mobile_activate`` -> ``mobile_suspend``) when that playbook exists, or an
    explicit ``provisioning_json_vars["plays"][action]``."""
    return declared_vars.play_for_action(
        product.provisioning_play, product.provisioning_json_vars, action.value, config.has_play
    )


def count_tasks(playbook: Path) -> int:
    """How many task results a clean run of the playbook gives (block tasks, not rescue/always):
    the denominator of the progress bar. Loops and includes count once."""
    try:
        return _count_tasks(str(playbook), playbook.stat().st_mtime_ns)
    except OSError:
        return 0


@functools.lru_cache(maxsize=256)
def _count_tasks(path: str, _mtime_ns: int) -> int:  # cached per file version
    try:
        plays = yaml.safe_load(Path(path).read_text()) or []
    except (OSError, yaml.YAMLError):
        return 0

    def tasks(items: Any) -> int:
        total = 0
        for task in items or []:
            if not isinstance(task, dict):
                continue
            total += tasks(task["block"]) if "block" in task else 1
        return total

    return sum(
        tasks(play.get("pre_tasks")) + tasks(play.get("tasks")) + tasks(play.get("post_tasks"))
        for play in plays
        if isinstance(play, dict)
    )


def _item_vars(item: Inventory) -> dict[str, Any]:
    kind = item.template.serial_kind
    base: dict[str, Any] = {"inventory_id": item.inventory_id, "template": item.template.item}
    if kind == SerialKind.iccid:
        return {
            **base,
            "iccid": item.serial,
            "imsi": item.itemtext2,
            "puk1": item.itemtext3,
            "puk2": item.itemtext4,
            "ki_ref": item.itemtext5,
        }
    if kind == SerialKind.msisdn:
        return {**base, "msisdn": item.serial}
    if kind == SerialKind.mac:
        return {
            **base,
            "mac": item.serial,
            "serial_number": item.itemtext2,
            "management_url": item.management_url,
        }
    return {**base, "serial": item.serial}


_SLOTS = {SerialKind.iccid: "sim", SerialKind.msisdn: "number", SerialKind.mac: "router"}


def play_vars(
    session: Session,
    *,
    config: PlayConfig,
    play: str,
    customer: Customer,
    product: Product | None,
    service: Service | None,
    items: list[Inventory],
    parent: Service | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The extra vars a play gets (the contract in ansible/README.md)."""
    slots: dict[str, Any] = {"sim": None, "number": None, "router": None}
    others = []
    for item in items:
        slot = _SLOTS.get(item.template.serial_kind)
        if slot is not None and slots[slot] is None:
            slots[slot] = _item_vars(item)
        else:
            others.append(_item_vars(item))
    return {
        # Only what the play declares (ansible/caller_vars/<play>.yml): the product's variables
        # for this play, then the caller's (checked by queue_job); the engine's keys win.
        **product_vars_for(config, play, product),
        **dict(extra or {}),
        # Where the network side lives is the running worker's business: see runtime_vars.
        "omnicrm": {"play": play},
        "customer": {"customer_id": customer.customer_id, "customer_name": customer.customer_name},
        "service": None
        if service is None
        else {
            "service_id": service.service_id,
            "service_uuid": service.service_uuid,
            "service_name": service.service_name,
        },
        "parent_service": None
        if parent is None
        else {"service_id": parent.service_id, "service_uuid": parent.service_uuid},
        "product": None
        if product is None
        else {
            "product_id": product.product_id,
            "product_slug": product.product_slug,
            "product_name": product.product_name,
            "category": product.category.value,
            "data_mb": product.data_mb,
            "voice_minutes": product.voice_minutes,
            "sms": product.sms,
        },
        "inventory": {**slots, "others": others},
    }


def product_vars_for(config: PlayConfig, play: str, product: Product | None) -> dict[str, Any]:
    """The product's ``provisioning_json_vars`` that ``play`` declares, with valid values.

    The others are left out without an error: a family's plays share the product's variables
    (``mobile_suspend`` declares no ``apn``), and a product saved before a rule tightened must
    still sell. A declared variable left out for its value is logged."""
    if product is None:
        return {}
    wanted = {
        str(k): v for k, v in (product.provisioning_json_vars or {}).items() if k != PLAYS_KEY
    }
    kept, dropped = declared_vars.select_vars(config.ansible_dir, play, wanted)
    declared = declared_vars.declaration_for(config.ansible_dir, play).variables
    invalid = [name for name in dropped if name in declared]
    if invalid:
        log.warning(
            "provision_product_vars_invalid",
            product_id=product.product_id,
            play=play,
            names=invalid,
        )
    return kept


def check_extra_vars(config: PlayConfig, play: str, extra: Mapping[str, Any]) -> None:
    """422 naming every refused key (``extra_vars.<key>``) unless ``play`` declares each of
    them and every value follows its rule."""
    errors = declared_vars.check_caller_vars(config.ansible_dir, play, extra)
    if errors:
        raise ValidationFailed(
            "invalid " + ", ".join(sorted(errors)),
            errors={"json": errors},
            extra={"play": play},
        )


def runtime_vars(config: PlayConfig, variables: Mapping[str, Any], *, play: str) -> dict[str, Any]:
    """A job's variables completed by the worker that runs it: its spool directories and
    charging backend (a deployment's, not the API's).

    The stored variables are filtered again against the play's declaration (a job queued
    before a rule existed or tightened, retried now, gets only what the play accepts today);
    the engine's own keys are kept as the engine wrote them, and ``omnicrm``'s paths and URL
    always come from this worker's settings."""
    engine = {k: v for k, v in variables.items() if k in ENGINE_VARS}
    kept, dropped = declared_vars.select_vars(
        config.ansible_dir, play, {k: v for k, v in variables.items() if k not in ENGINE_VARS}
    )
    if dropped:
        log.warning("provision_vars_dropped", play=play, names=sorted(dropped))
    merged = {**kept, **engine}
    merged["omnicrm"] = {
        **dict(variables.get("omnicrm") or {}),
        "spool_dir": str(config.spool_dir),
        "config_dir": str(config.spool_dir / "configs"),
        "charging": {
            "backend": config.charging_backend,
            "url": config.cgrates_url,
            "tenant": config.cgrates_tenant,
        },
    }
    return merged


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
    _dispatch_after_commit(session, job)
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


def _dispatch_after_commit(session: Session, job: Provision, delay_ms: int = 0) -> None:
    provision_id = job.provision_id
    status = status_payload(job)

    def _send() -> None:
        from omnicrm.provisioning.tasks import dispatch

        dispatch(provision_id, delay_ms=delay_ms)

    after_commit(session, _send)
    publish_status_after_commit(session, status)


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
    from omnicrm.provisioning.realtime import publish

    after_commit(session, lambda: publish("provision.status", payload))


def _active_items(session: Session, service_id: int) -> list[Inventory]:
    return list(session.scalars(inventory.items_query(service_id=service_id)))


def activation_play(product: Product) -> str | None:
    """The play that activates a sale of ``product``, or None (the sale activates at once)."""
    return play_for(product, ProvisionAction.activate, current_config())


def start_activation(session: Session, *, service: Service, product: Product) -> Provision | None:
    """Queue the activation play of a pending service (the GetSim hand-off); None when the
    product has no play (the caller activates directly)."""
    config = current_config()
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
        items=_active_items(session, service.service_id),
    )


def follow_up(session: Session, *, service: Service, action: ProvisionAction) -> Provision | None:
    """Queue the play that applies a service status change to the network (suspend, resume,
    deprovision), when the product's family has one."""
    product = catalog.get_product(session, product_id=service.product_id)
    config = current_config()
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
        items=_active_items(session, service.service_id),
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
                from omnicrm.contracts.errors import IdempotencyMismatch

                raise IdempotencyMismatch(
                    "this Idempotency-Key was used with a different request body",
                    extra={"provision_id": existing.provision_id},
                )
            return existing
    from omnicrm.customers import use_cases as customers

    customer = customers.get_customer(session, customer_id=customer_id)
    product = catalog.get_product(session, product_id=product_id)
    service = None
    parent = None
    items: list[Inventory] = []
    if service_id is not None:
        from omnicrm.services.use_cases import get_service

        service = get_service(session, service_id=service_id)
        if service.customer_id != customer_id:
            raise ValidationFailed.field("service_id", "belongs to another customer")
        items = _active_items(session, service.service_id)
    for inventory_id in inventory_ids or []:
        item = inventory.get_item(session, inventory_id=inventory_id)
        if item.customer_id not in (None, customer_id):
            raise ValidationFailed.field(
                "inventory_ids", f"item {inventory_id} belongs to another customer"
            )
        items.append(item)
    config = current_config()
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
) -> Provision:
    """Simple provisioning: an external system (the OCS) runs a named play for a service, e.g.
    on balance exhaustion. Changes no statuses."""
    from omnicrm.services.use_cases import get_service

    service = get_service(session, service_id=service_id)
    return create_provision(
        session,
        customer_id=service.customer_id,
        product_id=service.product_id,
        service_id=service_id,
        play=play,
        extra_vars=extra_vars,
        idempotency_key=idempotency_key,
    )


# ---------------------------------------------------------------------------------------------
# Staff actions
# ---------------------------------------------------------------------------------------------
def _lock(session: Session, provision_id: int) -> Provision:
    job = session.scalar(
        select(Provision)
        .where(Provision.provision_id == provision_id)
        .options(lazyload("*"))
        .with_for_update(of=Provision)
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    return job


def cancel(session: Session, *, provision_id: int, now: datetime | None = None) -> Provision:
    """A queued job is cancelled at once; a running one is asked to stop (its worker stops the
    play and finishes it as cancelled). 409 ``job_finished`` when it is already over."""
    job = _lock(session, provision_id) if 1 <= provision_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    if job.status in FINAL:
        raise JobFinished(
            f"provisioning job {provision_id} is already {job.status.label.lower()}",
            extra={"provisioning_status": job.provisioning_status},
        )
    if job.status == P.queued:
        finish(session, job=job, outcome=P.cancelled, error="cancelled before it ran", now=now)
    else:
        job.cancel_requested = True
        session.flush()
    return job


def retry(session: Session, *, provision_id: int) -> Provision:
    """Run a failed or cancelled job again (a new attempt, events continue). An activation gets
    its service back to provisioning and re-reserves the same SIM and number (409
    ``inventory_unavailable`` when one was sold meanwhile)."""
    job = _lock(session, provision_id) if 1 <= provision_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"provisioning job {provision_id} not found")
    if job.status not in (P.failed, P.cancelled):
        raise JobNotRetryable(
            f"provisioning job {provision_id} is {job.status.label.lower()}: "
            "only failed or cancelled jobs can be retried",
            extra={"provisioning_status": job.provisioning_status},
        )
    if job.action == ProvisionAction.activate.value and job.service_id is not None:
        _reopen_activation(session, job)
    job.provisioning_status = int(P.queued)
    job.cancel_requested = False
    job.error = None
    job.finished_at = None
    job.next_attempt_at = None
    job.max_retries = job.retries + 1 + current_config().max_retries
    session.flush()
    _dispatch_after_commit(session, job)
    return job


def _reopen_activation(session: Session, job: Provision) -> None:
    from omnicrm.services import use_cases as services

    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    if service.service_status != ServiceStatus.failed:
        raise JobNotRetryable(
            f"service {service.service_id} is {service.service_status.value}, not failed",
            extra={"service_status": service.service_status.value},
        )
    for inventory_id in job.inventory_ids:
        item = inventory.get_item(session, inventory_id=inventory_id)
        if item.item_state != ItemState.new:
            raise InventoryUnavailable(
                f"{item.template.item} {item.serial} was taken since the job failed: "
                "sell the product again",
                extra={"inventory_id": inventory_id, "item_state": item.item_state.value},
            )
        inventory.change_state(
            session,
            inventory_id=inventory_id,
            to_state=ItemState.reserved,
            customer_id=job.customer_id,
            service_id=service.service_id,
            reason=f"provisioning job {job.provision_id} retried",
        )
    for one in (service, *services.children_of(session, service.service_id)):
        if one.service_status == ServiceStatus.failed:
            services.change_service_status(
                session,
                service_id=one.service_id,
                to_status=ServiceStatus.provisioning,
                reason=f"provisioning job {job.provision_id} retried",
            )


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------
def claim(
    session: Session,
    *,
    provision_id: int,
    owner: str,
    lease_seconds: int,
    now: datetime | None = None,
) -> Provision | None:
    """Take a job for a run: queued and due, or running under a lapsed lease (its worker died).
    None when another worker has it, it is over, or not due yet. Locks the row: two workers
    handed the same message never both run it."""
    moment = now or utcnow()
    job = session.scalar(
        select(Provision)
        .where(Provision.provision_id == provision_id)
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if job is None:
        return None
    if job.status == P.queued:
        if job.next_attempt_at is not None and job.next_attempt_at > moment:
            return None
    elif not (
        job.status == P.running
        and job.lease_expires_at is not None
        and job.lease_expires_at <= moment
    ):
        return None
    if job.cancel_requested:
        finish(session, job=job, outcome=P.cancelled, error="cancelled before it ran", now=moment)
        return None
    if job.attempts > 0 and job.status == P.queued:
        job.retries += 1
    job.attempts += 1
    job.provisioning_status = int(P.running)
    job.lease_owner = owner
    job.lease_expires_at = moment + timedelta(seconds=lease_seconds)
    job.started_at = job.started_at or moment
    job.next_attempt_at = None
    job.tasks_done = 0
    session.flush()
    publish_status_after_commit(session, status_payload(job))
    return job


def lock_owned(session: Session, *, provision_id: int, owner: str) -> Provision | None:
    """The job, locked, if ``owner`` still holds it (running under its lease)."""
    job = _lock(session, provision_id)
    if job.status != P.running or job.lease_owner != owner:
        return None
    return job


def renew_lease(
    session: Session, *, provision_id: int, owner: str, lease_seconds: int
) -> tuple[bool, bool]:
    """Extend the lease; (still ours, cancel requested)."""
    row = session.execute(
        update(Provision)
        .where(
            Provision.provision_id == provision_id,
            Provision.lease_owner == owner,
            Provision.provisioning_status == int(P.running),
        )
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .returning(Provision.cancel_requested)
    ).first()
    if row is None:
        return False, False
    return True, bool(row[0])


def record_task(
    session: Session,
    *,
    provision_id: int,
    owner: str,
    attempt: int,
    name: str,
    status: ProvisionStatus,
    result: dict[str, Any],
    host: str | None = None,
    changed: bool = False,
    skipped: bool = False,
    finished_at: datetime | None = None,
    counts_as_task: bool = True,
) -> ProvisionEvent | None:
    """Store one task result, numbered after the job's last event; None (nothing written) when
    this worker no longer holds the job."""
    held = session.execute(
        update(Provision)
        .where(
            Provision.provision_id == provision_id,
            Provision.lease_owner == owner,
            Provision.provisioning_status == int(P.running),
        )
        .values(tasks_done=Provision.tasks_done + (1 if counts_as_task else 0))
        .returning(Provision.tasks_done, Provision.task_count)
    ).first()
    if held is None:
        return None
    return _append_event(
        session,
        provision_id=provision_id,
        attempt=attempt,
        name=name,
        status=status,
        result=result,
        host=host,
        changed=changed,
        skipped=skipped,
        finished_at=finished_at,
        progress=(int(held[0]), int(held[1])),
    )


def _append_event(
    session: Session,
    *,
    provision_id: int,
    attempt: int,
    name: str,
    status: ProvisionStatus,
    result: dict[str, Any],
    progress: tuple[int, int],
    host: str | None = None,
    changed: bool = False,
    skipped: bool = False,
    finished_at: datetime | None = None,
) -> ProvisionEvent:
    number = (
        session.scalar(
            select(func.max(ProvisionEvent.event_number)).where(
                ProvisionEvent.provision_id == provision_id
            )
        )
        or 0
    ) + 1
    event = ProvisionEvent(
        provision_id=provision_id,
        event_number=number,
        event_name=name[:500],
        attempt=attempt,
        host=host,
        changed=changed,
        skipped=skipped,
        provisioning_status=int(status),
        provisioning_result_json=result,
        task_finished_at=finished_at,
    )
    session.add(event)
    session.flush()
    payload = event_payload(event, tasks_done=progress[0], task_count=progress[1])

    from omnicrm.provisioning.realtime import publish

    after_commit(session, lambda: publish("provision.event", payload))
    return event


def event_payload(event: ProvisionEvent, *, tasks_done: int, task_count: int) -> dict[str, Any]:
    return {
        "provision_id": event.provision_id,
        "provision_event_id": event.provision_event_id,
        "event_number": event.event_number,
        "event_name": event.event_name,
        "provisioning_status": event.provisioning_status,
        "status_label": ProvisionStatus(event.provisioning_status).label,
        "attempt": event.attempt,
        "host": event.host,
        "changed": event.changed,
        "skipped": event.skipped,
        "task_finished_at": event.task_finished_at.isoformat() if event.task_finished_at else None,
        "created_at": event.created_at.isoformat(),
        "tasks_done": tasks_done,
        "task_count": task_count,
        "provisioning_result_json": event.provisioning_result_json,
    }


def finish(
    session: Session,
    *,
    job: Provision,
    outcome: ProvisionStatus,
    error: str | None = None,
    config_content: str | None = None,
    now: datetime | None = None,
) -> Provision:
    """End a job for good and apply what its end means to the service, items and contract."""
    assert outcome in FINAL
    job.provisioning_status = int(outcome)
    job.finished_at = now or utcnow()
    job.lease_owner = None
    job.lease_expires_at = None
    job.error = error
    if config_content is not None:
        job.config_content = config_content
    session.flush()
    if job.action == ProvisionAction.activate.value and job.service_id is not None:
        if outcome == P.success:
            _activated(session, job)
        else:
            _activation_failed(session, job)
    if outcome == P.failed:
        _notify_failure(session, job)
    publish_status_after_commit(session, status_payload(job))
    return job


def requeue(
    session: Session,
    *,
    job: Provision,
    error: str,
    delay_seconds: float,
    now: datetime | None = None,
) -> Provision:
    """Back to the queue for another attempt after ``delay_seconds`` (transient failure or a
    lost worker)."""
    moment = now or utcnow()
    job.provisioning_status = int(P.queued)
    job.lease_owner = None
    job.lease_expires_at = None
    job.error = error
    job.next_attempt_at = moment + timedelta(seconds=delay_seconds)
    session.flush()
    _dispatch_after_commit(session, job, delay_ms=int(delay_seconds * 1000))
    return job


def _activated(session: Session, job: Provision) -> None:
    from omnicrm.services import use_cases as services

    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    reason = f"provisioning job {job.provision_id} succeeded"
    if service.service_status != ServiceStatus.provisioning:
        return  # terminated meanwhile: leave it
    for item in _active_items(session, service.service_id):
        if item.item_state == ItemState.reserved:
            inventory.change_state(
                session,
                inventory_id=item.inventory_id,
                to_state=ItemState.assigned,
                customer_id=job.customer_id,
                service_id=service.service_id,
                reason=reason,
            )
    for one in (service, *services.children_of(session, service.service_id)):
        if one.service_status == ServiceStatus.provisioning:
            services.change_service_status(
                session, service_id=one.service_id, to_status=ServiceStatus.active, reason=reason
            )


def _activation_failed(session: Session, job: Provision) -> None:
    from omnicrm.services import use_cases as services

    assert job.service_id is not None
    service = services.get_service(session, service_id=job.service_id)
    reason = f"provisioning job {job.provision_id} {job.status.label.lower()}"
    if service.service_status not in (ServiceStatus.provisioning, ServiceStatus.pending):
        return
    for one in (*services.children_of(session, service.service_id), service):
        if one.service_status in (ServiceStatus.provisioning, ServiceStatus.pending):
            services.change_service_status(
                session, service_id=one.service_id, to_status=ServiceStatus.failed, reason=reason
            )
    for item in _active_items(session, service.service_id):
        if item.item_state == ItemState.reserved:
            inventory.change_state(
                session, inventory_id=item.inventory_id, to_state=ItemState.new, reason=reason
            )
    session.expire(service, ["inventory"])


def _notify_failure(session: Session, job: Provision) -> None:
    from flask import current_app

    from omnicrm.notifications.use_cases import queue_email

    settings = current_app.extensions["omnicrm_settings"]
    recipients = settings.failure_recipients
    if not recipients:
        return
    url = f"{settings.public_url.rstrip('/')}/provisioning/{job.provision_id}"
    for to in recipients:
        queue_email(
            session,
            to=to,
            subject=f"Provisioning job {job.provision_id} failed ({job.provisioning_play})",
            body=(
                f"Provisioning job {job.provision_id} ({job.action}, play "
                f"{job.provisioning_play}) for customer {job.customer_id}"
                f"{'' if job.service_id is None else f', service {job.service_id}'} failed "
                f"after {job.attempts} attempt(s).\n\n"
                f"Reason: {job.error or 'see the job'}\n\n{url}\n"
            ),
            template="provisioning_failed",
            context={"provision_id": job.provision_id},
        )


def reap(session: Session, *, lease_seconds: int, now: datetime | None = None) -> list[int]:
    """Deal with jobs whose worker died (lease lapsed): re-queue them while retries are left,
    else fail them. Also re-sends queued jobs that are overdue (a lost message). Returns the
    ids handled. Safe to run in every worker at once (rows are locked, skipped if taken)."""
    moment = now or utcnow()
    lapsed = session.scalars(
        select(Provision)
        .where(
            Provision.provisioning_status == int(P.running),
            Provision.lease_expires_at < moment,
        )
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .limit(100)
    ).all()
    handled = []
    for job in lapsed:
        progress = (job.tasks_done, job.task_count)
        message = f"worker {job.lease_owner or '?'} stopped answering (lease expired)"
        if job.retries < job.max_retries:
            _append_event(
                session,
                provision_id=job.provision_id,
                attempt=job.attempts,
                name=f"Worker lost: job re-queued (attempt {job.attempts + 1} next)",
                status=P.failed,
                result={"reason": message, "lease_owner": job.lease_owner},
                progress=progress,
            )
            requeue(session, job=job, error=message, delay_seconds=0, now=moment)
        else:
            _append_event(
                session,
                provision_id=job.provision_id,
                attempt=job.attempts,
                name="Worker lost: no retries left",
                status=P.failed,
                result={"reason": message, "lease_owner": job.lease_owner},
                progress=progress,
            )
            finish(session, job=job, outcome=P.failed, error=message, now=moment)
        handled.append(job.provision_id)
    # A queued job nobody claimed for long (its message was lost): send it again, at most once
    # per period (claiming is idempotent, so a duplicate message is harmless).
    stale = moment - timedelta(seconds=10 * lease_seconds)
    overdue = session.scalars(
        select(Provision)
        .where(
            Provision.provisioning_status == int(P.queued),
            func.coalesce(Provision.next_attempt_at, Provision.updated_at) < stale,
            Provision.updated_at < stale,
        )
        .options(lazyload("*"))
        .with_for_update(of=Provision, skip_locked=True)
        .limit(100)
    ).all()
    for job in overdue:
        job.updated_at = moment
        _dispatch_after_commit(session, job)
        handled.append(job.provision_id)
    session.flush()
    return handled
