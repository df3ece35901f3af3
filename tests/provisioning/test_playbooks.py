"""The Ansible provisioning plays (ansible/*.yml), run for real through ansible-runner exactly as
the provisioning engine runs them, against a fake CGRateS and spool/config dirs under tmp_path.

No database, Redis or app fixture is needed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ansible_runner
import pytest

from tests.fakes.cgrates import FakeCGRateS, fake_cgrates  # noqa: F401

ANSIBLE_DIR = Path(__file__).resolve().parents[2] / "ansible"
TENANT = "cgrates.org"
SERVICE_UUID = "3f2a9c1e5b7d4e8fa0b1c2d3e4f50617"
PARENT_UUID = "0badc0ffee0d4e8fa0b1c2d3e4f50617"
IMSI = "505057000000001"
MB = 1048576
MINUTE_NS = 60 * 1_000_000_000


@pytest.fixture(autouse=True)
def _ansible_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """ansible-runner spawns ``ansible-playbook`` from PATH: use the one next to this Python."""
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(proxy, raising=False)


@pytest.fixture
def cgr(fake_cgrates: FakeCGRateS) -> Iterator[FakeCGRateS]:  # noqa: F811
    yield fake_cgrates


def extravars(tmp_path: Path, url: str | None, play: str, **overrides: Any) -> dict[str, Any]:
    """The engine's extra-vars contract (see ansible/README.md) for a mobile service."""
    base: dict[str, Any] = {
        "omnicrm": {
            "provision_id": 42,
            "play": play,
            "spool_dir": str(tmp_path / "network"),
            "config_dir": str(tmp_path / "network" / "configs"),
            "charging": (
                {"backend": "cgrates", "url": url, "tenant": TENANT}
                if url
                else {"backend": "none", "url": None, "tenant": None}
            ),
        },
        "customer": {"customer_id": 7, "customer_name": "Ada Lovelace"},
        "service": {
            "service_id": 9,
            "service_uuid": SERVICE_UUID,
            "service_name": "Mobile Basic +61412345678",
        },
        "parent_service": None,
        "product": {
            "product_id": 1,
            "product_slug": "mobile-basic-5gb",
            "product_name": "Mobile Basic",
            "category": "standalone",
            "data_mb": 5120,
            "voice_minutes": 200,
            "sms": 200,
        },
        "inventory": {
            "sim": {
                "inventory_id": 5,
                "iccid": "8961012345678901234",
                "imsi": IMSI,
                "puk1": "12345678",
                "ki_ref": "hsm:ki/5",
            },
            "number": {"inventory_id": 6, "msisdn": "+61412345678"},
            "router": None,
        },
        "apn": "internet",
        "qos_profile": "basic",
        "roaming": False,
    }
    base.update(overrides)
    return base


class Run:
    """One finished ansible-runner run, with the bits the tests look at."""

    def __init__(self, runner: Any, seconds: float) -> None:
        self.runner = runner
        self.seconds = seconds
        self.status: str = runner.status
        self.rc: int = runner.rc
        self.events: list[dict[str, Any]] = list(runner.events)

    def task_results(self) -> list[tuple[str, str, bool]]:
        """(task name, ok|failed|skipped, ignore_errors) for every task result, in order."""
        kinds = {"runner_on_ok": "ok", "runner_on_failed": "failed", "runner_on_skipped": "skipped"}
        return [
            (
                event["event_data"]["task"],
                kinds[event["event"]],
                bool(event["event_data"].get("ignore_errors")),
            )
            for event in self.events
            if event["event"] in kinds
        ]

    def status_of(self, task: str) -> str:
        statuses = [status for name, status, _ in self.task_results() if name == task]
        assert statuses, f"task {task!r} did not run: {self.task_results()}"
        return statuses[-1]

    def failure_message(self) -> str:
        failures = [
            event["event_data"]["res"].get("msg", "")
            for event in self.events
            if event["event"] == "runner_on_failed" and not event["event_data"].get("ignore_errors")
        ]
        if failures:
            return str(failures[-1])
        # No task failed: a syntax or templating error; the output says which.
        return str(self.runner.stdout.read()) if self.status != "successful" else ""

    def artifact_data(self) -> dict[str, Any]:
        stats = [e for e in self.events if e["event"] == "playbook_on_stats"]
        assert stats, "no playbook_on_stats event"
        data: dict[str, Any] = stats[-1]["event_data"].get("artifact_data", {})
        return data


def run_play(tmp_path: Path, play: str, variables: dict[str, Any]) -> Run:
    """Run ``ansible/<play>.yml`` the way the provisioning engine does."""
    private = tmp_path / f"runner-{play}-{time.monotonic_ns()}"
    private.mkdir()
    started = time.monotonic()
    runner = ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(ANSIBLE_DIR),
        playbook=f"{play}.yml",
        inventory=str(ANSIBLE_DIR / "inventory" / "hosts.yml"),
        extravars=variables,
        envvars={
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        },
        quiet=True,
    )
    return Run(runner, time.monotonic() - started)


def activate(tmp_path: Path, url: str | None, **overrides: Any) -> Run:
    run = run_play(
        tmp_path, "mobile_activate", extravars(tmp_path, url, "mobile_activate", **overrides)
    )
    assert run.status == "successful", run.failure_message() or run.task_results()
    return run


def hss_record(tmp_path: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((tmp_path / "network" / "hss" / f"{IMSI}.json").read_text())
    return record


# --------------------------------------------------------------------------------------------
# mobile_activate
# --------------------------------------------------------------------------------------------
def test_activate_creates_account_balances_and_hss_entry(tmp_path: Path, cgr: FakeCGRateS) -> None:
    run = activate(tmp_path, cgr.url)

    account = cgr.account(SERVICE_UUID)
    assert account is not None
    assert account["ID"] == f"{TENANT}:{SERVICE_UUID}"
    assert account["Disabled"] is False
    assert account["AllowNegative"] is False
    data = cgr.balance(SERVICE_UUID, f"{SERVICE_UUID}-data")
    voice = cgr.balance(SERVICE_UUID, f"{SERVICE_UUID}-voice")
    sms = cgr.balance(SERVICE_UUID, f"{SERVICE_UUID}-sms")
    assert data is not None and data["Value"] == 5120 * MB
    assert voice is not None and voice["Value"] == 200 * MINUTE_NS
    assert sms is not None and sms["Value"] == 200
    assert data["ExpirationDate"] != "0001-01-01T00:00:00Z"  # *month_end was understood
    assert sorted(account["BalanceMap"]) == ["*data", "*sms", "*voice"]
    assert cgr.methods_called() == [
        "APIerSv2.SetAccount",
        "APIerSv1.AddBalance",
        "APIerSv1.AddBalance",
        "APIerSv1.AddBalance",
        "APIerSv2.GetAccount",
    ]

    assert hss_record(tmp_path) == {
        "imsi": IMSI,
        "iccid": "8961012345678901234",
        "msisdn": "+61412345678",
        "apn": "internet",
        "qos_profile": "basic",
        "roaming": False,
        "service_uuid": SERVICE_UUID,
        "state": "active",
    }
    assert [name for name, status, _ in run.task_results() if status == "ok"] == [
        "Check activation inputs",
        "Create charging account",
        "Add data balance",
        "Add voice balance",
        "Add SMS balance",
        "Read back charging account",
        "Verify charging account and balances",
        "Create HSS spool directory",
        "Write subscriber to HSS spool",
    ]


def test_activate_twice_does_not_double_balances(tmp_path: Path, cgr: FakeCGRateS) -> None:
    activate(tmp_path, cgr.url)
    first = json.loads(json.dumps(cgr.account(SERVICE_UUID)))
    first_record = hss_record(tmp_path)

    activate(tmp_path, cgr.url)  # e.g. the engine re-runs the job after a crash

    second = cgr.account(SERVICE_UUID)
    assert second is not None
    for balance_type in ("*data", "*voice", "*sms"):
        assert len(second["BalanceMap"][balance_type]) == 1
        assert (
            second["BalanceMap"][balance_type][0]["ID"]
            == (first["BalanceMap"][balance_type][0]["ID"])
        )
        assert (
            second["BalanceMap"][balance_type][0]["Value"]
            == (first["BalanceMap"][balance_type][0]["Value"])
        )
    assert cgr.balance(SERVICE_UUID, f"{SERVICE_UUID}-data")["Value"] == 5120 * MB  # type: ignore[index]
    assert hss_record(tmp_path) == first_record


def test_activate_skips_empty_allowances(tmp_path: Path, cgr: FakeCGRateS) -> None:
    product = {
        "product_id": 2,
        "product_slug": "data-only",
        "product_name": "Data only",
        "category": "standalone",
        "data_mb": 1024,
        "voice_minutes": None,
        "sms": 0,
    }
    run = activate(tmp_path, cgr.url, product=product)

    account = cgr.account(SERVICE_UUID)
    assert account is not None
    assert list(account["BalanceMap"]) == ["*data"]
    assert account["BalanceMap"]["*data"][0]["Value"] == 1024 * MB
    assert run.status_of("Add voice balance") == "skipped"
    assert run.status_of("Add SMS balance") == "skipped"


def test_activate_without_charging_backend_only_writes_the_spool(
    tmp_path: Path, cgr: FakeCGRateS
) -> None:
    run = activate(tmp_path, None, roaming=True)

    assert cgr.calls == []
    assert hss_record(tmp_path)["roaming"] is True
    assert run.status_of("Create charging account") == "skipped"


def test_activate_rolls_back_when_a_balance_fails(tmp_path: Path, cgr: FakeCGRateS) -> None:
    cgr.fail_next("APIerSv1.AddBalance", "SERVER_ERROR")

    run = run_play(tmp_path, "mobile_activate", extravars(tmp_path, cgr.url, "mobile_activate"))

    assert run.status == "failed"
    assert run.status_of("Add data balance") == "failed"
    assert run.status_of("Roll back charging account") == "ok"
    assert run.status_of("Roll back HSS spool entry") == "ok"
    assert run.status_of("Report activation failure") == "failed"
    message = run.failure_message()
    assert "Add data balance" in message
    assert "SERVER_ERROR" in message
    assert "rolled back" in message
    assert cgr.account(SERVICE_UUID) is None  # created by SetAccount, then removed again
    assert cgr.methods_called()[-1] == "APIerSv1.RemoveAccount"
    assert not (tmp_path / "network" / "hss" / f"{IMSI}.json").exists()


def test_activate_rolls_back_the_spool_file_when_verification_fails(
    tmp_path: Path, cgr: FakeCGRateS
) -> None:
    activate(tmp_path, cgr.url)  # leaves a spool file from an earlier run
    cgr.fail_next("APIerSv2.GetAccount", "NOT_FOUND")

    run = run_play(tmp_path, "mobile_activate", extravars(tmp_path, cgr.url, "mobile_activate"))

    assert run.status == "failed"
    assert "Read back charging account" in run.failure_message()
    assert cgr.account(SERVICE_UUID) is None
    assert not (tmp_path / "network" / "hss" / f"{IMSI}.json").exists()


def test_activate_fails_clearly_when_cgrates_is_down(tmp_path: Path, cgr: FakeCGRateS) -> None:
    cgr.down = True

    run = run_play(tmp_path, "mobile_activate", extravars(tmp_path, cgr.url, "mobile_activate"))

    assert run.status == "failed"
    assert "Create charging account" in run.failure_message()
    assert run.status_of("Roll back charging account") == "failed"  # ignored: still down
    assert not (tmp_path / "network" / "hss" / f"{IMSI}.json").exists()


def test_activate_needs_a_sim(tmp_path: Path, cgr: FakeCGRateS) -> None:
    variables = extravars(tmp_path, cgr.url, "mobile_activate")
    variables["inventory"]["sim"] = None

    run = run_play(tmp_path, "mobile_activate", variables)

    assert run.status == "failed"
    assert "needs a SIM" in run.failure_message()
    assert cgr.calls == []


# --------------------------------------------------------------------------------------------
# mobile_suspend / mobile_resume / mobile_deprovision
# --------------------------------------------------------------------------------------------
def test_suspend_and_resume(tmp_path: Path, cgr: FakeCGRateS) -> None:
    activate(tmp_path, cgr.url)

    run = run_play(tmp_path, "mobile_suspend", extravars(tmp_path, cgr.url, "mobile_suspend"))
    assert run.status == "successful", run.failure_message()
    assert hss_record(tmp_path)["state"] == "barred"
    assert cgr.account(SERVICE_UUID)["Disabled"] is True  # type: ignore[index]
    # Balances are untouched by barring.
    assert cgr.balance(SERVICE_UUID, f"{SERVICE_UUID}-data")["Value"] == 5120 * MB  # type: ignore[index]

    again = run_play(tmp_path, "mobile_suspend", extravars(tmp_path, cgr.url, "mobile_suspend"))
    assert again.status == "successful", again.failure_message()
    assert hss_record(tmp_path)["state"] == "barred"

    run = run_play(tmp_path, "mobile_resume", extravars(tmp_path, cgr.url, "mobile_resume"))
    assert run.status == "successful", run.failure_message()
    assert hss_record(tmp_path)["state"] == "active"
    assert cgr.account(SERVICE_UUID)["Disabled"] is False  # type: ignore[index]
    assert hss_record(tmp_path)["imsi"] == IMSI  # the rest of the record is kept


def test_suspend_of_an_unknown_subscriber_fails_clearly(tmp_path: Path, cgr: FakeCGRateS) -> None:
    run = run_play(tmp_path, "mobile_suspend", extravars(tmp_path, cgr.url, "mobile_suspend"))

    assert run.status == "failed"
    assert "not in the HSS spool" in run.failure_message()
    assert IMSI in run.failure_message()
    assert cgr.calls == []
    assert not (tmp_path / "network" / "hss").exists()


def test_resume_fails_when_the_charging_account_is_missing(
    tmp_path: Path, cgr: FakeCGRateS
) -> None:
    activate(tmp_path, None)  # in the spool, but never charged

    run = run_play(tmp_path, "mobile_resume", extravars(tmp_path, cgr.url, "mobile_resume"))

    assert run.status == "failed"
    assert run.status_of("Check charging account exists") == "failed"
    assert cgr.methods_called() == ["APIerSv2.GetAccount"]  # SetAccount did not create it
    assert cgr.accounts == {}


def test_deprovision_removes_account_and_marks_spool_deleted(
    tmp_path: Path, cgr: FakeCGRateS
) -> None:
    activate(tmp_path, cgr.url)

    run = run_play(
        tmp_path, "mobile_deprovision", extravars(tmp_path, cgr.url, "mobile_deprovision")
    )
    assert run.status == "successful", run.failure_message()
    assert cgr.account(SERVICE_UUID) is None
    assert hss_record(tmp_path)["state"] == "deleted"

    # A re-run (after a crash) meets NOT_FOUND and still succeeds.
    again = run_play(
        tmp_path, "mobile_deprovision", extravars(tmp_path, cgr.url, "mobile_deprovision")
    )
    assert again.status == "successful", again.failure_message()
    assert cgr.methods_called()[-2:] == ["APIerSv1.RemoveAccount", "APIerSv1.RemoveAccount"]
    assert hss_record(tmp_path)["state"] == "deleted"


# --------------------------------------------------------------------------------------------
# mobile_addon
# --------------------------------------------------------------------------------------------
def addon_vars(tmp_path: Path, url: str | None, **provisioning: Any) -> dict[str, Any]:
    return extravars(
        tmp_path,
        url,
        "mobile_addon",
        service={"service_id": 10, "service_uuid": SERVICE_UUID, "service_name": "10 GB add-on"},
        parent_service={"service_id": 3, "service_uuid": PARENT_UUID},
        product={
            "product_id": 4,
            "product_slug": "addon-10gb",
            "product_name": "10 GB data add-on",
            "category": "addon",
            "data_mb": None,
            "voice_minutes": None,
            "sms": None,
        },
        **provisioning,
    )


def test_addon_tops_up_the_parent_account_once(tmp_path: Path, cgr: FakeCGRateS) -> None:
    balance_id = f"{PARENT_UUID}-addon-{SERVICE_UUID}"

    for _ in range(2):  # a re-run must not add the 10 GB twice
        run = run_play(
            tmp_path, "mobile_addon", addon_vars(tmp_path, cgr.url, bucket="data", mb=10240)
        )
        assert run.status == "successful", run.failure_message()

    balance = cgr.balance(PARENT_UUID, balance_id)
    assert balance is not None
    assert balance["Value"] == 10240 * MB
    assert len(cgr.account(PARENT_UUID)["BalanceMap"]["*data"]) == 1  # type: ignore[index]
    assert cgr.account(SERVICE_UUID) is None  # nothing charged to the add-on's own uuid
    record = json.loads((tmp_path / "network" / "addons" / f"{SERVICE_UUID}.json").read_text())
    assert record == {
        "service_uuid": SERVICE_UUID,
        "parent_service_uuid": PARENT_UUID,
        "product_slug": "addon-10gb",
        "bucket": "data",
        "units": 10240,
        "value": 10240 * MB,
        "balance_id": balance_id,
        "charging_backend": "cgrates",
        "state": "applied",
    }


def test_addon_voice_bucket_uses_nanoseconds(tmp_path: Path, cgr: FakeCGRateS) -> None:
    run = run_play(
        tmp_path, "mobile_addon", addon_vars(tmp_path, cgr.url, bucket="voice", minutes=100)
    )

    assert run.status == "successful", run.failure_message()
    balance = cgr.balance(PARENT_UUID, f"{PARENT_UUID}-addon-{SERVICE_UUID}")
    assert balance is not None and balance["Value"] == 100 * MINUTE_NS
    assert list(cgr.account(PARENT_UUID)["BalanceMap"]) == ["*voice"]  # type: ignore[index]


def test_addon_without_parent_fails(tmp_path: Path, cgr: FakeCGRateS) -> None:
    variables = addon_vars(tmp_path, cgr.url, bucket="data", mb=10240)
    variables["parent_service"] = None

    run = run_play(tmp_path, "mobile_addon", variables)

    assert run.status == "failed"
    assert "needs a parent service" in run.failure_message()
    assert cgr.calls == []


# --------------------------------------------------------------------------------------------
# router_activate
# --------------------------------------------------------------------------------------------
def router_vars(tmp_path: Path, **provisioning: Any) -> dict[str, Any]:
    variables = extravars(tmp_path, None, "router_activate", **provisioning)
    variables["inventory"] = {
        "sim": None,
        "number": None,
        "router": {
            "inventory_id": 7,
            "mac": "AA:BB:CC:DD:EE:FF",
            "serial_number": "RT-000123",
            "management_url": "https://10.0.0.7:8443",
        },
    }
    return variables


def test_router_config_is_written_and_published(tmp_path: Path) -> None:
    run = run_play(tmp_path, "router_activate", router_vars(tmp_path))

    assert run.status == "successful", run.failure_message()
    config_file = tmp_path / "network" / "configs" / "AABBCCDDEEFF.conf"
    content = config_file.read_text()
    assert "hostname = omni-ada-lovelace-9\n" in content
    assert "mac = AA:BB:CC:DD:EE:FF\n" in content
    assert "serial_number = RT-000123\n" in content
    assert "management_url = https://10.0.0.7:8443\n" in content
    assert "mode = pppoe\n" in content
    assert f"pppoe_username = {SERVICE_UUID}\n" in content
    assert "pppoe_password" not in content
    assert "subnet = 192.168.1.0/24\n" in content
    assert "gateway = 192.168.1.1\n" in content
    assert "ssid = Omni-EEFF\n" in content
    assert run.artifact_data()["config_content"] == content
    assert run.artifact_data()["config_path"] == str(config_file)


def test_router_dhcp_and_custom_lan(tmp_path: Path) -> None:
    run = run_play(
        tmp_path,
        "router_activate",
        router_vars(tmp_path, wan_mode="dhcp", lan_subnet="10.20.30.0/24", wifi_ssid="Ada Home"),
    )

    assert run.status == "successful", run.failure_message()
    content = run.artifact_data()["config_content"]
    assert "mode = dhcp\n" in content
    assert "pppoe" not in content.split("[wan]")[1].split("[lan]")[0]
    assert "subnet = 10.20.30.0/24\n" in content
    assert "gateway = 10.20.30.1\n" in content
    assert "ssid = Ada Home\n" in content
    assert (tmp_path / "network" / "configs" / "AABBCCDDEEFF.conf").read_text() == content


# --------------------------------------------------------------------------------------------
# provision_smoke / provision_slow / provision_fail
# --------------------------------------------------------------------------------------------
def test_smoke_play(tmp_path: Path) -> None:
    run = run_play(tmp_path, "provision_smoke", extravars(tmp_path, None, "provision_smoke"))

    assert run.status == "successful", run.failure_message()
    assert (tmp_path / "network" / "smoke" / "42.txt").read_text() == (
        "provision 42 (provision_smoke) for Ada Lovelace ok\n"
    )
    assert [name for name, _, _ in run.task_results()] == [
        "Prepare smoke record",
        "Show smoke record",
        "Create smoke spool directory",
        "Write smoke record",
    ]


def test_slow_play_runs_its_steps_in_order(tmp_path: Path) -> None:
    run = run_play(
        tmp_path, "provision_slow", extravars(tmp_path, None, "provision_slow", step_seconds=0)
    )

    assert run.status == "successful", run.failure_message()
    assert [name for name, _, _ in run.task_results()][:5] == [f"Step {n}" for n in range(1, 6)]
    assert (tmp_path / "network" / "slow" / "42.txt").exists()


def test_fail_play_reports_ok_ignored_and_failed_in_order(tmp_path: Path) -> None:
    run = run_play(tmp_path, "provision_fail", extravars(tmp_path, None, "provision_fail"))

    assert run.status == "failed"
    assert run.rc != 0
    assert run.task_results()[:3] == [
        ("Check inputs", "ok", False),
        ("Try optional step", "failed", True),
        ("Register subscriber in HSS", "failed", False),
    ]
    assert run.task_results()[-1] == ("Report provisioning failure", "failed", False)
    assert "HSS refused the subscriber" in run.failure_message()
    rollback = (tmp_path / "network" / "rollback" / "42.txt").read_text()
    assert "HSS refused the subscriber" in rollback
    stats = run.runner.stats
    assert stats["ignored"] == {"localhost": 1}
    assert stats["rescued"] == {"localhost": 1}
    assert stats["failures"] == {"localhost": 1}


# --------------------------------------------------------------------------------------------
# The fake CGRateS itself (behaviour the plays rely on)
# --------------------------------------------------------------------------------------------
def rpc(cgr: FakeCGRateS, method: str, **params: Any) -> dict[str, Any]:
    import urllib.request

    body = json.dumps({"method": method, "params": [params], "id": 1}).encode()
    request = urllib.request.Request(
        cgr.url, data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        reply: dict[str, Any] = json.loads(response.read())
    return reply


def test_fake_cgrates_ignores_wrongly_cased_keys_like_the_real_one(cgr: FakeCGRateS) -> None:
    assert rpc(cgr, "APIerSv2.SetAccount", tenant=TENANT, Account="a1")["result"] == "OK"
    assert rpc(cgr, "APIerSv1.GetAccount", Tenant=TENANT, Account="a1")["error"] == "NOT_FOUND"
    assert ":a1" in cgr.accounts
    missing = rpc(cgr, "APIerSv2.SetAccount", Tenant=TENANT, account="a1")
    assert missing["error"] == "MANDATORY_IE_MISSING: [Account]"


def test_fake_cgrates_balances(cgr: FakeCGRateS) -> None:
    top_up = {"Tenant": TENANT, "Account": "a1", "BalanceType": "*data", "Balance": {"ID": "b"}}
    assert rpc(cgr, "ApierV1.AddBalance", Value=10, **top_up)["result"] == "OK"  # alias
    rpc(cgr, "APIerSv1.AddBalance", Value=5, **top_up)
    assert cgr.balance("a1", "b")["Value"] == 15  # type: ignore[index]
    rpc(cgr, "APIerSv1.AddBalance", Value=7, Overwrite=True, **top_up)
    assert cgr.balance("a1", "b")["Value"] == 7  # type: ignore[index]
    rpc(cgr, "APIerSv1.DebitBalance", Value=2, **top_up)
    assert cgr.balance("a1", "b")["Value"] == 5  # type: ignore[index]
    rpc(cgr, "APIerSv1.SetBalance", Value=100, **top_up)
    assert cgr.balance("a1", "b")["Value"] == 100  # type: ignore[index]
    assert "float64" in rpc(cgr, "APIerSv1.AddBalance", Value="5", **top_up)["error"]
    account = rpc(cgr, "APIerSv1.GetAccount", Tenant=TENANT, Account="a1")["result"]
    assert account["ID"] == f"{TENANT}:a1"
    assert [b["ID"] for b in account["BalanceMap"]["*data"]] == ["b"]


def test_fake_cgrates_failure_knobs(cgr: FakeCGRateS) -> None:
    import urllib.error

    assert rpc(cgr, "APIerSv9.Nope")["error"] == "rpc: can't find method APIerSv9.Nope"
    cgr.fail_next("ApierV2.SetAccount", "SERVER_ERROR")
    assert rpc(cgr, "APIerSv2.SetAccount", Tenant=TENANT, Account="a1")["error"] == "SERVER_ERROR"
    assert rpc(cgr, "APIerSv2.SetAccount", Tenant=TENANT, Account="a1")["error"] is None
    cgr.down = True
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        rpc(cgr, "APIerSv1.GetAccount", Tenant=TENANT, Account="a1")
    assert excinfo.value.code == 503
    assert [method for method, _ in cgr.calls][:2] == ["APIerSv9.Nope", "APIerSv2.SetAccount"]
