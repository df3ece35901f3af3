"""Provisioning jobs end to end in this process: a sale queues the product's play, a real
ansible-runner run records every task, and the job's end activates (or fails and releases) the
service, its SIM and number and its contract. Retry, cancel, the reaper, simple provisioning,
variables that are data (never templates), and the permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.contracts.models import Contract
from omnicrm.core.db import utcnow
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, ItemState
from omnicrm.notifications.models import Notification
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.models import Provision, ProvisionEvent, ProvisionStatus
from omnicrm.provisioning.reaper import reap_once
from omnicrm.provisioning.tasks import JobRun, is_transient, unsafe_yaml
from omnicrm.services.models import Service
from tests.factories import CustomerFactory, PhoneNumberFactory, ProductFactory, SimFactory

P = ProvisionStatus


@pytest.fixture
def shop(db_session):
    inv.sync_inventory_templates(db_session)
    sims = SimFactory.create_batch(2)
    numbers = PhoneNumberFactory.create_batch(2)
    customer = CustomerFactory(customer_name="Ada Lovelace")
    products = {
        play: ProductFactory(provisioning_play=play, provisioning_json_vars={"apn": "internet"})
        for play in ("provision_smoke", "provision_fail", "mobile_activate")
    }
    plain = ProductFactory()  # no play: activated at once
    db_session.commit()
    return {
        "sims": sims,
        "numbers": numbers,
        "customer": customer,
        "products": products,
        "plain": plain,
    }


def _sell(call, shop, play: str | None) -> dict[str, Any]:
    """Sell this test's own SIM and number (other tests may have left stock committed)."""
    product = shop["plain"] if play is None else shop["products"][play]
    n = shop.setdefault("sold", 0)
    shop["sold"] = n + 1
    return call(
        "post",
        "/crm/contract/",
        201,
        json={
            "customer_id": shop["customer"].customer_id,
            "product_id": product.product_id,
            "sim_iccid": shop["sims"][n].serial,
            "msisdn": shop["numbers"][n].serial,
        },
    )


def _job_for(call, service_id: int) -> dict[str, Any]:
    jobs = call("get", f"/crm/provision/?service_id={service_id}", 200)
    assert len(jobs) == 1, jobs
    return call("get", f"/crm/provision/{jobs[0]['provision_id']}", 200)


def run_job(app, provision_id: int) -> None:
    """What the Dramatiq actor does, here in the test's thread and transaction."""
    with app.app_context():
        JobRun(app.extensions["omnicrm_settings"], provision_id).run()


def _states(db_session, contract: dict[str, Any]) -> tuple[str, str, set[str]]:
    db_session.expire_all()
    service = db_session.get(Service, contract["service_id"])
    row = db_session.get(Contract, contract["contract_id"])
    items = {
        db_session.get(Inventory, contract[key]).item_state.value
        for key in ("sim_inventory_id", "number_inventory_id")
    }
    return service.service_status.value, row.contract_status.value, items


def test_a_product_without_a_play_is_activated_at_once(call, shop, db_session):
    contract = _sell(call, shop, None)
    assert contract["contract_status"] == "active"
    assert _states(db_session, contract) == ("active", "active", {"assigned"})
    assert call("get", f"/crm/provision/?service_id={contract['service_id']}", 200) == []


def test_a_sale_queues_the_play_and_a_run_activates_everything(app, call, shop, db_session):
    contract = _sell(call, shop, "provision_smoke")
    # Sold, not yet live: the SIM and number are held for the service until the play ran.
    assert contract["contract_status"] == "accepted"
    assert _states(db_session, contract) == ("provisioning", "accepted", {"reserved"})
    held = db_session.scalars(
        select(Activity)
        .where(
            Activity.object_type == "inventory",
            Activity.object_id == str(contract["sim_inventory_id"]),
        )
        .order_by(Activity.activity_id)
    ).all()
    # Reserved by the sale, then held for the service (no state change) until the play ran.
    assert [(row.before, row.after) for row in held][-2:] == [
        (
            {"item_state": "new", "customer_id": None},
            {"item_state": "reserved", "customer_id": shop["customer"].customer_id},
        ),
        ({"service_id": None}, {"service_id": contract["service_id"]}),
    ]
    job = _job_for(call, contract["service_id"])
    assert (job["provisioning_status"], job["status_label"]) == (4, "Queued")
    assert job["action"] == "activate"
    assert job["task_count"] == 4
    variables = job["provisioning_json_vars"]
    # The product's apn is for plays that declare it (mobile_activate), not provision_smoke.
    assert "apn" not in variables
    assert variables["customer"]["customer_name"] == "Ada Lovelace"
    assert variables["inventory"]["sim"]["iccid"] == shop["sims"][0].serial
    assert variables["inventory"]["sim"]["imsi"] == shop["sims"][0].itemtext2
    assert variables["inventory"]["number"]["msisdn"] == shop["numbers"][0].serial
    assert variables["omnicrm"]["provision_id"] == job["provision_id"]

    run_job(app, job["provision_id"])

    done = call("get", f"/crm/provision/{job['provision_id']}", 200)
    assert (done["provisioning_status"], done["status_label"]) == (0, "Success")
    assert done["attempts"] == 1 and done["tasks_done"] == 4
    assert done["customer_name"] == "Ada Lovelace"
    assert done["started_at"] and done["finished_at"]
    names = [e["event_name"] for e in done["events"]]
    assert names == [
        "Prepare smoke record",
        "Show smoke record",
        "Create smoke spool directory",
        "Write smoke record",
    ]
    assert [e["event_number"] for e in done["events"]] == [1, 2, 3, 4]
    assert {e["provisioning_status"] for e in done["events"]} == {0}
    assert done["events"][3]["changed"] is True
    assert done["events"][1]["provisioning_result_json"]["msg"].startswith(
        f"provision {job['provision_id']}"
    )
    spool = app.extensions["omnicrm_settings"].spool_dir / "smoke" / f"{job['provision_id']}.txt"
    assert spool.read_text().startswith(f"provision {job['provision_id']}")
    assert _states(db_session, contract) == ("active", "active", {"assigned"})
    # The polling endpoint gives what came after a number.
    later = call("get", f"/crm/provision/{job['provision_id']}/events?after=2", 200)
    assert [e["event_number"] for e in later] == [3, 4]
    # The job's life is in the activity log (created by the sale, claimed, finished).
    logged = db_session.scalars(
        select(Activity.action).where(
            Activity.object_type == "provision", Activity.object_id == str(job["provision_id"])
        )
    ).all()
    assert logged[0] == "create" and len(logged) >= 3


def test_a_failed_play_fails_the_service_releases_stock_and_tells_the_failure_list(
    app, call, shop, db_session, monkeypatch
):
    monkeypatch.setattr(
        app.extensions["omnicrm_settings"], "provisioning_failure_emails", "noc@example.net"
    )
    contract = _sell(call, shop, "provision_fail")
    job = _job_for(call, contract["service_id"])
    run_job(app, job["provision_id"])

    done = call("get", f"/crm/provision/{job['provision_id']}", 200)
    assert done["status_label"] == "Failed"
    assert "HSS refused the subscriber" in done["error"]
    statuses = [e["status_label"] for e in done["events"]]
    assert statuses[:3] == ["Success", "Failed (ignored)", "Failed"]
    rollback = app.extensions["omnicrm_settings"].spool_dir / "rollback"
    assert (rollback / f"{job['provision_id']}.txt").exists()  # the rescue block ran
    # The service failed, the items are back in stock, the sale is a draft again.
    assert _states(db_session, contract) == ("failed", "draft", {"new"})
    for key in ("sim_inventory_id", "number_inventory_id"):
        assert db_session.get(Inventory, contract[key]).service_id is None
    note = db_session.scalar(
        select(Notification).where(Notification.recipient == "noc@example.net")
    )
    assert note is not None and str(job["provision_id"]) in note.subject

    # The same SIM can be sold to someone else now... but a retry takes it back while free.
    retried = call("post", f"/crm/provision/{job['provision_id']}/retry", 200)
    assert retried["status_label"] == "Queued"
    assert _states(db_session, contract) == ("provisioning", "accepted", {"reserved"})
    run_job(app, job["provision_id"])
    again = call("get", f"/crm/provision/{job['provision_id']}", 200)
    assert again["attempts"] == 2 and again["status_label"] == "Failed"
    assert [e["attempt"] for e in again["events"]].count(2) >= 3  # numbering continues
    numbers = [e["event_number"] for e in again["events"]]
    assert numbers == sorted(numbers) == list(range(1, len(numbers) + 1))


def test_retry_refuses_when_the_sim_was_sold_meanwhile(app, call, shop, db_session):
    contract = _sell(call, shop, "provision_fail")
    job = _job_for(call, contract["service_id"])
    run_job(app, job["provision_id"])
    sim = db_session.get(Inventory, contract["sim_inventory_id"])
    inv.change_state(db_session, inventory_id=sim.inventory_id, to_state=ItemState.reserved)
    db_session.commit()
    body = call("post", f"/crm/provision/{job['provision_id']}/retry", 409)
    assert body["code"] == "inventory_unavailable"
    assert _states(db_session, contract)[0] == "failed"  # nothing changed


def test_retry_and_cancel_follow_the_job_state(app, call, shop, db_session):
    contract = _sell(call, shop, "provision_smoke")
    job = _job_for(call, contract["service_id"])
    body = call("post", f"/crm/provision/{job['provision_id']}/retry", 409)
    assert body["code"] == "job_not_retryable"
    cancelled = call("post", f"/crm/provision/{job['provision_id']}/cancel", 200)
    assert cancelled["status_label"] == "Cancelled"
    assert _states(db_session, contract) == ("failed", "draft", {"new"})
    assert call("post", f"/crm/provision/{job['provision_id']}/cancel", 409)["code"] == (
        "job_finished"
    )
    run_job(app, job["provision_id"])  # a late message for a cancelled job does nothing
    assert call("get", f"/crm/provision/{job['provision_id']}", 200)["events"] == []
    call("post", f"/crm/provision/{job['provision_id']}/retry", 200)
    run_job(app, job["provision_id"])
    assert call("get", f"/crm/provision/{job['provision_id']}", 200)["status_label"] == "Success"
    assert _states(db_session, contract) == ("active", "active", {"assigned"})


def test_a_running_job_asked_to_cancel_stops(app, call, shop, db_session):
    contract = _sell(call, shop, "provision_smoke")
    job_id = _job_for(call, contract["service_id"])["provision_id"]
    with app.app_context():
        claimed = uc.claim(db_session, provision_id=job_id, owner="w1", lease_seconds=30)
        assert claimed is not None
        db_session.commit()
    body = call("post", f"/crm/provision/{job_id}/cancel", 200)
    assert body["cancel_requested"] is True and body["status_label"] == "Running"


def test_only_one_worker_claims_a_job(app, call, shop, db_session):
    contract = _sell(call, shop, "provision_smoke")
    job_id = _job_for(call, contract["service_id"])["provision_id"]
    with app.app_context():
        assert uc.claim(db_session, provision_id=job_id, owner="a", lease_seconds=30) is not None
        db_session.commit()
        assert uc.claim(db_session, provision_id=job_id, owner="b", lease_seconds=30) is None
        # Only the lease holder writes task results.
        assert (
            uc.record_task(
                db_session,
                provision_id=job_id,
                owner="b",
                attempt=1,
                name="x",
                status=P.success,
                result={},
            )
            is None
        )


@pytest.mark.parametrize("retries_left", [True, False])
def test_the_reaper_requeues_or_fails_a_job_whose_worker_died(
    app, call, shop, db_session, retries_left
):
    contract = _sell(call, shop, "provision_smoke")
    job_id = _job_for(call, contract["service_id"])["provision_id"]
    with app.app_context():
        job = uc.claim(db_session, provision_id=job_id, owner="dead", lease_seconds=30)
        assert job is not None
        job.lease_expires_at = utcnow() - timedelta(seconds=1)
        if not retries_left:
            job.max_retries = 0
        db_session.commit()
        assert reap_once(app.extensions["omnicrm_settings"]) == [job_id]
    body = call("get", f"/crm/provision/{job_id}", 200)
    assert body["events"][-1]["event_name"].startswith("Worker lost")
    if retries_left:
        assert body["status_label"] == "Queued"
        assert _states(db_session, contract) == ("provisioning", "accepted", {"reserved"})
        run_job(app, job_id)
        body = call("get", f"/crm/provision/{job_id}", 200)
        assert (body["status_label"], body["attempts"], body["retries"]) == ("Success", 2, 1)
        assert _states(db_session, contract) == ("active", "active", {"assigned"})
    else:
        assert body["status_label"] == "Failed" and "lease expired" in body["error"]
        assert _states(db_session, contract) == ("failed", "draft", {"new"})


def test_a_transient_failure_is_retried_with_backoff(app, call, shop, db_session, monkeypatch):
    """The charging system refuses connections: the job goes back to the queue, not failed."""
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "charging_backend", "cgrates")
    monkeypatch.setattr(settings, "cgrates_url", "http://127.0.0.1:9/jsonrpc")  # nothing listens
    contract = _sell(call, shop, "mobile_activate")
    job_id = _job_for(call, contract["service_id"])["provision_id"]
    before = utcnow()
    run_job(app, job_id)
    body = call("get", f"/crm/provision/{job_id}", 200)
    assert body["status_label"] == "Queued", body["error"]
    assert body["next_attempt_at"] is not None
    db_session.expire_all()
    job = db_session.get(Provision, job_id)
    wait = (job.next_attempt_at - before).total_seconds()
    assert (
        settings.provisioning_retry_backoff_seconds
        <= wait
        < (settings.provisioning_retry_backoff_seconds + 30)
    )
    # Not due yet: a worker handed the message early leaves it.
    with app.app_context():
        assert uc.claim(db_session, provision_id=job_id, owner="w", lease_seconds=30) is None
    assert _states(db_session, contract)[0] == "provisioning"


def test_failure_classification():
    assert is_transient({"status": -1, "msg": "Status code was -1: Connection refused"})
    assert is_transient({"status": 503})
    assert is_transient({}, unreachable=True)
    assert not is_transient({"status": 400, "msg": "bad request"})
    assert not is_transient({"msg": "HSS refused the subscriber"})


def test_variables_are_data_never_templates(app, call, shop, db_session):
    """A customer named like a Jinja expression stays a name: every string the play gets is
    marked !unsafe."""
    shop["customer"].customer_name = "{{ 7 * 6 }}"
    db_session.commit()
    contract = _sell(call, shop, "provision_smoke")
    job = _job_for(call, contract["service_id"])
    assert unsafe_yaml(job["provisioning_json_vars"]).startswith("--- !unsafe\n")
    run_job(app, job["provision_id"])
    shown = call("get", f"/crm/provision/{job['provision_id']}", 200)["events"][1]
    assert "for {{ 7 * 6 }}" in shown["provisioning_result_json"]["msg"]  # not "for 42"
    simple = {"service_id": contract["service_id"], "play": "provision_smoke"}
    # Reserved keys cannot be set by an integrator's variables: refused, nothing queued.
    refused = call(
        "post",
        "/crm/provision/simple",
        422,
        json={**simple, "extra_vars": {"omnicrm": {"spool_dir": "/etc"}}},
    )
    assert list(refused["errors"]["json"]) == ["extra_vars.omnicrm"]
    body = call(
        "post",
        "/crm/provision/simple",
        201,
        json={**simple, "extra_vars": {"note": "{{ lookup('pipe', 'id') }}"}},
    )
    assert body["provisioning_json_vars"]["omnicrm"] == {
        "play": "provision_smoke",
        "provision_id": body["provision_id"],
    }
    assert body["action"] == "simple"
    run_job(app, body["provision_id"])
    ran = call("get", f"/crm/provision/{body['provision_id']}", 200)
    assert ran["status_label"] == "Success"
    assert ran["events"][1]["provisioning_result_json"]["msg"].endswith(
        "ok: {{ lookup('pipe', 'id') }}"
    )


def test_simple_provisioning_for_the_ocs_with_an_api_key(app, api, call, shop, db_session):
    contract = _sell(call, shop, None)
    key = call(
        "post",
        "/crm/auth/api-key/",
        201,
        json={"name": "ocs", "scopes": ["provision.write", "provision.read"]},
    )
    headers = {"X-API-Key": key["key"], "Idempotency-Key": "ocs-exhausted-1"}
    body = {"service_id": contract["service_id"], "play": "provision_smoke"}
    first = api.client.post("/crm/provision/simple", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    job = first.get_json()
    assert job["initiated_by"].startswith("api-key:")
    assert job["service_id"] == contract["service_id"]
    again = api.client.post("/crm/provision/simple", json=body, headers=headers)
    assert again.get_json()["provision_id"] == job["provision_id"]  # replayed, not doubled
    missing = api.client.post(
        "/crm/provision/simple",
        json={**body, "play": "no_such_play"},
        headers={"X-API-Key": headers["X-API-Key"]},
    )
    assert missing.status_code == 409 and missing.get_json()["code"] == "playbook_missing"
    bad = api.client.post(
        "/crm/provision/simple",
        json={**body, "play": "../etc/passwd"},
        headers={"X-API-Key": headers["X-API-Key"]},
    )
    assert bad.status_code == 422 and "play" in bad.get_json()["errors"]["json"]


def test_manual_provisioning_of_an_addon_for_a_service(app, call, shop, db_session):
    contract = _sell(call, shop, None)
    addon = ProductFactory(
        category="addon",
        inventory_items_list=[],
        provisioning_play="mobile_addon",
        provisioning_json_vars={"bucket": "data", "mb": 1024},
    )
    db_session.commit()
    body = call(
        "post",
        "/crm/provision/",
        201,
        json={
            "customer_id": shop["customer"].customer_id,
            "product_id": addon.product_id,
            "service_id": contract["service_id"],
        },
    )
    assert body["action"] == "addon"
    assert body["provisioning_json_vars"]["parent_service"]["service_id"] == contract["service_id"]
    assert body["provisioning_json_vars"]["mb"] == 1024
    other = CustomerFactory()
    db_session.commit()
    wrong = call(
        "post",
        "/crm/provision/",
        422,
        json={
            "customer_id": other.customer_id,
            "product_id": addon.product_id,
            "service_id": contract["service_id"],
        },
    )
    assert "service_id" in wrong["errors"]["json"]
    # Bad input is refused with the field named, and no job is written.
    base = {"customer_id": shop["customer"].customer_id, "product_id": addon.product_id}
    before = db_session.scalar(select(func.count()).select_from(Provision))
    assert call("post", "/crm/provision/", 404, json={**base, "product_id": 999999})
    assert call("post", "/crm/provision/", 404, json={**base, "inventory": [999999]})
    bad_vars = call("post", "/crm/provision/", 422, json={**base, "extra_vars": ["x"]})
    assert "extra_vars" in bad_vars["errors"]["json"]
    bad_play = call("post", "/crm/provision/", 422, json={**base, "play": "a/b"})
    assert "play" in bad_play["errors"]["json"]
    no_play = ProductFactory(inventory_items_list=[])
    db_session.commit()
    refused = call("post", "/crm/provision/", 422, json={**base, "product_id": no_play.product_id})
    assert "play" in refused["errors"]["json"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Provision)) == before


def test_list_filters_and_dashboard(app, call, shop, db_session):
    ok = _sell(call, shop, "provision_smoke")
    bad = _sell(call, shop, "provision_fail")
    ok_job = _job_for(call, ok["service_id"])["provision_id"]
    bad_job = _job_for(call, bad["service_id"])["provision_id"]
    run_job(app, ok_job)
    run_job(app, bad_job)
    mine = f"customer_id={shop['customer'].customer_id}"
    failed = call("get", f"/crm/provision/?provisioning_status=2&{mine}", 200)
    assert [j["provision_id"] for j in failed] == [bad_job]
    both = call("get", f"/crm/provision/?provisioning_status=0&provisioning_status=2&{mine}", 200)
    assert {j["provision_id"] for j in both} == {ok_job, bad_job}
    assert call("get", "/crm/provision/?provisioning_status=9", 422)["errors"]
    feed = call("get", "/crm/provision/events?limit=3", 200)
    assert len(feed) == 3
    ids = [e["provision_event_id"] for e in feed]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert feed[0]["provision_id"] == bad_job and feed[0]["status_label"]
    assert call("get", "/crm/provision/events?limit=500", 422)["errors"]
    board = call("get", "/crm/provision/dashboard?hours=6", 200)
    assert board["counts"]["success"] >= 1 and board["counts"]["failed"] >= 1
    assert len(board["series"]) == 7
    last = [p for p in board["series"] if p["succeeded"] or p["failed"]]
    assert sum(p["succeeded"] for p in last) >= 1 and sum(p["failed"] for p in last) >= 1
    assert all(p["success_rate"] is None or 0 <= p["success_rate"] <= 1 for p in board["series"])


def test_permissions(api, make_user, call, shop):
    contract = _sell(call, shop, "provision_smoke")
    job_id = _job_for(call, contract["service_id"])["provision_id"]
    assert api.client.get("/crm/provision/").status_code == 401
    sales = api.headers_for(make_user("sales").email)
    assert api.client.get("/crm/provision/", headers=sales).status_code == 200
    assert api.client.post(f"/crm/provision/{job_id}/cancel", headers=sales).status_code == 403
    assert api.client.get("/crm/provision/999999", headers=sales).status_code == 404
    customer = api.headers_for(make_user("customer").email)
    assert api.client.get(f"/crm/provision/{job_id}", headers=customer).status_code == 403


def test_suspend_resume_and_terminate_queue_the_family_plays(app, call, shop, db_session):
    contract = _sell(call, shop, "mobile_activate")
    service_id = contract["service_id"]
    job = _job_for(call, service_id)
    run_job(app, job["provision_id"])
    ran = call("get", f"/crm/provision/{job['provision_id']}", 200)
    assert _states(db_session, contract)[0] == "active", (ran["error"], ran["events"])
    call("post", f"/crm/contract/{contract['contract_id']}/suspend", 200, json={"reason": "debt"})
    call("post", f"/crm/contract/{contract['contract_id']}/resume", 200, json={"reason": "paid"})
    call("post", f"/crm/contract/{contract['contract_id']}/close", 200, json={"reason": "left"})
    jobs = call("get", f"/crm/provision/?service_id={service_id}&sort=provision_id", 200)
    assert [(j["action"], j["provisioning_play"]) for j in jobs] == [
        ("activate", "mobile_activate"),
        ("suspend", "mobile_suspend"),
        ("resume", "mobile_resume"),
        ("deprovision", "mobile_deprovision"),
    ]
    deprovision = call("get", f"/crm/provision/{jobs[-1]['provision_id']}", 200)
    # Queued before the items went back: the play knows which SIM to remove.
    assert deprovision["provisioning_json_vars"]["inventory"]["sim"]["imsi"]
    for one in jobs[1:]:
        run_job(app, one["provision_id"])
    for one in jobs[1:]:
        body = call("get", f"/crm/provision/{one['provision_id']}", 200)
        assert body["status_label"] == "Success", (one["action"], body["error"], body["events"])
    hss = app.extensions["omnicrm_settings"].spool_dir / "hss"
    imsi = deprovision["provisioning_json_vars"]["inventory"]["sim"]["imsi"]
    assert not (hss / f"{imsi}.json").exists() or '"deleted"' in (hss / f"{imsi}.json").read_text()
    assert db_session.scalar(
        select(ProvisionEvent.provision_event_id).where(
            ProvisionEvent.provision_id == jobs[-1]["provision_id"]
        )
    )


class TestProvisionNamespace:
    """/provision: JWT on connect, provision.read to join, valid rooms only, replay on join."""

    def _client(self, live_server, token):
        import socketio

        client = socketio.Client(reconnection=False)
        client.connect(
            live_server,
            auth={"token": token} if token else {},
            namespaces=["/provision"],
            transports=["websocket"],
            wait_timeout=5,
        )
        return client

    def test_no_token_no_connection(self, live_server):
        import socketio

        with pytest.raises(socketio.exceptions.ConnectionError):
            self._client(live_server, None)
        with pytest.raises(socketio.exceptions.ConnectionError):
            self._client(live_server, "not-a-jwt")

    def test_join_needs_provision_read_and_a_valid_room(
        self, app, api, make_user, live_server, call, shop
    ):
        contract = _sell(call, shop, "provision_smoke")
        job_id = _job_for(call, contract["service_id"])["provision_id"]
        run_job(app, job_id)
        customer = self._client(live_server, api.login(make_user("customer").email)["token"])
        staff = self._client(live_server, api.login(make_user("support").email)["token"])
        replayed: list[dict[str, Any]] = []
        staff.on("provision.event", replayed.append, namespace="/provision")
        try:
            refused = customer.call(
                "join", {"room": f"provision:{job_id}"}, namespace="/provision", timeout=5
            )
            assert refused == {
                "ok": False,
                "code": "permission_denied",
                "message": "needs provision.read",
            }
            for room in ("provision:abc", "user:1", "provision:0", None):
                bad = staff.call("join", {"room": room}, namespace="/provision", timeout=5)
                assert bad["ok"] is False and bad["code"] == "validation_error", room
            missing = staff.call(
                "join", {"room": "provision:999999"}, namespace="/provision", timeout=5
            )
            assert missing["code"] == "not_found"
            ack = staff.call("join", {"room": f"provision:{job_id}"}, namespace="/provision")
            assert ack == {"ok": True, "room": f"provision:{job_id}", "replayed": 4}
            deadline = 50
            while len(replayed) < 4 and deadline:
                staff.sleep(0.1)
                deadline -= 1
            assert [e["event_number"] for e in replayed] == [1, 2, 3, 4]
        finally:
            customer.disconnect()
            staff.disconnect()


def test_a_task_ansible_skipped_is_recorded_as_skipped(app, call, shop, db_session):
    """The worker stores a task Ansible skipped (its ``when`` was false) as status 6 Skipped,
    never as a success: the activation play skips its charging steps without a backend."""
    contract = _sell(call, shop, "mobile_activate")
    job = _job_for(call, contract["service_id"])
    run_job(app, job["provision_id"])
    body = call("get", f"/crm/provision/{job['provision_id']}", 200)
    assert body["status_label"] == "Success", (body["error"], body["events"])
    skipped = [e for e in body["events"] if e["skipped"]]
    assert skipped, [(e["event_name"], e["status_label"]) for e in body["events"]]
    assert {e["status_label"] for e in skipped} == {"Skipped"}
    stored = db_session.scalars(
        select(ProvisionEvent.provisioning_status).where(
            ProvisionEvent.provision_id == job["provision_id"], ProvisionEvent.skipped.is_(True)
        )
    ).all()
    assert stored and set(stored) == {int(ProvisionStatus.skipped)}
    # The tasks that ran are successes.
    ran = [e for e in body["events"] if not e["skipped"]]
    assert ran and {e["status_label"] for e in ran} == {"Success"}
