"""The one place that spells CGRateS JSON-RPC calls and converts units at its wire.

Each builder returns ``(method, params)`` for one call of the v0.10/master API
(``docs/cgrates.md``); :func:`rpc_body` wraps it as ``{"id", "method", "params": [params]}``.
The Python backend (``charging/cgrates.py``) and the Ansible plays (through
``ansible/filter_plugins/cgrates.py``) both use these, so a key is spelled once: CGRateS ignores
a wrongly-cased key and still answers "OK" (issue #1082).

A leaf module: stdlib only and nothing from ``omnicrm``, because the filter plugin loads it by
file path inside every Ansible worker without importing the app.

Units: OmniCRM counts data in MB, voice in minutes, SMS in messages and money in ``Decimal``;
CGRateS stores float64 values of bytes (1 MB = 1,048,576 bytes, as the plays always did),
nanoseconds, messages and money. Floats exist only on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Call = tuple[str, dict[str, Any]]

BYTES_PER_MB = 1_048_576
NS_PER_MINUTE = 60 * 1_000_000_000
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time: "never expires" / "not set"
UNLIMITED = "*unlimited"
DEFAULT_BALANCE_ID = "*default"  # CGRateS's own money balance: it goes negative on it

MONEY_SCALE = Decimal("0.0001")
UNIT_SCALES = {
    "monetary": MONEY_SCALE,
    "data": Decimal("0.000001"),  # ~1 byte in MB
    "voice": Decimal("0.000001"),  # 60 microseconds in minutes
    "sms": Decimal(1),
}
# OmniCRM unit -> CGRateS unit. Money is not scaled.
_FACTORS = {"monetary": 1, "data": BYTES_PER_MB, "voice": NS_PER_MINUTE, "sms": 1}

# The methods, spelled once. APIerSv1.GetAccount answers CGRateS's transitional "old structure"
# (``Id: "*out:<tenant>:<account>"``, BalanceMap keys such as ``"*data*out"``, balance key
# ``Id``, no Blocker: cgrates/cgrates#830, still so on master); APIerSv2.GetAccount answers the
# engine.Account that every other method speaks, so that is what the backend reads.
SET_ACCOUNT = "APIerSv2.SetAccount"
GET_ACCOUNT = "APIerSv2.GetAccount"
GET_ACCOUNT_V1 = "APIerSv1.GetAccount"
GET_ACCOUNTS = "APIerSv2.GetAccounts"
REMOVE_ACCOUNT = "APIerSv1.RemoveAccount"
ADD_BALANCE = "APIerSv1.AddBalance"
SET_BALANCE = "APIerSv1.SetBalance"
DEBIT_BALANCE = "APIerSv1.DebitBalance"
SET_ACTIONS = "APIerSv2.SetActions"
EXECUTE_ACTION = "APIerSv1.ExecuteAction"
SET_ACTION_PLAN = "APIerSv1.SetActionPlan"
SET_THRESHOLD_PROFILE = "APIerSv1.SetThresholdProfile"
GET_THRESHOLD_PROFILE = "APIerSv1.GetThresholdProfile"
PROCESS_EVENT = "CDRsV1.ProcessEvent"
GET_CDRS = "CDRsV1.GetCDRs"

# Calls that change nothing, or set state absolutely (sending one twice leaves what sending it
# once leaves): a client may resend them when it cannot tell whether the first one arrived.
# AddBalance, DebitBalance, ExecuteAction and ProcessEvent add or subtract and are not here.
IDEMPOTENT = frozenset(
    {
        SET_ACCOUNT,
        GET_ACCOUNT,
        GET_ACCOUNT_V1,
        GET_ACCOUNTS,
        REMOVE_ACCOUNT,
        SET_BALANCE,
        SET_ACTIONS,
        SET_ACTION_PLAN,
        SET_THRESHOLD_PROFILE,
        GET_THRESHOLD_PROFILE,
        GET_CDRS,
    }
)


# ---- units -----------------------------------------------------------------------------------
def _kind(kind: str) -> str:
    """``"data"``, ``"*data"`` or a ``BalanceType``/``UsageType`` member -> ``"data"``."""
    name = str(kind).removeprefix("*")
    if name not in _FACTORS:
        raise ValueError(f"unknown balance type {kind!r} (monetary, data, voice or sms)")
    return name


def balance_type(kind: str) -> str:
    """The CGRateS BalanceType / ToR of an OmniCRM kind: ``"data"`` -> ``"*data"``."""
    return "*" + _kind(kind)


def to_cgr_value(kind: str, amount: Decimal | int | str) -> int | float:
    """An OmniCRM amount as the JSON number CGRateS wants: bytes, nanoseconds and messages are
    whole numbers (rounded half up), money a float."""
    name = _kind(kind)
    value = Decimal(str(amount))
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    if name == "monetary":
        return float(value)
    return int((value * _FACTORS[name]).to_integral_value(rounding=ROUND_HALF_UP))


def from_cgr_value(kind: str, value: float | int | str | Decimal) -> Decimal:
    """A CGRateS float64 back in OmniCRM units, rounded to the unit's scale (4 dp for money)."""
    name = _kind(kind)
    # str() first: Decimal(0.1) would carry the binary float's noise.
    amount = Decimal(str(value)) / _FACTORS[name]
    return amount.quantize(UNIT_SCALES[name], rounding=ROUND_HALF_UP)


def to_cgr_time(moment: datetime) -> str:
    """RFC 3339 in UTC, whole seconds (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_cgr_expiry(expiry: datetime | None) -> str:
    """A Balance ``ExpiryTime``: RFC 3339, or ``*unlimited`` for a balance that never expires."""
    return UNLIMITED if expiry is None else to_cgr_time(expiry)


_GO_TIME = re.compile(r"^(?P<base>[^.]+?)(?:\.(?P<frac>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)?$")


def from_cgr_time(text: str | None) -> datetime | None:
    """A Go ``time.Time`` from JSON (nanoseconds, ``Z`` or an offset) as an aware datetime;
    the zero time and empty mean "none"."""
    if not text or text.startswith("0001-01-01T00:00:00"):
        return None
    match = _GO_TIME.match(text)
    if match is None:
        raise ValueError(f"not a CGRateS time: {text!r}")
    fraction = (match["frac"] or "")[:6]  # Python keeps microseconds
    zone = match["zone"] or "Z"
    iso = match["base"] + (f".{fraction}" if fraction else "") + zone.replace("Z", "+00:00")
    return datetime.fromisoformat(iso).astimezone(UTC)


# ---- envelope --------------------------------------------------------------------------------
def rpc_body(call: Call, request_id: int = 1) -> dict[str, Any]:
    """The JSON-RPC request body of a call."""
    method, params = call
    return {"id": request_id, "method": method, "params": [params]}


# ---- accounts --------------------------------------------------------------------------------
def set_account(
    tenant: str,
    account: str,
    *,
    allow_negative: bool | None = None,
    disabled: bool | None = None,
    action_plan_ids: Sequence[str] | None = None,
    action_plans_overwrite: bool = False,
    reload_scheduler: bool = False,
) -> Call:
    """Create or update an account. Options left ``None`` are not sent, so CGRateS keeps them;
    binding an action plan whose timing is ``*asap`` runs its actions on this account."""
    params: dict[str, Any] = {"Tenant": tenant, "Account": account}
    if action_plan_ids is not None:
        params["ActionPlanIDs"] = list(action_plan_ids)
        params["ActionPlansOverwrite"] = action_plans_overwrite
    options = {
        key: value
        for key, value in (("AllowNegative", allow_negative), ("Disabled", disabled))
        if value is not None
    }
    if options:
        params["ExtraOptions"] = options
    if reload_scheduler:
        params["ReloadScheduler"] = True
    return SET_ACCOUNT, params


def get_account(tenant: str, account: str) -> Call:
    """Read an account as engine.Account: ``ID``, ``BalanceMap{"*data": [{ID, Uuid, Value,
    ExpirationDate, Weight, Blocker, ...}]}``, ``AllowNegative``, ``Disabled``."""
    return GET_ACCOUNT, {"Tenant": tenant, "Account": account}


def get_account_v1(tenant: str, account: str) -> Call:
    """APIerSv1.GetAccount. Real CGRateS answers it in the old structure (see
    ``GET_ACCOUNT_V1``): the backend and the plays read accounts with :func:`get_account`."""
    return GET_ACCOUNT_V1, {"Tenant": tenant, "Account": account}


def get_accounts(
    tenant: str, account_ids: Iterable[str] = (), *, offset: int = 0, limit: int = 0
) -> Call:
    """Several accounts at once (no ids: every account of the tenant; ``limit`` 0: no limit)."""
    return GET_ACCOUNTS, {
        "Tenant": tenant,
        "AccountIDs": list(account_ids),
        "Offset": offset,
        "Limit": limit,
    }


def remove_account(tenant: str, account: str, *, reload_scheduler: bool = False) -> Call:
    """Remove an account ("NOT_FOUND" when there is none)."""
    params: dict[str, Any] = {"Tenant": tenant, "Account": account}
    if reload_scheduler:
        params["ReloadScheduler"] = True
    return REMOVE_ACCOUNT, params


# ---- balances --------------------------------------------------------------------------------
def balance_filter(
    *,
    balance_id: str | None = None,
    uuid: str | None = None,
    value: int | float | None = None,
    expiry_time: str | None = None,
    weight: float | None = None,
    blocker: bool | None = None,
    disabled: bool | None = None,
) -> dict[str, Any]:
    """The ``Balance`` map of AddBalance/SetBalance/DebitBalance. A key left out is not matched
    and not changed; with an ``ID`` or ``Uuid`` the balance is found by it alone."""
    fields = (
        ("ID", balance_id),
        ("Uuid", uuid),
        ("Value", value),
        ("ExpiryTime", expiry_time),
        ("Weight", weight),
        ("Blocker", blocker),
        ("Disabled", disabled),
    )
    return {key: item for key, item in fields if item is not None}


def _balance_call(
    method: str,
    tenant: str,
    account: str,
    kind: str,
    value: int | float,
    balance: Mapping[str, Any],
    overwrite: bool | None,
) -> Call:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"Value must be a JSON number, not {type(value).__name__}")
    if value < 0:
        # CGRateS applies math.Abs to Value: a negative amount would silently flip its sign.
        raise ValueError(f"Value must not be negative (got {value})")
    params: dict[str, Any] = {
        "Tenant": tenant,
        "Account": account,
        "BalanceType": balance_type(kind),
        "Value": value,
        "Balance": dict(balance),
    }
    if overwrite is not None:
        params["Overwrite"] = overwrite
    return method, params


def add_balance(
    tenant: str,
    account: str,
    kind: str,
    value: int | float,
    *,
    balance: Mapping[str, Any],
    overwrite: bool = False,
) -> Call:
    """``*topup`` (``overwrite``: ``*topup_reset``) of ``value`` CGRateS units. CGRateS finds the
    balance by ID/Uuid and then changes only its value: a top-up never moves an existing
    balance's expiry (#814). ``Value`` 0 is refused (MANDATORY_IE_MISSING)."""
    return _balance_call(ADD_BALANCE, tenant, account, kind, value, balance, overwrite=overwrite)


def debit_balance(
    tenant: str,
    account: str,
    kind: str,
    value: int | float,
    *,
    balance: Mapping[str, Any],
    overwrite: bool = False,
) -> Call:
    """``*debit`` (``overwrite``: ``*debit_reset``, i.e. set to minus ``value``)."""
    return _balance_call(DEBIT_BALANCE, tenant, account, kind, value, balance, overwrite=overwrite)


def set_balance(
    tenant: str,
    account: str,
    kind: str,
    value: int | float | None,
    *,
    balance: Mapping[str, Any],
) -> Call:
    """``*set_balance``: every field given in ``balance`` replaces the balance's (ID or Uuid is
    required). CGRateS ignores a top-level ``Value`` of 0, so a value also goes inside
    ``Balance``, where 0 counts; ``value=None`` leaves the value alone (e.g. to move only the
    expiry)."""
    if not (balance.get("ID") or balance.get("Uuid")):
        raise ValueError("SetBalance needs the balance's ID or Uuid")
    if value is None:
        return _balance_call(SET_BALANCE, tenant, account, kind, 0, balance, None)
    return _balance_call(
        SET_BALANCE, tenant, account, kind, value, {**balance, "Value": value}, None
    )


# ---- actions, plans, thresholds --------------------------------------------------------------
def action(
    identifier: str,
    *,
    kind: str | None = None,
    units: int | float | None = None,
    balance_id: str | None = None,
    expiry_time: str | None = None,
    balance_weight: float | None = None,
    balance_blocker: bool | None = None,
    weight: float = 10,
) -> dict[str, Any]:
    """One entry of SetActions (utils.TPAction). Units, BalanceWeight and BalanceBlocker are
    strings on this API; CGRateS refuses an action whose Weight is 0."""
    entry: dict[str, Any] = {"Identifier": identifier, "Weight": weight}
    if kind is not None:
        entry["BalanceType"] = balance_type(kind)
    if units is not None:
        entry["Units"] = _number_text(units)
    if balance_id is not None:
        entry["BalanceId"] = balance_id
    if expiry_time is not None:
        entry["ExpiryTime"] = expiry_time
    if balance_weight is not None:
        entry["BalanceWeight"] = _number_text(balance_weight)
    if balance_blocker is not None:
        entry["BalanceBlocker"] = "true" if balance_blocker else "false"
    return entry


def _number_text(number: int | float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def set_actions(actions_id: str, actions: Sequence[Mapping[str, Any]], *, overwrite: bool) -> Call:
    """Define (``overwrite``: replace) the actions ``actions_id``."""
    return SET_ACTIONS, {
        "ActionsId": actions_id,
        "Overwrite": overwrite,
        "Actions": [dict(item) for item in actions],
    }


def execute_action(tenant: str, account: str, actions_id: str) -> Call:
    """Run the actions ``actions_id`` on one account now."""
    return EXECUTE_ACTION, {"Tenant": tenant, "Account": account, "ActionsId": actions_id}


def action_timing(
    actions_id: str,
    *,
    time: str = "00:00:00",
    month_days: str = "",
    months: str = "",
    years: str = "",
    week_days: str = "",
    weight: float = 10,
) -> dict[str, Any]:
    """One entry of SetActionPlan: when ``actions_id`` runs. Lists are ``;``-separated, empty
    means any; ``time`` is ``hh:mm:ss``, ``*asap``, ``*hourly`` or ``*every_minute``. CGRateS
    refuses an entry without Time or with Weight 0."""
    entry: dict[str, Any] = {"ActionsId": actions_id, "Time": time, "Weight": weight}
    for key, item in (
        ("Years", years),
        ("Months", months),
        ("MonthDays", month_days),
        ("WeekDays", week_days),
    ):
        if item:
            entry[key] = item
    return entry


def set_action_plan(
    plan_id: str,
    timings: Sequence[Mapping[str, Any]],
    *,
    overwrite: bool,
    reload_scheduler: bool = True,
) -> Call:
    """Define an action plan. Without ``overwrite`` an existing plan answers "EXISTS"; with it
    CGRateS also unbinds every account from the old plan (bind them again with SetAccount)."""
    return SET_ACTION_PLAN, {
        "Id": plan_id,
        "ActionPlan": [dict(item) for item in timings],
        "Overwrite": overwrite,
        "ReloadScheduler": reload_scheduler,
    }


def set_threshold_profile(
    tenant: str,
    threshold_id: str,
    *,
    filter_ids: Sequence[str],
    action_ids: Sequence[str],
    max_hits: int = 1,
    min_hits: int = 1,
    min_sleep_ns: int = 0,
    blocker: bool = False,
    weight: float = 10,
    asynchronous: bool = True,
) -> Call:
    """A ThresholdProfile (its fields sit at the top level of the params: the Go struct embeds
    it). ``MinSleep`` is a Go duration, i.e. nanoseconds."""
    return SET_THRESHOLD_PROFILE, {
        "Tenant": tenant,
        "ID": threshold_id,
        "FilterIDs": list(filter_ids),
        "MaxHits": max_hits,
        "MinHits": min_hits,
        "MinSleep": min_sleep_ns,
        "Blocker": blocker,
        "Weight": weight,
        "ActionIDs": list(action_ids),
        "Async": asynchronous,
    }


def balance_update_filters(
    account: str, balance_ids: Iterable[str], *, operator: str, units: int | float
) -> list[str]:
    """Inline filters matching the BalanceUpdate event CGRateS sends ThresholdS when one of
    ``balance_ids`` changes (the event names Account, BalanceID and the balance's Units, not
    its type), e.g. ``operator="*lte"``."""
    return [
        "*string:~*req.EventType:BalanceUpdate",
        f"*string:~*req.Account:{account}",
        "*string:~*req.BalanceID:" + ";".join(balance_ids),
        f"{operator}:~*req.Units:{_number_text(units)}",
    ]


def get_threshold_profile(tenant: str, threshold_id: str) -> Call:
    """Read a ThresholdProfile back ("NOT_FOUND" when there is none)."""
    return GET_THRESHOLD_PROFILE, {"Tenant": tenant, "ID": threshold_id}


# ---- usage -----------------------------------------------------------------------------------
def cdr_event(
    *,
    tenant: str,
    tor: str,
    origin_id: str,
    origin_host: str,
    account: str,
    subject: str,
    destination: str,
    setup_time: datetime,
    usage: int,
    request_type: str,
    category: str = "call",
    run_id: str = "*default",
) -> dict[str, Any]:
    """The ``Event`` of a CDR: CGRateS field names; ``Usage`` in bytes (``*data``), nanoseconds
    (``*voice``) or messages (``*sms``). CGRateS de-duplicates on CGRID = sha1(OriginID,
    OriginHost) with the RunID."""
    moment = to_cgr_time(setup_time)
    return {
        "ToR": balance_type(tor),
        "OriginID": origin_id,
        "OriginHost": origin_host,
        "RequestType": request_type,
        "Tenant": tenant,
        "Category": category,
        "Account": account,
        "Subject": subject,
        "Destination": destination,
        "SetupTime": moment,
        "AnswerTime": moment,
        "Usage": usage,
        "RunID": run_id,
    }


def process_event(
    tenant: str,
    event_id: str,
    event: Mapping[str, Any],
    *,
    flags: Sequence[str] = ("*rals", "*store"),
) -> Call:
    """Rate (``*rals``) and store (``*store``) a CDR. ``Tenant``, ``ID`` and ``Event`` sit next
    to ``Flags``: ArgV1ProcessEvent embeds utils.CGREvent, so a nested ``"CGREvent"`` key would
    be ignored. Answers "OK", or "EXISTS" for a CDR already processed."""
    return PROCESS_EVENT, {
        "Flags": list(flags),
        "Tenant": tenant,
        "ID": event_id,
        "Event": dict(event),
    }


def get_cdrs(
    *,
    accounts: Sequence[str] | None = None,
    origin_ids: Sequence[str] | None = None,
    origin_hosts: Sequence[str] | None = None,
    tors: Sequence[str] | None = None,
    run_ids: Sequence[str] | None = None,
    setup_time_start: datetime | None = None,
    setup_time_end: datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Call:
    """Stored CDRs matching every filter given (the setup window is [start, end)). None found
    is the error "SERVER_ERROR: NOT_FOUND", not an empty list."""
    params: dict[str, Any] = {}
    for key, items in (
        ("Accounts", accounts),
        ("OriginIDs", origin_ids),
        ("OriginHosts", origin_hosts),
        ("ToRs", [balance_type(tor) for tor in tors] if tors is not None else None),
        ("RunIDs", run_ids),
    ):
        if items is not None:
            params[key] = list(items)
    if setup_time_start is not None:
        params["SetupTimeStart"] = to_cgr_time(setup_time_start)
    if setup_time_end is not None:
        params["SetupTimeEnd"] = to_cgr_time(setup_time_end)
    if limit is not None:
        params["Limit"] = limit
    if offset is not None:
        params["Offset"] = offset
    return GET_CDRS, params
