"""Scoped API keys for integrators (X-API-Key)."""

from __future__ import annotations


def test_create_use_and_revoke_a_key(api, make_user, admin_headers):
    created = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "billing bridge", "scopes": ["customer.read"]},
        headers=admin_headers,
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["key"].startswith("ock_") and body["scopes"] == ["customer.read"]
    key_headers = {"X-API-Key": body["key"]}
    me = api.client.get("/crm/auth/me", headers=key_headers).get_json()
    assert me["via_api_key"] is True and me["permissions"] == ["customer.read"]
    # out of scope: user administration
    assert api.client.get("/crm/user/", headers=key_headers).status_code == 403
    listed = api.client.get("/crm/auth/api-key/", headers=admin_headers).get_json()
    assert [k["name"] for k in listed] == ["billing bridge"]
    assert "key" not in listed[0]
    assert (
        api.client.delete(f"/crm/auth/api-key/{body['id']}", headers=admin_headers).status_code
        == 204
    )
    assert api.client.get("/crm/auth/me", headers=key_headers).status_code == 401


def test_wrong_secret_with_valid_prefix_is_refused(api, admin_headers):
    body = api.client.post(
        "/crm/auth/api-key/", json={"name": "k", "scopes": ["customer.read"]}, headers=admin_headers
    ).get_json()
    prefix = body["key"].split("_")[1]
    assert (
        api.client.get("/crm/auth/me", headers={"X-API-Key": f"ock_{prefix}_wrong"}).status_code
        == 401
    )
    assert api.client.get("/crm/auth/me", headers={"X-API-Key": "garbage"}).status_code == 401


def test_scopes_cannot_exceed_the_creator(api, make_user):
    sales = make_user("sales")
    headers = api.headers_for(sales.email)
    # sales does not hold apikey.manage at all
    denied = api.client.post(
        "/crm/auth/api-key/", json={"name": "x", "scopes": ["customer.read"]}, headers=headers
    )
    assert denied.status_code == 403


def test_scope_beyond_holder_is_422(api, make_user, db_session, admin_headers):
    role = api.client.post(
        "/crm/role/",
        json={
            "name": "integrator",
            "description": "",
            "permissions": ["apikey.manage", "customer.read"],
        },
        headers=admin_headers,
    )
    assert role.status_code == 201
    user = make_user("integrator")
    headers = api.headers_for(user.email)
    response = api.client.post(
        "/crm/auth/api-key/", json={"name": "x", "scopes": ["customer.write"]}, headers=headers
    )
    assert response.status_code == 422
    assert "scopes" in response.get_json()["errors"]["json"]
    unknown = api.client.post(
        "/crm/auth/api-key/", json={"name": "x", "scopes": ["root.all"]}, headers=headers
    )
    assert unknown.status_code == 422


def test_key_loses_permissions_its_owner_loses(api, make_user, admin_headers):
    api.client.post(
        "/crm/role/",
        json={
            "name": "integrator",
            "description": "",
            "permissions": ["apikey.manage", "customer.read"],
        },
        headers=admin_headers,
    )
    user = make_user("integrator")
    key = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "x", "scopes": ["customer.read"]},
        headers=api.headers_for(user.email),
    ).get_json()["key"]
    api.client.patch(f"/crm/user/{user.id}", json={"roles": ["customer"]}, headers=admin_headers)
    me = api.client.get("/crm/auth/me", headers={"X-API-Key": key}).get_json()
    assert me["permissions"] == []


def test_key_of_disabled_user_stops_working(api, make_user, admin_headers):
    key = api.client.post(
        "/crm/auth/api-key/", json={"name": "k", "scopes": ["customer.read"]}, headers=admin_headers
    ).get_json()["key"]
    me = api.client.get("/crm/auth/me", headers=admin_headers).get_json()
    other_admin = make_user("admin")
    other_headers = api.headers_for(other_admin.email)
    api.client.delete(f"/crm/user/{me['user']['id']}", headers=other_headers)
    assert api.client.get("/crm/auth/me", headers={"X-API-Key": key}).status_code == 401
