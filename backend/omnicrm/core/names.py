"""Display names beside ids in API answers (a customer's name, a staff user's), read for a whole
page at once: one ``IN`` query per kind of name, never one per row.

Any domain's routes may ask, including those below customers and auth in the layers, so the
tables are named here as lightweight ``table()`` constructs rather than imported models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

_CUSTOMER = table("customer", column("customer_id"), column("customer_name"))
_USER = table("user_account", column("id"), column("username"), column("full_name"))


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({value for value in values if value is not None})


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """customer_id -> customer_name for the given ids (unknown ones are left out)."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(_CUSTOMER.c.customer_id, _CUSTOMER.c.customer_name).where(
            _CUSTOMER.c.customer_id.in_(wanted)
        )
    )
    return {int(key): str(name) for key, name in rows}


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """user id -> the user's full name, or their username when it is blank."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    name = func.coalesce(func.nullif(func.trim(_USER.c.full_name), ""), _USER.c.username)
    rows = session.execute(select(_USER.c.id, name).where(_USER.c.id.in_(wanted)))
    return {int(key): str(value) for key, value in rows}


def attach(rows: Iterable[Any], names: dict[int, str], *, id_attr: str, name_attr: str) -> None:
    """Set ``name_attr`` on each row (an object or a dict) from its ``id_attr``."""
    for row in rows:
        key = row[id_attr] if isinstance(row, dict) else getattr(row, id_attr)
        value = names.get(key) if key is not None else None
        if isinstance(row, dict):
            row[name_attr] = value
        else:
            setattr(row, name_attr, value)
