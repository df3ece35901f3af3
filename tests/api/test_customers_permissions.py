"""Function-level authorization of every customer, contact, site and activity endpoint.

The route lists below are checked against the app's URL map, so a new endpoint cannot be
added without landing in this matrix.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.customers.models import Contact, Customer, Site
from tests.factories import ContactFactory, CustomerFactory, SiteFactory

WRITES = [
    ("post", "/crm/customer/", {"customer_name": "Intruder"}),
    ("patch", "/crm/customer/{customer_id}", {"customer_name": "Intruder"}),
    ("delete", "/crm/customer/{customer_id}", None),
    ("post", "/crm/contact/", {"customer_id": "{customer_id}", "contact_firstname": "Intruder"}),
    ("patch", "/crm/contact/{contact_id}", {"contact_firstname": "Intruder"}),
    ("delete", "/crm/contact/{contact_id}", None),
    ("post", "/crm/site/", {"customer_id": "{customer_id}", "site_name": "Intruder"}),
    ("patch", "/crm/site/{site_id}", {"site_name": "Intruder"}),
    ("delete", "/crm/site/{site_id}", None),
    ("put", "/crm/customer/{customer_id}/notification-preferences", {"opted_out": ["usage"]}),
]
READS = [
    ("get", "/crm/customer/", "customer.read"),
    ("get", "/crm/customer/{customer_id}", "customer.read"),
    ("get", "/crm/customer/export", "customer.export"),
    ("get", "/crm/customer/defaults", "customer.read"),
    ("get", "/crm/customer/{customer_id}/activity", "customer.read"),
    ("get", "/crm/customer/{customer_id}/notification-preferences", "customer.read"),
    ("get", "/crm/contact/", "customer.read"),
    ("get", "/crm/contact/{contact_id}", "customer.read"),
    ("get", "/crm/site/", "customer.read"),
    ("get", "/crm/site/{site_id}", "customer.read"),
    ("get", "/crm/activity/", "activity.read"),
]


@pytest.fixture
def objects(db_session):
    customer = CustomerFactory(customer_name="Victim Co")
    contact = ContactFactory(customer=customer, contact_firstname="Victim")
    site = SiteFactory(customer=customer, site_name="Victim Site")
    db_session.commit()
    return {
        "customer_id": customer.customer_id,
        "contact_id": contact.contact_id,
        "site_id": site.site_id,
    }


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {
            k: int(_fill(v, ids)) if k.endswith("_id") else _fill(v, ids) for k, v in value.items()
        }
    return value


def _state(db_session):
    db_session.expire_all()
    return (
        db_session.scalar(select(func.count()).select_from(Customer)),
        db_session.scalar(select(func.count()).select_from(Contact)),
        db_session.scalar(select(func.count()).select_from(Site)),
        # a refused write is itself audited (permission_denied); nothing else may appear
        db_session.scalar(
            select(func.count()).select_from(Activity).where(Activity.action != "permission_denied")
        ),
        sorted(db_session.scalars(select(Customer.customer_name))),
        sorted(db_session.scalars(select(Contact.contact_firstname))),
        sorted(db_session.scalars(select(Site.site_name))),
        sorted(str(s) for s in db_session.scalars(select(Customer.customer_status))),
    )


def test_the_matrix_covers_every_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("customers.", "activity.")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(m.lower(), path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(m, p) for m, p, _ in WRITES} | {(m, p) for m, p, _ in READS}
    assert routes == listed


@pytest.mark.parametrize("role", ["finance", "customer"])
@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_write_without_customer_write_is_403_and_changes_nothing(
    api, make_user, db_session, objects, role, method, path, payload
):
    headers = api.headers_for(make_user(role).email)
    before = _state(db_session)
    response = getattr(api.client, method)(
        _fill(path, objects), json=_fill(payload, objects), headers=headers
    )
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == "permission_denied"
    assert _state(db_session) == before


@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_a_read_only_api_key_cannot_write(
    api, admin_headers, db_session, objects, method, path, payload
):
    created = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "ro", "scopes": ["customer.read"]},
        headers=admin_headers,
    )
    key = {"X-API-Key": created.get_json()["key"]}
    assert api.client.get("/crm/customer/", headers=key).status_code == 200
    before = _state(db_session)
    response = getattr(api.client, method)(
        _fill(path, objects), json=_fill(payload, objects), headers=key
    )
    assert response.status_code == 403
    assert _state(db_session) == before


@pytest.mark.parametrize(("method", "path", "permission"), READS)
def test_self_care_users_get_403_on_staff_reads(api, make_user, objects, method, path, permission):
    headers = api.headers_for(make_user("customer").email)
    response = getattr(api.client, method)(_fill(path, objects), headers=headers)
    assert response.status_code == 403
    assert permission in response.get_json()["required"]


@pytest.mark.parametrize(
    ("method", "path", "payload"), [(m, p, None) for m, p, _ in READS] + WRITES
)
def test_anonymous_is_401(client, objects, method, path, payload):
    response = getattr(client, method)(_fill(path, objects), json=_fill(payload, objects))
    assert response.status_code == 401


def test_activity_log_needs_activity_read(api, make_user):
    sales = api.headers_for(make_user("sales").email)  # customer work, but no audit access
    assert api.client.get("/crm/activity/", headers=sales).status_code == 403
    support = api.headers_for(make_user("support").email)
    assert api.client.get("/crm/activity/", headers=support).status_code == 200


@pytest.mark.parametrize("role", ["support", "sales"])
@pytest.mark.parametrize(("method", "path", "payload"), WRITES)
def test_roles_with_customer_write_can_write(api, make_user, objects, role, method, path, payload):
    headers = api.headers_for(make_user(role).email)
    response = getattr(api.client, method)(
        _fill(path, objects), json=_fill(payload, objects), headers=headers
    )
    expected = {"post": 201, "patch": 200, "put": 200}.get(method) or (
        200 if "customer" in path else 204
    )
    assert response.status_code == expected, response.get_json()
