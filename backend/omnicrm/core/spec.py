"""What the OpenAPI document says beyond single fields: rules across fields, and links.

- **Rules across fields.** A marshmallow schema can carry JSON Schema keywords for the whole
  object in ``Meta.json_schema``: :class:`SchemaRulesPlugin` copies them into its component, so
  "latitude and longitude go together" is in the document, not only in a 422. Prefer ``not``:
  openapi-typescript renders an ``anyOf`` beside ``properties`` as a union of types. Rules
  that depend on stored data stay in the descriptions, with the status they produce.
- **Links.** Every create (``POST /crm/<things>/``) whose 201 body carries the id that the item's
  paths are named by (``/crm/<things>/{thing_id}...``) links to each operation on those paths,
  and to every other create whose body takes that id (a new customer's ``customer_id`` goes into
  ``POST /crm/contact/``), so a client (and schemathesis's stateful phase) knows where the new id
  goes.
- **Formats.** ``phone`` marks a phone number checked against the numbering plan (a custom
  format: validators that do not know it accept any string; schemathesis is taught it by
  ``tests/api/st_hooks.py``).
"""

from __future__ import annotations

import re
from typing import Any

from apispec import BasePlugin
from marshmallow import RAISE

PHONE_FORMAT = "phone"
_METHODS = ("get", "put", "patch", "post", "delete")


class SchemaRulesPlugin(BasePlugin):
    """Copy ``Meta.json_schema`` of a marshmallow schema into its component, and say
    ``additionalProperties: false`` for every schema that refuses unknown fields (apispec leaves
    it out when the schema has a ``Meta.description``)."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        schema = kwargs.get("schema")
        if schema is None:
            return None
        cls = schema if isinstance(schema, type) else type(schema)
        extra = dict(getattr(getattr(cls, "Meta", None), "json_schema", None) or {})
        unknown = getattr(cls.opts, "unknown", None) if hasattr(cls, "opts") else None
        if unknown == RAISE and "additionalProperties" not in definition:
            extra["additionalProperties"] = False
        return extra or None


def add_links(spec: dict[str, Any]) -> dict[str, Any]:
    """Link each collection's create to the operations on the item it creates, and to the other
    creates that take the new id in their body."""
    paths: dict[str, dict[str, Any]] = spec.get("paths", {})
    schemas = spec.get("components", {}).get("schemas", {})
    for collection, item in paths.items():
        create = item.get("post")
        if create is None or not collection.endswith("/"):
            continue
        created = create.get("responses", {}).get("201")
        body_ref = _json_schema_ref(created)
        if body_ref is None:
            continue
        properties = schemas.get(body_ref.rsplit("/", 1)[-1], {}).get("properties", {})
        links: dict[str, Any] = {}
        identifier = None
        for path, operations in paths.items():
            match = re.fullmatch(re.escape(collection) + r"\{(\w+)\}(/.*)?", path)
            if match is None or match.group(1) not in properties:
                continue
            identifier = parameter = match.group(1)
            suffix = (match.group(2) or "").strip("/")
            for method in _METHODS:
                if method in operations:
                    links[_link_name(method, suffix)] = {
                        "operationRef": _operation_ref(path, method),
                        "parameters": {parameter: f"$response.body#/{parameter}"},
                    }
        if identifier is not None:
            links.update(_body_links(paths, schemas, collection, identifier, links))
        if links:
            created["links"] = links
    return spec


def _body_links(
    paths: dict[str, dict[str, Any]],
    schemas: dict[str, Any],
    source: str,
    identifier: str,
    taken: dict[str, Any],
) -> dict[str, Any]:
    """Links from a create to the creates elsewhere whose JSON body has a field ``identifier``."""
    links: dict[str, Any] = {}
    for path, operations in paths.items():
        target = operations.get("post")
        if target is None or path == source or "{" in path:
            continue
        body = target.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref")
        if not isinstance(ref, str):
            continue
        if identifier not in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            continue
        name = "Post" + "".join(
            part.capitalize() for part in re.split(r"[/_.-]", path.removeprefix("/crm/")) if part
        )
        if name not in taken:
            links[name] = {
                "operationRef": _operation_ref(path, "post"),
                "requestBody": {identifier: f"$response.body#/{identifier}"},
            }
    return links


def _operation_ref(path: str, method: str) -> str:
    pointer = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{pointer}/{method}"


def _json_schema_ref(response: dict[str, Any] | None) -> str | None:
    if not response:
        return None
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    return ref if isinstance(ref, str) else None


def _link_name(method: str, suffix: str) -> str:
    words = [method.capitalize()] + [part.capitalize() for part in re.split(r"[/_.-]", suffix)]
    return "".join(word for word in words if word)
