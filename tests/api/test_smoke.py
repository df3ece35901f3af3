"""The app boots on migrated storage and serves its public probes and spec."""

from __future__ import annotations


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["X-Request-ID"]


def test_readyz_checks_db_and_redis(client):
    body = client.get("/readyz").get_json()
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_protected_endpoint_needs_auth(client):
    response = client.get("/crm/auth/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_admin_login_and_me(api, make_user):
    user = make_user("admin")
    body = api.login(user.email)
    assert "customer.write" in body["permissions"]
    me = api.client.get("/crm/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["user"]["email"] == user.email
