"""Product catalog API: CRUD, every category's rules, money and percentages, lists."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.catalog.models import Product, ProductBundleItem

URL = "/crm/product/"

MOBILE = {
    "product_name": "Mobile Basic 5GB",
    "category": "standalone",
    "retail_cost": "15.00",
    "wholesale_cost": "6.50",
    "retail_setup_cost": "5.00",
    "wholesale_setup_cost": "1.2",
    "tax_percentage": "10",
    "data_mb": 5120,
    "voice_minutes": 200,
    "sms": 200,
    "rate_per_mb": "0.0100",
    "rate_per_minute": "0.10",
    "rate_per_sms": "0.05",
    "prepaid_eligible": True,
    "postpaid_eligible": False,
    "provisioning_play": "mobile_activate",
    # Only what mobile_activate declares (ansible/caller_vars/mobile_activate.yml).
    "provisioning_json_vars": {"apn": "internet", "qos_profile": "basic", "roaming": False},
    "inventory_items_list": ["SIM Card", "Phone Number"],
}


@pytest.fixture
def post(api, admin_headers):
    def _post(payload, expected=201):
        response = api.client.post(URL, json=payload, headers=admin_headers)
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _post


@pytest.fixture
def patch(api, admin_headers):
    def _patch(product_id, payload, expected=200):
        response = api.client.patch(f"{URL}{product_id}", json=payload, headers=admin_headers)
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _patch


@pytest.fixture
def get(api, admin_headers):
    def _get(product_id, expected=200):
        response = api.client.get(f"{URL}{product_id}", headers=admin_headers)
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _get


@pytest.fixture
def listing(api, admin_headers):
    def _list(**params):
        response = api.client.get(URL, headers=admin_headers, query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json(), json.loads(response.headers["X-Pagination"])

    return _list


@pytest.fixture
def base(post):
    """Two standalone tariffs to build bundles, add-ons and promos on."""
    basic = post(MOBILE)
    unlimited = post(
        {
            "product_name": "Mobile Unlimited",
            "category": "standalone",
            "retail_cost": "45.00",
            "postpaid_eligible": True,
            "prepaid_eligible": False,
        }
    )
    return basic, unlimited


def _errors(body):
    assert body["code"] == "validation_error", body
    return body["errors"]["json"]


# --------------------------------------------------------------------------------------------
# Create, read, update, disable
# --------------------------------------------------------------------------------------------
def test_create_with_defaults(post):
    body = post({"product_name": "Home Fibre 100", "category": "standalone", "retail_cost": "55"})
    assert body["product_id"] > 0
    assert body["product_slug"] == "home-fibre-100"
    assert body["retail_cost"] == "55.00"
    assert body["wholesale_cost"] == "0.00"
    assert body["retail_setup_cost"] == "0.00"
    assert body["wholesale_setup_cost"] == "0.00"
    assert body["tax_percentage"] == "0.00"
    assert body["currency"] == "USD"
    assert body["billing_period"] == "monthly"
    assert body["enabled"] is True
    assert body["prepaid_eligible"] is True and body["postpaid_eligible"] is True
    assert body["contract_term_months"] == 0
    assert body["provisioning_play"] is None
    assert body["provisioning_json_vars"] == {}
    assert body["inventory_items_list"] == []
    assert body["data_mb"] is None and body["rate_per_mb"] is None
    assert body["bundle_children"] == [] and body["addon_compatible_with"] == []
    assert body["promo_target_product_id"] is None
    assert body["created_at"] and body["updated_at"]


def test_create_every_field_and_read_it_back(post, get, db_session):
    body = post(
        {
            **MOBILE,
            "currency": "eur",
            "description": " Prepaid SIM ",
            "billing_period": "weekly",
            "contract_term_months": 60,
        }
    )
    assert body["retail_cost"] == "15.00"
    assert body["wholesale_setup_cost"] == "1.20"
    assert body["rate_per_mb"] == "0.01"
    assert body["tax_percentage"] == "10.00"
    assert body["currency"] == "EUR"
    assert body["description"] == "Prepaid SIM"
    assert body["provisioning_json_vars"] == MOBILE["provisioning_json_vars"]
    assert body["inventory_items_list"] == ["SIM Card", "Phone Number"]
    assert get(body["product_id"]) == body
    product = db_session.get(Product, body["product_id"])
    assert product.retail_cost == Decimal("15.0000")
    assert product.rate_per_mb == Decimal("0.0100")
    assert product.tax_percentage == Decimal("10.00")


def test_money_keeps_four_places_exactly(post):
    body = post(
        {
            "product_name": "Per MB",
            "category": "standalone",
            "retail_cost": "0.0001",
            "rate_per_mb": "9999999999.9999",
        }
    )
    assert body["retail_cost"] == "0.0001"
    assert body["rate_per_mb"] == "9999999999.9999"


def test_patch_changes_only_what_is_given_and_is_audited(post, patch, db_session):
    created = post(MOBILE)
    body = patch(created["product_id"], {"retail_cost": "17.50", "data_mb": None})
    assert body["retail_cost"] == "17.50"
    assert body["data_mb"] is None
    assert body["wholesale_cost"] == created["wholesale_cost"]
    assert body["product_slug"] == created["product_slug"]
    activity = db_session.scalars(
        select(Activity).where(
            Activity.object_type == "product",
            Activity.object_id == str(created["product_id"]),
            Activity.action == "update",
        )
    ).one()
    assert activity.before == {"retail_cost": "15.0000", "data_mb": 5120}
    assert activity.after == {"retail_cost": "17.5000", "data_mb": None}


def test_name_change_keeps_the_slug_and_slug_can_change(post, patch):
    created = post(MOBILE)
    body = patch(created["product_id"], {"product_name": "Mobile Basic 6GB"})
    assert body["product_slug"] == "mobile-basic-5gb"
    body = patch(created["product_id"], {"product_slug": "mobile-basic-6gb"})
    assert body["product_slug"] == "mobile-basic-6gb"


def test_category_cannot_change(post, patch):
    created = post(MOBILE)
    body = patch(created["product_id"], {"category": "addon"}, expected=422)
    assert "category" in _errors(body)


def test_delete_disables_and_never_deletes(post, api, admin_headers, db_session, listing):
    created = post(MOBILE)
    response = api.client.delete(f"{URL}{created['product_id']}", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["enabled"] is False
    again = api.client.delete(f"{URL}{created['product_id']}", headers=admin_headers)
    assert again.status_code == 200  # idempotent
    db_session.expire_all()
    assert db_session.get(Product, created["product_id"]).enabled is False
    rows, _ = listing(enabled="false")
    assert [r["product_id"] for r in rows] == [created["product_id"]]
    assert listing(enabled="true")[0] == []


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("product_id", [999999, 10**20])
def test_missing_product_is_404(api, admin_headers, method, product_id):
    kwargs = {"json": {"product_name": "x"}} if method == "patch" else {}
    response = getattr(api.client, method)(f"{URL}{product_id}", headers=admin_headers, **kwargs)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


# --------------------------------------------------------------------------------------------
# Slugs
# --------------------------------------------------------------------------------------------
def test_duplicate_slug_is_409_with_the_existing_id(post, patch):
    first = post(MOBILE)
    body = post({**MOBILE, "product_name": "Mobile  Basic 5GB!"}, expected=409)
    assert body["code"] == "duplicate_product"
    assert body["existing_product_id"] == first["product_id"]
    other = post({**MOBILE, "product_slug": "other-basic"})
    body = patch(other["product_id"], {"product_slug": first["product_slug"]}, expected=409)
    assert body["existing_product_id"] == first["product_id"]
    # keeping one's own slug is no conflict
    assert patch(first["product_id"], {"product_slug": first["product_slug"]})


def test_slug_generation_drops_accents(post):
    body = post(
        {"product_name": "Données Illimitées — 5 €", "category": "standalone", "retail_cost": "5"}
    )
    assert body["product_slug"] == "donnees-illimitees-5"


def test_a_name_without_latin_letters_needs_a_slug(post):
    body = post(
        {"product_name": "Тариф", "category": "standalone", "retail_cost": "5"}, expected=422
    )
    assert "product_slug" in _errors(body)
    body = post(
        {
            "product_name": "Тариф",
            "product_slug": "tarif",
            "category": "standalone",
            "retail_cost": "5",
        }
    )
    assert body["product_slug"] == "tarif"


@pytest.mark.parametrize(
    "slug", ["Has-Caps", "two--hyphens", "-lead", "trail-", "sp ace", "ü", "", "a" * 101]
)
def test_bad_slug_is_422(post, slug):
    body = post({**MOBILE, "product_slug": slug}, expected=422)
    assert "product_slug" in _errors(body)


# --------------------------------------------------------------------------------------------
# Field validation
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retail_cost", 12.5),
        ("retail_cost", "-1.00"),
        ("retail_cost", "1.00001"),
        ("retail_cost", "abc"),
        ("retail_cost", "NaN"),
        ("wholesale_cost", 1.0),
        ("retail_setup_cost", "-0.01"),
        ("rate_per_mb", 0.01),
        ("rate_per_minute", "-0.10"),
        ("promo_discount_amount", 1.5),
        ("tax_percentage", 20.0),
        ("tax_percentage", "100.01"),
        ("tax_percentage", "-1"),
        ("tax_percentage", "12.345"),
        ("tax_percentage", "Infinity"),
        ("tax_percentage", None),
        ("provisioning_json_vars", "apn=internet"),
        ("provisioning_json_vars", ["apn", "internet"]),
        ("provisioning_json_vars", None),
        ("provisioning_json_vars", 5),
        ("provisioning_json_vars", {"apn": "a\x00b"}),
        ("provisioning_play", "Mobile Activate"),
        ("provisioning_play", "../../etc/passwd"),
        ("provisioning_play", "play.yml"),
        ("provisioning_play", ""),
        ("inventory_items_list", "SIM Card"),
        ("inventory_items_list", ["  "]),
        ("inventory_items_list", [5]),
        ("data_mb", -1),
        ("data_mb", 2**31),
        ("data_mb", "100"),
        ("voice_minutes", 1.5),
        ("sms", -5),
        ("contract_term_months", 61),
        ("contract_term_months", -1),
        ("billing_period", "yearly"),
        ("category", "service"),
        ("currency", "US"),
        ("currency", "12$"),
        ("enabled", "maybe"),
        ("product_name", ""),
        ("product_name", "a\x00b"),
        ("product_name", "a\x07b"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(post, db_session, field, value):
    body = post({**MOBILE, field: value}, expected=422)
    assert field in _errors(body)
    assert db_session.scalar(select(func.count()).select_from(Product)) == 0


@pytest.mark.parametrize("pct", ["0", "100", "100.00", "7.25", 0, 100])
def test_tax_percentage_bounds_are_inclusive(post, pct):
    body = post({**MOBILE, "tax_percentage": pct})
    assert Decimal(body["tax_percentage"]) == Decimal(str(pct))


def test_deeply_nested_or_huge_vars_are_refused(post):
    nested: dict = {}
    cursor = nested
    for _ in range(20):
        cursor["x"] = {}
        cursor = cursor["x"]
    assert "provisioning_json_vars" in _errors(
        post({**MOBILE, "provisioning_json_vars": nested}, 422)
    )
    huge = {"blob": "x" * 70_000}
    assert "provisioning_json_vars" in _errors(
        post({**MOBILE, "provisioning_json_vars": huge}, 422)
    )


def test_must_be_sold_to_someone(post, patch):
    body = post({**MOBILE, "prepaid_eligible": False, "postpaid_eligible": False}, expected=422)
    assert {"prepaid_eligible", "postpaid_eligible"} <= set(_errors(body))
    created = post(MOBILE)  # prepaid only
    body = patch(created["product_id"], {"prepaid_eligible": False}, expected=422)
    assert "prepaid_eligible" in _errors(body)
    assert patch(created["product_id"], {"prepaid_eligible": False, "postpaid_eligible": True})


@pytest.mark.parametrize(
    "extra",
    [
        {"product_id": 5},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"updated_at": "2020-01-01T00:00:00Z"},
        {"is_admin": True},
        {"retail_price": "1.00"},
    ],
)
def test_unknown_and_read_only_fields_are_refused(post, extra):
    body = post({**MOBILE, **extra}, expected=422)
    assert next(iter(extra)) in _errors(body)


def test_every_bad_field_is_reported_at_once(post):
    body = post({**MOBILE, "retail_cost": 1.5, "data_mb": -1, "currency": "x"}, expected=422)
    assert {"retail_cost", "data_mb", "currency"} <= set(_errors(body))


@pytest.mark.parametrize("body", [[1, 2], "just a string", None])
def test_non_object_bodies_are_422(api, admin_headers, body):
    response = api.client.post(URL, json=body, headers=admin_headers)
    assert response.status_code == 422


# --------------------------------------------------------------------------------------------
# Category rules
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bundle_children", [1]),
        ("addon_compatible_with", [1]),
        ("promo_target_product_id", 1),
        ("promo_discount_percent", "10"),
        ("promo_discount_amount", "1.00"),
        ("promo_months", 3),
    ],
)
def test_category_specific_fields_are_refused_on_a_standalone(post, field, value):
    body = post({**MOBILE, field: value}, expected=422)
    assert list(_errors(body)) == [field]


def test_empty_category_fields_are_accepted_anywhere(post):
    body = post(
        {**MOBILE, "bundle_children": [], "addon_compatible_with": None, "promo_months": None}
    )
    assert body["bundle_children"] == []


def test_bundle(post, get, base, db_session):
    basic, unlimited = base
    addon = post(
        {
            "product_name": "Data Boost 10GB",
            "category": "addon",
            "retail_cost": "10",
            "addon_compatible_with": [basic["product_id"]],
        }
    )
    children = [unlimited["product_id"], unlimited["product_id"], addon["product_id"]]
    bundle = post(
        {
            "product_name": "Family Bundle",
            "category": "bundle",
            "retail_cost": "79",
            "bundle_children": children,
        }
    )
    assert bundle["bundle_children"] == children
    assert get(bundle["product_id"])["bundle_children"] == children
    positions = db_session.scalars(
        select(ProductBundleItem.position)
        .where(ProductBundleItem.bundle_product_id == bundle["product_id"])
        .order_by(ProductBundleItem.position)
    ).all()
    assert positions == [0, 1, 2]


def test_bundle_children_can_be_reordered_shrunk_and_grown(post, patch, base):
    basic, unlimited = base
    b, u = basic["product_id"], unlimited["product_id"]
    bundle = post(
        {
            "product_name": "Duo",
            "category": "bundle",
            "retail_cost": "50",
            "bundle_children": [b, u],
        }
    )
    assert patch(bundle["product_id"], {"bundle_children": [u, b]})["bundle_children"] == [u, b]
    assert patch(bundle["product_id"], {"bundle_children": [u]})["bundle_children"] == [u]
    assert patch(bundle["product_id"], {"bundle_children": [u, b, b]})["bundle_children"] == [
        u,
        b,
        b,
    ]
    assert patch(bundle["product_id"], {"retail_cost": "55"})["bundle_children"] == [u, b, b]


def test_bundle_needs_children(post, patch, base):
    body = post({"product_name": "Empty", "category": "bundle", "retail_cost": "1"}, expected=422)
    assert "bundle_children" in _errors(body)
    body = post(
        {"product_name": "Empty", "category": "bundle", "retail_cost": "1", "bundle_children": []},
        expected=422,
    )
    assert "bundle_children" in _errors(body)
    bundle = post(
        {
            "product_name": "One",
            "category": "bundle",
            "retail_cost": "1",
            "bundle_children": [base[0]["product_id"]],
        }
    )
    body = patch(bundle["product_id"], {"bundle_children": []}, expected=422)
    assert "bundle_children" in _errors(body)
    body = patch(bundle["product_id"], {"bundle_children": None}, expected=422)
    assert "bundle_children" in _errors(body)


def test_bundles_do_not_nest_or_contain_themselves(post, patch, base):
    inner = post(
        {
            "product_name": "Inner",
            "category": "bundle",
            "retail_cost": "1",
            "bundle_children": [base[0]["product_id"]],
        }
    )
    body = post(
        {
            "product_name": "Outer",
            "category": "bundle",
            "retail_cost": "1",
            "bundle_children": [inner["product_id"]],
        },
        expected=422,
    )
    assert "is a bundle" in _errors(body)["bundle_children"][0]
    body = patch(inner["product_id"], {"bundle_children": [inner["product_id"]]}, expected=422)
    assert "itself" in _errors(body)["bundle_children"][0]


def test_bundle_children_must_exist_and_not_be_promos(post, base):
    promo = post(
        {
            "product_name": "Promo",
            "category": "promo",
            "retail_cost": "0",
            "promo_target_product_id": base[0]["product_id"],
            "promo_discount_percent": "10",
            "promo_months": 1,
        }
    )
    body = post(
        {
            "product_name": "B",
            "category": "bundle",
            "retail_cost": "1",
            "bundle_children": [promo["product_id"], 999999],
        },
        expected=422,
    )
    messages = _errors(body)["bundle_children"]
    assert any("is a promo" in m for m in messages)
    assert any("999999 does not exist" in m for m in messages)


def test_addon(post, patch, get, base):
    basic, unlimited = base
    bundle = post(
        {
            "product_name": "Duo",
            "category": "bundle",
            "retail_cost": "50",
            "bundle_children": [basic["product_id"]],
        }
    )
    addon = post(
        {
            "product_name": "Boost",
            "category": "addon",
            "retail_cost": "10",
            "data_mb": 10240,
            "addon_compatible_with": [
                unlimited["product_id"],
                basic["product_id"],
                basic["product_id"],
            ],
        }
    )
    assert addon["addon_compatible_with"] == sorted([basic["product_id"], unlimited["product_id"]])
    body = patch(
        addon["product_id"], {"addon_compatible_with": [bundle["product_id"], basic["product_id"]]}
    )
    assert body["addon_compatible_with"] == sorted([bundle["product_id"], basic["product_id"]])
    assert get(addon["product_id"])["addon_compatible_with"] == body["addon_compatible_with"]


def test_addon_rules(post, patch, base):
    basic = base[0]
    body = post({"product_name": "Boost", "category": "addon", "retail_cost": "1"}, expected=422)
    assert "addon_compatible_with" in _errors(body)
    other = post(
        {
            "product_name": "Other",
            "category": "addon",
            "retail_cost": "1",
            "addon_compatible_with": [basic["product_id"]],
        }
    )
    body = post(
        {
            "product_name": "Boost",
            "category": "addon",
            "retail_cost": "1",
            "addon_compatible_with": [other["product_id"]],
        },
        expected=422,
    )
    assert "is a addon" in _errors(body)["addon_compatible_with"][0]
    body = patch(
        other["product_id"], {"addon_compatible_with": [other["product_id"]]}, expected=422
    )
    assert "itself" in _errors(body)["addon_compatible_with"][0]
    body = patch(other["product_id"], {"addon_compatible_with": []}, expected=422)
    assert "addon_compatible_with" in _errors(body)


def test_compatible_with_filter(post, listing, base):
    basic, unlimited = base
    a = post(
        {
            "product_name": "A",
            "category": "addon",
            "retail_cost": "1",
            "addon_compatible_with": [basic["product_id"]],
        }
    )
    b = post(
        {
            "product_name": "B",
            "category": "addon",
            "retail_cost": "1",
            "addon_compatible_with": [basic["product_id"], unlimited["product_id"]],
        }
    )
    assert [r["product_id"] for r in listing(compatible_with=basic["product_id"])[0]] == [
        a["product_id"],
        b["product_id"],
    ]
    assert [r["product_id"] for r in listing(compatible_with=unlimited["product_id"])[0]] == [
        b["product_id"]
    ]


def _promo(target_id, **fields):
    return {
        "product_name": "First 3 months 50% off",
        "category": "promo",
        "retail_cost": "0",
        "promo_target_product_id": target_id,
        "promo_months": 3,
        **fields,
    }


def test_promo_with_percent_or_amount(post, patch, base):
    target = base[1]["product_id"]
    promo = post(_promo(target, promo_discount_percent="50"))
    assert promo["promo_discount_percent"] == "50.00"
    assert promo["promo_discount_amount"] is None
    assert promo["promo_months"] == 3
    # switching the kind of discount: clear one, set the other
    body = patch(
        promo["product_id"], {"promo_discount_percent": None, "promo_discount_amount": "10.00"}
    )
    assert body["promo_discount_amount"] == "10.00" and body["promo_discount_percent"] is None
    body = patch(promo["product_id"], {"promo_discount_percent": "5"}, expected=422)
    assert {"promo_discount_percent", "promo_discount_amount"} <= set(_errors(body))
    body = patch(promo["product_id"], {"promo_discount_amount": None}, expected=422)
    assert "promo_discount_amount" in _errors(body)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        (
            {"promo_discount_percent": "10", "promo_discount_amount": "1.00"},
            "promo_discount_amount",
        ),
        ({}, "promo_discount_percent"),
        ({"promo_discount_percent": "101"}, "promo_discount_percent"),
        ({"promo_discount_percent": 10.5}, "promo_discount_percent"),
        ({"promo_discount_amount": "-1"}, "promo_discount_amount"),
        ({"promo_discount_percent": "10", "promo_months": 0}, "promo_months"),
        ({"promo_discount_percent": "10", "promo_months": 37}, "promo_months"),
        ({"promo_discount_percent": "10", "promo_months": None}, "promo_months"),
        (
            {"promo_discount_percent": "10", "promo_target_product_id": None},
            "promo_target_product_id",
        ),
        (
            {"promo_discount_percent": "10", "promo_target_product_id": 999999},
            "promo_target_product_id",
        ),
        ({"promo_discount_percent": "10", "bundle_children": [1]}, "bundle_children"),
    ],
)
def test_promo_rules(post, base, fields, bad):
    body = post(_promo(base[0]["product_id"], **fields), expected=422)
    assert bad in _errors(body)


def test_promo_cannot_target_a_promo_or_itself(post, patch, base):
    promo = post(_promo(base[0]["product_id"], promo_discount_percent="10"))
    body = post(
        {**_promo(promo["product_id"], promo_discount_percent="10"), "product_slug": "p2"},
        expected=422,
    )
    assert "is a promo" in _errors(body)["promo_target_product_id"][0]
    body = patch(
        promo["product_id"], {"promo_target_product_id": promo["product_id"]}, expected=422
    )
    assert "itself" in _errors(body)["promo_target_product_id"][0]


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------
@pytest.fixture
def population(post, base, api, admin_headers):
    basic, unlimited = base
    boost = post(
        {
            "product_name": "Data Boost",
            "category": "addon",
            "retail_cost": "10",
            "billing_period": "one_off",
            "description": "extra gigabytes",
            "addon_compatible_with": [basic["product_id"]],
        }
    )
    fibre = post(
        {
            "product_name": "Home Fibre 100",
            "category": "standalone",
            "retail_cost": "55",
            "provisioning_play": "router_internet",
        }
    )
    api.client.delete(f"{URL}{fibre['product_id']}", headers=admin_headers)
    return {"basic": basic, "unlimited": unlimited, "boost": boost, "fibre": fibre}


def _names(rows):
    return [r["product_name"] for r in rows]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Data Boost", "Home Fibre 100", "Mobile Basic 5GB", "Mobile Unlimited"]),
        ({"q": "mobile"}, ["Mobile Basic 5GB", "Mobile Unlimited"]),
        ({"q": "home-fibre"}, ["Home Fibre 100"]),  # slug
        ({"q": "GIGABYTES"}, ["Data Boost"]),  # description
        ({"q": "%"}, []),
        ({"category": "addon"}, ["Data Boost"]),
        (
            {"category": ["addon", "standalone"], "enabled": "true"},
            ["Data Boost", "Mobile Basic 5GB", "Mobile Unlimited"],
        ),
        ({"enabled": "false"}, ["Home Fibre 100"]),
        ({"billing_period": "one_off"}, ["Data Boost"]),
        ({"prepaid_eligible": "false"}, ["Mobile Unlimited"]),
        ({"postpaid_eligible": "false"}, ["Mobile Basic 5GB"]),
    ],
)
def test_search_and_filters(listing, population, params, expected):
    rows, _ = listing(**params)
    assert _names(rows) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("retail_cost", ["Data Boost", "Mobile Basic 5GB", "Mobile Unlimited", "Home Fibre 100"]),
        ("-retail_cost", ["Home Fibre 100", "Mobile Unlimited", "Mobile Basic 5GB", "Data Boost"]),
        ("product_id", ["Mobile Basic 5GB", "Mobile Unlimited", "Data Boost", "Home Fibre 100"]),
        ("-product_name", ["Mobile Unlimited", "Mobile Basic 5GB", "Home Fibre 100", "Data Boost"]),
        ("-created_at,product_name", None),
    ],
)
def test_sort(listing, population, sort, expected):
    rows, _ = listing(sort=sort)
    if expected is not None:
        assert _names(rows) == expected
    else:
        assert len(rows) == 4


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "wholesale_cost"},
        {"sort": ""},
        {"category": "x"},
        {"billing_period": "x"},
        {"enabled": "maybe"},
        {"q": "a\x00b"},
        {"compatible_with": "0"},
        {"compatible_with": str(10**20)},
        {"page_size": "101"},
    ],
)
def test_bad_list_parameters_are_422(api, admin_headers, params):
    response = api.client.get(URL, headers=admin_headers, query_string=params)
    assert response.status_code == 422, response.get_json()


def test_pagination(listing, population):
    rows, meta = listing(page=2, page_size=3, sort="product_id")
    assert _names(rows) == ["Home Fibre 100"]
    assert meta["total"] == 4 and meta["total_pages"] == 2


def test_list_reflects_writes_at_once(listing, post, patch):
    """The list is served from the response cache: a committed change must invalidate it."""
    created = post(MOBILE)
    assert listing()[0][0]["retail_cost"] == "15.00"
    patch(created["product_id"], {"retail_cost": "16.00"})
    assert listing()[0][0]["retail_cost"] == "16.00"
