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
from webargs.core import missing
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import abort as flask_abort
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict


class _SchemaReusingParser(FlaskParser):
    """Also adds a ``multipart`` location: a multipart body's form fields and files read by one
    schema, documented as one request body (flask-smorest documents one location per call)."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)

    def _raw_load_json(self, req: Any) -> Any:
        """A JSON body, refused with 400 (never a 500) when it nests deeper than
        ``MAX_JSON_DEPTH`` or holds a string no storage can encode (a lone UTF-16 surrogate)."""
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            data = None  # deeper than Python's parser goes: far beyond the limit
            problem: str | None = f"nested deeper than {MAX_JSON_DEPTH} levels"
        else:
            if data is missing:
                return data
            raw = req.get_data(cache=True)
            problem = json_problem(data, surrogates=b"\\ud" in raw.lower())
        if problem is not None:
            flask_abort(400, messages={"json": [f"Invalid JSON body: {problem}."]})
        return data

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


MAX_JSON_DEPTH = 64


def json_problem(value: Any, *, surrogates: bool) -> str | None:
    """Why a parsed JSON value is refused, or None: nesting beyond ``MAX_JSON_DEPTH``, or (when
    the raw body escaped a surrogate) a string with a lone surrogate. Iterative: no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_JSON_DEPTH:
                return f"nested deeper than {MAX_JSON_DEPTH} levels"
            for key, child in item.items():
                if surrogates and not _encodable(key):
                    return "a key holds a lone UTF-16 surrogate"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_JSON_DEPTH:
                return f"nested deeper than {MAX_JSON_DEPTH} levels"
            stack.extend((child, depth + 1) for child in item)
        elif surrogates and isinstance(item, str) and not _encodable(item):
            return "a string holds a lone UTF-16 surrogate"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
