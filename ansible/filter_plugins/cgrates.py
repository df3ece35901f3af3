"""Ansible filters that build CGRateS JSON-RPC request bodies, so the plays spell each call as the
Python backend does: both use ``omnicrm.charging.cgrates_calls`` (backend/ in this repository).

    body: "{{ account | cgr_add_balance(cgr_tenant, 'data', data_bytes | int,
                                         balance_id=account ~ '-data', expiry_time='*month_end',
                                         overwrite=true, request_id=2) }}"
    data_bytes: "{{ product.data_mb | int | cgr_units('data') }}"

The module is loaded from its file, not imported as ``omnicrm.charging.cgrates_calls``: importing
the ``omnicrm`` package builds the Flask app's imports (about a second), and Ansible loads filter
plugins again in every task's worker process. ``cgrates_calls`` is a stdlib-only leaf, so loading
it alone is safe. It is looked for next to this directory first (the checkout the plays came
with), then wherever the installed ``omnicrm`` package lives.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

_MODULE = "_omnicrm_cgrates_calls"


def _load_calls() -> ModuleType:
    loaded = sys.modules.get("omnicrm.charging.cgrates_calls") or sys.modules.get(_MODULE)
    if loaded is not None:
        return loaded
    candidates = [Path(__file__).resolve().parents[2] / "backend" / "omnicrm"]
    package = importlib.util.find_spec("omnicrm")  # finds it without importing it
    if package is not None and package.submodule_search_locations:
        candidates += [Path(location) for location in package.submodule_search_locations]
    for root in candidates:
        path = root / "charging" / "cgrates_calls.py"
        spec = importlib.util.spec_from_file_location(_MODULE, path)
        if spec is None or spec.loader is None or not path.is_file():
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
        return module
    raise ImportError(
        "cgrates filters: omnicrm/charging/cgrates_calls.py not found next to the plays or in "
        "an installed omnicrm package"
    )


calls = _load_calls()


def _body(build: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """A filter ``account | cgr_x(tenant, ..., request_id=N)`` from a builder
    ``x(tenant, account, ...)``: the whole JSON-RPC body."""

    def cgr_filter(
        account: str, tenant: str, *args: Any, request_id: int = 1, **kwargs: Any
    ) -> dict[str, Any]:
        return calls.rpc_body(build(str(tenant), str(account), *args, **kwargs), request_id)

    cgr_filter.__doc__ = build.__doc__
    return cgr_filter


def cgr_add_balance(
    account: str,
    tenant: str,
    kind: str,
    value: int | float,
    *,
    balance_id: str | None = None,
    expiry_time: str | None = None,
    weight: float | None = None,
    blocker: bool | None = None,
    overwrite: bool = False,
    request_id: int = 1,
) -> dict[str, Any]:
    """APIerSv1.AddBalance of ``value`` CGRateS units (bytes, nanoseconds, messages)."""
    balance = calls.balance_filter(
        balance_id=balance_id,
        expiry_time=None if expiry_time is None else str(expiry_time),
        weight=weight,
        blocker=blocker,
    )
    call = calls.add_balance(
        str(tenant), str(account), str(kind), value, balance=balance, overwrite=overwrite
    )
    return calls.rpc_body(call, request_id)


def cgr_units(amount: Any, kind: str) -> int | float:
    """An OmniCRM amount (MB, minutes, messages, money) in CGRateS units."""
    return calls.to_cgr_value(str(kind), amount)


def cgr_balance_type(kind: str) -> str:
    """``data`` -> ``*data``."""
    return calls.balance_type(str(kind))


class FilterModule:
    """The ``cgr_*`` filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "cgr_set_account": _body(calls.set_account),
            "cgr_get_account": _body(calls.get_account),
            "cgr_get_account_v1": _body(calls.get_account_v1),
            "cgr_remove_account": _body(calls.remove_account),
            "cgr_execute_action": _body(calls.execute_action),
            "cgr_add_balance": cgr_add_balance,
            "cgr_units": cgr_units,
            "cgr_balance_type": cgr_balance_type,
        }
