"""CSV import of stock (SIM cards, numbers, routers): all rows or nothing.

The ManyRegister flow: the structure is checked first (headers for the template, not empty),
then every row (serial syntax, IMSI, duplicates within the file and against the database). If
any row is wrong nothing is written and every problem is reported as ``{row, field, message}``
(``row`` counts lines of the file, the header being row 1). Otherwise all rows are inserted
in batches (Core ``executemany``, not one ORM object per row) in the caller's transaction,
each with one ``imported`` history row.

Files are UTF-8 (a BOM is fine), comma-separated, with a header; header names are
case-insensitive. Blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from omnicrm.activity.use_cases import record_event
from omnicrm.core.context import current_principal
from omnicrm.core.db import utcnow
from omnicrm.core.errors import ValidationFailed
from omnicrm.inventory import use_cases as uc
from omnicrm.inventory.errors import FileTooLarge
from omnicrm.inventory.models import (
    ITEMTEXT_FIELDS,
    Inventory,
    InventoryHistory,
    InventoryTemplate,
    ItemState,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
MAX_REPORTED_ERRORS = 1_000
_BATCH = 1_000
# From this many new rows on, PostgreSQL's planner statistics are refreshed in the import's own
# transaction: until autovacuum gets round to it, a table that grew from a few rows to thousands
# is still planned as nearly empty, and a contract read that joins it turns into a scan.
ANALYZE_FROM_ROWS = 1_000
_LOOKUP_CHUNK = 500
IMPORTED = "imported"


@dataclass
class ImportResult:
    template: str
    inventory_template_id: int
    rows: int
    created: int
    dry_run: bool
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded file's bytes; 413 beyond :data:`MAX_IMPORT_BYTES`."""
    content = stream.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise FileTooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    return content


def _file_error(message: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(
        message, code="invalid_file", errors={"multipart": {"file": [message]}}, extra=extra
    )


def _columns_for(template: InventoryTemplate) -> tuple[Mapping[str, str], tuple[str, ...]]:
    spec = uc.builtin_spec(template)
    if spec is not None:
        return spec.csv_columns, spec.required_columns
    return uc.GENERIC_CSV_COLUMNS, ("serial",)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _file_error(f"row {start}: not valid CSV ({exc})") from None
        yield start, record


def _read_header(
    records: Iterator[tuple[int, list[str]]], template: InventoryTemplate
) -> list[str]:
    columns, required = _columns_for(template)
    header: list[str] | None = None
    for _line, record in records:
        if any(cell.strip() for cell in record):
            header = [cell.strip().lower() for cell in record]
            break
    if header is None:
        raise _file_error("the file is empty")
    unknown = [name for name in header if name not in columns]
    missing = [name for name in required if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown headers: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing headers: {', '.join(missing)}")
    if repeated:
        problems.append(f"repeated headers: {', '.join(repeated)}")
    if problems:
        raise _file_error(
            f"wrong headers for {template.item}: " + "; ".join(problems),
            unknown_headers=unknown,
            missing_headers=missing,
            expected_headers=list(columns),
            required_headers=list(required),
        )
    return header


def import_inventory(
    session: Session,
    *,
    template_name: str,
    content: bytes,
    dry_run: bool = False,
    default_region: str = uc.DEFAULT_REGION,
) -> ImportResult:
    """Validate a CSV of items of ``template_name`` and insert every row, or none.

    422 ``invalid_file`` for the structure (encoding, empty, headers, too many rows) and 422
    ``invalid_rows`` with ``errors.rows = [{row, field, message}]`` when any row is wrong.
    With ``dry_run`` only the validation runs.
    """
    template = uc.template_named(session, template_name, location="multipart")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error("the file is not UTF-8 text") from None
    if "\x00" in text:
        raise _file_error("the file contains NUL characters (is it a spreadsheet, not CSV?)")
    columns, _required = _columns_for(template)
    records = _records(text)
    header = _read_header(records, template)
    fields = [columns[name] for name in header]
    column_of = {columns[name]: name for name in header}
    spec = uc.builtin_spec(template)
    check_imsi = spec is not None and spec.item == uc.SIM_CARD

    errors: list[dict[str, Any]] = []
    rows: list[_Row] = []
    first_row_of: dict[tuple[str, str], int] = {}

    def fail(row: int, name: str, message: str) -> None:
        errors.append({"row": row, "field": column_of.get(name, name), "message": message})

    count = 0
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise _file_error(f"more than {MAX_IMPORT_ROWS} rows: split the file")
        if len(record) != len(header):
            fail(line, "", f"expected {len(header)} values, found {len(record)}")
            continue
        data = {
            name: (cell if cell.strip() else None)
            for name, cell in zip(fields, record, strict=True)
        }
        values, problems = uc.normalise_item_fields(
            template, data, creating=True, default_region=default_region
        )
        for name, messages in problems.items():
            for message in messages:
                fail(line, name, message)
        if problems:
            continue
        duplicate = False
        for name in ("serial", "itemtext2") if check_imsi else ("serial",):
            key = (name, values[name])
            if key in first_row_of:
                fail(line, name, f"duplicate of row {first_row_of[key]}")
                duplicate = True
            else:
                first_row_of[key] = line
        if not duplicate:
            rows.append(_Row(line, values))
    if count == 0:
        raise _file_error("the file has a header but no rows")

    _check_against_database(session, template, rows, check_imsi, fail)
    if errors:
        errors.sort(key=lambda e: (e["row"], e["field"]))
        bad_rows = len({e["row"] for e in errors})
        raise ValidationFailed(
            f"{bad_rows} of {count} rows are invalid; nothing was imported",
            code="invalid_rows",
            errors={"rows": errors[:MAX_REPORTED_ERRORS]},
            extra={"error_count": len(errors), "template": template.item},
        )
    created = 0 if dry_run else _insert(session, template, rows)
    if created >= ANALYZE_FROM_ROWS and session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("ANALYZE inventory, inventory_history"))
    if not dry_run:
        record_event(
            session,
            action="import",
            object_type="inventory_template",
            object_id=template.inventory_template_id,
            after={"template": template.item, "created": created},
        )
    return ImportResult(
        template=template.item,
        inventory_template_id=template.inventory_template_id,
        rows=count,
        created=created,
        dry_run=dry_run,
    )


def _check_against_database(
    session: Session,
    template: InventoryTemplate,
    rows: list[_Row],
    check_imsi: bool,
    fail: Any,
) -> None:
    """Rows whose serial (or IMSI) another item of the template already has."""
    for name in ("serial", "itemtext2") if check_imsi else ("serial",):
        column = getattr(Inventory, name)
        row_of = {row.values[name]: row.number for row in rows}
        wanted = list(row_of)
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start : start + _LOOKUP_CHUNK]
            found = session.execute(
                select(column, Inventory.inventory_id).where(
                    Inventory.inventory_template_id == template.inventory_template_id,
                    column.in_(chunk),
                )
            )
            for value, inventory_id in found:
                fail(row_of[value], name, f"already in inventory (item {inventory_id})")


def _insert(session: Session, template: InventoryTemplate, rows: list[_Row]) -> int:
    now = utcnow()
    principal = current_principal.get()
    user_id = principal.user_id if principal is not None else None
    # Only the columns the file fills: the statement stays small (NULL is the default anyway),
    # which PostgreSQL parses several times faster for a 1,000-row VALUES list.
    storable = ("serial", *ITEMTEXT_FIELDS, "management_url")
    keys = [key for key in storable if any(row.values.get(key) is not None for row in rows)]
    item_table = cast(Table, Inventory.__table__)
    history_table = cast(Table, InventoryHistory.__table__)
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        params = [
            {
                "inventory_template_id": template.inventory_template_id,
                "item_state": ItemState.new,
                "created_at": now,
                "updated_at": now,
                **{key: row.values.get(key) for key in keys},
            }
            for row in batch
        ]
        inserted = session.execute(
            insert(item_table).returning(item_table.c.inventory_id), params
        ).scalars()
        session.execute(
            insert(history_table),
            [
                {
                    "inventory_id": inventory_id,
                    "from_state": None,
                    "to_state": ItemState.new.value,
                    "reason": IMPORTED,
                    "customer_id": None,
                    "service_id": None,
                    "user_id": user_id,
                    "created_at": now,
                }
                for inventory_id in inserted
            ],
        )
    return len(rows)
