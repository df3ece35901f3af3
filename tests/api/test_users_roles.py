"""User and role administration, RBAC enforcement, mailed tokens (verify e-mail, reset)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from omnicrm.notifications.models import Notification
from tests.conftest import TEST_PASSWORD

ADMIN_WRITES = [
    (
        "post",
        "/crm/user/",
        {"email": "n@example.com", "roles": ["support"], "password": "long enough pw"},
    ),
    ("patch", "/crm/user/{user_id}", {"full_name": "X"}),
    ("delete", "/crm/user/{user_id}", None),
    ("post", "/crm/role/", {"name": "custom", "permissions": ["customer.read"]}),
    ("patch", "/crm/role/{role_id}", {"description": "x"}),
    ("delete", "/crm/role/{role_id}", None),
]


@pytest.mark.parametrize("role", ["support", "sales", "finance", "customer"])
@pytest.mark.parametrize(("method", "path", "payload"), ADMIN_WRITES)
def test_non_admins_get_403_on_admin_writes(
    api, make_user, db_session, role, method, path, payload
):
    from omnicrm.auth.models import Role

    target = make_user("support")
    custom = db_session.scalar(select(Role).where(Role.name == "sales"))
    headers = api.headers_for(make_user(role).email)
    url = path.format(user_id=target.id, role_id=custom.id)
    response = getattr(api.client, method)(url, json=payload, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["code"] == "permission_denied"


def test_admin_creates_user_who_can_log_in(api, admin_headers):
    response = api.client.post(
        "/crm/user/",
        json={
            "email": "New.Agent@Example.com",
            "roles": ["support"],
            "password": "a long password",
            "full_name": "New Agent",
        },
        headers=admin_headers,
    )
    assert response.status_code == 201
    assert response.get_json()["email"] == "new.agent@example.com"
    assert api.login("new.agent@example.com", "a long password")["roles"] == ["support"]


def test_duplicate_user_is_409(api, make_user, admin_headers):
    user = make_user("support")
    response = api.client.post(
        "/crm/user/",
        json={"email": user.email.upper(), "roles": ["support"], "password": "a long password"},
        headers=admin_headers,
    )
    assert response.status_code == 409
    assert response.get_json()["existing_user_id"] == user.id


def test_unknown_role_is_422(api, admin_headers):
    response = api.client.post(
        "/crm/user/",
        json={"email": "a@example.com", "roles": ["wizard"], "password": "a long password"},
        headers=admin_headers,
    )
    assert response.status_code == 422


def test_mass_assignment_fields_are_rejected(api, make_user, admin_headers):
    user = make_user("support")
    response = api.client.patch(
        f"/crm/user/{user.id}",
        json={"is_2fa_enabled": False, "password_hash": "x", "id": 1},
        headers=admin_headers,
    )
    assert response.status_code == 422


def test_role_change_takes_effect_immediately(api, make_user, admin_headers):
    user = make_user("support")
    headers = api.headers_for(user.email)
    assert (
        "customer.write"
        in api.client.get("/crm/auth/me", headers=headers).get_json()["permissions"]
    )
    api.client.patch(f"/crm/user/{user.id}", json={"roles": ["finance"]}, headers=admin_headers)
    perms = api.client.get("/crm/auth/me", headers=headers).get_json()["permissions"]
    assert "customer.write" not in perms and "invoice.void" in perms


def test_custom_role_permissions_edit_propagates(api, make_user, admin_headers):
    role = api.client.post(
        "/crm/role/",
        json={"name": "auditor", "permissions": ["activity.read"]},
        headers=admin_headers,
    ).get_json()
    user = make_user("auditor")
    headers = api.headers_for(user.email)
    assert api.client.get("/crm/auth/me", headers=headers).get_json()["permissions"] == [
        "activity.read"
    ]
    api.client.patch(
        f"/crm/role/{role['id']}",
        json={"permissions": ["activity.read", "customer.read"]},
        headers=admin_headers,
    )
    assert api.client.get("/crm/auth/me", headers=headers).get_json()["permissions"] == [
        "activity.read",
        "customer.read",
    ]


def test_builtin_roles_are_protected(api, db_session, admin_headers):
    roles = {r["name"]: r for r in api.client.get("/crm/role/", headers=admin_headers).get_json()}
    assert set(roles) >= {"admin", "support", "sales", "finance", "customer"}
    assert (
        api.client.delete(f"/crm/role/{roles['sales']['id']}", headers=admin_headers).status_code
        == 409
    )
    assert (
        api.client.patch(
            f"/crm/role/{roles['admin']['id']}", json={"permissions": []}, headers=admin_headers
        ).status_code
        == 409
    )


def test_admin_cannot_lock_themselves_out(api, make_user):
    admin = make_user("admin")
    headers = api.headers_for(admin.email)
    assert api.client.delete(f"/crm/user/{admin.id}", headers=headers).status_code == 409
    assert (
        api.client.patch(
            f"/crm/user/{admin.id}", json={"roles": ["support"]}, headers=headers
        ).status_code
        == 409
    )


def test_user_list_is_paginated_and_searchable(api, make_user, admin_headers):
    for n in range(3):
        make_user("support", email=f"findme{n}@example.com")
    response = api.client.get("/crm/user/?q=findme&page_size=2", headers=admin_headers)
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert '"total": 3' in response.headers["X-Pagination"]


def test_permission_catalogue(api, admin_headers):
    names = [
        p["name"] for p in api.client.get("/crm/permission/", headers=admin_headers).get_json()
    ]
    assert "customer.write" in names and "invoice.void" in names


def _mailed_token(db_session, email, template):
    note = db_session.scalars(
        select(Notification)
        .where(Notification.recipient == email, Notification.template == template)
        .order_by(Notification.notification_id.desc())
    ).first()
    assert note is not None, f"no {template} mail to {email}"
    return re.search(r"token=([A-Za-z0-9_\-]+)", note.body_text).group(1)


def test_password_reset_flow(api, make_user, db_session):
    user = make_user("support")
    old = api.login(user.email)
    assert (
        api.client.post("/crm/auth/password/forgot", json={"email": user.email}).status_code == 202
    )
    # an unknown address gets the same answer and no mail
    assert (
        api.client.post(
            "/crm/auth/password/forgot", json={"email": "nobody@example.com"}
        ).status_code
        == 202
    )
    token = _mailed_token(db_session, user.email, "reset_password")
    done = api.client.post(
        "/crm/auth/password/reset", json={"token": token, "password": "my new password"}
    )
    assert done.status_code == 200
    assert (
        api.client.get(
            "/crm/auth/me", headers={"Authorization": f"Bearer {old['token']}"}
        ).status_code
        == 401
    )
    assert (
        api.client.post(
            "/crm/auth/login", json={"email": user.email, "password": TEST_PASSWORD}
        ).status_code
        == 401
    )
    api.login(user.email, "my new password")
    again = api.client.post(
        "/crm/auth/password/reset", json={"token": token, "password": "another password"}
    )
    assert again.status_code == 422


def test_user_created_without_password_gets_a_welcome_link(api, admin_headers, db_session):
    response = api.client.post(
        "/crm/user/",
        json={"email": "invitee@example.com", "roles": ["sales"]},
        headers=admin_headers,
    )
    assert response.status_code == 201
    token = _mailed_token(db_session, "invitee@example.com", "welcome")
    assert (
        api.client.post(
            "/crm/auth/password/reset", json={"token": token, "password": "chosen by me"}
        ).status_code
        == 200
    )
    assert api.login("invitee@example.com", "chosen by me")["user"]["email_verified"] is True


def test_email_verification_flow(api, admin_headers, db_session):
    response = api.client.post(
        "/crm/user/",
        json={
            "email": "unverified@example.com",
            "roles": ["support"],
            "password": "long password 1",
        },
        headers=admin_headers,
    )
    assert response.status_code == 201
    token = _mailed_token(db_session, "unverified@example.com", "verify_email")
    assert (
        api.client.post("/crm/auth/verify-email/confirm", json={"token": token}).status_code == 200
    )
    me = api.login("unverified@example.com", "long password 1")
    assert me["user"]["email_verified"] is True
    assert (
        api.client.post("/crm/auth/verify-email/confirm", json={"token": token}).status_code == 422
    )
