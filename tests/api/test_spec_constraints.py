"""The OpenAPI document states the constraints the server checks (issue 20, item 2).

Each static rule a request field is checked against is in its schema (``pattern``, ``enum``,
lengths), and the server accepts what the document calls valid: the same pattern is what the
server checks, so a request built from the document is not refused.
"""

from __future__ import annotations

import itertools
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from omnicrm.auth.permissions import PERMISSIONS
from omnicrm.billing.invoices import INVOICE_SORTS
from omnicrm.billing.use_cases import TRANSACTION_SORTS
from omnicrm.catalog.schemas import PRODUCT_SORTS, NonNegativeMoney
from omnicrm.contracts.schemas import CONTRACT_SORTS
from omnicrm.core.fields import NAME_PATTERN
from omnicrm.core.money import (
    MONEY_PATTERN,
    NON_NEGATIVE_MONEY_PATTERN,
    PERCENT_PATTERN,
    MoneyField,
    PercentField,
)
from omnicrm.core.query import sort_field, sort_pattern
from omnicrm.customers.schemas import (
    CONTACT_SORTS,
    CURRENCY_PATTERN,
    CUSTOMER_SORTS,
    NO_SPECIAL_USE_DOMAIN,
    SITE_SORTS,
    TAX_ID_PATTERN,
)
from omnicrm.customers.validation import (
    country_pattern,
    normalise_country,
    normalise_currency,
    normalise_email,
    normalise_name,
    normalise_tax_identifier,
)
from omnicrm.inventory.schemas import ITEM_SORTS, MANAGEMENT_URL_PATTERN, TEMPLATE_SORTS
from omnicrm.inventory.validation import normalise_url
from omnicrm.provisioning.schemas import PROVISION_SORTS
from omnicrm.services.schemas import SERVICE_SORTS

LISTS = {
    "/crm/customer/": CUSTOMER_SORTS,
    "/crm/customer/export": CUSTOMER_SORTS,
    "/crm/contact/": CONTACT_SORTS,
    "/crm/site/": SITE_SORTS,
    "/crm/product/": PRODUCT_SORTS,
    "/crm/inventory/": ITEM_SORTS,
    "/crm/inventory/template/": TEMPLATE_SORTS,
    "/crm/service/": SERVICE_SORTS,
    "/crm/contract/": CONTRACT_SORTS,
    "/crm/provision/": PROVISION_SORTS,
    "/crm/transaction/": tuple(TRANSACTION_SORTS),
    "/crm/invoice/": tuple(INVOICE_SORTS),
}


def _matches(pattern: str, value: str) -> bool:
    """JSON Schema (ECMA) semantics for these patterns: ``$`` is the end of the string."""
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None


@pytest.fixture(scope="module")
def spec(app):
    with app.test_client() as client:
        return client.get("/crm/openapi.json").get_json()


def _param(spec, path, name):
    params = spec["paths"][path]["get"]["parameters"]
    return next(p for p in params if p["name"] == name)


def test_every_sort_parameter_carries_the_pattern_of_its_allowed_fields(spec):
    sorted_lists = {
        path
        for path, ops in spec["paths"].items()
        if any(p["name"] == "sort" for p in ops.get("get", {}).get("parameters", []))
    }
    assert sorted_lists == set(LISTS)
    for path, allowed in LISTS.items():
        param = _param(spec, path, "sort")
        assert param["schema"]["pattern"] == sort_pattern(allowed), path
        assert all(field in param["description"] for field in allowed), path


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_sort_pattern_and_server_check_agree(data):
    allowed = CUSTOMER_SORTS
    field = sort_field(allowed, "customer_id")
    key = st.sampled_from([*allowed, *(f"-{a}" for a in allowed), "name", "-", "", "--created_at"])
    keys = data.draw(st.lists(key, min_size=1, max_size=4))
    value = data.draw(st.sampled_from([",", " ,", ", ", ";"])).join(keys)
    value = data.draw(st.sampled_from(["", " ", "\t"])) + value
    try:
        field.deserialize(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == _matches(sort_pattern(allowed), value), value


def test_permission_lists_are_enums_of_the_catalogue(spec):
    schemas = spec["components"]["schemas"]
    for schema, field in (
        ("RoleCreate", "permissions"),
        ("RoleUpdate", "permissions"),
        ("ApiKeyCreate", "scopes"),
    ):
        assert schemas[schema]["properties"][field]["items"]["enum"] == sorted(PERMISSIONS)


def test_money_and_percent_fields_carry_their_patterns(spec):
    props = spec["components"]["schemas"]["ProductCreate"]["properties"]
    assert props["retail_cost"]["pattern"] == NON_NEGATIVE_MONEY_PATTERN
    assert props["tax_percentage"]["pattern"] == PERCENT_PATTERN
    assert spec["components"]["schemas"]["Product"]["properties"]["retail_cost"]["pattern"] == (
        MONEY_PATTERN
    )


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"-?[0-9]{1,10}(\.[0-9]{1,4})?", fullmatch=True))
def test_money_valid_by_the_document_is_accepted(text):
    assert MoneyField().deserialize(text) is not None
    if not text.startswith("-"):
        assert NonNegativeMoney().deserialize(text) >= 0


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True))
def test_percent_valid_by_the_document_is_accepted(text):
    assert 0 <= PercentField().deserialize(text) <= 100


@pytest.mark.parametrize("text", ["1e3", "+5", " 5", "5.", ".5", "1_000", "1.00000", "١٢"])
def test_money_strings_outside_the_pattern_are_refused(text):
    assert not _matches(MONEY_PATTERN, text)
    with pytest.raises(ValidationError):
        MoneyField().deserialize(text)


def test_country_pattern_is_exactly_the_codes_the_server_takes(spec):
    pattern = country_pattern()
    prop = spec["components"]["schemas"]["SiteCreate"]["properties"]["country"]
    assert prop["pattern"] == country_pattern(blank=True)
    assert _matches(prop["pattern"], "  ")  # a blank clears the country
    for first, second in itertools.product(string.ascii_letters, repeat=2):
        code = first + second
        try:
            normalise_country(code)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == _matches(pattern, code), code
    with pytest.raises(ValueError):
        normalise_country("\u0131t")  # upper-cases to IT, but is not what the document allows


@pytest.mark.parametrize(
    "url",
    ["https://r1.example/admin", " HTTP://10.0.0.1:8080/ ", "", "  ", "ftp://x", "https://", "x"],
)
def test_management_url_pattern_matches_the_server_rule(url):
    if not url.strip():  # blank clears the URL: accepted, nothing to normalise
        assert _matches(MANAGEMENT_URL_PATTERN, url)
        return
    try:
        normalise_url(url)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == _matches(MANAGEMENT_URL_PATTERN, url)


def test_requests_valid_by_the_document_are_accepted(call):
    """A few representative requests at the documented edges."""
    customers = call(
        "get",
        "/crm/customer/?sort= customer_name , -created_at&created_from=2025-01-31"
        "&created_to=2025-02-01T08:00:00Z",
        200,
    )
    assert isinstance(customers, list)
    product = call(
        "post",
        "/crm/product/",
        201,
        json={
            "product_name": "Edge",
            "category": "standalone",
            "retail_cost": "9999999999.9999",
            "tax_percentage": "100.00",
            "promo_discount_amount": None,
        },
    )
    assert product["retail_cost"] == "9999999999.9999" and product["tax_percentage"] == "100.00"
    customer = call("post", "/crm/customer/", 201, json={"customer_name": "Edge Ltd"})
    site = call(
        "post",
        "/crm/site/",
        201,
        json={"customer_id": customer["customer_id"], "site_name": "HQ", "country": "gB"},
    )
    assert site["country"] == "GB"
    key = call(
        "post",
        "/crm/auth/api-key/",
        201,
        json={"name": "all of it", "scopes": sorted(PERMISSIONS)},
    )
    assert key["scopes"] == sorted(PERMISSIONS)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09-/. \t_x", max_size=24))
def test_tax_identifier_pattern_matches_the_server_rule(text):
    try:
        normalise_tax_identifier(text)
        accepted = True
    except ValueError:
        accepted = not text.strip()  # blank clears the field
    assert accepted == _matches(TAX_ID_PATTERN, text), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aZq0 -", min_size=3, max_size=3))
def test_currency_pattern_matches_the_server_rule(text):
    try:
        normalise_currency(text)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == _matches(CURRENCY_PATTERN, text), text


def test_text_and_activity_filters_document_the_characters_they_refuse(spec):
    name = spec["components"]["schemas"]["CustomerCreate"]["properties"]["customer_name"]
    assert name["pattern"] == NAME_PATTERN and name["maxLength"] == 200
    notes = spec["components"]["schemas"]["CustomerCreate"]["properties"]["notes"]
    assert notes["pattern"] == r"^[^\x00]*$"
    slug = spec["components"]["schemas"]["ProductCreate"]["properties"]["product_slug"]
    assert "\\x00" not in slug["pattern"]  # its own Regexp is stricter and stays
    params = {p["name"]: p["schema"] for p in spec["paths"]["/crm/activity/"]["get"]["parameters"]}
    assert params["object_type"] == {
        "type": "string",
        "pattern": r"^[^\x00-\x1f\x7f]*$",
        "maxLength": 64,
    }
    assert params["from"]["format"] == "date-time"


def test_created_from_documents_date_or_date_time(spec):
    schema = _param(spec, "/crm/customer/", "created_from")["schema"]
    assert schema["anyOf"] == [{"format": "date"}, {"format": "date-time"}]


@pytest.mark.parametrize("value", ["20.000", " 20", "1e1", "+5"])
def test_percent_strings_outside_the_pattern_are_refused(value):
    assert not _matches(PERCENT_PATTERN, value)
    with pytest.raises(ValidationError):
        PercentField().deserialize(value)


# --- rules across fields, formats the server checks, links ---------------------------------------
def test_name_pattern_is_what_normalise_name_accepts():
    def accepted(value: str) -> bool:
        try:
            normalise_name(value)
        except ValueError:
            return False
        return True

    values = [v for code in range(0x3100) for v in (chr(code), f"x{chr(code)}")]
    values += ["\ufeff", "\U0001f600", " a\t", "\u3000\u3000"]
    wrong = [v for v in values if bool(re.fullmatch(NAME_PATTERN, v)) != accepted(v)]
    assert wrong == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("a@b.com", True),
        ("a@x.TEST", False),
        ("a@b.local.", False),
        ("", True),
        ("a@localhost.com", True),
        ("a@c.onion", False),
    ],
)
def test_email_pattern_refuses_special_use_domains_as_the_server_does(address, allowed):
    assert bool(re.match(NO_SPECIAL_USE_DOMAIN, address)) == allowed
    if address:
        try:
            normalise_email(address)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == allowed


def test_coordinates_go_together_in_the_document(spec, call):
    create = spec["components"]["schemas"]["SiteCreate"]
    update = spec["components"]["schemas"]["SiteUpdate"]
    assert len(create["not"]["anyOf"]) == 2 and len(update["not"]["anyOf"]) == 2
    customer = call("post", "/crm/customer/", 201, json={"customer_name": "Geo Pty"})
    body = {"customer_id": customer["customer_id"], "site_name": "Depot", "latitude": 1.5}
    error = call("post", "/crm/site/", 422, json=body)
    assert "longitude" in error["errors"]["json"]


def test_every_object_schema_says_whether_it_takes_unknown_fields(spec):
    missing = [
        name
        for name, schema in spec["components"]["schemas"].items()
        if schema.get("type") == "object" and "additionalProperties" not in schema
    ]
    assert missing == []
    assert spec["components"]["schemas"]["SiteUpdate"]["additionalProperties"] is False


def test_phone_fields_carry_the_phone_format(spec):
    customer = spec["components"]["schemas"]["CustomerCreate"]["properties"]["phone"]
    contact = spec["components"]["schemas"]["ContactCreate"]["properties"]["contact_phone"]
    assert customer["format"] == contact["format"] == "phone"


def test_creates_link_to_what_they_create(spec):
    links = spec["paths"]["/crm/customer/"]["post"]["responses"]["201"]["links"]
    assert links["Get"] == {
        "operationRef": "#/paths/~1crm~1customer~1{customer_id}/get",
        "parameters": {"customer_id": "$response.body#/customer_id"},
    }
    assert {"Patch", "Delete", "GetActivity"} <= set(links)


def test_creates_link_to_the_creates_that_take_their_id(spec):
    links = spec["paths"]["/crm/customer/"]["post"]["responses"]["201"]["links"]
    assert links["PostContact"] == {
        "operationRef": "#/paths/~1crm~1contact~1/post",
        "requestBody": {"customer_id": "$response.body#/customer_id"},
    }
    assert {"PostSite", "PostContract"} <= set(links)
    product = spec["paths"]["/crm/product/"]["post"]["responses"]["201"]["links"]
    assert product["PostContract"]["requestBody"] == {"product_id": "$response.body#/product_id"}


def test_a_page_past_any_offset_is_empty_not_an_error(call):
    assert call("get", "/crm/contact/?page=2340827810158082048", 200) == []
