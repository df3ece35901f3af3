"""A fake CGRateS engine speaking JSON-RPC over HTTP (``POST /jsonrpc``), in memory.

Wire format as in docs/cgrates.md (v0.10/master API)::

    {"method": "APIerSv2.SetAccount", "params": [{...}], "id": 1}
    -> {"id": 1, "result": "OK" | {...}, "error": null | "MESSAGE"}

Like the real server, keys are case-sensitive Go field names and unknown or wrongly-cased keys
are silently ignored (``{"tenant": ...}`` leaves Tenant empty and still answers "OK"; CGRateS
issue #1082) — which is why the playbooks read accounts back.

Failure knobs for tests: ``fail_next(method, error)`` makes the next call of ``method`` answer
that error (one shot), ``down = True`` answers HTTP 503 to everything.
"""

from __future__ import annotations

import calendar
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Params = dict[str, Any]

ZERO_TIME = "0001-01-01T00:00:00Z"
BALANCE_TYPES = ("*monetary", "*data", "*voice", "*sms", "*mms", "*generic")


class RpcError(Exception):
    """An error answered in the JSON-RPC ``error`` field (the message is the whole error)."""


def _canonical(method: str) -> str:
    """``ApierV1.X``/``ApierV2.X`` are aliases of ``APIerSv1.X``/``APIerSv2.X``."""
    service, _, name = method.partition(".")
    service = {"ApierV1": "APIerSv1", "ApierV2": "APIerSv2"}.get(service, service)
    return f"{service}.{name}"


def _expiration_date(expiry: Any, now: datetime | None = None) -> str:
    """Resolve a Balance ``ExpiryTime`` as CGRateS does, to an RFC 3339 string."""
    now = now or datetime.now(UTC)
    if expiry in (None, "", "*unlimited"):
        return ZERO_TIME
    if not isinstance(expiry, str):
        raise RpcError(f"SERVER_ERROR: cannot parse ExpiryTime {expiry!r}")
    if expiry == "*month_end":
        last_day = calendar.monthrange(now.year, now.month)[1]
        return now.replace(day=last_day, hour=23, minute=59, second=59, microsecond=0).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    if expiry == "*daily":
        return (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    match = re.fullmatch(r"\+(\d+)h", expiry)
    if match:
        return (now + timedelta(hours=int(match.group(1)))).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        datetime.fromisoformat(expiry.replace("Z", "+00:00"))
    except ValueError:
        raise RpcError(f"SERVER_ERROR: cannot parse ExpiryTime {expiry!r}") from None
    return expiry


def _number(params: Params, key: str) -> float:
    """A float64 field: Go's decoder refuses strings ("5120") where a number is expected."""
    value = params.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RpcError(
            f"json: cannot unmarshal {type(value).__name__} into Go struct field .{key} "
            "of type float64"
        )
    return float(value)


class FakeCGRateS:
    """In-memory CGRateS accounts and balances behind a threaded stdlib HTTP server."""

    def __init__(self) -> None:
        # "tenant:account" -> account dict, shaped like CGRateS's engine.Account JSON.
        self.accounts: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, Params]] = []
        self.down = False
        self._failures: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._methods: dict[str, Callable[[Params], Any]] = {
            "APIerSv2.SetAccount": self._set_account,
            "APIerSv1.GetAccount": self._get_account,
            "APIerSv1.RemoveAccount": self._remove_account,
            "APIerSv1.AddBalance": self._add_balance,
            "APIerSv1.SetBalance": self._set_balance,
            "APIerSv1.DebitBalance": self._debit_balance,
        }
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                if fake.down:
                    self._reply(503, b"service unavailable", "text/plain")
                    return
                if self.path.split("?")[0] != "/jsonrpc":
                    self._reply(404, b"404 page not found", "text/plain")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    self._reply(400, b"invalid JSON", "text/plain")
                    return
                reply = fake.handle(request)
                self._reply(200, json.dumps(reply).encode(), "application/json")

            def _reply(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jsonrpc"
        self._thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeCGRateS:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeCGRateS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- test knobs and helpers --------------------------------------------------------------
    def fail_next(self, method: str, error: str) -> None:
        """Make the next call of ``method`` (aliases accepted) answer ``error``."""
        with self._lock:
            self._failures.setdefault(_canonical(method), []).append(error)

    def account(self, account: str, tenant: str = "cgrates.org") -> dict[str, Any] | None:
        return self.accounts.get(f"{tenant}:{account}")

    def balance(
        self, account: str, balance_id: str, tenant: str = "cgrates.org"
    ) -> dict[str, Any] | None:
        acc = self.account(account, tenant)
        if acc is None:
            return None
        for balances in acc["BalanceMap"].values():
            for balance in balances:
                if balance["ID"] == balance_id:
                    return balance
        return None

    def methods_called(self) -> list[str]:
        return [method for method, _ in self.calls]

    # ---- JSON-RPC ----------------------------------------------------------------------------
    def handle(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict):
            return {"id": None, "result": None, "error": "rpc: invalid request"}
        request_id = request.get("id")
        method = str(request.get("method") or "")
        raw = request.get("params")
        params: Params = (
            raw[0] if isinstance(raw, list) and raw and isinstance(raw[0], dict) else {}
        )
        with self._lock:
            self.calls.append((method, params))
            name = _canonical(method)
            handler = self._methods.get(name)
            if handler is None:
                return {
                    "id": request_id,
                    "result": None,
                    "error": f"rpc: can't find method {method}",
                }
            queued = self._failures.get(name)
            if queued:
                return {"id": request_id, "result": None, "error": queued.pop(0)}
            try:
                result = handler(params)
            except RpcError as exc:
                return {"id": request_id, "result": None, "error": str(exc)}
        return {"id": request_id, "result": result, "error": None}

    # ---- methods (called with the lock held) -------------------------------------------------
    @staticmethod
    def _key(params: Params) -> str:
        account = params.get("Account")
        if not account:
            raise RpcError("MANDATORY_IE_MISSING: [Account]")
        # A missing/wrongly-cased Tenant is ignored, not refused: the account lands under "".
        return f"{params.get('Tenant') or ''}:{account}"

    def _new_account(self, key: str) -> dict[str, Any]:
        return {
            "ID": key,
            "BalanceMap": {},
            "UnitCounters": None,
            "ActionTriggers": None,
            "AllowNegative": False,
            "Disabled": False,
            "UpdateTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def _set_account(self, params: Params) -> str:
        key = self._key(params)
        account = self.accounts.setdefault(key, self._new_account(key))
        options = params.get("ExtraOptions") or {}
        for option in ("AllowNegative", "Disabled"):
            if option in options:
                account[option] = bool(options[option])
        return "OK"

    def _get_account(self, params: Params) -> dict[str, Any]:
        account = self.accounts.get(self._key(params))
        if account is None:
            raise RpcError("NOT_FOUND")
        return json.loads(json.dumps(account))  # a copy, as it would be on the wire

    def _remove_account(self, params: Params) -> str:
        if self.accounts.pop(self._key(params), None) is None:
            raise RpcError("NOT_FOUND")
        return "OK"

    def _balance_for(
        self, params: Params, *, create_account: bool, require_id: bool
    ) -> dict[str, Any]:
        key = self._key(params)
        balance_type = params.get("BalanceType")
        if balance_type not in BALANCE_TYPES:
            raise RpcError("MANDATORY_IE_MISSING: [BalanceType]")
        spec = params.get("Balance") or {}
        balance_id = spec.get("ID") or spec.get("Uuid")
        if require_id and not balance_id:
            raise RpcError("MANDATORY_IE_MISSING: [ID or Uuid]")
        if key not in self.accounts:
            if not create_account:
                raise RpcError("ACCOUNT_NOT_FOUND")
            self.accounts[key] = self._new_account(key)
        balances: list[dict[str, Any]] = self.accounts[key]["BalanceMap"].setdefault(
            balance_type, []
        )
        for balance in balances:
            if balance_id is None or balance_id in (balance["ID"], balance["Uuid"]):
                break
        else:
            balance = {
                "Uuid": str(uuid.uuid4()),
                "ID": balance_id or "",
                "Value": 0.0,
                "ExpirationDate": ZERO_TIME,
                "Weight": 0.0,
                "DestinationIDs": {},
                "RatingSubject": "",
                "Categories": {},
                "SharedGroups": {},
                "Timings": None,
                "TimingIDs": {},
                "Disabled": False,
                "Factor": None,
                "Blocker": False,
            }
            balances.append(balance)
        if "ExpiryTime" in spec:
            balance["ExpirationDate"] = _expiration_date(spec["ExpiryTime"])
        if "Weight" in spec:
            balance["Weight"] = float(spec["Weight"])
        for field in ("Blocker", "Disabled"):
            if field in spec:
                balance[field] = bool(spec[field])
        self.accounts[key]["UpdateTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return balance

    def _add_balance(self, params: Params) -> str:
        value = _number(params, "Value")
        balance = self._balance_for(params, create_account=True, require_id=False)
        # *topup adds to the balance with the same ID; Overwrite makes it *topup_reset.
        balance["Value"] = value if params.get("Overwrite") else balance["Value"] + value
        return "OK"

    def _set_balance(self, params: Params) -> str:
        value = _number(params, "Value")
        balance = self._balance_for(params, create_account=True, require_id=True)
        balance["Value"] = value
        return "OK"

    def _debit_balance(self, params: Params) -> str:
        value = _number(params, "Value")
        balance = self._balance_for(params, create_account=False, require_id=False)
        # *debit subtracts; Overwrite makes it *debit_reset (reset to 0, then debit).
        balance["Value"] = (0.0 if params.get("Overwrite") else balance["Value"]) - value
        return "OK"


@pytest.fixture
def fake_cgrates() -> Iterator[FakeCGRateS]:
    """A running fake CGRateS for one test; ``fake_cgrates.url`` is its JSON-RPC endpoint."""
    with FakeCGRateS() as fake:
        yield fake
