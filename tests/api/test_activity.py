"""The activity log: written by every mutating request, secret-free, append-only in the DB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from omnicrm.activity.models import Activity
from omnicrm.activity.use_cases import record_event, record_event_now, verify_activity_log
from omnicrm.auth.models import ApiKey, User
from omnicrm.core.context import Principal, RequestInfo, current_principal, current_request
from tests.factories import ContactFactory, CustomerFactory, SiteFactory


def _rows(db_session, **where):
    db_session.expire_all()
    stmt = select(Activity).order_by(Activity.activity_id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Activity, key) == value)
    return list(db_session.scalars(stmt))


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def headers(api, admin):
    return api.headers_for(admin.email)


# --------------------------------------------------------------------------------------------
# Automatic rows
# --------------------------------------------------------------------------------------------
def test_create_update_archive_restore_are_recorded(api, headers, admin, db_session):
    created = api.client.post(
        "/crm/customer/",
        json={"customer_name": "Audited", "email": "audit@example.com", "tags": ["vip"]},
        headers={**headers, "X-Request-ID": "req-create-1"},
    )
    assert created.status_code == 201
    customer_id = created.get_json()["customer_id"]
    url = f"/crm/customer/{customer_id}"

    [row] = _rows(db_session, object_type="customer", object_id=str(customer_id))
    assert row.action == "create"
    assert row.user_id == admin.id and row.api_key_id is None
    assert row.customer_id == customer_id
    assert row.request_id == "req-create-1"
    assert row.ip == "127.0.0.1"
    assert row.before is None
    assert row.after["customer_name"] == "Audited"
    assert row.after["email"] == "audit@example.com"
    assert row.after["customer_status"] == "Open"
    assert row.after["tags"] == ["vip"]
    assert row.after["customer_id"] == customer_id
    assert "created_at" not in row.after and "updated_at" not in row.after
    assert row.row_hash

    api.client.patch(
        url,
        json={"customer_name": "Audited Ltd", "tags": ["vip", "b2b"], "notes": None},
        headers=headers,
    )
    update = _rows(db_session, object_type="customer", object_id=str(customer_id))[-1]
    assert update.action == "update"
    assert update.before == {"customer_name": "Audited", "tags": ["vip"]}
    assert update.after == {"customer_name": "Audited Ltd", "tags": ["b2b", "vip"]}

    # A PATCH that changes nothing writes nothing.
    api.client.patch(url, json={"customer_name": "Audited Ltd"}, headers=headers)
    assert len(_rows(db_session, object_type="customer", object_id=str(customer_id))) == 2

    api.client.delete(url, headers=headers)
    archive = _rows(db_session, object_type="customer", object_id=str(customer_id))[-1]
    assert archive.action == "archive"
    assert archive.before == {"customer_status": "Open", "archived_at": None}
    assert archive.after["customer_status"] == "Archived"
    assert datetime.fromisoformat(archive.after["archived_at"]) > datetime.now(UTC) - timedelta(
        minutes=1
    )

    api.client.patch(url, json={"customer_status": "Open"}, headers=headers)
    restore = _rows(db_session, object_type="customer", object_id=str(customer_id))[-1]
    assert restore.action == "restore"
    assert restore.after == {"customer_status": "Open", "archived_at": None}


def test_contact_and_site_rows_carry_their_customer(api, headers, db_session):
    customer = CustomerFactory()
    db_session.commit()
    contact = api.client.post(
        "/crm/contact/",
        json={"customer_id": customer.customer_id, "contact_firstname": "Jo"},
        headers=headers,
    ).get_json()
    site = api.client.post(
        "/crm/site/",
        json={
            "customer_id": customer.customer_id,
            "site_name": "HQ",
            "latitude": 1.5,
            "longitude": 2.5,
        },
        headers=headers,
    ).get_json()
    api.client.delete(f"/crm/contact/{contact['contact_id']}", headers=headers)

    contact_rows = _rows(db_session, object_type="contact", object_id=str(contact["contact_id"]))
    assert [r.action for r in contact_rows] == ["create", "delete"]
    assert {r.customer_id for r in contact_rows} == {customer.customer_id}
    assert contact_rows[1].before["contact_firstname"] == "Jo" and contact_rows[1].after is None
    [site_row] = _rows(db_session, object_type="site", object_id=str(site["site_id"]))
    assert site_row.customer_id == customer.customer_id
    assert site_row.after["plus_code"] == site["plus_code"]


def test_refused_requests_leave_no_rows(api, headers, db_session):
    api.client.post(
        "/crm/customer/",
        json={"customer_name": "First", "email": "one@example.com"},
        headers=headers,
    )
    count = len(_rows(db_session))
    assert (
        api.client.post(
            "/crm/customer/",
            json={"customer_name": "Dup", "email": "one@example.com"},
            headers=headers,
        ).status_code
        == 409
    )
    assert (
        api.client.post(
            "/crm/customer/", json={"customer_name": "", "email": "x"}, headers=headers
        ).status_code
        == 422
    )
    assert len(_rows(db_session)) == count


def test_api_key_writes_are_attributed_to_the_key(api, headers, admin, db_session):
    key = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "crm-sync", "scopes": ["customer.write"]},
        headers=headers,
    ).get_json()
    response = api.client.post(
        "/crm/customer/", json={"customer_name": "Via Key"}, headers={"X-API-Key": key["key"]}
    )
    assert response.status_code == 201
    [row] = _rows(
        db_session, object_type="customer", object_id=str(response.get_json()["customer_id"])
    )
    assert row.api_key_id == key["id"] and row.user_id == admin.id


def test_no_secret_ever_reaches_the_log(api, headers, admin, db_session):
    created = api.client.post(
        "/crm/user/",
        json={
            "email": "new.agent@example.com",
            "password": "first secret pass 1",
            "roles": ["support"],
        },
        headers=headers,
    )
    assert created.status_code == 201
    user_id = created.get_json()["id"]
    assert (
        api.client.patch(
            f"/crm/user/{user_id}", json={"password": "second secret pass 2"}, headers=headers
        ).status_code
        == 200
    )
    agent_headers = api.headers_for("new.agent@example.com", "second secret pass 2")
    setup = api.client.post("/crm/auth/2fa/setup", headers=agent_headers).get_json()
    key = api.client.post(
        "/crm/auth/api-key/", json={"name": "k", "scopes": ["customer.read"]}, headers=headers
    ).get_json()

    db_session.expire_all()
    user = db_session.get(User, user_id)
    api_key = db_session.get(ApiKey, key["id"])
    secrets = [
        user.password_hash,
        user.totp_pending_secret,
        api_key.key_hash,
        setup["secret"],
        key["key"],
        "first secret pass 1",
        "second secret pass 2",
    ]
    assert all(secrets)
    log = json.dumps([[r.before, r.after] for r in _rows(db_session)])
    for secret in secrets:
        assert secret not in log
    for name in (
        "password_hash",
        "totp_secret",
        "totp_pending_secret",
        "key_hash",
        "token_hash",
        "code_hash",
    ):
        assert f'"{name}"' not in log
    user_rows = _rows(db_session, object_type="user", object_id=str(user_id))
    assert [r.action for r in user_rows] == ["create", "update", "login"]
    assert set(user_rows[1].after) == {"password_changed_at"}  # the change shows, the hash does not
    assert user_rows[0].after["roles"] == ["support"]
    [key_row] = _rows(db_session, object_type="api_key", object_id=str(key["id"]))
    assert key_row.after["scopes"] == ["customer.read"] and key_row.after["prefix"] == key["prefix"]


def test_role_permission_changes_are_recorded_by_name(api, headers, db_session):
    role = api.client.post(
        "/crm/role/", json={"name": "auditor", "permissions": ["activity.read"]}, headers=headers
    ).get_json()
    api.client.patch(
        f"/crm/role/{role['id']}",
        json={"permissions": ["activity.read", "customer.read"]},
        headers=headers,
    )
    rows = _rows(db_session, object_type="role", object_id=str(role["id"]))
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].before == {"permissions": ["activity.read"]}
    assert rows[1].after == {"permissions": ["activity.read", "customer.read"]}


# --------------------------------------------------------------------------------------------
# Explicit events
# --------------------------------------------------------------------------------------------
def test_record_event_uses_the_context_and_drops_secrets(db_session, admin):
    principal_token = current_principal.set(Principal(user_id=admin.id, email=admin.email))
    request_token = current_request.set(RequestInfo(request_id="req-login", ip="203.0.113.9"))
    try:
        record_event(
            db_session,
            action="login",
            object_type="user",
            object_id=admin.id,
            after={
                "method": "password",
                "password": "hunter22",
                "detail": {"token": "t0k", "ok": True},
            },
        )
    finally:
        current_principal.reset(principal_token)
        current_request.reset(request_token)
    # Scoped to this request: tests that commit for real leave their (append-only) logins.
    [row] = _rows(db_session, action="login", request_id="req-login")
    assert (row.user_id, row.object_type, row.object_id) == (admin.id, "user", str(admin.id))
    assert (row.request_id, row.ip) == ("req-login", "203.0.113.9")
    assert row.after == {"method": "password", "detail": {"ok": True}}


def test_record_event_now_survives_the_request_rollback(database, db_session, admin):
    record_event_now(
        database, action="permission_denied", object_type="endpoint", object_id="DELETE /crm/x"
    )
    db_session.rollback()
    [row] = _rows(db_session, action="permission_denied", object_id="DELETE /crm/x")
    assert row.object_id == "DELETE /crm/x"


# --------------------------------------------------------------------------------------------
# Reading the log
# --------------------------------------------------------------------------------------------
def test_activity_list_filters_and_newest_first(api, headers, admin, db_session):
    # From now on: tests that commit for real leave their (append-only) rows behind.
    since = {"from": datetime.now(UTC).isoformat()}
    ids = []
    for name in ("One", "Two", "Three"):
        ids.append(
            api.client.post(
                "/crm/customer/", json={"customer_name": name}, headers=headers
            ).get_json()["customer_id"]
        )
    api.client.patch(f"/crm/customer/{ids[0]}", json={"customer_name": "Uno"}, headers=headers)

    response = api.client.get(
        "/crm/activity/",
        headers=headers,
        query_string={"object_type": "customer", "page_size": 2, **since},
    )
    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"])["total"] == 4
    first_page = response.get_json()
    assert [(r["action"], r["object_id"]) for r in first_page] == [
        ("update", str(ids[0])),
        ("create", str(ids[2])),
    ]
    assert (
        first_page[0]["before"] == {"customer_name": "One"} and first_page[0]["user_id"] == admin.id
    )

    def actions(**params):
        return [
            r["action"]
            for r in api.client.get(
                "/crm/activity/", headers=headers, query_string={**since, **params}
            ).get_json()
        ]

    assert actions(object_type="customer", object_id=str(ids[0])) == ["update", "create"]
    assert actions(object_type="customer", action="update") == ["update"]
    assert actions(object_type="customer", user_id=admin.id) == [
        "update",
        "create",
        "create",
        "create",
    ]
    assert actions(object_type="customer", user_id=admin.id + 1000) == []
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert actions(object_type="customer", **{"from": future}) == []
    assert len(actions(object_type="customer", to=future)) == 4
    assert (
        api.client.get("/crm/activity/", headers=headers, query_string={"from": "soon"}).status_code
        == 422
    )


def test_customer_activity_covers_its_contacts_and_sites_only(api, headers, db_session):
    mine = api.client.post(
        "/crm/customer/", json={"customer_name": "Mine"}, headers=headers
    ).get_json()
    other = api.client.post(
        "/crm/customer/", json={"customer_name": "Other"}, headers=headers
    ).get_json()
    api.client.post(
        "/crm/contact/",
        json={"customer_id": mine["customer_id"], "contact_firstname": "A"},
        headers=headers,
    )
    api.client.post(
        "/crm/site/", json={"customer_id": mine["customer_id"], "site_name": "S"}, headers=headers
    )
    api.client.post(
        "/crm/contact/",
        json={"customer_id": other["customer_id"], "contact_firstname": "B"},
        headers=headers,
    )

    response = api.client.get(f"/crm/customer/{mine['customer_id']}/activity", headers=headers)
    assert response.status_code == 200
    rows = response.get_json()
    assert [r["object_type"] for r in rows] == ["site", "contact", "customer"]
    assert {r["customer_id"] for r in rows} == {mine["customer_id"]}
    updates = api.client.get(
        f"/crm/customer/{mine['customer_id']}/activity",
        headers=headers,
        query_string={"action": "update"},
    ).get_json()
    assert updates == []
    assert api.client.get("/crm/customer/987654/activity", headers=headers).status_code == 404


def test_there_is_no_way_to_write_the_log_through_the_api(api, headers):
    assert api.client.post("/crm/activity/", json={}, headers=headers).status_code == 405
    assert api.client.delete("/crm/activity/", headers=headers).status_code == 405


# --------------------------------------------------------------------------------------------
# Append-only, enforced by the database
# --------------------------------------------------------------------------------------------
@pytest.fixture
def logged(db_session):
    CustomerFactory(customer_name="Logged")
    db_session.flush()
    return _rows(db_session)[-1]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE activity SET action = 'nothing' WHERE activity_id = :id",
        "UPDATE activity SET after = NULL",
        "DELETE FROM activity WHERE activity_id = :id",
        "DELETE FROM activity",
    ],
)
def test_update_and_delete_are_refused_by_the_database(db_session, logged, statement):
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text(statement), {"id": logged.activity_id})
    assert _rows(db_session, activity_id=logged.activity_id)[0].action == "create"


def test_truncate_is_refused_on_postgresql(db_session, logged):
    if db_session.bind.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text("TRUNCATE activity"))


def test_the_orm_cannot_change_a_row_either(db_session, logged):
    logged.action = "tampered"
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.flush()


def test_verify_flags_a_row_altered_behind_the_triggers_back(app, db_session, logged, settings):
    with app.test_request_context():
        CustomerFactory(customer_name="Signed")  # written inside the app: signed
        db_session.flush()
    signed = _rows(db_session)[-1]
    assert signed.row_hash
    report = verify_activity_log(db_session, secret_key=settings.secret_key)
    assert report.ok and report.checked >= 2

    # Someone with DDL rights disables the guard and edits history (rolled back with the test).
    drop = "DROP TRIGGER activity_no_update"
    if db_session.bind.dialect.name == "postgresql":
        drop += " ON activity"
    db_session.execute(text(drop))
    db_session.execute(
        text("UPDATE activity SET after = :after WHERE activity_id = :id"),
        {"after": json.dumps({"customer_name": "Someone Else"}), "id": signed.activity_id},
    )
    report = verify_activity_log(db_session, secret_key=settings.secret_key)
    assert report.altered == [signed.activity_id]
    assert not report.ok
    assert verify_activity_log(db_session, secret_key="another key").altered  # the key matters


def test_factories_outside_a_request_are_attributed_to_nobody(db_session):
    contact = ContactFactory()
    SiteFactory(customer=contact.customer)
    db_session.commit()  # audit rows are written at commit, in one batch
    rows = _rows(db_session, customer_id=contact.customer_id)
    assert {r.object_type for r in rows} == {"customer", "contact", "site"}
    assert {r.user_id for r in rows} == {None}
