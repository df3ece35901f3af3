"""No escalation through user, role and API-key administration (security review finding 4).

Nobody grants a role or permission they do not hold, edits a role they hold, or changes an
account that holds more than they do; only admins change admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from omnicrm.activity.models import Activity
from omnicrm.auth.models import ApiKey, Role, User
from omnicrm.auth.permissions import BUILTIN_ROLES
from tests.conftest import TEST_PASSWORD


def _role(api: Any, admin_headers: dict[str, str], name: str, *permissions: str) -> int:
    response = api.client.post(
        "/crm/role/", json={"name": name, "permissions": list(permissions)}, headers=admin_headers
    )
    assert response.status_code == 201, response.get_json()
    role_id: int = response.get_json()["id"]
    return role_id


def _denied(response: Any, *missing: str) -> dict[str, Any]:
    """A 403 ``permission_denied`` naming (in the message and ``required``) what is missing."""
    body: dict[str, Any] = response.get_json()
    assert response.status_code == 403, body
    assert body["code"] == "permission_denied"
    for name in missing:
        assert name in body["required"], body
        assert name.removeprefix("role:") in body["message"], body
    return body


def _roles_in_db(db_session: Any, user_id: int) -> list[str]:
    db_session.expire_all()
    return list(db_session.get(User, user_id).role_names)


def _permissions_in_db(db_session: Any, role_id: int) -> list[str]:
    db_session.expire_all()
    return [p.name for p in db_session.get(Role, role_id).permissions]


def _can_log_in(api: Any, email: str, password: str) -> bool:
    response = api.client.post("/crm/auth/login", json={"email": email, "password": password})
    return bool(response.status_code == 200)


# ---------------------------------------------------------------------------------------------
# The reported cases
# ---------------------------------------------------------------------------------------------
def test_user_writer_cannot_promote_itself_to_admin(api, make_user, admin_headers, db_session):
    _role(api, admin_headers, "user_admin", "user.read", "user.write")
    actor = make_user("user_admin")
    headers = api.headers_for(actor.email)

    for roles in (["user_admin", "admin"], ["admin"]):
        response = api.client.patch(f"/crm/user/{actor.id}", json={"roles": roles}, headers=headers)
        assert _denied(response, "role:admin")["reason"] == "admin_only"
    # nor raise itself to any role it does not fully hold
    _denied(
        api.client.patch(f"/crm/user/{actor.id}", json={"roles": ["support"]}, headers=headers),
        "customer.read",
    )
    assert _roles_in_db(db_session, actor.id) == ["user_admin"]
    me = api.client.get("/crm/auth/me", headers=headers).get_json()
    assert me["roles"] == ["user_admin"] and me["permissions"] == ["user.read", "user.write"]
    # nor create an admin
    created = api.client.post(
        "/crm/user/",
        json={"email": "sleeper@example.com", "roles": ["admin"], "password": "a long password"},
        headers=headers,
    )
    _denied(created, "role:admin")
    assert not _can_log_in(api, "sleeper@example.com", "a long password")


def test_user_writer_cannot_change_the_admins_password(api, make_user, admin_headers, db_session):
    _role(api, admin_headers, "user_admin", "user.read", "user.write")
    admin = make_user("admin")
    headers = api.headers_for(make_user("user_admin").email)

    response = api.client.patch(
        f"/crm/user/{admin.id}", json={"password": "taken over by me"}, headers=headers
    )
    _denied(response, "role:admin")
    assert _can_log_in(api, admin.email, TEST_PASSWORD)
    assert not _can_log_in(api, admin.email, "taken over by me")
    # nor anything else about the admin account
    for change in ({"roles": ["user_admin"]}, {"is_active": False}, {"full_name": "Pwned"}):
        _denied(api.client.patch(f"/crm/user/{admin.id}", json=change, headers=headers))
    db_session.expire_all()
    still = db_session.get(User, admin.id)
    assert still.is_active and still.role_names == ["admin"] and still.full_name == ""


def test_role_writer_cannot_add_permissions_to_its_own_role(
    api, make_user, admin_headers, db_session
):
    own = _role(api, admin_headers, "role_admin", "role.read", "role.write")
    headers = api.headers_for(make_user("role_admin").email)

    for extra in ("user.write", "apikey.manage"):
        response = api.client.patch(
            f"/crm/role/{own}",
            json={"permissions": ["role.read", "role.write", extra]},
            headers=headers,
        )
        assert _denied(response)["reason"] == "own_role"
        assert "you hold it" in response.get_json()["message"]
    assert _permissions_in_db(db_session, own) == ["role.read", "role.write"]
    # nor delete or otherwise edit it
    _denied(api.client.delete(f"/crm/role/{own}", headers=headers))
    _denied(api.client.patch(f"/crm/role/{own}", json={"description": "x"}, headers=headers))
    assert _permissions_in_db(db_session, own) == ["role.read", "role.write"]


def test_role_writer_cannot_add_permissions_it_lacks_to_another_role(
    api, make_user, admin_headers, db_session
):
    _role(api, admin_headers, "role_admin", "role.read", "role.write")
    other = _role(api, admin_headers, "role_viewer", "role.read")
    headers = api.headers_for(make_user("role_admin").email)

    for extra in ("user.write", "apikey.manage"):
        response = api.client.patch(
            f"/crm/role/{other}", json={"permissions": ["role.read", extra]}, headers=headers
        )
        assert _denied(response, extra)["reason"] == "not_held"
    assert _permissions_in_db(db_session, other) == ["role.read"]
    # the normal path keeps working: permissions it holds
    allowed = api.client.patch(
        f"/crm/role/{other}", json={"permissions": ["role.read", "role.write"]}, headers=headers
    )
    assert allowed.status_code == 200, allowed.get_json()
    assert _permissions_in_db(db_session, other) == ["role.read", "role.write"]


def test_role_writer_cannot_edit_or_delete_a_role_holding_more(api, make_user, admin_headers):
    _role(api, admin_headers, "role_admin", "role.read", "role.write")
    richer = _role(api, admin_headers, "auditor", "activity.read", "role.read")
    headers = api.headers_for(make_user("role_admin").email)

    # removing what it does not hold (to demote the role's users) is refused too
    _denied(
        api.client.patch(
            f"/crm/role/{richer}", json={"permissions": ["role.read"]}, headers=headers
        ),
        "activity.read",
    )
    _denied(api.client.delete(f"/crm/role/{richer}", headers=headers), "activity.read")
    roles = api.client.get("/crm/role/", headers=headers).get_json()
    admin_role = next(r for r in roles if r["name"] == "admin")
    _denied(
        api.client.patch(
            f"/crm/role/{admin_role['id']}", json={"description": "mine"}, headers=headers
        ),
        "role:admin",
    )


def test_cannot_create_a_role_with_permissions_it_lacks(api, make_user, admin_headers):
    _role(api, admin_headers, "role_admin", "role.read", "role.write")
    headers = api.headers_for(make_user("role_admin").email)

    response = api.client.post(
        "/crm/role/",
        json={"name": "backdoor", "permissions": ["role.read", "user.write", "apikey.manage"]},
        headers=headers,
    )
    _denied(response, "user.write", "apikey.manage")
    names = [r["name"] for r in api.client.get("/crm/role/", headers=headers).get_json()]
    assert "backdoor" not in names
    created = api.client.post(
        "/crm/role/", json={"name": "reader", "permissions": ["role.read"]}, headers=headers
    )
    assert created.status_code == 201


# ---------------------------------------------------------------------------------------------
# Granting roles, changing accounts: a support-like user administrator
# ---------------------------------------------------------------------------------------------
def _helpdesk(api: Any, admin_headers: dict[str, str], make_user: Any) -> tuple[Any, dict]:
    """Support's permissions plus user administration, as a custom role."""
    support = BUILTIN_ROLES["support"][1]
    _role(api, admin_headers, "helpdesk", *sorted(support | {"user.read", "user.write"}))
    actor = make_user("helpdesk")
    return actor, api.headers_for(actor.email)


def test_cannot_give_a_user_a_role_it_does_not_fully_hold(
    api, make_user, admin_headers, db_session
):
    _, headers = _helpdesk(api, admin_headers, make_user)
    target = make_user("support")
    lacking = sorted(BUILTIN_ROLES["finance"][1] - BUILTIN_ROLES["support"][1])

    response = api.client.patch(
        f"/crm/user/{target.id}", json={"roles": ["support", "finance"]}, headers=headers
    )
    assert _denied(response, *lacking)["reason"] == "not_held"
    assert "'finance'" in response.get_json()["message"]
    assert _roles_in_db(db_session, target.id) == ["support"]
    created = api.client.post(
        "/crm/user/",
        json={"email": "biller@example.com", "roles": ["finance"], "password": "a long password"},
        headers=headers,
    )
    _denied(created, *lacking)


def test_cannot_change_an_account_holding_more(api, make_user, admin_headers, db_session):
    _, headers = _helpdesk(api, admin_headers, make_user)
    sales = make_user("sales")  # customer.export and contract.write: support lacks them

    for change in ({"password": "a new password"}, {"is_active": False}, {"roles": ["support"]}):
        response = api.client.patch(f"/crm/user/{sales.id}", json=change, headers=headers)
        assert _denied(response, "contract.write")["reason"] == "outranked"
    _denied(api.client.delete(f"/crm/user/{sales.id}", headers=headers), "contract.write")
    assert _can_log_in(api, sales.email, TEST_PASSWORD)
    assert _roles_in_db(db_session, sales.id) == ["sales"]


def test_cannot_disable_an_admin(api, make_user, admin_headers, db_session):
    _, headers = _helpdesk(api, admin_headers, make_user)
    admin = make_user("admin")

    _denied(api.client.delete(f"/crm/user/{admin.id}", headers=headers), "role:admin")
    _denied(
        api.client.patch(f"/crm/user/{admin.id}", json={"is_active": False}, headers=headers),
        "role:admin",
    )
    db_session.expire_all()
    assert db_session.get(User, admin.id).is_active
    assert _can_log_in(api, admin.email, TEST_PASSWORD)
    # refused like a missing permission, and audited as one
    audited = db_session.scalars(
        select(Activity).where(
            Activity.action == "permission_denied",
            Activity.object_id == f"DELETE /crm/user/{admin.id}",
        )
    ).all()
    assert [row.after for row in audited] == [{"required": ["role:admin"]}]


def test_support_like_actor_still_manages_lesser_users(api, make_user, admin_headers, db_session):
    actor, headers = _helpdesk(api, admin_headers, make_user)
    created = api.client.post(
        "/crm/user/",
        json={"email": "agent@example.com", "roles": ["support"], "password": "a long password"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    user_id = created.get_json()["id"]
    for change in (
        {"full_name": "Agent Smith"},
        {"password": "another long one"},
        {"roles": ["support", "helpdesk"]},  # a peer: everything it holds, no more
        {"roles": ["support"]},
    ):
        response = api.client.patch(f"/crm/user/{user_id}", json=change, headers=headers)
        assert response.status_code == 200, (change, response.get_json())
    assert _can_log_in(api, "agent@example.com", "another long one")
    assert api.client.delete(f"/crm/user/{user_id}", headers=headers).status_code == 200
    assert not _can_log_in(api, "agent@example.com", "another long one")
    # its own profile: self-service fields stay editable
    own = api.client.patch(f"/crm/user/{actor.id}", json={"full_name": "Me"}, headers=headers)
    assert own.status_code == 200
    assert _roles_in_db(db_session, actor.id) == ["helpdesk"]


def test_linking_a_user_to_a_contact_needs_customer_read(api, make_user, admin_headers):
    customer = api.client.post(
        "/crm/customer/", json={"customer_name": "Portal Co"}, headers=admin_headers
    ).get_json()
    contact = api.client.post(
        "/crm/contact/",
        json={"customer_id": customer["customer_id"], "contact_firstname": "Pat"},
        headers=admin_headers,
    ).get_json()
    _role(api, admin_headers, "user_admin", "user.read", "user.write")
    headers = api.headers_for(make_user("user_admin").email)
    target = make_user("user_admin")

    response = api.client.patch(
        f"/crm/user/{target.id}", json={"contact_id": contact["contact_id"]}, headers=headers
    )
    _denied(response, "customer.read")
    linked = api.client.patch(
        f"/crm/user/{target.id}", json={"contact_id": contact["contact_id"]}, headers=admin_headers
    )
    assert linked.status_code == 200 and linked.get_json()["contact_id"] == contact["contact_id"]


# ---------------------------------------------------------------------------------------------
# Admins keep every power
# ---------------------------------------------------------------------------------------------
def test_an_admin_can_still_do_all_of_it(api, make_user, admin_headers, db_session):
    other_admin = make_user("admin")
    user = make_user("support")
    custom = _role(api, admin_headers, "role_admin", "role.read", "role.write")

    promoted = api.client.patch(
        f"/crm/user/{user.id}", json={"roles": ["admin"]}, headers=admin_headers
    )
    assert promoted.status_code == 200 and promoted.get_json()["roles"] == ["admin"]
    assert (
        api.client.patch(
            f"/crm/user/{other_admin.id}",
            json={"password": "admins reset admins"},
            headers=admin_headers,
        ).status_code
        == 200
    )
    assert _can_log_in(api, other_admin.email, "admins reset admins")
    widened = api.client.patch(
        f"/crm/role/{custom}",
        json={"permissions": ["role.read", "role.write", "user.write", "apikey.manage"]},
        headers=admin_headers,
    )
    assert widened.status_code == 200
    assert _permissions_in_db(db_session, custom) == [
        "apikey.manage",
        "role.read",
        "role.write",
        "user.write",
    ]
    created = api.client.post(
        "/crm/role/",
        json={"name": "everything", "permissions": ["invoice.void"]},
        headers=admin_headers,
    )
    assert created.status_code == 201
    assert (
        api.client.delete(f"/crm/user/{other_admin.id}", headers=admin_headers).status_code == 200
    )
    assert not _can_log_in(api, other_admin.email, "admins reset admins")
    assert api.client.delete(f"/crm/role/{custom}", headers=admin_headers).status_code == 204
    # holding every permission, an admin may also maintain a role it holds itself
    roles = api.client.get("/crm/role/", headers=admin_headers).get_json()
    admin_role = next(r for r in roles if r["name"] == "admin")
    described = api.client.patch(
        f"/crm/role/{admin_role['id']}", json={"description": "Root"}, headers=admin_headers
    )
    assert described.status_code == 200 and described.get_json()["description"] == "Root"


# ---------------------------------------------------------------------------------------------
# API keys: never beyond their scopes
# ---------------------------------------------------------------------------------------------
def test_an_api_key_administers_only_within_its_scopes(api, make_user, db_session):
    admin = make_user("admin")
    admin_headers = api.headers_for(admin.email)
    scopes = ["user.read", "user.write", "role.read", "role.write", "apikey.manage"]
    body = api.client.post(
        "/crm/auth/api-key/", json={"name": "admin bot", "scopes": scopes}, headers=admin_headers
    ).get_json()
    key = {"X-API-Key": body["key"]}

    _denied(
        api.client.post(
            "/crm/user/",
            json={"email": "x@example.com", "roles": ["support"], "password": "a long password"},
            headers=key,
        ),
        "customer.read",
    )
    _denied(
        api.client.post(
            "/crm/user/",
            json={"email": "y@example.com", "roles": ["admin"], "password": "a long password"},
            headers=key,
        ),
        "customer.read",
    )
    _denied(
        api.client.post(
            "/crm/role/", json={"name": "wider", "permissions": ["customer.read"]}, headers=key
        ),
        "customer.read",
    )
    # not even its own owner's account: that would be the owner's every permission
    _denied(
        api.client.patch(
            f"/crm/user/{admin.id}", json={"password": "owned by the key"}, headers=key
        ),
        "customer.read",
    )
    assert _can_log_in(api, admin.email, TEST_PASSWORD)
    made = api.client.post(
        "/crm/auth/api-key/", json={"name": "child", "scopes": ["user.read"]}, headers=key
    )
    assert made.status_code == 403 and made.get_json()["code"] == "not_a_session"
    assert db_session.query(ApiKey).filter(ApiKey.user_id == admin.id).count() == 1
    # within its scopes it works
    assert (
        api.client.post(
            "/crm/role/", json={"name": "viewer", "permissions": ["user.read"]}, headers=key
        ).status_code
        == 201
    )
    created = api.client.post(
        "/crm/user/",
        json={"email": "z@example.com", "roles": ["viewer"], "password": "a long password"},
        headers=key,
    )
    assert created.status_code == 201, created.get_json()


def test_cannot_revoke_the_key_of_an_account_holding_more(api, make_user, admin_headers):
    _role(api, admin_headers, "key_admin", "user.read", "user.write", "apikey.manage")
    headers = api.headers_for(make_user("key_admin").email)
    body = api.client.post(
        "/crm/auth/api-key/", json={"name": "k", "scopes": ["customer.read"]}, headers=admin_headers
    ).get_json()

    _denied(api.client.delete(f"/crm/auth/api-key/{body['id']}", headers=headers), "role:admin")
    assert api.client.get("/crm/auth/me", headers={"X-API-Key": body["key"]}).status_code == 200
