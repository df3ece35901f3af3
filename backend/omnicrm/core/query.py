"""Small building blocks for list queries: LIKE patterns, the ``sort`` query parameter and the
whitelisted ORDER BY clauses it becomes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import UnaryExpression

from omnicrm.core.fields import Text


def like_pattern(term: str) -> str:
    """``%term%`` with LIKE's wildcards escaped (use with ``escape="\\\\"``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sort_pattern(allowed: tuple[str, ...]) -> str:
    """The regular expression a ``sort`` value of ``allowed`` keys matches: keys joined by
    commas, each optionally ``-``-prefixed, spaces allowed around them. The server checks this
    exact pattern and the OpenAPI document publishes it (an ``enum`` cannot express a list)."""
    key = "-?(?:" + "|".join(re.escape(a) for a in allowed) + ")"
    return f"^ *{key} *(?:, *{key} *)*$"


def sort_field(allowed: tuple[str, ...], default: str) -> Text:
    """The ``sort`` query parameter of a list: keys from ``allowed``, comma-separated, each
    optionally prefixed with ``-`` for descending (what :func:`order_by` takes)."""
    choices = [*allowed, *(f"-{a}" for a in allowed)]
    pattern = sort_pattern(allowed)
    compiled = re.compile(pattern)

    def check(value: str) -> None:
        if not compiled.fullmatch(value):
            raise ValidationError(f"sort by one of: {', '.join(choices)} (comma-separated)")

    return Text(
        load_default=default,
        validate=check,
        metadata={
            "description": f"One or more of {', '.join(allowed)}, comma-separated; "
            "prefix '-' for descending",
            "example": default,
            "pattern": pattern,
        },
    )


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
