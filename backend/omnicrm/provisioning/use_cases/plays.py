"""Which play a product runs and the variables a play gets (the contract in ansible/README.md)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from omnicrm.catalog.models import Product
from omnicrm.core.errors import ValidationFailed
from omnicrm.customers.models import Customer
from omnicrm.inventory.models import Inventory, SerialKind
from omnicrm.plays import declared_vars
from omnicrm.plays.declared_vars import ENGINE_VARS, PLAYS_KEY
from omnicrm.provisioning.models import (
    ProvisionAction,
)
from omnicrm.provisioning.use_cases.config import PlayConfig, log
from omnicrm.services.models import Service


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
