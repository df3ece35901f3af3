"""The scheduler's API (admins only) and the `omnicrm scheduler list|run` commands."""

from __future__ import annotations

from click.testing import CliRunner

from omnicrm.scheduler import use_cases as uc

JOBS = "/crm/scheduler/job/"
QUARANTINE = "inventory.release_quarantine"


def test_admins_list_jobs_with_schedule_next_and_last_run(call):
    jobs = {job["job_name"]: job for job in call("get", f"{JOBS}?page_size=100", 200)}
    assert {QUARANTINE, "provisioning.reap", "scheduler.prune_runs"} <= set(jobs)
    job = jobs[QUARANTINE]
    assert job["schedule"] == job["default_schedule"] == "every 5m"
    assert job["enabled"] is True
    assert job["next_run_at"].endswith(("+00:00", "Z"))
    assert "quarantine" in job["description"]


def test_support_may_neither_list_nor_run_jobs(api, make_user):
    headers = api.headers_for(make_user("support").email)
    assert api.client.get(JOBS, headers=headers).status_code == 403
    assert api.client.get(f"{JOBS}{QUARANTINE}/run", headers=headers).status_code == 403
    assert api.client.post(f"{JOBS}{QUARANTINE}/run", headers=headers).status_code == 403
    assert api.client.get(JOBS).status_code == 401


def test_run_now_queues_a_run_that_a_worker_records(call, database, settings, make_user, api):
    run = call("post", f"{JOBS}{QUARANTINE}/run", 202)
    assert run["job_name"] == QUARANTINE
    assert (run["trigger"], run["outcome"], run["due_at"]) == ("manual", "queued", None)
    assert run["fired_by"].startswith("user:")
    listed = {job["job_name"]: job for job in call("get", f"{JOBS}?page_size=100", 200)}
    assert listed[QUARANTINE]["last_run"]["run_id"] == run["run_id"]
    # What a worker does with the message:
    assert uc.execute_run(database, settings, run["run_id"], worker="w:1") == "success"
    history = call("get", f"{JOBS}{QUARANTINE}/run", 200)
    assert history[0]["run_id"] == run["run_id"]
    assert (history[0]["outcome"], history[0]["worker"]) == ("success", "w:1")
    assert history[0]["result"] == {"released": 0}
    assert history[0]["started_at"] and history[0]["finished_at"]
    audit = call("get", "/crm/activity/?object_type=scheduled_job", 200)
    assert [(a["action"], a["object_id"]) for a in audit][:1] == [("run", QUARANTINE)]
    call("post", f"{JOBS}no.such_job/run", 404)
    call("get", f"{JOBS}no.such_job/run", 404)


def test_an_override_shows_and_off_disables(call, settings, monkeypatch):
    monkeypatch.setattr(
        settings, "scheduler_schedules", {QUARANTINE: "every 1h", "provisioning.reap": "off"}
    )
    jobs = {job["job_name"]: job for job in call("get", f"{JOBS}?page_size=100", 200)}
    assert (jobs[QUARANTINE]["schedule"], jobs[QUARANTINE]["default_schedule"]) == (
        "every 1h",
        "every 5m",
    )
    off = jobs["provisioning.reap"]
    assert (off["schedule"], off["enabled"], off["next_run_at"]) == ("off", False, None)
    # A job that is off here can still be run by hand.
    assert call("post", f"{JOBS}provisioning.reap/run", 202)["outcome"] == "queued"


def test_the_cli_lists_jobs_and_runs_one_now(app, database, settings, monkeypatch):
    """`omnicrm scheduler list|run` (on the test's app: a second app in this process would take
    over the module-level Socket.IO server from the one other tests serve)."""
    import omnicrm.cli as cli

    monkeypatch.setattr(cli, "_app", lambda: app)
    runner = CliRunner()
    listed = runner.invoke(cli.main, ["scheduler", "list"])
    assert listed.exit_code == 0, listed.output
    assert {QUARANTINE, "provisioning.reap", "scheduler.prune_runs"} <= set(listed.output.split())
    ran = runner.invoke(cli.main, ["scheduler", "run", QUARANTINE])
    assert ran.exit_code == 0, ran.output
    if settings.redis_url:  # production: queued for the workers; do what one does with it
        assert "queued for the workers" in ran.output
        run_id = int(ran.output.split()[1])
        assert uc.execute_run(database, settings, run_id, worker="w:1") == "success"
    else:  # embedded: no worker outside `omnicrm run`, so the command runs it
        assert "success" in ran.output and "'released': 0" in ran.output
    listed = runner.invoke(cli.main, ["scheduler", "list"])
    row = next(line for line in listed.output.splitlines() if QUARANTINE in line)
    assert "success" in row and "cli:" in row
    unknown = runner.invoke(cli.main, ["scheduler", "run", "no.such_job"])
    assert unknown.exit_code == 1 and "no periodic job" in unknown.output
    # The scheduler process is for production; embedded mode runs it inside `omnicrm run`.
    monkeypatch.setenv("REDIS_URL", "")
    refused = runner.invoke(cli.main, ["scheduler"])
    assert refused.exit_code == 1 and "REDIS_URL is not set" in refused.output
