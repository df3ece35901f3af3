"""Server-side pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()``, and
the one OpenAPI definition of the ``X-Pagination`` header every list answers with.

The header is a JSON object encoded as text (``{"total": 42, "total_pages": 5, ...}``). HTTP
headers are strings, so the document declares it as one (``schema: {type: string}``, which
generated clients and validating proxies check as served) and names the decoded object's
schema, ``PaginationMetadata``, in its description and in ``components.schemas``.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_OFFSET = 2**62


def paginate_query(session: Session, stmt: Select[Any], pagination: Any) -> list[Any]:
    """Fill ``pagination.item_count`` and return one page of ``stmt``'s rows.

    The total comes from a window ``count(*) OVER ()`` in the page query itself (one round
    trip); only an empty page (past the end) needs a separate count. A page so far out that its
    offset does not fit the database's 64-bit integers is past the end without asking.
    """
    rows: list[Any] = []
    if pagination.first_item <= MAX_OFFSET:
        counted = stmt.add_columns(func.count().over().label("_total"))
        rows = list(
            session.execute(counted.offset(pagination.first_item).limit(pagination.page_size))
        )
    if rows:
        pagination.item_count = rows[0][-1]
        return [row[0] for row in rows]
    count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    pagination.item_count = session.scalar(count_stmt) or 0
    return []


class PaginationMetadataSchema(Schema):
    """The object ``X-Pagination`` encodes (built by ``Blueprint._make_pagination_metadata``)."""

    total = fields.Integer(required=True, metadata={"description": "Items in all pages"})
    total_pages = fields.Integer(required=True, metadata={"description": "0 when empty"})
    first_page = fields.Integer(metadata={"description": "1 (absent when empty)"})
    last_page = fields.Integer(metadata={"description": "Absent when empty"})
    page = fields.Integer(metadata={"description": "This page (absent past the last one)"})
    previous_page = fields.Integer(metadata={"description": "Absent on the first page"})
    next_page = fields.Integer(metadata={"description": "Absent on the last page"})


PAGINATION_EXAMPLE = {
    "total": 42,
    "total_pages": 5,
    "first_page": 1,
    "last_page": 5,
    "page": 2,
    "previous_page": 1,
    "next_page": 3,
}
PAGINATION_HEADER: dict[str, Any] = {
    "description": (
        "Pagination metadata: a `PaginationMetadata` object (components.schemas) encoded as"
        " JSON text, e.g. `JSON.parse(response.headers.get('X-Pagination'))`."
    ),
    "required": True,
    "schema": {"type": "string", "example": json.dumps(PAGINATION_EXAMPLE)},
}
