"""Reading an uploaded CSV without holding it in memory: its structure checked first (size,
UTF-8 with or without a BOM, the delimiter, the headers), then its records streamed with the
line each starts on.

A structural problem is a 422 ``invalid_file`` naming it, before anything is written. A record
the CSV reader cannot parse (a field beyond the size limit, say) is not: it comes out as a
:class:`Unreadable` for that row, and the rest of the file is read on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from omnicrm.core.errors import DomainError, ValidationFailed

BOM = codecs.BOM_UTF8
DELIMITERS = (",", ";", "\t", "|")
# A field longer than this is a row error ("a 10 MB line"), not a reason to read it whole.
FIELD_LIMIT = 64 * 1024
_BLOCK = 64 * 1024

csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


class FileTooLarge(DomainError):
    status, code = 413, "payload_too_large"


def file_error(message: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(
        message, code="invalid_file", errors={"multipart": {"file": [message]}}, extra=extra
    )


@dataclass(frozen=True)
class Stored:
    path: Path
    sha256: str
    size: int


def store_upload(stream: IO[bytes], path: Path, *, max_bytes: int) -> Stored:
    """Copy the upload to ``path`` block by block, hashing it; 413 (and nothing kept) past
    ``max_bytes``."""
    digest = hashlib.sha256()
    size = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("wb") as out:
            while block := stream.read(_BLOCK):
                size += len(block)
                if size > max_bytes:
                    raise FileTooLarge(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
                digest.update(block)
                out.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(path=path, sha256=digest.hexdigest(), size=size)


@dataclass(frozen=True)
class Layout:
    encoding: str  # utf-8-sig when the file starts with a BOM
    delimiter: str
    header: list[str]
    total: int  # data records (blank lines not counted)


@dataclass(frozen=True)
class Unreadable:
    """A record the CSV reader refused."""

    reason: str


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as raw:
        while block := raw.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                at = line + block[: exc.start].count(b"\n")
                raise file_error(
                    f"line {at}: the file is not UTF-8 (save it as CSV UTF-8)", line=at
                ) from None
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise file_error("the file ends in the middle of a UTF-8 character") from None


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as text:
        for line in text:
            if line.strip():
                return line[:FIELD_LIMIT]
    raise file_error("the file is empty")


def _sniff(line: str) -> str:
    """The delimiter of the header line: the candidate it holds most of (outside quotes)."""
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_problems(
    header: list[str],
    *,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    one_of: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Everything wrong with a header row, one ``{problem, headers, message}`` each:
    ``unknown_headers``, ``missing_headers``, ``missing_key`` (none of ``one_of``),
    ``repeated_headers``."""
    found: list[tuple[str, list[str], str]] = [
        ("unknown_headers", [n for n in header if n not in columns], "unknown headers"),
        ("missing_headers", [n for n in required if n not in header], "missing headers"),
        (
            "missing_key",
            list(one_of) if one_of and not any(n in header for n in one_of) else [],
            "one of these headers is needed",
        ),
        (
            "repeated_headers",
            sorted({n for n in header if header.count(n) > 1}),
            "repeated headers",
        ),
    ]
    return [
        {"problem": problem, "headers": names, "message": f"{label}: {', '.join(names)}"}
        for problem, names, label in found
        if names
    ]


def inspect(
    path: Path, *, columns: tuple[str, ...], required: tuple[str, ...], one_of: tuple[str, ...] = ()
) -> Layout:
    """The file's layout, or a 422 naming everything wrong with its structure."""
    _check_utf8(path)
    with path.open("rb") as raw:
        encoding = "utf-8-sig" if raw.read(len(BOM)) == BOM else "utf-8"
    delimiter = _sniff(_first_line(path, encoding))
    records = read_records(path, encoding=encoding, delimiter=delimiter)
    header: list[str] | None = None
    for _line, cells in records:
        if isinstance(cells, Unreadable):
            raise file_error(f"the header row cannot be read: {cells.reason}")
        header = [cell.strip().lower() for cell in cells]
        break
    if header is None:  # only blank records (",,", say)
        raise file_error("the file is empty")
    problems = header_problems(header, columns=columns, required=required, one_of=one_of)
    if problems:
        raise ValidationFailed(
            "wrong headers: " + "; ".join(p["message"] for p in problems),
            code="invalid_file",
            errors={"multipart": {"file": [p["message"] for p in problems]}},
            extra={
                "problems": problems,
                "expected_headers": list(columns),
                "required_headers": list(required),
            },
        )
    total = sum(1 for _ in records)
    if total == 0:
        raise file_error("the file has a header but no rows")
    return Layout(encoding=encoding, delimiter=delimiter, header=header, total=total)


def read_records(
    path: Path, *, encoding: str, delimiter: str
) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """(line the record starts on, its cells) for every non-blank record, streamed."""
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            start = reader.line_num + 1
            try:
                record: list[str] | Unreadable = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                record = Unreadable(str(exc))
            if isinstance(record, list) and not any(cell.strip() for cell in record):
                continue
            yield start, record


def data_records(
    path: Path, layout: Layout, *, skip: int = 0
) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """The data records after the header, the first ``skip`` of them passed over (a resumed
    job's committed rows)."""
    records = read_records(path, encoding=layout.encoding, delimiter=layout.delimiter)
    next(records)  # the header
    for index, record in enumerate(records):
        if index >= skip:
            yield record
