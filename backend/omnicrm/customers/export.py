"""Customer export as CSV (streamed row batch by row batch) or XLSX (openpyxl write-only).

Spreadsheets execute cells that look like formulas. CSV cells starting with ``= + - @`` (or a
tab/carriage return) are prefixed with ``'`` (OWASP "CSV injection"), so a phone number reads
``'+12025550123`` there; XLSX cells are typed as text, so they are never formulas and keep
their value unchanged.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from omnicrm.customers.models import Customer

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_BATCH = 200
_XLSX_CHUNK = 64 * 1024


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


COLUMNS: list[tuple[str, Callable[[Customer], Any]]] = [
    ("customer_id", lambda c: c.customer_id),
    ("customer_name", lambda c: c.customer_name),
    ("customer_account_type", lambda c: _enum(c.customer_account_type)),
    ("customer_status", lambda c: _enum(c.customer_status)),
    ("customer_payment_type", lambda c: _enum(c.customer_payment_type)),
    ("customer_enabled", lambda c: c.customer_enabled),
    ("email", lambda c: c.email),
    ("phone", lambda c: c.phone),
    ("tax_identifier", lambda c: c.tax_identifier),
    ("currency", lambda c: c.currency),
    ("contract_start_date", lambda c: c.contract_start_date),
    ("contract_end_date", lambda c: c.contract_end_date),
    ("tags", lambda c: ";".join(c.tag_names)),
    ("notes", lambda c: c.notes),
    ("created_at", lambda c: c.created_at),
    ("updated_at", lambda c: c.updated_at),
    ("archived_at", lambda c: c.archived_at),
]
HEADER = [name for name, _ in COLUMNS]


def export_filename(fmt: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"customers-{stamp}.{fmt}"


def csv_safe(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(customers: Iterable[Customer]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel reads the encoding), a header and one line per customer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    pending = 0
    for customer in customers:
        writer.writerow([csv_safe(get(customer)) for _, get in COLUMNS])
        pending += 1
        if pending >= _CSV_BATCH:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: write UTC wall time
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_chunks(customers: Iterable[Customer]) -> Iterator[bytes]:
    """An XLSX workbook (one sheet, header row, text cells never formulas), built on first read.

    openpyxl's write-only mode keeps memory flat; the finished zip is spooled (in memory up
    to 8 MB, then a temporary file) and sent in chunks.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    sheet.append(HEADER)
    for customer in customers:
        row = []
        for _, get in COLUMNS:
            value = _xlsx_value(get(customer))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "="
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            row.append(cell)
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(_XLSX_CHUNK):
            yield chunk
