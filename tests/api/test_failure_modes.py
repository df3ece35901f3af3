"""Dependencies failing and security events being recorded (reliability plan rows 18, 25)."""

from __future__ import annotations

import json

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import select

from omnicrm.activity.models import Activity


def _dead_redis() -> redis.Redis:
    # Nothing listens on port 1: every command fails like a Redis outage.
    return redis.Redis(
        host="127.0.0.1",
        port=1,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )


def test_authenticated_requests_fail_closed_with_503(app, api, make_user, monkeypatch):
    headers = api.headers_for(make_user("support").email)
    monkeypatch.setitem(app.extensions, "omnicrm_redis", _dead_redis())
    response = api.client.get("/crm/customer/", headers=headers)
    assert response.status_code == 503
    assert response.get_json()["code"] == "session_store_down"


def test_login_is_refused_not_unthrottled_when_redis_is_down(app, api, make_user, monkeypatch):
    user = make_user("support")
    monkeypatch.setitem(app.extensions, "omnicrm_redis", _dead_redis())
    response = api.client.post("/crm/auth/login", json={"email": user.email, "password": "x" * 10})
    assert response.status_code == 503
    assert response.get_json()["code"] == "session_store_down"


def test_probes_report_redis_down(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "omnicrm_redis", _dead_redis())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("error")
    assert client.get("/healthz").status_code == 200


def _rows(db_session, action):
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(Activity).where(Activity.action == action).order_by(Activity.activity_id)
        )
    )


def test_each_403_writes_exactly_one_audit_row(api, make_user, db_session):
    headers = api.headers_for(make_user("finance").email)
    before = len(_rows(db_session, "permission_denied"))
    response = api.client.post("/crm/customer/", json={"customer_name": "Nope"}, headers=headers)
    assert response.status_code == 403
    rows = _rows(db_session, "permission_denied")
    assert len(rows) == before + 1
    assert rows[-1].object_id == "POST /crm/customer/"
    assert rows[-1].after == {"required": ["customer.write"]}


def test_each_failed_login_writes_one_row_without_the_password(api, make_user, db_session):
    user = make_user("support")
    secret = "wrong-but-secret-guess"
    api.client.post("/crm/auth/login", json={"email": user.email, "password": secret})
    api.client.post("/crm/auth/login", json={"email": "ghost@example.com", "password": secret})
    rows = _rows(db_session, "login_failed")
    assert len(rows) == 2
    assert rows[0].object_id == str(user.id) and rows[1].object_id == "unknown"
    assert all(secret not in json.dumps(r.after) for r in rows)


def test_successful_login_writes_one_row(api, make_user, db_session):
    user = make_user("support")
    api.login(user.email)
    rows = [r for r in _rows(db_session, "login") if r.object_id == str(user.id)]
    assert len(rows) == 1
    assert rows[0].user_id == user.id
    assert "token" not in json.dumps(rows[0].after)
