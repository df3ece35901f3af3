"""flask-smorest's Blueprint with argument schemas built once, not on every request.

webargs instantiates a schema *class* for each request it parses (deep-copying every field);
for hot endpoints that was the largest single cost. Schemas are stateless for loading, so one
instance per class is shared. The pagination header is built without a schema for the same
reason.
"""

from __future__ import annotations

import threading
from typing import Any

import flask_smorest
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict


class _SchemaReusingParser(FlaskParser):
    """Also adds a ``multipart`` location: a multipart body's form fields and files read by one
    schema, documented as one request body (flask-smorest documents one location per call)."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._instances: dict[type, Schema] = {}
        self._lock = threading.Lock()

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                with self._lock:
                    schema = self._instances.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)  # type: ignore[no-any-return]


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = _SchemaReusingParser()
    PAGINATION_ARGUMENTS_PARSER = _SchemaReusingParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict[str, int]:
        """The ``X-Pagination`` header's fields, as flask-smorest documents them.

        flask-smorest builds a marshmallow schema per request only to dump these integers.
        """
        meta = {"total": item_count}
        if item_count == 0:
            meta["total_pages"] = 0
            return meta
        last_page = (item_count - 1) // page_size + 1
        meta.update(total_pages=last_page, first_page=1, last_page=last_page)
        if page <= last_page:
            meta["page"] = page
            if page > 1:
                meta["previous_page"] = page - 1
            if page < last_page:
                meta["next_page"] = page + 1
        return meta
