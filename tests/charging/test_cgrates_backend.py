"""CGRatesBackend against the fake CGRateS (tests/fakes/cgrates.py): the wire shapes of every
call, unit conversion, read-back of silently ignored changes, errors, bounded retries, expiry
extension and rating. No app or database."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from omnicrm.charging import cgrates_calls as calls
from omnicrm.charging.cgrates import (
    CREDIT_STOP_ID,
    CGRatesBackend,
    CGRatesError,
    JsonRpcClient,
)
from omnicrm.charging.ports import (
    AccountOptions,
    BalanceSpec,
    BalanceType,
    Cause,
    ChargingError,
    ChargingUnavailable,
    RecordOutcome,
    Threshold,
    UsageRecord,
    UsageType,
)
from tests.fakes.cgrates import FakeCGRateS, fake_cgrates  # noqa: F401

TENANT = "cgrates.org"
ACC = "3f2a9c1e5b7d4e8fa0b1c2d3e4f50617"
MB = 1_048_576
MINUTE_NS = 60 * 1_000_000_000
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
PLUGIN = Path(__file__).resolve().parents[2] / "ansible" / "filter_plugins" / "cgrates.py"


@pytest.fixture
def cgr(fake_cgrates: FakeCGRateS) -> Iterator[FakeCGRateS]:  # noqa: F811
    yield fake_cgrates


@pytest.fixture
def backend(cgr: FakeCGRateS) -> CGRatesBackend:
    return CGRatesBackend(cgr.url, tenant=TENANT, timeout=2.0, retries=2)


def params_of(cgr: FakeCGRateS, method: str) -> list[dict[str, Any]]:
    return [params for name, params in cgr.calls if name == method]


def add(backend: CGRatesBackend, spec: BalanceSpec, account: str = ACC) -> None:
    backend.add_balance(account, spec, cause=Cause.topup, reference="ref-1")


def data(mb: str, **kwargs: Any) -> BalanceSpec:
    return BalanceSpec(BalanceType.data, Decimal(mb), **kwargs)


def money(amount: str, **kwargs: Any) -> BalanceSpec:
    return BalanceSpec(BalanceType.monetary, Decimal(amount), **kwargs)


def usage(record_id: str, kind: UsageType, units: str, account: str = ACC) -> UsageRecord:
    return UsageRecord(record_id, account, kind, Decimal(units), START, destination="61412")


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
@given(st.decimals(min_value=0, max_value=10**7, places=6))
def test_data_and_voice_round_trip_to_six_places(amount: Decimal) -> None:
    for kind in ("data", "voice"):
        wire = calls.to_cgr_value(kind, amount)
        assert isinstance(wire, int)
        assert calls.from_cgr_value(kind, float(wire)) == amount


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4))
def test_money_round_trips_through_a_float(amount: Decimal) -> None:
    wire = calls.to_cgr_value("monetary", amount)
    assert isinstance(wire, float)
    assert calls.from_cgr_value("monetary", wire) == amount


def test_unit_conversions_match_the_plays() -> None:
    assert calls.to_cgr_value(BalanceType.data, 5120) == 5120 * MB
    assert calls.to_cgr_value("voice", Decimal("2.5")) == 150 * 10**9
    assert calls.to_cgr_value("*sms", 200) == 200
    assert calls.balance_type(UsageType.voice) == "*voice"
    assert calls.to_cgr_expiry(None) == "*unlimited"
    assert calls.to_cgr_expiry(datetime(2025, 1, 31, 23, 59, 59)) == "2025-01-31T23:59:59Z"
    assert calls.from_cgr_time("2017-12-20T08:00:39.31688096+02:00") == datetime(
        2017, 12, 20, 6, 0, 39, 316880, tzinfo=UTC
    )
    assert calls.from_cgr_time(calls.ZERO_TIME) is None
    with pytest.raises(ValueError):
        calls.balance_type("bitcoin")


# --------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------
def test_create_prepaid_account_sends_documented_keys_and_a_credit_stop(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)

    assert cgr.methods_called() == [
        "APIerSv2.SetAccount",
        "APIerSv2.GetAccount",
        "APIerSv1.SetBalance",
        "APIerSv2.GetAccount",
    ]
    (set_account,) = params_of(cgr, "APIerSv2.SetAccount")
    assert set_account == {
        "Tenant": TENANT,
        "Account": ACC,
        "ExtraOptions": {"AllowNegative": False, "Disabled": False},
    }
    (set_balance,) = params_of(cgr, "APIerSv1.SetBalance")
    assert set(set_balance) == {"Tenant", "Account", "BalanceType", "Value", "Balance"}
    assert set_balance["Balance"] == {
        "ID": CREDIT_STOP_ID,
        "Weight": -1,
        "Blocker": True,
        "Value": 0,
    }
    assert params_of(cgr, "APIerSv2.GetAccount")[0] == {"Tenant": TENANT, "Account": ACC}
    stop = cgr.balance(ACC, CREDIT_STOP_ID)
    assert stop is not None and stop["Blocker"] is True and stop["Value"] == 0
    assert backend.balances(ACC) == []  # the stop is machinery, not a balance to show


def test_postpaid_account_has_no_armed_credit_stop(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    backend.create_account(ACC, AccountOptions(allow_negative=True))

    account = cgr.account(ACC)
    assert account is not None and account["AllowNegative"] is True
    stop = cgr.balance(ACC, CREDIT_STOP_ID)
    assert stop is not None and stop["Blocker"] is False

    backend.create_account("postpaid-2", AccountOptions(allow_negative=True, disabled=True))
    assert cgr.balance("postpaid-2", CREDIT_STOP_ID) is None
    assert cgr.account("postpaid-2")["Disabled"] is True  # type: ignore[index]


def test_remove_account_is_idempotent(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    backend.remove_account(ACC)
    backend.remove_account(ACC)  # NOT_FOUND: already done

    assert cgr.account(ACC) is None
    assert params_of(cgr, "APIerSv1.RemoveAccount")[0] == {
        "Tenant": TENANT,
        "Account": ACC,
        "ReloadScheduler": True,
    }


# --------------------------------------------------------------------------------------------
# Balances
# --------------------------------------------------------------------------------------------
def test_add_balance_converts_units_and_reads_back(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    cgr.calls.clear()

    add(backend, data("1.5", balance_id="promo", expiry=LATER, weight=20))

    assert cgr.methods_called() == [
        "APIerSv2.GetAccount",
        "APIerSv1.AddBalance",
        "APIerSv2.GetAccount",
    ]
    (params,) = params_of(cgr, "APIerSv1.AddBalance")
    assert params == {
        "Tenant": TENANT,
        "Account": ACC,
        "BalanceType": "*data",
        "Value": 1_572_864,
        "Balance": {
            "ID": "promo",
            "ExpiryTime": calls.to_cgr_time(LATER),
            "Weight": 20,
            "Blocker": False,
        },
        "Overwrite": False,
    }
    (balance,) = backend.balances(ACC)
    assert balance.balance_type is BalanceType.data
    assert (balance.balance_id, balance.value, balance.expiry) == ("promo", Decimal("1.5"), LATER)
    assert (balance.weight, balance.blocker) == (20, False)


def test_voice_sms_and_money_round_trip(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    add(backend, BalanceSpec(BalanceType.voice, Decimal("2.5"), balance_id="v"))
    add(backend, BalanceSpec(BalanceType.sms, Decimal(50), balance_id="s"))
    add(backend, money("12.3456"))

    assert cgr.balance(ACC, "v")["Value"] == 150 * 10**9  # type: ignore[index]
    assert cgr.balance(ACC, "s")["Value"] == 50  # type: ignore[index]
    assert cgr.balance(ACC, "*default")["Value"] == 12.3456  # type: ignore[index]
    values = {b.balance_id: b.value for b in backend.balances(ACC)}
    assert values == {"v": Decimal("2.5"), "s": Decimal(50), "*default": Decimal("12.3456")}
    assert all(isinstance(v, Decimal) for v in values.values())


def test_top_up_extends_the_expiry_of_the_balance_it_joins(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    first = LATER - timedelta(days=20)
    add(backend, data("100", balance_id="extra", expiry=first))
    uuid = cgr.balance(ACC, "extra")["Uuid"]  # type: ignore[index]
    cgr.calls.clear()

    add(backend, data("50", balance_id="extra", expiry=LATER))

    balance = cgr.balance(ACC, "extra")
    assert balance is not None and balance["Uuid"] == uuid  # the same balance, not a new one
    assert balance["Value"] == 150 * MB
    assert balance["ExpirationDate"] == calls.to_cgr_time(LATER)
    (moved,) = params_of(cgr, "APIerSv1.SetBalance")
    assert moved == {
        "Tenant": TENANT,
        "Account": ACC,
        "BalanceType": "*data",
        "Value": 0,  # 0 at the top level: CGRateS leaves the value alone
        "Balance": {"Uuid": uuid, "ExpiryTime": calls.to_cgr_time(LATER)},
    }

    add(backend, data("1", balance_id="extra", expiry=first))  # an earlier expiry never shortens
    assert cgr.balance(ACC, "extra")["ExpirationDate"] == calls.to_cgr_time(LATER)  # type: ignore[index]
    assert len(params_of(cgr, "APIerSv1.SetBalance")) == 1


def test_an_addon_action_adds_its_balances_and_extends_their_expiry(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    first = LATER - timedelta(days=20)
    specs = [data("100", balance_id="addon-5g-data", expiry=first)]
    backend.top_up_by_action(ACC, "Action_5g", specs)
    (defined,) = params_of(cgr, "APIerSv2.SetActions")
    assert defined["ActionsId"] == "Action_5g" and defined["Overwrite"] is True
    assert [a["Identifier"] for a in defined["Actions"]] == ["*topup"]
    assert params_of(cgr, "APIerSv1.ExecuteAction") == [
        {"Tenant": TENANT, "Account": ACC, "ActionsId": "Action_5g"}
    ]
    backend.top_up_by_action(
        ACC, "Action_5g", [data("100", balance_id="addon-5g-data", expiry=LATER)]
    )
    balance = cgr.balance(ACC, "addon-5g-data")
    assert balance is not None and balance["Value"] == 200 * MB
    assert balance["ExpirationDate"] == calls.to_cgr_time(LATER)  # moved on, as AddBalance does


def test_an_action_on_an_account_cgrates_lacks_is_refused(backend: CGRatesBackend) -> None:
    # CGRateS answers "OK" to ExecuteAction for an account it does not have.
    with pytest.raises(ChargingError, match="no account"):
        backend.top_up_by_action(ACC, "Action_5g", [data("1", balance_id="addon-5g-data")])


def test_the_fake_like_cgrates_does_not_move_expiry_on_top_up(cgr: FakeCGRateS) -> None:
    """Why add_balance needs its SetBalance (issue #814)."""
    client = JsonRpcClient(cgr.url)
    for expiry in ("2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z"):
        filt = calls.balance_filter(balance_id="b", expiry_time=expiry)
        client.call(calls.add_balance(TENANT, ACC, "data", 10, balance=filt))
    balance = cgr.balance(ACC, "b")
    assert balance is not None and balance["Value"] == 20
    assert balance["ExpirationDate"] == "2030-01-01T00:00:00Z"


def test_unnamed_top_ups_join_one_balance_per_kind(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    add(backend, data("10"))
    add(backend, data("5", expiry=LATER))
    add(backend, money("3"))
    add(backend, money("2"))

    assert sorted((b.balance_id, b.value) for b in backend.balances(ACC)) == [
        ("*default", Decimal(5)),
        (f"{ACC}-topup-data", Decimal(15)),
    ]
    with pytest.raises(ChargingError, match="cannot expire"):
        add(backend, money("1", expiry=LATER))


def test_set_balance_sets_exact_values_including_zero(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC)
    add(backend, data("100", balance_id="allowance", expiry=LATER))
    cgr.calls.clear()

    backend.set_balance(
        ACC, data("0", balance_id="allowance"), cause=Cause.allowance, reference="renewal"
    )

    balance = cgr.balance(ACC, "allowance")
    assert balance is not None and balance["Value"] == 0
    assert balance["ExpirationDate"] == calls.ZERO_TIME  # None: never expires
    (params,) = params_of(cgr, "APIerSv1.SetBalance")
    assert params["Balance"] == {
        "ID": "allowance",
        "ExpiryTime": "*unlimited",
        "Weight": 10,
        "Blocker": False,
        "Value": 0,
    }
    backend.set_balance(
        ACC, data("5120", balance_id="allowance"), cause=Cause.allowance, reference="r"
    )
    assert backend.balances(ACC)[0].value == Decimal(5120)


def test_debit_balance(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    add(backend, money("10", balance_id="wallet"))

    backend.debit_balance(
        ACC, money("2.5", balance_id="wallet"), cause=Cause.adjustment, reference="x"
    )

    assert cgr.balance(ACC, "wallet")["Value"] == 7.5  # type: ignore[index]
    assert params_of(cgr, "APIerSv1.DebitBalance")[0]["Balance"] == {"ID": "wallet"}
    cgr.calls.clear()
    with pytest.raises(ChargingError, match="no \\*monetary balance nope"):
        backend.debit_balance(
            ACC, money("1", balance_id="nope"), cause=Cause.adjustment, reference="x"
        )
    assert "APIerSv1.DebitBalance" not in cgr.methods_called()


def test_amounts_must_be_positive(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    with pytest.raises(ChargingError, match="positive"):
        add(backend, data("0"))
    with pytest.raises(ChargingError, match="negative"):
        backend.set_balance(ACC, money("-1", balance_id="w"), cause=Cause.adjustment, reference="r")


# --------------------------------------------------------------------------------------------
# Read-back, errors, retries
# --------------------------------------------------------------------------------------------
class MiskeyingClient(JsonRpcClient):
    """Sends ``method``'s ``key`` wrongly cased, as a careless client would."""

    def __init__(self, url: str, method: str, key: str) -> None:
        super().__init__(url, timeout=2.0, retries=0)
        self.method, self.key = method, key

    def call(self, call: calls.Call) -> Any:
        method, params = call
        if method == self.method and self.key in params:
            params = {**params, self.key.lower(): params[self.key]}
            del params[self.key]
        return super().call((method, params))


def test_an_ignored_key_is_caught_by_reading_back(cgr: FakeCGRateS) -> None:
    miskeyed = CGRatesBackend(
        cgr.url, client=MiskeyingClient(cgr.url, "APIerSv2.SetAccount", "Tenant")
    )
    with pytest.raises(ChargingError, match=r"no account cgrates\.org:.*after SetAccount"):
        miskeyed.create_account(ACC)
    assert f":{ACC}" in cgr.accounts  # CGRateS answered OK and put it under an empty tenant

    good = CGRatesBackend(cgr.url)
    good.create_account(ACC)
    miskeyed = CGRatesBackend(
        cgr.url, client=MiskeyingClient(cgr.url, "APIerSv1.AddBalance", "Balance")
    )
    with pytest.raises(ChargingError, match="AddBalance answered OK but no live \\*data balance"):
        add(miskeyed, data("10", balance_id="named"))


def test_json_rpc_error_becomes_charging_error(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    cgr.fail_next("APIerSv1.AddBalance", "SERVER_ERROR: disk full")

    with pytest.raises(CGRatesError) as caught:
        add(backend, data("1"))

    assert not isinstance(caught.value, ChargingUnavailable)
    assert (caught.value.method, caught.value.reply) == (
        "APIerSv1.AddBalance",
        "SERVER_ERROR: disk full",
    )
    assert "APIerSv1.AddBalance" in str(caught.value)


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.posts = 0

    def post(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.posts += 1
        return super().post(*args, **kwargs)


def test_down_cgrates_is_unavailable_after_bounded_retries(cgr: FakeCGRateS) -> None:
    session = CountingSession()
    backend = CGRatesBackend(
        cgr.url, client=JsonRpcClient(cgr.url, timeout=1.0, retries=2, session=session)
    )
    cgr.down = True
    started = time.monotonic()

    with pytest.raises(ChargingUnavailable, match=r"after 3 attempts.*HTTP 503"):
        add(backend, data("1"))

    assert time.monotonic() - started < 2.0
    assert session.posts == 3  # 503: refused before handling, so safe to send again


def test_connection_refused_is_retried_even_for_a_top_up() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = CountingSession()
    client = JsonRpcClient(f"http://127.0.0.1:{port}/jsonrpc", retries=1, session=session)

    with pytest.raises(ChargingUnavailable, match="after 2 attempts"):
        client.call(calls.add_balance(TENANT, ACC, "data", 1, balance={}))
    assert session.posts == 2


def test_a_timed_out_top_up_is_not_sent_again_but_a_read_is(cgr: FakeCGRateS) -> None:
    client = JsonRpcClient(cgr.url, timeout=0.2, retries=2, backoff=0.01)
    cgr.delay = 0.5

    with pytest.raises(ChargingUnavailable, match="may have been applied"):
        client.call(calls.add_balance(TENANT, ACC, "data", 10, balance={"ID": "b"}))
    with pytest.raises(ChargingUnavailable, match="after 3 attempts"):
        client.call(calls.get_account(TENANT, ACC))
    time.sleep(0.8)  # let the fake finish the requests the client gave up on

    assert cgr.methods_called().count("APIerSv1.AddBalance") == 1
    assert cgr.methods_called().count("APIerSv2.GetAccount") == 3
    assert cgr.balance(ACC, "b")["Value"] == 10  # type: ignore[index]  # it was applied


# --------------------------------------------------------------------------------------------
# Actions, plans, thresholds
# --------------------------------------------------------------------------------------------
def test_action_plan_renews_allowances_of_bound_accounts(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    allowance = data("5120", balance_id="mobile-basic-data", expiry=None)
    backend.define_actions("Action_mobile-basic", [allowance])
    backend.set_action_plan("AP_mobile-basic", "Action_mobile-basic", month_day=1)
    backend.create_account(ACC, AccountOptions(action_plan_ids=["AP_mobile-basic"]))

    (actions,) = params_of(cgr, "APIerSv2.SetActions")
    assert actions == {
        "ActionsId": "Action_mobile-basic",
        "Overwrite": True,
        "Actions": [
            {
                "Identifier": "*topup_reset",
                "Weight": 10,
                "BalanceType": "*data",
                "Units": str(5120 * MB),
                "BalanceId": "mobile-basic-data",
                "ExpiryTime": "*month_end",
                "BalanceWeight": "10",
                "BalanceBlocker": "false",
            }
        ],
    }
    (plan,) = params_of(cgr, "APIerSv1.SetActionPlan")
    assert plan == {
        "Id": "AP_mobile-basic",
        "ActionPlan": [
            {"ActionsId": "Action_mobile-basic", "Time": "00:00:00", "Weight": 10, "MonthDays": "1"}
        ],
        "Overwrite": True,
        "ReloadScheduler": True,
    }
    assert params_of(cgr, "APIerSv2.SetAccount")[0]["ActionPlanIDs"] == ["AP_mobile-basic"]
    assert cgr.balance(ACC, "mobile-basic-data") is None  # not until the 1st

    cgr.run_action_plan("AP_mobile-basic")  # the scheduler reaches the 1st
    assert cgr.balance(ACC, "mobile-basic-data")["Value"] == 5120 * MB  # type: ignore[index]
    backend.debit_balance(
        ACC, data("120", balance_id="mobile-basic-data"), cause=Cause.usage, reference="u"
    )
    cgr.run_action_plan("AP_mobile-basic")  # *topup_reset: back to the allowance
    assert cgr.balance(ACC, "mobile-basic-data")["Value"] == 5120 * MB  # type: ignore[index]

    with pytest.raises(ChargingError, match="month_day"):
        backend.set_action_plan("AP_x", "Action_mobile-basic", month_day=32)


def test_asap_plan_runs_when_an_account_is_bound(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.define_actions("Action_welcome", [money("5", balance_id="welcome", expiry=LATER)])
    timing = calls.action_timing("Action_welcome", time="*asap")
    backend.client.call(calls.set_action_plan("AP_welcome", [timing], overwrite=True))

    backend.create_account(ACC, AccountOptions(action_plan_ids=["AP_welcome"]))

    assert cgr.balance(ACC, "welcome")["Value"] == 5  # type: ignore[index]


def test_execute_action_checks_the_account_first(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.define_actions("Action_10gb", [data("10240", balance_id="addon-10gb")])
    backend.create_account(ACC)

    backend.execute_action(ACC, "Action_10gb")

    assert cgr.balance(ACC, "addon-10gb")["Value"] == 10240 * MB  # type: ignore[index]
    assert params_of(cgr, "APIerSv1.ExecuteAction") == [
        {"Tenant": TENANT, "Account": ACC, "ActionsId": "Action_10gb"}
    ]
    cgr.calls.clear()
    with pytest.raises(ChargingError, match=r"no account .*before ExecuteAction"):
        backend.execute_action("missing", "Action_10gb")
    assert "APIerSv1.ExecuteAction" not in cgr.methods_called()
    with pytest.raises(CGRatesError, match="NOT_FOUND"):
        backend.execute_action(ACC, "Action_nope")


def test_thresholds_watch_balance_updates(backend: CGRatesBackend, cgr: FakeCGRateS) -> None:
    backend.create_account(ACC)
    add(backend, data("100", balance_id="allowance"))
    add(backend, money("20"))

    backend.set_thresholds(
        ACC,
        [
            Threshold("data80", BalanceType.data, percent_used=Decimal(80)),
            Threshold("low", BalanceType.monetary, below=Decimal("5")),
        ],
    )

    data_profile = cgr.thresholds[f"{TENANT}:{ACC}-data80-allowance"]
    assert data_profile["FilterIDs"] == [
        "*string:~*req.EventType:BalanceUpdate",
        f"*string:~*req.Account:{ACC}",
        "*string:~*req.BalanceID:allowance",
        f"*lte:~*req.Units:{20 * MB}",
    ]
    assert data_profile["ActionIDs"] == ["Action_threshold_notify"]
    (first, *_) = params_of(cgr, "APIerSv1.SetThresholdProfile")
    assert set(first) == {
        "Tenant", "ID", "FilterIDs", "MaxHits", "MinHits", "MinSleep", "Blocker", "Weight",
        "ActionIDs", "Async",
    }  # fmt: skip
    money_profile = cgr.thresholds[f"{TENANT}:{ACC}-low"]
    assert money_profile["FilterIDs"][2:] == [
        "*string:~*req.BalanceID:*default",
        "*lt:~*req.Units:5",
    ]
    with pytest.raises(ChargingError, match="no \\*voice balance"):
        backend.set_thresholds(ACC, [Threshold("v", BalanceType.voice, percent_used=Decimal(50))])


# --------------------------------------------------------------------------------------------
# Rating
# --------------------------------------------------------------------------------------------
@pytest.fixture
def prepaid(backend: CGRatesBackend, cgr: FakeCGRateS) -> CGRatesBackend:
    """An account with a 100 MB allowance and 10.00 of money; data 0.01 per MB past it."""
    backend.create_account(ACC)
    add(backend, data("100", balance_id="allowance", weight=20))
    add(backend, money("10"))
    cgr.load_tariff(ACC, {"*data": "0.01", "*voice": "0.10", "*sms": "0.05"})
    cgr.calls.clear()
    return backend


def test_rating_uses_the_allowance_first_then_money(
    prepaid: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    (result,) = prepaid.rate([usage("r1", UsageType.data, "150")], {}, postpaid=set())

    assert result.outcome is RecordOutcome.rated
    assert (result.from_allowance, result.charged, result.arrears) == (
        Decimal(100),
        Decimal("0.5"),
        Decimal(0),
    )
    assert cgr.balance(ACC, "allowance")["Value"] == 0  # type: ignore[index]
    assert cgr.balance(ACC, "*default")["Value"] == 9.5  # type: ignore[index]
    (event,) = params_of(cgr, "CDRsV1.ProcessEvent")
    assert set(event) == {"Flags", "Tenant", "ID", "Event"}
    assert event["Flags"] == ["*rals", "*store"]
    assert event["Event"] == {
        "ToR": "*data",
        "OriginID": "r1",
        "OriginHost": "omnicrm",
        "RequestType": "*pseudoprepaid",
        "Tenant": TENANT,
        "Category": "call",
        "Account": ACC,
        "Subject": ACC,
        "Destination": "61412",
        "SetupTime": "2025-03-01T12:00:00Z",
        "AnswerTime": "2025-03-01T12:00:00Z",
        "Usage": 150 * MB,
        "RunID": "*default",
    }
    assert params_of(cgr, "CDRsV1.GetCDRs") == [
        {"Accounts": [ACC], "OriginIDs": ["r1"], "OriginHosts": ["omnicrm"], "RunIDs": ["*default"]}
    ]


def test_voice_and_sms_are_rated_in_their_units(prepaid: CGRatesBackend, cgr: FakeCGRateS) -> None:
    results = prepaid.rate(
        [usage("v1", UsageType.voice, "2.5"), usage("s1", UsageType.sms, "3")], {}, postpaid=set()
    )

    assert [(r.outcome, r.charged) for r in results] == [
        (RecordOutcome.rated, Decimal("0.25")),
        (RecordOutcome.rated, Decimal("0.15")),
    ]
    usages = [p["Event"]["Usage"] for p in params_of(cgr, "CDRsV1.ProcessEvent")]
    assert usages == [150 * 10**9, 3]


def test_prepaid_without_enough_credit_is_rejected_and_nothing_debited(
    prepaid: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    before = prepaid.balances(ACC)

    (result,) = prepaid.rate([usage("big", UsageType.data, "2000")], {}, postpaid=set())

    assert result.outcome is RecordOutcome.rejected
    assert result.reason == "INSUFFICIENT_CREDIT_BALANCE_BLOCKER"
    assert (result.from_allowance, result.charged) == (Decimal(0), Decimal(0))
    assert prepaid.balances(ACC) == before
    (cdr,) = cgr.cdrs
    assert cdr["Cost"] == -1  # stored, marked unrated, as CGRateS does


def test_usage_no_rating_plan_prices_is_rejected(prepaid: CGRatesBackend, cgr: FakeCGRateS) -> None:
    cgr.load_tariff(ACC, {"*data": "0.01"})  # no voice price

    (result,) = prepaid.rate([usage("v", UsageType.voice, "1")], {}, postpaid=set())

    assert (result.outcome, result.reason) == (RecordOutcome.rejected, "RATING_PLAN_NOT_FOUND")


def test_duplicates_are_reported_and_not_charged_twice(
    prepaid: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    records = [usage("r1", UsageType.data, "10"), usage("r2", UsageType.data, "20")]
    prepaid.rate(records[:1], {}, postpaid=set())

    results = prepaid.rate(records, {}, postpaid=set())

    assert [r.outcome for r in results] == [RecordOutcome.duplicate, RecordOutcome.rated]
    assert results[0].from_allowance == 0
    assert cgr.balance(ACC, "allowance")["Value"] == 70 * MB  # type: ignore[index]
    assert params_of(cgr, "CDRsV1.GetCDRs")[-1]["OriginIDs"] == ["r2"]


def test_postpaid_usage_past_the_money_is_arrears(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    backend.create_account(ACC, AccountOptions(allow_negative=True))
    add(backend, money("1"))
    cgr.load_tariff(ACC, {"*data": "0.01"})

    (result,) = backend.rate([usage("p1", UsageType.data, "300")], {}, postpaid={ACC})

    assert result.outcome is RecordOutcome.arrears
    assert (result.charged, result.arrears) == (Decimal(1), Decimal(2))
    assert params_of(cgr, "CDRsV1.ProcessEvent")[0]["Event"]["RequestType"] == "*postpaid"
    assert cgr.balance(ACC, "*default")["Value"] == -2  # type: ignore[index]


def test_cgrates_lets_an_account_without_credit_stop_go_negative(
    backend: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    """AllowNegative false does not stop a CDR debit in CGRateS: why prepaid needs the stop."""
    JsonRpcClient(cgr.url).call(calls.set_account(TENANT, ACC, allow_negative=False))
    cgr.load_tariff(ACC, {"*data": "1"})

    (result,) = backend.rate([usage("n1", UsageType.data, "2")], {}, postpaid=set())

    assert (result.outcome, result.arrears) == (RecordOutcome.arrears, Decimal(2))
    assert result.reason is not None and "prepaid account below zero" in result.reason


# --------------------------------------------------------------------------------------------
# The fake's own CGRateS semantics
# --------------------------------------------------------------------------------------------
def test_fake_get_cdrs_filters_and_answers_not_found(
    prepaid: CGRatesBackend, cgr: FakeCGRateS
) -> None:
    prepaid.rate(
        [
            usage("a", UsageType.data, "1"),
            usage("b", UsageType.sms, "1"),
            usage("c", UsageType.data, "1"),
        ],
        {},
        postpaid=set(),
    )
    client = JsonRpcClient(cgr.url)

    def origin_ids(**filters: Any) -> list[str]:
        return [cdr["OriginID"] for cdr in client.call(calls.get_cdrs(**filters))]

    assert origin_ids(accounts=[ACC]) == ["a", "b", "c"]
    assert origin_ids(tors=["data"]) == ["a", "c"]
    assert origin_ids(accounts=[ACC], limit=1, offset=1) == ["b"]
    assert origin_ids(setup_time_start=START, setup_time_end=START + timedelta(seconds=1)) == [
        "a",
        "b",
        "c",
    ]
    with pytest.raises(CGRatesError, match=r"^CGRateS CDRsV1\.GetCDRs: SERVER_ERROR: NOT_FOUND$"):
        client.call(calls.get_cdrs(setup_time_end=START))


def test_fake_accounts_actions_and_plans(cgr: FakeCGRateS) -> None:
    client = JsonRpcClient(cgr.url)
    assert client.call(calls.get_accounts(TENANT)) is None  # nil reply, as CGRateS answers
    client.call(calls.set_account(TENANT, "a1"))
    client.call(calls.set_account(TENANT, "a2", disabled=True))
    assert [a["ID"] for a in client.call(calls.get_accounts(TENANT, limit=1, offset=1))] == [
        f"{TENANT}:a2"
    ]
    assert client.call(calls.get_accounts(TENANT, ["a1", "zz"]))[0]["ID"] == f"{TENANT}:a1"

    # Units is a string on APIerSv2.SetActions: a number is a Go unmarshal error.
    with pytest.raises(CGRatesError, match="cannot unmarshal number"):
        client.call(
            calls.set_actions(
                "A",
                [{"Identifier": "*topup", "BalanceType": "*sms", "Units": 5, "Weight": 10}],
                overwrite=True,
            )
        )
    topup = calls.action("*topup", kind="sms", units=5, balance_id="s")
    client.call(calls.set_actions("A", [topup], overwrite=True))
    with pytest.raises(CGRatesError, match="EXISTS"):
        client.call(calls.set_actions("A", [topup], overwrite=False))
    assert client.call(calls.execute_action(TENANT, "ghost", "A")) == "OK"  # does nothing
    assert cgr.account("ghost") is None

    with pytest.raises(CGRatesError, match="BROKEN_REFERENCE:B"):
        client.call(calls.set_action_plan("P", [calls.action_timing("B")], overwrite=True))
    client.call(
        calls.set_action_plan("P", [calls.action_timing("A", month_days="1")], overwrite=True)
    )
    client.call(calls.set_account(TENANT, "a1", action_plan_ids=["P"]))
    assert cgr.action_plans["P"]["AccountIDs"] == {f"{TENANT}:a1"}
    client.call(
        calls.set_action_plan("P", [calls.action_timing("A", month_days="2")], overwrite=True)
    )
    assert cgr.action_plans["P"]["AccountIDs"] == set()  # overwriting unbinds, as in CGRateS

    profile = calls.set_threshold_profile(
        TENANT, "T", filter_ids=["*string:~*req.Account:a1"], action_ids=["A"]
    )
    client.call(profile)
    assert client.call(calls.get_threshold_profile(TENANT, "T"))["ActionIDs"] == ["A"]


# --------------------------------------------------------------------------------------------
# The Ansible filter plugin
# --------------------------------------------------------------------------------------------
def load_plugin() -> Any:
    spec = importlib.util.spec_from_file_location("cgrates_filter_plugin", PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FilterModule().filters()


def test_filter_plugin_builds_the_same_bodies() -> None:
    filters = load_plugin()

    body = filters["cgr_add_balance"](
        ACC, TENANT, "data", filters["cgr_units"](5120, "data"),
        balance_id=f"{ACC}-data", expiry_time="*month_end", overwrite=True, request_id=2,
    )  # fmt: skip

    expected = calls.add_balance(
        TENANT,
        ACC,
        "data",
        5120 * MB,
        balance={"ID": f"{ACC}-data", "ExpiryTime": "*month_end"},
        overwrite=True,
    )
    assert body == calls.rpc_body(expected, 2)
    assert filters["cgr_set_account"](ACC, TENANT, disabled=True, request_id=3) == {
        "id": 3,
        "method": "APIerSv2.SetAccount",
        "params": [{"Tenant": TENANT, "Account": ACC, "ExtraOptions": {"Disabled": True}}],
    }
    assert filters["cgr_balance_type"]("voice") == "*voice"


def test_filter_plugin_does_not_import_the_app() -> None:
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('p', {str(PLUGIN)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "assert module.FilterModule().filters()['cgr_units'](1, 'data') == 1048576\n"
        "assert 'omnicrm' not in sys.modules and 'flask' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
