"""What every kind of import row shares: the error a row is refused with, the claims that find
duplicate rows inside a file, and the interface the engine (``use_cases``) drives a kind through.

A kind (subscribers, stock) says which headers a file may have, turns a record into validated
values, and applies them — one row in a savepoint of its own, or a run of simple rows together
in a few set-based statements."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

MAX_CELL = 1000


class RowError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


Outcomes = dict[int, str]  # line -> created | updated | unchanged
Refused = dict[int, RowError]


class RowKind(Protocol):
    """One kind of import, as the engine drives it."""

    columns: tuple[str, ...]  # headers a file may have
    required: tuple[str, ...]  # headers it must have
    one_of: tuple[str, ...]  # at least one of these headers (empty: no such rule)
    claims: Mapping[str, str]  # value a row claims -> the column it came from (duplicates)
    analyze: tuple[str, ...]  # tables whose planner statistics go stale as the import grows

    def validate(self, header: list[str], cells: list[str]) -> dict[str, Any]:
        """The row's normalised values, or :class:`RowError` for its first problem."""
        ...

    def batchable(self, values: dict[str, Any]) -> bool:
        """True when the row can go with others through :meth:`apply_many`."""
        ...

    def apply(self, session: Session, values: dict[str, Any]) -> str:
        """Apply one row (in the engine's savepoint): ``created``, ``updated``, ``unchanged``."""
        ...

    def apply_many(
        self, session: Session, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[Outcomes, Refused]:
        """Apply batchable rows together: each line's outcome, and the rows refused."""
        ...


def clean(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row's non-blank cells by header, trimmed; too many cells, or one over-long or holding
    a NUL character, is a :class:`RowError`."""
    if len(cells) > len(header):
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            raise RowError("row", f"{len(cells)} cells for {len(header)} headers")
    values = {}
    for name, cell in zip(header, cells, strict=False):
        text = cell.strip()
        if len(text) > MAX_CELL:
            raise RowError(name, f"longer than {MAX_CELL} characters")
        if "\x00" in text:  # no database stores it; a spreadsheet saved as binary, say
            raise RowError(name, "contains a NUL character")
        if text:
            values[name] = text
    return values


def _key(name: str, value: Any) -> int:
    """A 64-bit digest of one claimed value: a file of 100,000 rows is 400,000 claims, kept as
    small integers (a false clash is about one in 10^10 at that size)."""
    digest = hashlib.blake2b(f"{name}\x00{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass
class Seen:
    """What earlier applied rows of the file claimed (a failed row claims nothing): a later row
    claiming it again is a duplicate. ``names`` maps each claimed value to the column a
    duplicate is reported on."""

    names: Mapping[str, str]
    keys: dict[int, int] = field(default_factory=dict)

    def check(self, values: dict[str, Any]) -> None:
        for name, column in self.names.items():
            if values.get(name):
                first = self.keys.get(_key(name, values[name]))
                if first is not None:
                    raise RowError(column, f"the same {column} as row {first} of this file")

    def claim(self, line: int, values: dict[str, Any]) -> None:
        for name in self.names:
            if values.get(name):
                self.keys.setdefault(_key(name, values[name]), line)

    def release(self, line: int, values: dict[str, Any]) -> None:
        """What a refused row claimed is free again."""
        for name in self.names:
            key = _key(name, values[name]) if values.get(name) else None
            if key is not None and self.keys.get(key) == line:
                del self.keys[key]
