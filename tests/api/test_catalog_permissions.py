"""Function-level authorization of the product catalog endpoints.

The route lists below are checked against the app's URL map, so a new catalog endpoint cannot
be added without landing in this matrix.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.catalog.models import Product
from tests.factories import ProductFactory

WRITES = [
    (
        "post",
        "/crm/product/",
        {"product_name": "Intruder", "category": "standalone", "retail_cost": "1"},
    ),
    ("patch", "/crm/product/{product_id}", {"retail_cost": "0.01"}),
    ("delete", "/crm/product/{product_id}", None),
]
READS = [
    ("get", "/crm/product/", "product.read"),
    ("get", "/crm/product/{product_id}", "product.read"),
]


@pytest.fixture
def product_id(db_session):
    product = ProductFactory(product_name="Victim Tariff")
    db_session.commit()
    return product.product_id


def _state(db_session):
    db_session.expire_all()
    return (
        db_session.scalar(select(func.count()).select_from(Product)),
        sorted(
            (p.product_name, str(p.retail_cost), p.enabled)
            for p in db_session.scalars(select(Product))
        ),
        db_session.scalar(
            select(func.count()).select_from(Activity).where(Activity.action != "permission_denied")
        ),
    )


def test_the_matrix_covers_every_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("catalog."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(m.lower(), path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(m, p) for m, p, _ in WRITES} | {(m, p) for m, p, _ in READS}
    assert routes == listed


@pytest.mark.parametrize("role", ["sales", "support", "finance", "customer"])
@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_write_without_product_write_is_403_and_changes_nothing(
    api, make_user, db_session, product_id, role, method, path, payload
):
    headers = api.headers_for(make_user(role).email)
    before = _state(db_session)
    response = getattr(api.client, method)(
        path.format(product_id=product_id), json=payload, headers=headers
    )
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "permission_denied"
    assert body["required"] == ["product.write"]
    assert _state(db_session) == before


@pytest.mark.parametrize("role", ["sales", "support", "finance"])
@pytest.mark.parametrize(("method", "path", "permission"), READS)
def test_staff_roles_can_read_the_catalog(
    api, make_user, product_id, role, method, path, permission
):
    headers = api.headers_for(make_user(role).email)
    response = getattr(api.client, method)(path.format(product_id=product_id), headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "permission"), READS)
def test_self_care_users_get_403_on_staff_reads(
    api, make_user, product_id, method, path, permission
):
    headers = api.headers_for(make_user("customer").email)
    response = getattr(api.client, method)(path.format(product_id=product_id), headers=headers)
    assert response.status_code == 403
    assert response.get_json()["required"] == [permission]


@pytest.mark.parametrize(
    ("method", "path", "payload"), [*WRITES, *((m, p, None) for m, p, _ in READS)]
)
def test_anonymous_is_401(client, product_id, method, path, payload):
    response = getattr(client, method)(path.format(product_id=product_id), json=payload)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_admin_can_write(api, admin_headers, product_id, method, path, payload):
    response = getattr(api.client, method)(
        path.format(product_id=product_id), json=payload, headers=admin_headers
    )
    assert response.status_code in (200, 201), response.get_json()


HUGE = 10**20


@pytest.mark.parametrize(
    "payload",
    [
        {"bundle_children": [HUGE]},
        {"bundle_children": [0]},
        {"bundle_children": ["1"]},
        {"addon_compatible_with": [-1]},
        {"promo_target_product_id": HUGE},
        {"promo_target_product_id": 1.0},
        {"retail_cost": str(HUGE)},
        {"retail_cost": "1e400"},
        {"provisioning_json_vars": {"n": float("nan")}},
        {"inventory_items_list": ["a\x00"]},
        {"description": "x\x00"},
    ],
)
def test_hostile_input_is_a_clean_422(api, admin_headers, payload):
    body = {"product_name": "X", "category": "standalone", "retail_cost": "1", **payload}
    response = api.client.post("/crm/product/", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
