"""Cached reads replayed before Flask: same bytes, same checks, same logs and metrics."""

from __future__ import annotations

import json

import pytest

from omnicrm.response_cache import bump, replay, store
from omnicrm.response_cache.replay import HotReads


@pytest.fixture
def dispatches(app, monkeypatch):
    """How many requests reached Flask's dispatch (a replayed one does not)."""
    calls = []
    original = app.full_dispatch_request

    def counting():
        calls.append(1)
        return original()

    monkeypatch.setattr(app, "full_dispatch_request", counting)
    return calls


@pytest.fixture
def support(api, make_user):
    user = make_user("support")
    return user, api.headers_for(user.email)


def _customer(api, headers, name):
    response = api.client.post("/crm/customer/", json={"customer_name": name}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _warm(api, url, headers):
    """A miss, then a hit through Flask: the hit's answer is what replay repeats."""
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "miss"
    hit = api.client.get(url, headers=headers)
    assert hit.headers["X-Cache"] == "hit"
    return hit


def test_the_middleware_is_installed(app):
    assert isinstance(app.wsgi_app, HotReads)


@pytest.mark.parametrize("url", ["/crm/customer/?page=1&page_size=5", "/crm/customer/{id}"])
def test_a_replayed_read_is_the_same_answer_without_flask(api, support, dispatches, url):
    _, headers = support
    customer = _customer(api, headers, "Replay Me")
    url = url.format(id=customer["customer_id"])
    through_flask = _warm(api, url, {**headers, "X-Request-ID": "flask-1"})
    before = len(dispatches)
    replayed = api.client.get(url, headers={**headers, "X-Request-ID": "replay-1"})
    assert len(dispatches) == before  # answered in front of Flask
    assert replayed.status_code == 200
    assert replayed.get_data() == through_flask.get_data()
    assert replayed.headers["X-Request-ID"] == "replay-1"
    expected = {k: v for k, v in through_flask.headers.items() if k != "X-Request-ID"}
    assert {k: v for k, v in replayed.headers.items() if k != "X-Request-ID"} == expected
    if "page=1" in url:
        assert json.loads(replayed.headers["X-Pagination"])["page"] == 1
    # A generated request id when none is given: 32 hex digits, as Flask's path makes them.
    fresh = api.client.get(url, headers=headers)
    assert len(fresh.headers["X-Request-ID"]) == 32 and len(dispatches) == before


def test_a_write_is_seen_at_once(api, support, dispatches):
    _, headers = support
    customer = _customer(api, headers, "Old Name")
    url = f"/crm/customer/{customer['customer_id']}"
    _warm(api, url, headers)
    patched = api.client.patch(url, json={"customer_name": "New Name"}, headers=headers)
    assert patched.status_code == 200
    before = len(dispatches)
    after = api.client.get(url, headers=headers)
    assert (after.headers["X-Cache"], after.get_json()["customer_name"]) == ("miss", "New Name")
    assert len(dispatches) == before + 1


def test_another_processs_commit_stops_the_replay(app, api, support, dispatches):
    _, headers = support
    customer = _customer(api, headers, "Elsewhere")
    url = f"/crm/customer/{customer['customer_id']}"
    _warm(api, url, headers)
    bump(app.extensions["omnicrm_redis"], "customers")
    before = len(dispatches)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "miss"
    assert len(dispatches) == before + 1


def test_a_revoked_token_is_refused_not_replayed(api, support, dispatches):
    _, headers = support
    _warm(api, "/crm/customer/?page=1", headers)
    assert api.client.post("/crm/auth/logout", headers=headers).status_code in (200, 204)
    refused = api.client.get("/crm/customer/?page=1", headers=headers)
    assert refused.status_code == 401


def test_bad_and_missing_credentials_get_flasks_answers(api, support):
    _, headers = support
    _warm(api, "/crm/customer/?page=1", headers)
    token = headers["Authorization"].split()[1]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for sent in (
        {},
        {"Authorization": f"Bearer {tampered}"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ):
        answer = api.client.get("/crm/customer/?page=1", headers=sent)
        assert answer.status_code == 401, sent
        assert answer.get_json()["code"] in {"unauthorized", "token_invalid"}


def test_a_user_without_the_permission_gets_flasks_403(api, support, make_user):
    _, headers = support
    _warm(api, "/crm/customer/?page=1", headers)
    other = make_user("customer")
    answer = api.client.get("/crm/customer/?page=1", headers=api.headers_for(other.email))
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "permission_denied"


def test_api_keys_go_through_flask(api, support, admin_headers, dispatches):
    _, headers = support
    _warm(api, "/crm/customer/?page=1", headers)
    created = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "reader", "scopes": ["customer.read"]},
        headers=admin_headers,
    )
    key = {"X-API-Key": created.get_json()["key"]}
    before = len(dispatches)
    answer = api.client.get("/crm/customer/?page=1", headers=key)
    assert answer.status_code == 200 and len(dispatches) == before + 1


def test_a_replayed_read_is_logged_and_counted(api, support, dispatches, monkeypatch):
    import structlog

    from omnicrm.core.metrics import REQUEST_COUNT

    user, headers = support
    url = "/crm/customer/?page=1"
    _warm(api, url, headers)
    counter = REQUEST_COUNT.labels("GET", "customers.Customers", "200")
    counted = counter._value.get()
    lines = []

    class Recorder:  # the same call the Flask path's after-request hook makes
        def info(self, event, **fields):
            lines.append((event, structlog.contextvars.get_contextvars(), fields))

    monkeypatch.setattr(replay, "log", Recorder())
    before = len(dispatches)
    api.client.get(url, headers={**headers, "X-Request-ID": "logged-replay"})
    assert len(dispatches) == before
    assert counter._value.get() == counted + 1
    [(event, bound, fields)] = lines
    assert (event, bound) == ("request", {"request_id": "logged-replay"})
    assert {k: fields[k] for k in ("method", "path", "status", "user_id")} == {
        "method": "GET",
        "path": "/crm/customer/",
        "status": 200,
        "user_id": user.id,
    }
    assert fields["ms"] >= 0
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks into the next line


def test_an_entry_due_for_renewal_goes_to_flask(api, support, dispatches, monkeypatch, app):
    _, headers = support
    url = "/crm/customer/?page=1"
    _warm(api, url, headers)
    ttl = app.extensions["omnicrm_settings"].response_cache_ttl
    real_time = store.time.time
    monkeypatch.setattr(
        store.time, "time", lambda: real_time() + ttl * (1 - store.REFRESH_AHEAD / 2)
    )
    before = len(dispatches)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "miss"  # renewed
    assert len(dispatches) == before + 1


def test_replay_can_be_switched_off_and_is_off_under_an_app_wide_limit(settings):
    # A bare Flask app with what install_replay reads (create_app here would rebind the
    # process-wide Socket.IO server to a second app).
    from flask import Flask

    from omnicrm.response_cache.replay import install_replay
    from omnicrm.response_cache.store import LocalEntries

    def installed(**changes):
        flask_app = Flask("replay-switch")
        flask_app.extensions["omnicrm_settings"] = settings.model_copy(update=changes)
        flask_app.extensions[store.LOCAL_ENTRIES] = LocalEntries(8)
        install_replay(flask_app, lambda app, token, also: None)
        return isinstance(flask_app.wsgi_app, HotReads)

    assert installed()
    assert not installed(response_cache_replay=False)
    assert not installed(default_rate_limit="100 per minute")
    assert not installed(response_cache_ttl=0)


def test_an_answer_whose_body_differs_from_the_entry_is_not_recorded(app, api, support):
    _, headers = support
    url = "/crm/customer/?page=1&page_size=3"
    _warm(api, url, headers)
    middleware = app.wsgi_app
    where = ("/crm/customer/", "page=1&page_size=3")
    route = middleware.routes.pop(where)
    # The same answer, but the body a later hook would have changed: one byte longer.
    seen_headers = [
        (n, str(int(v) + 1) if n.lower() == "content-length" else v) for n, v in route.headers
    ]
    middleware._remember(where, route.candidate, route.status, seen_headers)
    assert where not in middleware.routes
    middleware._remember(where, route.candidate, route.status, route.headers)
    assert middleware.routes[where].body == route.body
