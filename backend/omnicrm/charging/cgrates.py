"""The CGRateS charging backend (``CHARGING_BACKEND=cgrates``): JSON-RPC over HTTP.

Call shapes and unit conversions live in :mod:`omnicrm.charging.cgrates_calls`, shared with the
plays. What this module adds is what CGRateS leaves to its callers:

- **Read-back.** CGRateS answers "OK" to a request whose keys it ignored (#1082), and
  ExecuteAction answers "OK" for an account that does not exist. Every balance change is read
  back with APIerSv2.GetAccount (APIerSv1.GetAccount answers an older structure, #830) and a
  change that is not there raises :class:`ChargingError`.
- **Expiry.** A top-up onto an existing balance changes only its value in CGRateS (#814), so
  ``add_balance`` follows it with a SetBalance of the later expiry on that balance's Uuid.
- **Prepaid.** CGRateS debits a CDR whatever the account holds, going negative on its
  ``*default`` money balance even with AllowNegative false (it only logs a warning). Only a
  ``Blocker`` balance that runs out stops a debit, atomically. So a prepaid account
  (``AccountOptions.allow_negative`` false) gets an empty money balance ``CREDIT_STOP_ID`` with
  Blocker set and the lowest weight: usage is paid from allowances, then money, and what is left
  makes CGRateS refuse the whole CDR (INSUFFICIENT_CREDIT_BALANCE_BLOCKER), which ``rate``
  reports as rejected.
- **Retries.** A request that never reached CGRateS (connection refused, connect timeout, HTTP
  503) is sent again, up to ``retries`` times. One that may have arrived (read timeout, dropped
  connection, other 5xx) is sent again only when it is idempotent (reads and absolute sets,
  ``cgrates_calls.IDEMPOTENT``); AddBalance, DebitBalance, ExecuteAction and ProcessEvent then
  raise :class:`ChargingUnavailable` saying the outcome is unknown. A rating batch sent again is
  safe: CGRateS answers "EXISTS" for a CDR it has, reported as ``duplicate``.

Every request carries ``Connection: close``: a reused keep-alive connection that the server had
already closed would make an unsent request look like one whose outcome is unknown.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from omnicrm.charging import cgrates_calls as calls
from omnicrm.charging.ports import (
    AccountOptions,
    Balance,
    BalanceSpec,
    BalanceType,
    Cause,
    ChargingError,
    ChargingUnavailable,
    Rate,
    RatedRecord,
    RecordOutcome,
    Threshold,
    UsageRecord,
)

CREDIT_STOP_ID = "omnicrm-credit-stop"
CREDIT_STOP_WEIGHT = -1  # below *default (0): money balances pay first, then the stop refuses
ORIGIN_HOST = "omnicrm"  # OriginHost of our CDRs: CGRateS de-duplicates on OriginID + OriginHost
CDR_QUERY_CHUNK = 200
_NOT_SENT_STATUSES = {503}  # a proxy or server that refused the request before handling it


class CGRatesError(ChargingError):
    """CGRateS answered a JSON-RPC error."""

    def __init__(self, method: str, message: str) -> None:
        super().__init__(f"CGRateS {method}: {message}")
        self.method = method
        self.reply = message  # the engine's error text, e.g. "SERVER_ERROR: NOT_FOUND"

    @property
    def not_found(self) -> bool:
        return self.reply.endswith("NOT_FOUND")


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


class JsonRpcClient:
    """POSTs one JSON-RPC call at a time, with bounded retries where they are safe."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.1,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.backoff = backoff
        self._session = session or requests.Session()
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    def call(self, call: calls.Call) -> Any:
        """The call's ``result``; a JSON-RPC ``error`` raises :class:`CGRatesError`."""
        method, _ = call
        with self._ids_lock:
            request_id = next(self._ids)
        body = calls.rpc_body(call, request_id)
        resend_after_arrival = method in calls.IDEMPOTENT
        problem = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._session.post(
                    self.url,
                    json=body,
                    timeout=(min(self.timeout, 3.0), self.timeout),
                    headers={"Connection": "close"},
                )
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
                if _never_sent(exc) or resend_after_arrival:
                    continue
                raise ChargingUnavailable(
                    f"CGRateS {method}: {problem}; the request may have been applied, so it "
                    "was not sent again"
                ) from exc
            if response.status_code == 200:
                return self._result(method, request_id, response)
            problem = f"HTTP {response.status_code} from {self.url}"
            if response.status_code in _NOT_SENT_STATUSES:
                continue
            if response.status_code >= 500 and resend_after_arrival:
                continue
            if response.status_code >= 500:
                raise ChargingUnavailable(
                    f"CGRateS {method}: {problem}; the request may have been applied, so it "
                    "was not sent again"
                )
            raise ChargingError(f"CGRateS {method}: {problem} (is CGRATES_URL the /jsonrpc URL?)")
        raise ChargingUnavailable(
            f"CGRateS {method}: unreachable at {self.url} after {self.retries + 1} attempts "
            f"({problem})"
        )

    @staticmethod
    def _result(method: str, request_id: int, response: requests.Response) -> Any:
        try:
            reply = response.json()
        except ValueError as exc:
            raise ChargingError(f"CGRateS {method}: the reply is not JSON") from exc
        if not isinstance(reply, dict) or reply.get("id") != request_id:
            raise ChargingError(f"CGRateS {method}: not a JSON-RPC reply to request {request_id}")
        if reply.get("error") is not None:
            raise CGRatesError(method, str(reply["error"]))
        return reply.get("result")


def _expiry_rank(expiry: datetime | None) -> datetime:
    """Order expiries with "never" last."""
    return expiry or datetime.max.replace(tzinfo=UTC)


class CGRatesBackend:
    """:class:`~omnicrm.charging.ports.ChargingBackend` over a CGRateS engine."""

    name = "cgrates"

    def __init__(
        self,
        url: str,
        *,
        tenant: str = "cgrates.org",
        timeout: float = 5.0,
        retries: int = 2,
        threshold_action_ids: Sequence[str] = ("Action_threshold_notify",),
        client: JsonRpcClient | None = None,
    ) -> None:
        self.tenant = tenant
        self.client = client or JsonRpcClient(url, timeout=timeout, retries=retries)
        # The actions a threshold runs (defined in CGRateS by the deployment, e.g. *http_post).
        self.threshold_action_ids = list(threshold_action_ids)

    # ---- accounts ----------------------------------------------------------------------------
    def create_account(self, account: str, options: AccountOptions | None = None) -> None:
        options = options or AccountOptions()
        plans = list(options.action_plan_ids)
        self.client.call(
            calls.set_account(
                self.tenant,
                account,
                allow_negative=options.allow_negative,
                disabled=options.disabled,
                action_plan_ids=plans or None,
                reload_scheduler=bool(plans),
            )
        )
        found = self._require_account(account, "after SetAccount")
        if (found.get("AllowNegative"), found.get("Disabled")) != (
            options.allow_negative,
            options.disabled,
        ):
            raise ChargingError(
                f"CGRateS account {account}: SetAccount answered OK but AllowNegative/Disabled "
                f"read back as {found.get('AllowNegative')}/{found.get('Disabled')}"
            )
        prepaid = not options.allow_negative
        stop = self._live_balance(found, "*monetary", CREDIT_STOP_ID)
        if prepaid == bool(stop and stop.get("Blocker")):
            return  # prepaid with its stop, or postpaid with none (or a disarmed one)
        self.client.call(
            calls.set_balance(
                self.tenant,
                account,
                "monetary",
                0,
                balance=calls.balance_filter(
                    balance_id=CREDIT_STOP_ID, weight=CREDIT_STOP_WEIGHT, blocker=prepaid
                ),
            )
        )
        stop = self._live_balance(self._require_account(account), "*monetary", CREDIT_STOP_ID)
        if stop is None or bool(stop.get("Blocker")) != prepaid:
            raise ChargingError(
                f"CGRateS account {account}: the credit stop balance was not set (Blocker "
                f"{prepaid})"
            )

    def remove_account(self, account: str) -> None:
        """Idempotent: an account already gone counts as removed."""
        try:
            self.client.call(calls.remove_account(self.tenant, account, reload_scheduler=True))
        except CGRatesError as exc:
            if not exc.not_found:
                raise

    # ---- balances ----------------------------------------------------------------------------
    def add_balance(self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str) -> None:
        kind = calls.balance_type(spec.balance_type)
        value = self._positive(spec)
        balance_id = self._balance_id(account, spec)
        existing = self._live_balance(self._require_account(account), kind, balance_id)
        self.client.call(
            calls.add_balance(
                self.tenant,
                account,
                spec.balance_type,
                value,
                balance=self._balance_fields(spec, balance_id),
            )
        )
        self._after_top_up(account, spec, balance_id, existing, "AddBalance")

    def top_up_by_action(self, account: str, action_id: str, specs: Sequence[BalanceSpec]) -> None:
        """Add ``specs`` (named balances) by defining ``action_id`` (``Action_<product slug>``,
        as OmniCRM names an add-on's action) as ``*topup`` of each, then executing it on the
        account; each balance is read back, and an older expiry moved on as AddBalance does."""
        found = self._require_account(account, "before ExecuteAction")
        existing = {}
        for spec in specs:
            if not spec.balance_id:
                raise ChargingError("a balance in an action needs a balance_id")
            self._positive(spec)
            kind = calls.balance_type(spec.balance_type)
            existing[spec.balance_id] = self._live_balance(found, kind, spec.balance_id)
        self.define_actions(action_id, specs, identifier="*topup")
        self.client.call(calls.execute_action(self.tenant, account, action_id))
        for spec in specs:
            assert spec.balance_id is not None
            self._after_top_up(
                account, spec, spec.balance_id, existing[spec.balance_id], "ExecuteAction"
            )

    def _after_top_up(
        self,
        account: str,
        spec: BalanceSpec,
        balance_id: str,
        existing: Mapping[str, Any] | None,
        method: str,
    ) -> None:
        """A top-up onto an existing balance keeps the later expiry (CGRateS keeps the old one,
        #814: move it on the very balance), then the balance is read back."""
        expected_expiry = self._expiry_of(spec, balance_id)
        if existing is not None:
            current = calls.from_cgr_time(existing.get("ExpirationDate"))
            expected_expiry = max(current, expected_expiry, key=_expiry_rank)
            if expected_expiry != current:
                self.client.call(
                    calls.set_balance(
                        self.tenant,
                        account,
                        spec.balance_type,
                        None,
                        balance=calls.balance_filter(
                            uuid=existing["Uuid"], expiry_time=calls.to_cgr_expiry(expected_expiry)
                        ),
                    )
                )
        start = self._value(spec.balance_type, existing)
        self._check(account, spec, balance_id, start + spec.value, expected_expiry, method)

    def set_balance(self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str) -> None:
        if spec.value < 0:
            raise ChargingError(f"cannot set a balance to a negative value ({spec.value})")
        balance_id = self._balance_id(account, spec)
        fields = self._balance_fields(spec, balance_id)
        if balance_id != calls.DEFAULT_BALANCE_ID:
            fields["ExpiryTime"] = calls.to_cgr_expiry(spec.expiry)  # replaces an old expiry
        self.client.call(
            calls.set_balance(
                self.tenant,
                account,
                spec.balance_type,
                calls.to_cgr_value(spec.balance_type, spec.value),
                balance=fields,
            )
        )
        self._check(
            account,
            spec,
            balance_id,
            spec.value,
            self._expiry_of(spec, balance_id),
            "SetBalance",
            weight_and_blocker=True,
        )

    def debit_balance(
        self, account: str, spec: BalanceSpec, *, cause: Cause, reference: str
    ) -> None:
        kind = calls.balance_type(spec.balance_type)
        value = self._positive(spec)
        balance_id = self._balance_id(account, spec)
        existing = self._live_balance(self._require_account(account), kind, balance_id)
        if existing is None:
            # CGRateS would create a negative balance of that name instead.
            raise ChargingError(f"CGRateS account {account} has no {kind} balance {balance_id}")
        self.client.call(
            calls.debit_balance(
                self.tenant,
                account,
                spec.balance_type,
                value,
                balance=calls.balance_filter(balance_id=balance_id),
            )
        )
        expected = self._value(spec.balance_type, existing) - spec.value
        found = self._live_balance(self._require_account(account), kind, balance_id)
        if found is None or self._value(spec.balance_type, found) != self._scaled(
            spec.balance_type, expected
        ):
            raise ChargingError(
                f"CGRateS account {account}: DebitBalance answered OK but {balance_id} reads "
                f"{self._value(spec.balance_type, found)}, not {expected}"
            )

    def balances(self, account: str) -> list[Balance]:
        """Live balances (CGRateS keeps expired ones until it cleans them; it never uses them),
        without the credit stop."""
        found = self._require_account(account)
        now = datetime.now(UTC)
        result = []
        for kind, items in (found.get("BalanceMap") or {}).items():
            try:
                balance_type = BalanceType(kind.removeprefix("*"))
            except ValueError:
                continue  # *generic, *mms: not OmniCRM kinds
            for item in items or []:
                expiry = calls.from_cgr_time(item.get("ExpirationDate"))
                if (expiry is not None and expiry <= now) or item.get("ID") == CREDIT_STOP_ID:
                    continue
                result.append(
                    Balance(
                        balance_type=balance_type,
                        balance_id=item.get("ID") or item.get("Uuid") or "",
                        value=self._value(balance_type, item),
                        expiry=expiry,
                        weight=int(float(item.get("Weight") or 0)),
                        blocker=bool(item.get("Blocker")),
                    )
                )
        return result

    def last_value(self, account: str, balance_type: BalanceType, balance_id: str) -> Decimal:
        """What a named balance holds, expired or not (0 when absent): what an allowance left
        unused at the end of its period, for rollover."""
        kind = calls.balance_type(balance_type)
        found = self._require_account(account)
        items = (found.get("BalanceMap") or {}).get(kind) or []
        item = next((i for i in items if i.get("ID") == balance_id), None)
        return self._value(balance_type, item)

    # ---- actions, plans, thresholds ----------------------------------------------------------
    def define_actions(
        self, actions_id: str, specs: Sequence[BalanceSpec], *, identifier: str = "*topup_reset"
    ) -> None:
        """Define ``actions_id`` (e.g. ``"Action_" + product_slug``) as a ``*topup_reset`` of
        each named allowance (what an action plan renews each period), or ``*topup`` (an add-on
        adds). Replaces an older one."""
        entries = []
        for spec in specs:
            if not spec.balance_id:
                raise ChargingError("an allowance in an action needs a balance_id")
            entries.append(
                calls.action(
                    identifier,
                    kind=spec.balance_type,
                    units=calls.to_cgr_value(spec.balance_type, spec.value),
                    balance_id=spec.balance_id,
                    expiry_time=calls.to_cgr_expiry(spec.expiry) if spec.expiry else "*month_end",
                    balance_weight=spec.weight,
                    balance_blocker=spec.blocker,
                )
            )
        self.client.call(calls.set_actions(actions_id, entries, overwrite=True))

    def execute_action(self, account: str, action_id: str) -> None:
        # CGRateS answers "OK" to ExecuteAction for an account it does not have: check first.
        self._require_account(account, "before ExecuteAction")
        self.client.call(calls.execute_action(self.tenant, account, action_id))

    def set_action_plan(self, plan_id: str, actions_id: str, *, month_day: int) -> None:
        """Run ``actions_id`` at 00:00:00 on ``month_day`` every month. Setting a plan again
        replaces it, and CGRateS then unbinds its accounts: define plans with the catalogue,
        then bind accounts (``AccountOptions.action_plan_ids``)."""
        if not 1 <= month_day <= 31:
            raise ChargingError(f"month_day must be 1..31, not {month_day}")
        timing = calls.action_timing(actions_id, month_days=str(month_day))
        self.client.call(calls.set_action_plan(plan_id, [timing], overwrite=True))

    def set_thresholds(self, account: str, thresholds: Sequence[Threshold]) -> None:
        """One ThresholdProfile per threshold and watched balance, on the BalanceUpdate events
        CGRateS sends ThresholdS. ``percent_used`` is of each balance's value now: set
        thresholds right after the allowances are loaded."""
        found = self._require_account(account)
        for threshold in thresholds:
            for profile_id, filters in self._threshold_filters(account, found, threshold):
                call = calls.set_threshold_profile(
                    self.tenant,
                    profile_id,
                    filter_ids=filters,
                    action_ids=self.threshold_action_ids,
                )
                self.client.call(call)
                stored = self.client.call(calls.get_threshold_profile(self.tenant, profile_id))
                if (stored or {}).get("FilterIDs") != filters:
                    raise ChargingError(
                        f"CGRateS threshold {profile_id}: SetThresholdProfile answered OK but "
                        "it reads back differently"
                    )

    def _threshold_filters(
        self, account: str, found: Mapping[str, Any], threshold: Threshold
    ) -> Iterator[tuple[str, list[str]]]:
        kind = calls.balance_type(threshold.balance_type)
        live = [
            item
            for item in self._live_balances(found, kind)
            if item.get("ID") and item["ID"] != CREDIT_STOP_ID
        ]
        base_id = f"{account}-{threshold.threshold_id}"
        if threshold.balance_type is BalanceType.monetary:
            if threshold.below is None or threshold.percent_used is not None:
                raise ChargingError("a monetary threshold takes `below`, not `percent_used`")
            ids = sorted({item["ID"] for item in live} | {calls.DEFAULT_BALANCE_ID})
            below = calls.to_cgr_value("monetary", threshold.below)
            yield base_id, calls.balance_update_filters(account, ids, operator="*lt", units=below)
            return
        if threshold.percent_used is None or threshold.below is not None:
            raise ChargingError(f"a {kind} threshold takes `percent_used`, not `below`")
        if not 0 <= threshold.percent_used <= 100:
            raise ChargingError(f"percent_used must be 0..100, not {threshold.percent_used}")
        if not live:
            raise ChargingError(f"CGRateS account {account} has no {kind} balance to watch")
        left = (100 - threshold.percent_used) / 100
        for item in live:
            units = int(Decimal(str(item.get("Value") or 0)) * left)
            filters = calls.balance_update_filters(
                account, [item["ID"]], operator="*lte", units=units
            )
            yield f"{base_id}-{item['ID']}", filters

    # ---- usage -------------------------------------------------------------------------------
    def rate(
        self, records: Sequence[UsageRecord], rates: dict[str, Rate], *, postpaid: set[str]
    ) -> list[RatedRecord]:
        """Send each record to CDRsV1.ProcessEvent (``*rals``, ``*store``), then read the stored
        CDRs back with CDRsV1.GetCDRs: CGRateS answers "OK" whatever the rating did, and writes
        the outcome into the CDR (``Cost`` -1 and ``ExtraInfo`` when the debit was refused; the
        EventCost in ``CostDetails`` says how much each balance gave).

        Prices are CGRateS's rating plans for Subject = the account: ``rates`` is the internal
        ledger's input and is not sent. Usage of a kind a plan does not price, past the
        allowances, is refused by CGRateS (RATING_PLAN_NOT_FOUND) and reported as rejected.
        Prepaid records go as ``*pseudoprepaid`` (debited from the CDR; ``*prepaid`` makes
        CGRateS first wait ~12 s for session costs that offline usage never has)."""
        outcomes: dict[str, RatedRecord] = {}
        sent: list[UsageRecord] = []
        for record in records:
            kind = calls.balance_type(record.usage_type)
            request_type = "*postpaid" if record.account in postpaid else "*pseudoprepaid"
            event = calls.cdr_event(
                tenant=self.tenant,
                tor=kind,
                origin_id=record.record_id,
                origin_host=ORIGIN_HOST,
                account=record.account,
                subject=record.account,
                destination=record.destination or "",
                setup_time=record.start_time,
                usage=int(calls.to_cgr_value(record.usage_type, record.units)),
                request_type=request_type,
            )
            # A fresh event ID: with RPC response caching on, CGRateS would answer a repeated ID
            # from its cache ("OK") instead of "EXISTS", and a duplicate would read as rated.
            event_id = uuid.uuid4().hex
            try:
                self.client.call(calls.process_event(self.tenant, event_id, event))
            except CGRatesError as exc:
                if exc.reply != "EXISTS":
                    raise ChargingError(f"{exc} (record {record.record_id})") from exc
                outcomes[record.record_id] = RatedRecord(
                    record.record_id, RecordOutcome.duplicate, reason="already rated in CGRateS"
                )
                continue
            sent.append(record)
        cdrs = self._stored_cdrs(sent)
        for record in sent:
            cdr = cdrs.get(record.record_id)
            if cdr is None:
                raise ChargingError(
                    f"CGRateS rated record {record.record_id} but stored no CDR for it (is "
                    "*store refused, or stor_db down?)"
                )
            prepaid = record.account not in postpaid
            outcomes[record.record_id] = self._outcome(record, cdr, prepaid=prepaid)
        return [outcomes[record.record_id] for record in records]

    def _stored_cdrs(self, records: Sequence[UsageRecord]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(records), CDR_QUERY_CHUNK):
            chunk = records[start : start + CDR_QUERY_CHUNK]
            call = calls.get_cdrs(
                accounts=sorted({record.account for record in chunk}),
                origin_ids=[record.record_id for record in chunk],
                origin_hosts=[ORIGIN_HOST],
                run_ids=["*default"],
            )
            try:
                cdrs = self.client.call(call) or []
            except CGRatesError as exc:
                if not exc.not_found:
                    raise
                cdrs = []
            for cdr in cdrs:
                found[str(cdr.get("OriginID"))] = cdr
        return found

    def _outcome(
        self, record: UsageRecord, cdr: Mapping[str, Any], *, prepaid: bool
    ) -> RatedRecord:
        cost = Decimal(str(cdr.get("Cost", -1)))
        if cost < 0:
            return RatedRecord(
                record.record_id,
                RecordOutcome.rejected,
                reason=str(cdr.get("ExtraInfo") or "CGRateS did not rate the record"),
            )
        units, money, arrears = self._debits(record, cdr.get("CostDetails"))
        if money is None:  # no EventCost: all CGRateS tells is the cost
            money, arrears = cost, Decimal(0)
        money = money.quantize(calls.MONEY_SCALE)
        arrears = arrears.quantize(calls.MONEY_SCALE)
        return RatedRecord(
            record.record_id,
            RecordOutcome.arrears if arrears > 0 else RecordOutcome.rated,
            from_allowance=calls.from_cgr_value(record.usage_type, units),
            charged=money - arrears,
            arrears=arrears,
            reason="CGRateS took a prepaid account below zero (no credit stop?)"
            if arrears > 0 and prepaid
            else None,
        )

    @staticmethod
    def _debits(record: UsageRecord, details: Any) -> tuple[Decimal, Decimal | None, Decimal]:
        """From an EventCost: units taken from balances of the record's kind, money taken from
        money balances, and how much of that money took a balance below zero."""
        if not isinstance(details, dict):
            return Decimal(0), None, Decimal(0)
        accounting = details.get("Accounting") or {}
        summaries = (details.get("AccountSummary") or {}).get("BalanceSummaries") or []
        kinds = {item.get("UUID"): item for item in summaries}
        taken: dict[str, Decimal] = {}

        def add(charge_id: str | None, times: Decimal) -> None:
            seen = set()
            while charge_id and charge_id not in seen:  # an ExtraChargeID chain
                seen.add(charge_id)
                charge = accounting.get(charge_id) or {}
                balance = str(charge.get("BalanceUUID") or "")
                units = times * Decimal(str(charge.get("Units") or 0))
                taken[balance] = taken.get(balance, Decimal(0)) + units
                charge_id = charge.get("ExtraChargeID")

        for interval in details.get("Charges") or []:
            interval_times = Decimal(str(interval.get("CompressFactor") or 1))
            for increment in interval.get("Increments") or []:
                times = interval_times * Decimal(str(increment.get("CompressFactor") or 1))
                add(increment.get("AccountingID"), times)
        kind = calls.balance_type(record.usage_type)
        units = money = arrears = Decimal(0)
        for balance_uuid, amount in taken.items():
            summary = kinds.get(balance_uuid) or {}
            if summary.get("Type") == kind:
                units += amount
            elif summary.get("Type") == "*monetary":
                money += amount
                after = Decimal(str(summary.get("Value") or 0))
                arrears += max(-after, Decimal(0)) - max(-(after + amount), Decimal(0))
        return units, money, arrears

    # ---- helpers -----------------------------------------------------------------------------
    def _read_account(self, account: str) -> dict[str, Any] | None:
        try:
            found = self.client.call(calls.get_account(self.tenant, account))
        except CGRatesError as exc:
            if exc.not_found:
                return None
            raise
        if not isinstance(found, dict) or found.get("ID") != f"{self.tenant}:{account}":
            raise ChargingError(f"CGRateS GetAccount {account}: unexpected reply {found!r}")
        return found

    def _require_account(self, account: str, when: str = "") -> dict[str, Any]:
        found = self._read_account(account)
        if found is None:
            raise ChargingError(
                f"CGRateS has no account {self.tenant}:{account}" + (f" {when}" if when else "")
            )
        return found

    @staticmethod
    def _live_balances(found: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        return [
            item
            for item in (found.get("BalanceMap") or {}).get(kind) or []
            if _expiry_rank(calls.from_cgr_time(item.get("ExpirationDate"))) > now
        ]

    def _live_balance(
        self, found: Mapping[str, Any], kind: str, balance_id: str
    ) -> dict[str, Any] | None:
        return next(
            (item for item in self._live_balances(found, kind) if item.get("ID") == balance_id),
            None,
        )

    @staticmethod
    def _balance_id(account: str, spec: BalanceSpec) -> str:
        """An unnamed balance: money joins CGRateS's ``*default`` (where it goes negative), a
        unit top-up joins one fixed balance per kind."""
        if spec.balance_id:
            return spec.balance_id
        if spec.balance_type is BalanceType.monetary:
            if spec.expiry is not None:
                raise ChargingError(
                    "CGRateS's default money balance cannot expire: name the balance"
                )
            return calls.DEFAULT_BALANCE_ID
        return f"{account}-topup-{spec.balance_type.value}"

    @staticmethod
    def _balance_fields(spec: BalanceSpec, balance_id: str) -> dict[str, Any]:
        if balance_id == calls.DEFAULT_BALANCE_ID:
            return calls.balance_filter(balance_id=balance_id)  # *default keeps only a value
        return calls.balance_filter(
            balance_id=balance_id,
            expiry_time=calls.to_cgr_expiry(spec.expiry),
            weight=spec.weight,
            blocker=spec.blocker,
        )

    @staticmethod
    def _expiry_of(spec: BalanceSpec, balance_id: str) -> datetime | None:
        if spec.expiry is None or balance_id == calls.DEFAULT_BALANCE_ID:
            return None
        return calls.from_cgr_time(calls.to_cgr_expiry(spec.expiry))  # whole seconds, UTC

    @staticmethod
    def _positive(spec: BalanceSpec) -> int | float:
        value = calls.to_cgr_value(spec.balance_type, spec.value)
        if value <= 0:
            # CGRateS refuses 0 (MANDATORY_IE_MISSING) and takes the absolute value of the rest.
            raise ChargingError(f"the amount must be positive (got {spec.value})")
        return value

    @staticmethod
    def _scaled(kind: str, amount: Decimal) -> Decimal:
        return amount.quantize(calls.UNIT_SCALES[kind.removeprefix("*")])

    @staticmethod
    def _value(kind: str, item: Mapping[str, Any] | None) -> Decimal:
        return calls.from_cgr_value(kind, (item or {}).get("Value") or 0)

    def _check(
        self,
        account: str,
        spec: BalanceSpec,
        balance_id: str,
        value: Decimal,
        expiry: datetime | None,
        method: str,
        *,
        weight_and_blocker: bool = False,
    ) -> None:
        """Read the balance back: CGRateS's "OK" does not prove the change happened."""
        kind = calls.balance_type(spec.balance_type)
        found = self._live_balance(self._require_account(account), kind, balance_id)
        problems = []
        if found is None:
            problems.append(f"no live {kind} balance {balance_id}")
        else:
            if self._value(spec.balance_type, found) != self._scaled(spec.balance_type, value):
                problems.append(
                    f"value {self._value(spec.balance_type, found)}, expected "
                    f"{self._scaled(spec.balance_type, value)} (a debit racing this change "
                    "also explains it)"
                )
            if calls.from_cgr_time(found.get("ExpirationDate")) != expiry:
                problems.append(f"expiry {found.get('ExpirationDate')}, expected {expiry}")
            if weight_and_blocker and balance_id != calls.DEFAULT_BALANCE_ID:
                if float(found.get("Weight") or 0) != spec.weight:
                    problems.append(f"weight {found.get('Weight')}, expected {spec.weight}")
                if bool(found.get("Blocker")) != spec.blocker:
                    problems.append(f"blocker {found.get('Blocker')}, expected {spec.blocker}")
        if problems:
            raise ChargingError(
                f"CGRateS account {account}: {method} answered OK but " + "; ".join(problems)
            )
