"""flask-smorest's Blueprint with argument schemas built once, not on every request.

webargs instantiates a schema *class* for each request it parses (deep-copying every field);
for hot endpoints that was the largest single cost. Schemas are stateless for loading, so one
instance per class is shared. The pagination header is built without a schema for the same
reason.

JSON bodies are read strictly, as the OpenAPI document describes them: a boolean field takes
only ``true``/``false`` (not ``0``, ``1`` or ``"true"``), a number field only a JSON number, and
a body the document marks required must be there (``{}`` is a body; nothing, or another content
type, is a 422). Query strings are text and keep marshmallow's parsing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any

import flask_smorest
from flask import request
from marshmallow import Schema, ValidationError, fields
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

    def pre_load(
        self, location_data: Mapping[str, Any], *, schema: Schema, req: Any, location: str
    ) -> Mapping[str, Any]:
        """Refuse a JSON body whose booleans or numbers are not JSON booleans or numbers."""
        if location == "json" and isinstance(location_data, Mapping):
            errors = json_type_errors(schema, location_data)
            if errors:
                raise ValidationError(errors)
        return location_data

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
JSON_BODY_REQUIRED = "A JSON body (Content-Type: application/json) is required."


def json_type_errors(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """marshmallow-shaped errors for the values of ``data`` whose JSON type is not the one
    ``schema``'s field declares (boolean, integer, number), nested objects and lists included.

    marshmallow itself would take ``1``, ``"yes"`` as a boolean and ``"12"`` as a number: right
    for a query string, a lie for a JSON body whose document says ``type: boolean``.
    """
    errors: dict[str, Any] = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in data:
            problem = _json_type_error(field, data[key])
            if problem:
                errors[key] = problem
    return errors


def _json_type_error(field: fields.Field, value: Any) -> Any:
    if value is None:
        return None  # allow_none is the field's own business
    if isinstance(field, fields.Boolean):
        return None if isinstance(value, bool) else [field.error_messages["invalid"]]
    if isinstance(field, fields.Integer):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else [field.error_messages["invalid"]]
    if isinstance(field, fields.Number) and not isinstance(field, fields.Decimal):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else [field.error_messages["invalid"]]
    if isinstance(field, fields.List) and isinstance(value, list):
        inner = field.inner
        items = {i: e for i, item in enumerate(value) if (e := _json_type_error(inner, item))}
        return items or None
    if isinstance(field, fields.Nested) and not isinstance(field, fields.Pluck):
        nested = field.schema
        if field.many or nested.many:
            if not isinstance(value, list):
                return None
            items = {
                i: e
                for i, item in enumerate(value)
                if isinstance(item, Mapping) and (e := json_type_errors(nested, item))
            }
            return items or None
        if isinstance(value, Mapping):
            return json_type_errors(nested, value) or None
    return None


def _has_json_body() -> bool:
    return request.is_json and bool(request.get_data(cache=True))


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

    def arguments(  # type: ignore[override]
        self, schema: Any, *, location: str = "json", required: bool = True, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """flask-smorest's ``arguments``, refusing (422) a request without the JSON body the
        document marks required; pass ``required=False`` where the body may be left out."""
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return decorator  # type: ignore[no-any-return]

        def with_body(func: Callable[..., Any]) -> Callable[..., Any]:
            parsed = decorator(func)

            @functools.wraps(parsed)
            def wrapper(*args: Any, **kw: Any) -> Any:
                if not _has_json_body():
                    flask_abort(422, messages={"json": {"_schema": [JSON_BODY_REQUIRED]}})
                return parsed(*args, **kw)

            return wrapper

        return with_body

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
