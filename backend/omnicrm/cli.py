"""The ``omnicrm`` command: database, demo data, admin users, the server and the workers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

from omnicrm.settings import REPO_ROOT, Settings


def _app() -> Any:
    from omnicrm import create_app

    return create_app(Settings())


def alembic_config(connection: Any = None, url: str | None = None) -> Any:
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(settings: Settings) -> None:
    """Apply every migration, then make sure permissions and built-in roles exist."""
    from alembic import command

    from omnicrm import create_app
    from omnicrm.auth.use_cases import sync_rbac
    from omnicrm.extensions import get_db
    from omnicrm.inventory.use_cases import sync_inventory_templates

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url=settings.database_url), "head")
    # Reference data is written through the app so its audit rows are signed like any other.
    app = create_app(settings)
    with app.app_context():
        database = get_db()
        with database.job_scope() as session:
            sync_rbac(session)
            sync_inventory_templates(session)
        assert database.engine is not None
        database.engine.dispose()


@click.group()
def main() -> None:
    """OmniCRM command line."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (and sync roles/permissions)."""
    settings = Settings()
    upgrade_database(settings)
    click.echo(f"database at head: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group()
def activity() -> None:
    """The append-only activity (audit) log."""


@activity.command("verify")
def activity_verify() -> None:
    """Check every activity row's HMAC; exit 1 if any row was altered after it was written."""
    from omnicrm.activity.use_cases import verify_activity_log

    app = _app()
    with app.app_context():
        from omnicrm.extensions import get_db

        with get_db().job_scope() as session:
            report = verify_activity_log(session, secret_key=app.config["SECRET_KEY"])
    click.echo(f"checked {report.checked} rows; {len(report.unsigned)} unsigned")
    if not report.ok:
        raise click.ClickException(f"altered rows: {report.altered[:50]}")
    click.echo("activity log intact")


@main.group()
def provision() -> None:
    """Provisioning jobs: list them, watch one run, reap jobs of dead workers."""


@provision.command("list")
@click.option("--status", "statuses", multiple=True, type=int, help="0 Success ... 5 Cancelled")
@click.option("--limit", default=20, show_default=True)
def provision_list(statuses: tuple[int, ...], limit: int) -> None:
    """The newest jobs."""
    from omnicrm.provisioning import use_cases as uc

    app = _app()
    with app.app_context():
        from omnicrm.extensions import get_db

        with get_db().job_scope() as session:
            query = uc.provisions_query(provisioning_status=list(statuses) or None)
            for job in session.scalars(query.limit(limit)):
                click.echo(
                    f"{job.provision_id:>8}  {job.status.label:<16} {job.action:<12} "
                    f"{job.provisioning_play:<24} customer {job.customer_id}  "
                    f"service {job.service_id or '-'}  {job.tasks_done}/{job.task_count} tasks"
                )


@provision.command("watch")
@click.argument("provision_id", type=int)
@click.option("--timeout", default=900.0, show_default=True, help="Seconds to wait.")
def provision_watch(provision_id: int, timeout: float) -> None:
    """Follow one job with a progress bar, printing each task as it finishes; exit 1 unless it
    ends in Success."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from omnicrm.provisioning import use_cases as uc
    from omnicrm.provisioning.models import FINAL, ProvisionStatus

    app = _app()
    console = Console()
    with app.app_context():
        from omnicrm.extensions import get_db

        database = get_db()
        seen = 0
        deadline = time.monotonic() + timeout
        with Progress(
            TextColumn("[bold]job {task.fields[job]}[/] {task.fields[label]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=console,
        ) as bar:
            task = bar.add_task("", total=None, job=provision_id, label="")
            while True:
                with database.job_scope() as session:
                    job = uc.get_provision(session, provision_id=provision_id)
                    events = uc.events_of(session, provision_id, after=seen)
                    status, total, done = job.status, job.task_count, job.tasks_done
                    error = job.error
                for event in events:
                    label = ProvisionStatus(event.provisioning_status).label
                    bar.console.print(f"  {event.event_number:>3}. {event.event_name}  [{label}]")
                    seen = event.event_number
                bar.update(
                    task,
                    total=total or None,
                    completed=total if status == ProvisionStatus.success else done,
                    label=status.label,
                    description=events[-1].event_name if events else "",
                )
                if status in FINAL or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
    click.echo(f"job {provision_id}: {status.label}" + (f" ({error})" if error else ""))
    if status != ProvisionStatus.success:
        raise SystemExit(1)


@provision.command("reap")
def provision_reap() -> None:
    """Re-queue or fail running jobs whose worker died (workers and the scheduler's
    provisioning.reap job do this on their own)."""
    from omnicrm.provisioning.reaper import reap_once

    app = _app()
    with app.app_context():
        handled = reap_once(app.extensions["omnicrm_settings"])
    click.echo(f"{len(handled)} job(s) handled" + (f": {handled}" if handled else ""))


@main.group()
def billing() -> None:
    """Billing runs."""


@billing.command("run")
@click.option(
    "--date",
    "period_end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Bill periods starting on or before this day, usage before it (default today).",
)
@click.option("--customer", "customer_id", type=int, default=None, help="Only this customer.")
def billing_run(period_end: Any, customer_id: int | None) -> None:
    """Run billing here, with a progress bar: charges, invoices, numbers, e-mails. The same
    period run again bills nothing twice."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from omnicrm.billing import run as runs

    app = _app()
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        from omnicrm.extensions import get_db

        database = get_db()
        with database.job_scope() as session:
            run_id = runs.request_run(
                session,
                period_end=period_end.date() if period_end else None,
                customer_id=customer_id,
                user_id=None,
            ).billing_run_id
        with Progress(
            TextColumn("[bold]billing run {task.fields[run]}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("customers  {task.fields[invoices]} invoices"),
            console=Console(),
        ) as bar:
            task = bar.add_task("", total=None, run=run_id, invoices=0)

            def show(run: Any) -> None:
                bar.update(
                    task,
                    total=run.customer_count or None,
                    completed=run.processed,
                    invoices=run.invoices_created,
                )

            try:
                run = runs.execute_configured(database, run_id, settings, on_progress=show)
            except Exception as exc:
                raise click.ClickException(f"billing run {run_id} failed: {exc}") from exc
    click.echo(
        f"billing run {run_id}: {run.status.value}, {run.processed} customers, "
        f"{run.transactions_created} transactions, {run.invoices_created} invoices"
    )


@main.group("import")
def import_group() -> None:
    """Bulk imports from CSV (docs/imports.md)."""


@import_group.command("subscribers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every row (stock too); write nothing.")
def import_subscribers(file: Path, dry_run: bool) -> None:
    """Register subscribers from FILE here, with a progress bar (rows/s and time left), then
    the summary. Rows that fail are listed with their line, field and reason."""
    _run_import(file, dry_run=dry_run, kind="subscribers", template=None)


@import_group.command("stock")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--template", required=True, help="Inventory template: SIM Card, Router, ...")
@click.option("--dry-run", is_flag=True, help="Validate every row; write nothing.")
def import_stock(file: Path, template: str, dry_run: bool) -> None:
    """Add stock items of TEMPLATE from FILE here, with a progress bar, then the summary."""
    _run_import(file, dry_run=dry_run, kind="stock", template=template)


def _run_import(file: Path, *, dry_run: bool, kind: str, template: str | None) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from omnicrm.core.errors import DomainError
    from omnicrm.imports import use_cases as imports
    from omnicrm.imports.models import ImportKind

    app = _app()
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        from omnicrm.extensions import get_db

        database = get_db()
        try:
            with database.job_scope() as session, file.open("rb") as stream:
                options = imports.stock_options(session, template) if template else {}
                import_id = imports.start_import(
                    session, settings, stream=stream, filename=file.name, dry_run=dry_run,
                    user_id=None, kind=ImportKind(kind), options=options,
                ).import_id  # fmt: skip
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        with Progress(
            TextColumn("[bold]import {task.fields[job]}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows  {task.fields[rate]} rows/s  {task.fields[failed]} failed"),
            TimeRemainingColumn(),
            console=Console(),
        ) as bar:
            task = bar.add_task("", total=None, job=import_id, rate="-", failed=0)
            began = time.monotonic()

            def show(body: dict[str, Any]) -> None:
                rate = body["processed"] / max(time.monotonic() - began, 1e-6)
                bar.update(
                    task,
                    total=body["total"],
                    completed=body["processed"],
                    rate=f"{rate:.0f}",
                    failed=body["failed"],
                )

            status = imports.run_import(
                database,
                settings,
                import_id,
                region=settings.default_phone_region or "US",
                chunk=settings.import_chunk_size,
                on_progress=show,
            )
        with database.job_scope() as session:
            job = imports.get_import(session, import_id)
            errors = imports.errors_of(session, import_id, limit=20)
            elapsed = (
                (job.finished_at or job.started_at) - job.started_at if job.started_at else None
            )
            seconds = elapsed.total_seconds() if elapsed else 0
            click.echo(
                f"import {import_id}{' (dry run)' if dry_run else ''}: {status.value}, "
                f"{job.total} rows: {job.created} created, {job.updated} updated, "
                f"{job.unchanged} unchanged, {job.failed} failed"
                + (f" ({job.processed / seconds:.0f} rows/s)" if seconds else "")
            )
            for error in errors:
                click.echo(f"  line {error.line}: {error.field}: {error.message}")
            if job.failed > len(errors):
                click.echo(
                    f"  ... and {job.failed - len(errors)} more: "
                    f"GET /crm/import/{import_id}/errors.csv"
                )


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Prompted for when omitted (and a TTY).")
@click.option("--name", "full_name", default="Administrator")
def create_admin(email: str, password: str | None, full_name: str) -> None:
    """Create an administrator (non-interactive with --password)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        from omnicrm.auth.deps import auth_deps
        from omnicrm.auth.use_cases import create_user, sync_rbac
        from omnicrm.core.errors import DomainError
        from omnicrm.extensions import get_db

        try:
            with get_db().job_scope() as session:
                sync_rbac(session)
                user = create_user(
                    session,
                    auth_deps(),
                    email=email,
                    password=password,
                    roles=["admin"],
                    full_name=full_name,
                    email_verified=True,
                    actor=None,
                )
                user_id = user.id
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(f"admin created: {email} (id {user_id})")


@main.command("seed-demo")
@click.option("--customers", default=50, show_default=True)
@click.option("--force", is_flag=True, help="Seed even if customers already exist.")
def seed_demo(customers: int, force: bool) -> None:
    """Load realistic demo data: customers with contacts and sites, a user per role."""
    from omnicrm.demo import seed

    app = _app()
    with app.app_context():
        result = seed(customers=customers, force=force)
    for line in result:
        click.echo(line)


@main.command("run")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option(
    "--workers", default=None, type=int, help="HTTP processes (production; default: one per CPU)."
)
@click.option("--threads", default=None, type=int, help="Threads per HTTP process.")
@click.option(
    "--realtime",
    is_flag=True,
    help="Serve Socket.IO: one process with many threads, one per open WebSocket (production).",
)
def run(host: str, port: int, workers: int | None, threads: int | None, realtime: bool) -> None:
    """Serve the API and the built UI (gunicorn; embedded mode runs the job worker in-process)."""
    from omnicrm.server import serve

    serve(Settings(), host=host, port=port, workers=workers, threads=threads, realtime=realtime)


@main.command("worker")
@click.option("--processes", default=None, type=int)
@click.option("--threads", default=None, type=int)
def worker(processes: int | None, threads: int | None) -> None:
    """Run Dramatiq worker processes (needs REDIS_URL)."""
    settings = Settings()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: in embedded mode jobs run inside `omnicrm run`."
        )
    cmd = [
        sys.executable,
        "-m",
        "dramatiq",
        "omnicrm.worker:broker",
        "--processes",
        str(processes or settings.worker_processes),
        "--threads",
        str(threads or settings.worker_threads),
    ]
    os.execv(sys.executable, cmd)  # noqa: S606 - replace this process with the workers


@main.group(invoke_without_command=True)
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Periodic jobs. Without a subcommand: run the scheduler, which fires each job at its due
    times as a message for the workers (needs REDIS_URL; any number of these processes may run:
    a Redis lock per job and due time lets one fire it). Stops on SIGTERM or Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    import signal

    from omnicrm.scheduler.loop import scheduler_for_app

    settings = Settings()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: in embedded mode the scheduler runs inside `omnicrm run`."
        )
    runner = scheduler_for_app(_app())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: runner.stop(timeout=0))
    click.echo(f"scheduler {runner.name}: {', '.join(sorted(runner.jobs)) or 'no jobs'}")
    runner.run()


@scheduler.command("list")
def scheduler_list() -> None:
    """Every periodic job: schedule, next run, last run and its outcome."""
    from rich.console import Console
    from rich.table import Table

    from omnicrm.scheduler import use_cases as uc

    app = _app()
    with app.app_context():
        from omnicrm.extensions import get_db

        with get_db().job_scope() as session:
            views = uc.list_jobs(session, app.extensions["omnicrm_settings"])
            table = Table("job", "schedule", "next run", "last run", "outcome", "by")
            for view in views:
                run = view.last_run
                table.add_row(
                    view.job_name,
                    view.schedule,
                    _when(view.next_run_at),
                    _when(run.started_at or run.queued_at) if run else "-",
                    (run.outcome.value + (f": {run.error[:60]}" if run.error else ""))
                    if run
                    else "never run",
                    run.fired_by if run else "-",
                )
    Console(width=160).print(table)


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "-"


@scheduler.command("run")
@click.argument("job_name")
def scheduler_run(job_name: str) -> None:
    """Run one job now: queued for the workers with REDIS_URL, run right here without (embedded
    mode has no worker outside `omnicrm run`)."""
    import getpass

    from omnicrm.core.errors import DomainError
    from omnicrm.scheduler import use_cases as uc

    app = _app()
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        from omnicrm.extensions import get_db

        database = get_db()
        try:
            with database.job_scope() as session:
                run = uc.run_now(
                    session,
                    job_name=job_name,
                    settings=settings,
                    fired_by=f"cli:{getpass.getuser()}@{uc.process_id()}",
                )
                run_id = run.run_id
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        if settings.redis_url:
            click.echo(f"run {run_id} of {job_name} queued for the workers")
            return
        outcome = uc.execute_run(database, settings, run_id, worker=uc.process_id())
        with database.job_scope() as session:
            from omnicrm.scheduler.models import ScheduledJobRun

            done = session.get(ScheduledJobRun, run_id)
            assert done is not None
            detail = done.error or done.result
    click.echo(f"run {run_id} of {job_name}: {outcome.value if outcome else '?'} {detail or ''}")
    if outcome is None or outcome.value != "success":
        raise SystemExit(1)


@main.command("openapi")
@click.option(
    "--output", type=click.Path(path_type=Path), default=REPO_ROOT / "openapi" / "openapi.json"
)
@click.option("--check", is_flag=True, help="Fail if the file is not up to date.")
def openapi(output: Path, check: bool) -> None:
    """Write (or check) the OpenAPI document."""
    import json
    import tempfile

    from omnicrm import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test",
            instance_path=Path(tmp),
            secret_key=secrets.token_urlsafe(40),
            database_url=f"sqlite:///{tmp}/spec.db",
            redis_url="",
            log_level="WARNING",
        )
        app = create_app(settings)
        with app.test_client() as client:
            spec = client.get("/crm/openapi.json").get_json()
    text = json.dumps(spec, indent=2, sort_keys=True) + "\n"
    if check:
        current = output.read_text() if output.exists() else ""
        if current != text:
            raise click.ClickException(f"{output} is stale: run `make openapi`")
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    click.echo(f"wrote {output}")


def _run_subprocess(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
