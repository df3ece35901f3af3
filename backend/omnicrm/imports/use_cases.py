"""The import engine: a job row per upload, the file's structure checked before anything is
written, then its rows streamed and applied in chunks — each chunk committed together with the
job's counters and resume point, so a worker that dies loses no committed row and the job,
started again, carries on after the last committed chunk (docs/imports.md)."""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.core.db import Database, after_commit, all_or_nothing, utcnow
from omnicrm.core.errors import Conflict, DomainError, NotFound
from omnicrm.core.logging import get_logger
from omnicrm.customers.export import csv_safe
from omnicrm.imports import csvfile, stock, subscribers
from omnicrm.imports.models import ImportJob, ImportKind, ImportRowError, ImportStatus
from omnicrm.imports.rows import RowError, RowKind, Seen
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import InventoryTemplate

log = get_logger("omnicrm.imports")

MAX_REPORTED = 100  # errors in the job's JSON (all of them are in the error CSV)
ANALYZE_FROM_ROWS = 5_000


class ImportInProgress(Conflict):
    code = "import_in_progress"


class Superseded(Exception):
    """Another run of the job committed past this run's position (a duplicated message, or
    a worker thought dead): this run stops, its chunk rolled back."""


def _path(settings: Any, job: ImportJob) -> Path:
    return Path(settings.import_dir) / job.stored_as


def _row_kind(
    session: Session,
    settings: Any,
    kind: ImportKind,
    options: dict[str, Any],
    *,
    region: str,
    user_id: int | None,
) -> RowKind:
    """The rows of a ``kind`` of import, for the job's options."""
    if kind == ImportKind.stock:
        template = session.get(InventoryTemplate, options["inventory_template_id"])
        if template is None:
            raise NotFound(f"inventory template {options.get('template')!r} no longer exists")
        return stock.StockRows(template, region=region, user_id=user_id)
    context = subscribers.Context(
        region=region, play_config=_play_config(settings), currency=settings.default_currency
    )
    return subscribers.SubscriberRows(context)


def _inspect(path: Path, kind: RowKind) -> csvfile.Layout:
    return csvfile.inspect(path, columns=kind.columns, required=kind.required, one_of=kind.one_of)


def stock_options(session: Session, template_name: str) -> dict[str, Any]:
    """A stock import's options: the template its rows are items of (404 naming the
    ``template`` form field when there is none of that name)."""
    template = inventory.template_named(session, template_name, location="multipart")
    return {"inventory_template_id": template.inventory_template_id, "template": template.item}


def start_import(
    session: Session,
    settings: Any,
    *,
    stream: IO[bytes],
    filename: str,
    dry_run: bool,
    user_id: int | None,
    kind: ImportKind = ImportKind.subscribers,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Keep the upload, check its structure (422 ``invalid_file``, nothing written), and queue
    the job; the same file while an import of it is queued or running is 409
    ``import_in_progress`` naming that import."""
    options = options or {}
    region = settings.default_phone_region or "US"  # the headers do not depend on it
    rows = _row_kind(session, settings, kind, options, region=region, user_id=user_id)
    stored_as = f"{uuid.uuid4().hex}.csv"
    path = Path(settings.import_dir) / stored_as
    stored = csvfile.store_upload(stream, path, max_bytes=settings.import_max_bytes)
    try:
        layout = _inspect(path, rows)
        job = ImportJob(
            kind=kind,
            options=options,
            dry_run=dry_run,
            filename=Path(filename or "upload.csv").name[:255],
            file_hash=stored.sha256,
            stored_as=stored_as,
            size_bytes=stored.size,
            delimiter=layout.delimiter,
            header=layout.header,
            total=layout.total,
            created_by_user_id=user_id,
        )
        try:
            with session.begin_nested():
                session.add(job)
                session.flush()
        except IntegrityError:
            running = session.scalar(
                select(ImportJob.import_id).where(
                    ImportJob.kind == kind,
                    ImportJob.file_hash == stored.sha256,
                    ImportJob.status.in_([ImportStatus.queued, ImportStatus.running]),
                    ImportJob.dry_run.is_(False),
                )
            )
            raise ImportInProgress(
                f"this file is being imported already (import {running})",
                extra={"import_id": running},
            ) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def get_import(session: Session, import_id: int, *, lock: bool = False) -> ImportJob:
    job = session.get(ImportJob, import_id, with_for_update=lock)
    if job is None:
        raise NotFound(f"import {import_id} not found")
    return job


def imports_query() -> Select[Any]:
    return select(ImportJob).order_by(ImportJob.import_id.desc())


def errors_of(session: Session, import_id: int, *, limit: int | None = MAX_REPORTED) -> list[Any]:
    stmt = (
        select(ImportRowError)
        .where(ImportRowError.import_id == import_id)
        .order_by(ImportRowError.line, ImportRowError.import_row_error_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def error_csv(session: Session, job: ImportJob, header: list[str]) -> Iterator[str]:
    """The rows that failed, as they were, with ``line``, ``field`` and ``error`` columns added,
    every cell neutralised against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow([*header, "line", "field", "error"])
    yield flush()
    for error in session.scalars(
        select(ImportRowError)
        .where(ImportRowError.import_id == job.import_id)
        .order_by(ImportRowError.line)
        .execution_options(yield_per=500)
    ):
        cells = list(error.raw or [])
        cells = (cells + [""] * len(header))[: len(header)]
        writer.writerow([csv_safe(c) for c in [*cells, error.line, error.field, error.message]])
        yield flush()


def header_of(job: ImportJob) -> list[str]:
    """The uploaded file's header row."""
    return list(job.header)


def run_import(
    database: Database,
    settings: Any,
    import_id: int,
    *,
    region: str,
    chunk: int,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> ImportStatus:
    """Run (or carry on with) an import: the rows after ``processed``, ``chunk`` at a time,
    each chunk committed with the job's counters (``on_progress`` hears each, as the
    Socket.IO room does). Returns the job's final status."""
    progress = on_progress or (lambda _body: None)
    with database.job_scope() as session:
        job = get_import(session, import_id, lock=True)
        if job.status in (ImportStatus.done, ImportStatus.failed):
            return job.status
        job.status = ImportStatus.running
        job.started_at = job.started_at or utcnow()
        job.heartbeat_at = utcnow()
        dry_run, done, path = job.dry_run, job.processed, _path(settings, job)
        kind, options, user_id = job.kind, dict(job.options or {}), job.created_by_user_id
        # a resumed job: the rows that failed before claimed nothing
        failed_lines = set(
            session.scalars(
                select(ImportRowError.line).where(ImportRowError.import_id == import_id)
            )
            if done
            else ()
        )
    if not path.exists():
        return fail_import(database, import_id, "the uploaded file is gone (it was removed)")
    try:
        with database.job_scope() as session:
            rows = _row_kind(session, settings, kind, options, region=region, user_id=user_id)
    except NotFound as exc:
        return fail_import(database, import_id, exc.message)
    try:
        layout = _inspect(path, rows)
    except Exception as exc:  # the file changed under us
        return fail_import(database, import_id, f"the file cannot be read: {exc}")
    seen = Seen(rows.claims)
    statistics = _Statistics(database, rows.analyze)
    batch: list[tuple[int, list[str] | csvfile.Unreadable]] = []
    position = done
    try:
        for index, record in enumerate(csvfile.data_records(path, layout)):
            if index < done:  # committed before: only what it claimed is remembered
                if record[0] not in failed_lines:
                    _remember(seen, rows, layout.header, record)
                continue
            batch.append(record)
            if len(batch) >= chunk:
                progress(
                    _chunk(database, import_id, layout.header, batch, position, rows, seen, dry_run)
                )
                position += len(batch)
                batch = []
                statistics.grew(position - done)
        if batch:
            progress(
                _chunk(database, import_id, layout.header, batch, position, rows, seen, dry_run)
            )
    except Superseded:
        log.warning("import_superseded", import_id=import_id, position=position)
        return ImportStatus.running
    with database.job_scope() as session:
        job = get_import(session, import_id, lock=True)
        job.status = ImportStatus.done
        job.finished_at = utcnow()
        _publish(session, job)
    path.unlink(missing_ok=True)
    log.info("import_done", import_id=import_id, dry_run=dry_run)
    return ImportStatus.done


class _Statistics:
    """Keeps PostgreSQL's planner statistics of the tables an import grows up to date: until
    autovacuum gets round to it, a table that grew from a few rows to many thousands is still
    planned as nearly empty, and each chunk's lookups turn into scans (the import slowing down
    as it goes). ANALYZE whenever the rows applied since the last one reach ANALYZE_FROM_ROWS
    and the (first) table's size at that time."""

    def __init__(self, database: Database, tables: tuple[str, ...]) -> None:
        self.database = database
        self.tables = tables
        self.last = 0
        self.table = 0

    def grew(self, applied: int) -> None:
        if applied - self.last < max(ANALYZE_FROM_ROWS, self.table):
            return
        with self.database.job_scope() as session:
            if session.get_bind().dialect.name != "postgresql":
                return
            session.execute(text(f"ANALYZE {', '.join(self.tables)}"))
            self.table = int(
                session.scalar(
                    text("SELECT reltuples FROM pg_class WHERE relname = :table"),
                    {"table": self.tables[0]},
                )
                or 0
            )
        self.last = applied


def _play_config(settings: Any) -> Any:
    from omnicrm.provisioning.use_cases import PlayConfig

    return PlayConfig.from_settings(settings)


def _remember(seen: Seen, rows: RowKind, header: list[str], record: Any) -> None:
    line, cells = record
    if isinstance(cells, csvfile.Unreadable):
        return
    with contextlib.suppress(RowError):
        seen.claim(line, rows.validate(header, cells))


def _chunk(
    database: Database,
    import_id: int,
    header: list[str],
    batch: list[tuple[int, list[str] | csvfile.Unreadable]],
    position: int,
    rows: RowKind,
    seen: Seen,
    dry_run: bool,
) -> dict[str, Any]:
    """Apply one chunk and commit it with the job's counters (a dry run takes the rows back);
    the job's progress as the Socket.IO room gets it. The job's row stays locked while the
    chunk runs: a second run of the job waits, then finds the job moved past ``position`` and
    stops (:class:`Superseded`), so no row is applied or counted twice."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    errors: list[dict[str, Any]] = []
    with database.job_scope() as session:
        job = get_import(session, import_id, lock=True)
        if job.processed != position or job.status != ImportStatus.running:
            raise Superseded(import_id)
        raw_of = {line: cells for line, cells in batch if isinstance(cells, list)}

        def refuse(line: int, exc: RowError) -> None:
            counts["failed"] += 1
            raw = raw_of.get(line)
            errors.append(
                {
                    "import_id": import_id,
                    "line": line,
                    "field": exc.field[:64],
                    "message": exc.message[:500],
                    "raw": [cell[:1000] for cell in raw] if raw is not None else None,
                }
            )

        def one(line: int, values: dict[str, Any]) -> None:
            try:
                seen.check(values)
                try:
                    with all_or_nothing(session):
                        outcome = rows.apply(session, values)
                except IntegrityError:
                    # another writer committed the same record since this row read it: read
                    # again (it is now found, and updated or unchanged)
                    with all_or_nothing(session):
                        outcome = rows.apply(session, values)
            except RowError as exc:
                refuse(line, exc)
                return
            seen.claim(line, values)
            counts[outcome] += 1

        def together(plain: list[tuple[int, dict[str, Any]]]) -> None:
            """Batchable rows in a run of the file: applied at once (their claims made
            in file order before, given back for a row refused)."""
            try:
                with all_or_nothing(session):
                    outcomes, refused = rows.apply_many(session, plain)
            except (DomainError, IntegrityError):  # a race with another writer: one at a time
                for line, values in plain:
                    seen.release(line, values)
                    one(line, values)
                return
            claimed = dict(plain)
            for line, problem in refused.items():
                seen.release(line, claimed[line])
                refuse(line, problem)
            for outcome in outcomes.values():
                counts[outcome] += 1

        with all_or_nothing(session, keep=not dry_run):
            plain: list[tuple[int, dict[str, Any]]] = []
            for line, cells in batch:  # in file order, so a duplicate is always the later row
                try:
                    if isinstance(cells, csvfile.Unreadable):
                        raise RowError("row", f"not readable as CSV ({cells.reason})")
                    values = rows.validate(header, cells)
                    if rows.batchable(values):
                        seen.check(values)
                except RowError as exc:
                    refuse(line, exc)
                    continue
                if rows.batchable(values):
                    seen.claim(line, values)
                    plain.append((line, values))
                    continue
                if plain:
                    together(plain)
                    plain = []
                one(line, values)
            if plain:
                together(plain)
        if errors:
            session.execute(insert(ImportRowError), errors)
        job.processed += len(batch)
        job.created += counts["created"]
        job.updated += counts["updated"]
        job.unchanged += counts["unchanged"]
        job.failed += counts["failed"]
        job.heartbeat_at = utcnow()
        return _publish(session, job)


def fail_import(database: Database, import_id: int, reason: str) -> ImportStatus:
    with database.job_scope() as session:
        job = get_import(session, import_id, lock=True)
        job.status = ImportStatus.failed
        job.error = reason[:500]
        job.finished_at = utcnow()
        _publish(session, job)
    return ImportStatus.failed


def _publish(session: Session, job: ImportJob) -> dict[str, Any]:
    """Progress for the import page, once the chunk is committed (never raises)."""
    from omnicrm.imports import realtime

    payload = realtime.payload(job)
    after_commit(session, lambda: realtime.publish(payload))
    return payload
