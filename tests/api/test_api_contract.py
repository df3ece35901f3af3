"""The API answers and accepts what its OpenAPI document says (issue 20).

Integrators generate clients from the document and validate traffic against it, so:

- every response header the document declares is served as declared: each list operation is
  called as an admin and its served headers are checked with schemathesis's own
  ``response_headers_conformance`` check and with jsonschema; ``X-Pagination`` is JSON text
  whose decoded object matches ``components.schemas.PaginationMetadata``;
- a JSON body the document marks required must be sent (``{}`` is a body; nothing is not);
- JSON booleans and numbers are JSON booleans and numbers (``0``/``"true"``/``"5"`` are 422),
  while query strings keep their documented text parsing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import requests
import schemathesis
from schemathesis.specs.openapi.checks import response_headers_conformance

from tests.factories import CustomerFactory, RouterFactory

QUARANTINE = "inventory.release_quarantine"


@pytest.fixture
def spec(client: Any) -> dict[str, Any]:
    response = client.get("/crm/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _validate(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> None:
    """jsonschema validation of ``value`` against an OpenAPI 3.0 ``schema`` of ``spec``."""
    jsonschema.Draft4Validator({**schema, "components": spec["components"]}).validate(value)


def _list_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, status, headers) of every GET whose success answer declares headers."""
    found = []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        for status, response in operation["responses"].items():
            headers = _resolve(spec, response).get("headers")
            if status.startswith("2") and headers:
                found.append((path, status, headers))
    return found


def _path_for(path: str, customer_id: int) -> str:
    # A service with no ledger yet is an empty list (200), which is what this checks.
    values = {"customer_id": str(customer_id), "job_id": QUARANTINE, "service_id": "1"}
    return re.sub(r"{([^}]+)}", lambda m: values[m.group(1)], path)


def test_every_list_serves_its_documented_headers(spec, api, admin_headers, db_session):
    customer = CustomerFactory(customer_name="Listed Co")
    db_session.commit()
    lists = _list_operations(spec)
    assert len(lists) >= 15, [path for path, _, _ in lists]
    for path, status, headers in lists:
        url = _path_for(path, customer.customer_id)
        response = api.client.get(url, headers=admin_headers)
        assert str(response.status_code) == status, (url, response.get_json())
        for name, header in headers.items():
            header = _resolve(spec, header)
            served = response.headers.get(name)
            if served is None:
                assert not header.get("required"), f"{url}: {name} is required but missing"
                continue
            assert "schema" in header, f"{name}: declare a schema a validator can check"
            schema = _resolve(spec, header["schema"])
            # HTTP header values are text: anything else is a schema no served value matches.
            assert schema.get("type") == "string", f"{name}: a header is a string"
            _validate(spec, header["schema"], served)
        pagination = headers.get("X-Pagination")
        assert pagination is not None, f"{url}: a list documents X-Pagination"
        assert pagination == {"$ref": "#/components/headers/PAGINATION"}, "one definition"
        decoded = json.loads(response.headers["X-Pagination"])
        _validate(spec, {"$ref": "#/components/schemas/PaginationMetadata"}, decoded)


def test_a_middle_page_names_its_neighbours(spec, api, admin_headers, db_session):
    for n in range(3):
        CustomerFactory(customer_name=f"Paged {n}")
    db_session.commit()
    response = api.client.get("/crm/customer/?page=2&page_size=1", headers=admin_headers)
    assert response.status_code == 200
    decoded = json.loads(response.headers["X-Pagination"])
    _validate(spec, {"$ref": "#/components/schemas/PaginationMetadata"}, decoded)
    assert decoded == {
        "total": 3,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }


def test_every_declared_response_header_is_text(spec):
    """A header served by any operation is a string on the wire: a declared schema of another
    type (an object, an integer without a parsing rule) is one no validator can match."""
    responses = list(spec["components"].get("responses", {}).values())
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                responses.extend(operation.get("responses", {}).values())
    declared = 0
    for response in responses:
        for name, header in _resolve(spec, response).get("headers", {}).items():
            header = _resolve(spec, header)
            assert _resolve(spec, header["schema"]).get("type") == "string", name
            declared += 1
    assert declared >= 15


def test_the_pagination_header_example_is_what_lists_serve(spec):
    header = spec["components"]["headers"]["PAGINATION"]
    assert "PaginationMetadata" in header["description"]
    example = json.loads(header["schema"]["example"])
    _validate(spec, {"$ref": "#/components/schemas/PaginationMetadata"}, example)


def test_schemathesis_finds_every_list_header_conformant(
    spec, admin_headers, live_server, db_session
):
    """What an integrator runs (``schemathesis run --checks all``), on the header check."""
    customer = CustomerFactory(customer_name="Checked Co")
    db_session.commit()
    schema = schemathesis.openapi.from_dict(spec)
    checked = 0
    for path, _, _ in _list_operations(spec):
        operation = schema[path]["GET"]
        by_name = {"customer_id": customer.customer_id, "job_id": QUARANTINE, "service_id": 1}
        path_parameters = {name: by_name[name] for name in re.findall(r"{([^}]+)}", path)}
        case = operation.Case(path_parameters=path_parameters or None)
        response = case.call(base_url=live_server, headers=admin_headers)
        assert response.status_code == 200, (path, response.text)
        case.validate_response(response, checks=[response_headers_conformance])
        checked += 1
    assert checked >= 15


# ------------------------------------------------------------------------------------------
# Strict input
# ------------------------------------------------------------------------------------------
def _required_json_bodies(spec: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and body.get("required") and "application/json" in body["content"]:
                found.append((method, path))
    return found


def _placeholder(path: str) -> str:
    return re.sub(r"{([^}]+)}", "1", path)


def test_a_required_body_cannot_be_left_out(spec, live_server, admin_headers):
    operations = _required_json_bodies(spec)
    assert ("patch", "/crm/contact/{contact_id}") in operations
    assert len(operations) > 30
    for method, path in operations:
        url = live_server + _placeholder(path)
        text = {**admin_headers, "Content-Type": "text/plain"}
        for headers, data in ((admin_headers, None), (text, "{}")):  # nothing; not JSON
            response = requests.request(method, url, headers=headers, data=data, timeout=30)
            assert response.status_code == 422, (method, path, data, response.text)
            body = response.json()
            assert body["code"] == "validation_error"
            assert list(body["errors"]) == ["json"]
            assert "JSON body" in body["errors"]["json"]["_schema"][0]
            assert "JSON body" in body["message"]


@pytest.fixture
def customer(db_session):
    customer = CustomerFactory(customer_name="Strict Co")
    db_session.commit()
    return customer


@pytest.mark.parametrize(
    "kind",
    ["contact", "role", "inventory item", "inventory template"],
)
def test_patch_without_a_body_is_422_and_an_empty_object_changes_nothing(
    kind, call, customer, api, admin_headers, db_session
):
    if kind == "contact":
        made = call(
            "post",
            "/crm/contact/",
            201,
            json={"customer_id": customer.customer_id, "contact_firstname": "Ann"},
        )
        url = f"/crm/contact/{made['contact_id']}"
    elif kind == "role":
        made = call("post", "/crm/role/", 201, json={"name": "auditor", "permissions": []})
        url = f"/crm/role/{made['id']}"
    elif kind == "inventory template":
        made = call("post", "/crm/inventory/template/", 201, json={"item": "Strict Box"})
        url = f"/crm/inventory/template/{made['inventory_template_id']}"
    else:
        router = RouterFactory()
        db_session.commit()
        url = f"/crm/inventory/{router.inventory_id}"
    response = api.client.patch(url, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["json"]["_schema"]
    before = call("get", url, 200)
    after = call("patch", url, 200, json={})  # an empty object is a body: it changes nothing
    assert {k: v for k, v in after.items() if k != "updated_at"}.items() <= before.items()


@pytest.mark.parametrize("value", [0, 1, "true", "false", "", [], {}])
def test_a_json_boolean_is_a_boolean(value, api, admin_headers, customer):
    response = api.client.patch(
        f"/crm/customer/{customer.customer_id}",
        headers=admin_headers,
        json={"customer_enabled": value},
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["json"]["customer_enabled"] == ["Not a valid boolean."]


@pytest.mark.parametrize("value", [False, True])
def test_real_booleans_still_work(value, call, customer):
    body = call(
        "patch", f"/crm/customer/{customer.customer_id}", 200, json={"customer_enabled": value}
    )
    assert body["customer_enabled"] is value


@pytest.mark.parametrize("value", ["5", True, 5.0, "x"])
def test_a_json_integer_is_an_integer(value, api, admin_headers):
    response = api.client.post(
        "/crm/contact/",
        headers=admin_headers,
        json={"customer_id": value, "contact_firstname": "A"},
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["json"]["customer_id"] == ["Not a valid integer."]


def test_integers_inside_lists_are_checked_too(api, admin_headers):
    response = api.client.post(
        "/crm/product/",
        headers=admin_headers,
        json={"product_name": "Strict", "bundle_children": [1, "2", True]},
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert errors["bundle_children"] == {
        "1": ["Not a valid integer."],
        "2": ["Not a valid integer."],
    }


def test_query_strings_keep_their_text_parsing(call, customer):
    listed = call("get", "/crm/customer/?customer_enabled=true&page_size=5", 200)
    assert all(row["customer_enabled"] is True for row in listed)
    assert all(
        row["customer_enabled"] is False
        for row in call("get", "/crm/customer/?customer_enabled=false", 200)
    )


def test_unknown_body_fields_are_still_refused(api, admin_headers, customer):
    response = api.client.patch(
        f"/crm/customer/{customer.customer_id}", headers=admin_headers, json={"nope": 1}
    )
    assert response.status_code == 422
    assert "nope" in response.get_json()["errors"]["json"]


def test_refresh_documents_its_optional_body(spec):
    assert spec["paths"]["/crm/auth/refresh"]["post"]["requestBody"]["required"] is False
