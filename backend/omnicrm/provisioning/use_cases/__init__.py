"""Provisioning business rules (one module per part: config, reads, plays, queueing, staff,
worker): queue a job, claim it in a worker, record its tasks, finish it.

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

from omnicrm.provisioning.use_cases.config import SORT_COLUMNS, P, PlayConfig
from omnicrm.provisioning.use_cases.plays import (
    check_extra_vars,
    count_tasks,
    play_for,
    play_vars,
    product_vars_for,
    runtime_vars,
)
from omnicrm.provisioning.use_cases.queueing import (
    activation_play,
    active_items,
    apply_addon,
    create_provision,
    dispatch_after_commit,
    follow_up,
    publish_status_after_commit,
    queue_job,
    start_activation,
    status_payload,
    trigger_play,
)
from omnicrm.provisioning.use_cases.reads import (
    dashboard,
    events_of,
    get_provision,
    lock,
    provisions_query,
    recent_events,
)
from omnicrm.provisioning.use_cases.staff import cancel, retry
from omnicrm.provisioning.use_cases.worker import (
    claim,
    event_payload,
    finish,
    lock_owned,
    reap,
    record_task,
    renew_lease,
    requeue,
)

__all__ = [
    "SORT_COLUMNS",
    "P",
    "PlayConfig",
    "activation_play",
    "active_items",
    "apply_addon",
    "cancel",
    "check_extra_vars",
    "claim",
    "count_tasks",
    "create_provision",
    "dashboard",
    "dispatch_after_commit",
    "event_payload",
    "events_of",
    "finish",
    "follow_up",
    "get_provision",
    "lock",
    "lock_owned",
    "play_for",
    "play_vars",
    "product_vars_for",
    "provisions_query",
    "publish_status_after_commit",
    "queue_job",
    "reap",
    "recent_events",
    "record_task",
    "renew_lease",
    "requeue",
    "retry",
    "runtime_vars",
    "start_activation",
    "status_payload",
    "trigger_play",
]
