"""flask-smorest's Blueprint with argument schemas built once, not on every request.

webargs instantiates a schema *class* for each request it parses (deep-copying every field);
for hot endpoints that was the largest single cost. Schemas are stateless for loading, so one
instance per class is shared. The pagination header is built without a schema for the same
reason.

Query strings repeat (a list page polled by many staff screens, the same filter paged through),
and loading one is a pure function of the schema and the raw string: no query schema reads the
clock, the user or the database. So a successfully parsed query string is remembered (per
parser, bounded) and each request gets its own deep copy of the result; a string that fails
validation is parsed, and refused, every time.
"""

from __future__ import annotations

import copy
import threading
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any

import flask_smorest
from marshmallow import Schema
from webargs.core import _UNKNOWN_DEFAULT_PARAM, missing
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

    QUERY_CACHE_SIZE = 2048
    _QUERY_LOCATIONS = frozenset({"query", "querystring"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._instances: dict[type, Schema] = {}
        self._lock = threading.Lock()
        self._parsed_queries: dict[tuple[Any, ...], Any] = {}

    def parse(
        self,
        argmap: Any,
        req: Any = None,
        *,
        location: str | None = None,
        unknown: Any = _UNKNOWN_DEFAULT_PARAM,
        validate: Any = None,
        error_status_code: int | None = None,
        error_headers: Any = None,
    ) -> Any:
        options = {
            "location": location,
            "unknown": unknown,
            "validate": validate,
            "error_status_code": error_status_code,
            "error_headers": error_headers,
        }
        cacheable = (
            validate is None
            and (location or self.location) in self._QUERY_LOCATIONS
            and (isinstance(argmap, Schema) or _is_schema_class(argmap))
        )
        if not cacheable:
            return super().parse(argmap, req, **options)
        request = req if req is not None else self.get_default_request()
        key = (argmap, unknown, request.query_string)
        parsed = self._parsed_queries.get(key, _MISSING)
        if parsed is _MISSING:
            parsed = super().parse(argmap, request, **options)  # refusals raise: never cached
            if len(self._parsed_queries) >= self.QUERY_CACHE_SIZE:
                self._parsed_queries.clear()
            self._parsed_queries[key] = parsed
        return _fresh(parsed)

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                with self._lock:
                    schema = self._instances.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)  # type: ignore[no-any-return]


_MISSING = object()
_IMMUTABLE = (str, int, float, bool, type(None), bytes, Decimal, date, time, Enum, frozenset, tuple)


def _fresh(value: Any) -> Any:
    """A copy of parsed arguments no later request can see changed (cheaper than deepcopy)."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    state = getattr(value, "__dict__", None)
    if state is not None and not hasattr(value, "__slots__"):  # e.g. PaginationParameters
        clone = copy.copy(value)
        clone.__dict__.update(_fresh(state))
        return clone
    return copy.deepcopy(value)


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


def _is_schema_class(argmap: Any) -> bool:
    return isinstance(argmap, type) and issubclass(argmap, Schema)


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
