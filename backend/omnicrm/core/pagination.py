"""Server-side pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def paginate_query(session: Session, stmt: Select[Any], pagination: Any) -> list[Any]:
    """Fill ``pagination.item_count`` and return one page of ``stmt``'s rows.

    The total comes from a window ``count(*) OVER ()`` in the page query itself (one round
    trip); only an empty page (past the end) needs a separate count.
    """
    counted = stmt.add_columns(func.count().over().label("_total"))
    rows = session.execute(counted.offset(pagination.first_item).limit(pagination.page_size)).all()
    if rows:
        pagination.item_count = rows[0][-1]
        return [row[0] for row in rows]
    count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    pagination.item_count = session.scalar(count_stmt) or 0
    return []
