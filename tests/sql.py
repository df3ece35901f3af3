"""Watching the SQL a block of test code makes the database run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event


@contextlib.contextmanager
def selects(database: Any) -> Iterator[list[str]]:
    """The SELECT statements run on ``database``'s engine while the block runs: a list that
    fills as they run (a page's names must cost a fixed number, not one per row)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
