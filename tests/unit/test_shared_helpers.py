"""The building blocks every domain shares: the id bound, the sort parameter, enum columns,
percentages, the Idempotency-Key header, the phone region and the state-transition views."""

from __future__ import annotations

import enum
from decimal import Decimal

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import NotFound

from omnicrm.core.fields import MAX_ID, IdempotencyHeaderSchema, enum_column, storable_id
from omnicrm.core.money import PercentField
from omnicrm.core.query import sort_field
from omnicrm.extensions import default_phone_region
from omnicrm.settings import Settings


def test_storable_id_is_the_bound_of_ids_in_urls(app: Flask) -> None:
    assert [storable_id(v) for v in (0, 1, MAX_ID, MAX_ID + 1)] == [False, True, True, False]
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/crm/service/{MAX_ID}", method="GET")[1] == {"service_id": MAX_ID}
    with pytest.raises(NotFound):
        urls.match(f"/crm/service/{MAX_ID + 1}", method="GET")


class _Sorted(Schema):
    sort = sort_field(("name", "created_at"), "name")


@pytest.mark.parametrize("value", ["name", "-created_at", "name,-created_at", " name , created_at"])
def test_sort_accepts_whitelisted_keys(value: str) -> None:
    assert _Sorted().load({"sort": value}) == {"sort": value}


@pytest.mark.parametrize("value", ["password", "name,secret", "", " , ", "--name"])
def test_sort_refuses_anything_else(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        _Sorted().load({"sort": value})
    assert "sort by one of: name, created_at, -name, -created_at" in str(error.value)


def test_sort_defaults_and_documents_itself() -> None:
    assert _Sorted().load({}) == {"sort": "name"}
    field = _Sorted().fields["sort"]
    assert field.metadata["example"] == "name"
    assert field.metadata["description"].startswith("One or more of name, created_at")


class _Colour(enum.StrEnum):
    light_blue = "Light blue"
    red = "Red"


def test_enum_column_stores_values_checked() -> None:
    column = enum_column(_Colour, length=24)
    assert column.enums == ["Light blue", "Red"]
    assert column.length == 24
    assert column.native_enum is False
    assert column.validate_strings is True


def test_percent_field_is_an_exact_two_place_string() -> None:
    field = PercentField()
    assert field.deserialize("20.5") == Decimal("20.50")
    assert field.deserialize(7) == Decimal("7.00")
    assert field._serialize(Decimal("20.5"), None, None) == "20.50"
    for bad in (20.5, "100.01", "-1", "1.234", "NaN", True):
        with pytest.raises(ValidationError):
            field.deserialize(bad)


def test_idempotency_header_reads_only_its_header() -> None:
    schema = IdempotencyHeaderSchema()
    assert schema.load({"Idempotency-Key": "abc", "User-Agent": "x"}) == {"idempotency_key": "abc"}
    assert schema.load({}) == {}
    with pytest.raises(ValidationError):
        schema.load({"Idempotency-Key": ""})


@pytest.mark.parametrize(("configured", "expected"), [("GB", "GB"), ("", "US")])
def test_phone_region_comes_from_settings(
    settings: Settings, configured: str, expected: str
) -> None:
    flask_app = Flask("phone-region")
    flask_app.extensions["omnicrm_settings"] = settings.model_copy(
        update={"default_phone_region": configured}
    )
    with flask_app.app_context():
        assert default_phone_region() == expected


TRANSITIONS = {
    "contracts.ContractSuspend": "/crm/contract/<int:contract_id>/suspend",
    "contracts.ContractResume": "/crm/contract/<int:contract_id>/resume",
    "contracts.ContractClose": "/crm/contract/<int:contract_id>/close",
    "services.Suspend": "/crm/service/<int:service_id>/suspend",
    "services.Resume": "/crm/service/<int:service_id>/resume",
    "services.Terminate": "/crm/service/<int:service_id>/terminate",
    "inventory.Reserve": "/crm/inventory/<int:inventory_id>/reserve",
    "inventory.Assign": "/crm/inventory/<int:inventory_id>/assign",
    "inventory.Return": "/crm/inventory/<int:inventory_id>/return",
    "inventory.Retire": "/crm/inventory/<int:inventory_id>/retire",
    "inventory.Release": "/crm/inventory/<int:inventory_id>/release",
}


def test_transition_views_keep_their_endpoints(app: Flask) -> None:
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, path in TRANSITIONS.items():
        rule = rules[endpoint]
        assert rule.rule == path
        assert rule.methods == {"POST", "OPTIONS"}
        view_class = app.view_functions[endpoint].view_class  # type: ignore[attr-defined]
        assert view_class.__module__ == f"omnicrm.{endpoint.split('.')[0]}.routes"


def test_transition_views_are_documented_like_any_endpoint(client) -> None:
    spec = client.get("/crm/openapi.json").get_json()
    operation = spec["paths"]["/crm/service/{service_id}/terminate"]["post"]
    assert operation["summary"] == (
        "Terminate a service and its bundle children; its SIM and number go back to stock."
    )
    assert operation["description"] == "Requires permission: `service.write`."
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Reason"
    }
    assert set(operation["responses"]) >= {"200", "401", "403", "404", "409", "422"}
