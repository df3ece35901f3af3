"""Small building blocks for list queries: LIKE patterns and whitelisted ORDER BY clauses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import UnaryExpression


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards escaped (use with ``escape="\\\\"``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def order_by(sort: str, columns: Mapping[str, Any], tiebreak: Any) -> list[UnaryExpression[Any]]:
    """ORDER BY for a validated ``sort`` ("name,-created_at"), the primary key breaking ties.

    ``columns`` is the whitelist (the schema has already refused other keys); the tiebreak
    follows the direction of the first key so pages are stable.
    """
    clauses: list[UnaryExpression[Any]] = []
    keys = [key.strip() for key in sort.split(",") if key.strip()]
    for key in keys:
        column = columns[key.lstrip("-")]
        clauses.append(column.desc() if key.startswith("-") else column.asc())
    first_desc = bool(keys) and keys[0].startswith("-")
    clauses.append(tiebreak.desc() if first_desc else tiebreak.asc())
    return clauses
