"""The pieces that keep a cached read cheap behave exactly like what they replace."""

from __future__ import annotations

import time

import flask_smorest
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnicrm.core.blueprint import Blueprint
from omnicrm.response_cache.store import Entry, LocalEntries


@given(
    page=st.integers(min_value=1, max_value=60),
    page_size=st.integers(min_value=1, max_value=100),
    item_count=st.integers(min_value=0, max_value=5000),
)
def test_pagination_header_matches_flask_smorest(page, page_size, item_count):
    ours = Blueprint._make_pagination_metadata(page, page_size, item_count)
    theirs = flask_smorest.Blueprint._make_pagination_metadata(page, page_size, item_count)
    assert ours == theirs
    assert list(ours) == list(theirs)  # same key order in the JSON header


def _entry(version: str = "v1", ttl: float = 30) -> Entry:
    return Entry(version=version, body="{}", headers=(), expires_at=time.time() + ttl)


def test_local_entries_evict_the_least_recently_used():
    local = LocalEntries(max_entries=2)
    local.put("a", _entry())
    local.put("b", _entry())
    assert local.get("a", "v1") is not None  # a is now the most recent
    local.put("c", _entry())
    assert local.get("b", "v1") is None
    assert local.get("a", "v1") is not None and local.get("c", "v1") is not None
    assert len(local) == 2


def test_local_entries_drop_other_versions_and_expired_ones():
    local = LocalEntries(max_entries=10)
    local.put("a", _entry("v1"))
    assert local.get("a", "v2") is None
    assert local.get("a", "v1") is None  # dropped when found stale
    local.put("b", _entry(ttl=-1))
    assert local.get("b", "v1") is None
    assert len(local) == 0


def test_local_entries_can_be_switched_off():
    local = LocalEntries(max_entries=0)
    local.put("a", _entry())
    assert local.get("a", "v1") is None


@pytest.fixture
def limiter_calls(monkeypatch):
    from flask_limiter import Limiter

    calls = []
    original = Limiter._check_request_limit

    def spy(self, callable_name=None, in_middleware=True):
        calls.append(in_middleware)
        return original(self, callable_name=callable_name, in_middleware=in_middleware)

    monkeypatch.setattr(Limiter, "_check_request_limit", spy)
    return calls


def test_no_app_wide_limit_means_no_per_request_limiter_pass(
    app, api, admin_headers, limiter_calls
):
    assert api.client.get("/crm/customer/", headers=admin_headers).status_code == 200
    assert limiter_calls == []


def test_an_app_wide_limit_is_still_checked_on_every_request(
    app, api, admin_headers, limiter_calls, monkeypatch
):
    monkeypatch.setitem(app.config, "RATELIMIT_DEFAULT", "1000 per minute")
    assert api.client.get("/crm/customer/", headers=admin_headers).status_code == 200
    assert limiter_calls == [True]


def test_decorated_limits_still_apply(app, api, limiter_calls):
    api.client.post("/crm/auth/login", json={"email": "nobody@example.com", "password": "x"})
    assert limiter_calls == [False]  # checked by the decorator, not the skipped middleware


def test_request_metrics_count_every_answer(app, api, admin_headers):
    from prometheus_client import REGISTRY

    def count(status: str) -> float:
        value = REGISTRY.get_sample_value(
            "omnicrm_http_requests_total",
            {"method": "GET", "endpoint": "customers.Customers", "status": status},
        )
        return value or 0.0

    def observed() -> float:
        value = REGISTRY.get_sample_value(
            "omnicrm_http_request_duration_seconds_count",
            {"method": "GET", "endpoint": "customers.Customers"},
        )
        return value or 0.0

    ok, refused, timed = count("200"), count("422"), observed()
    for _ in range(3):
        assert api.client.get("/crm/customer/", headers=admin_headers).status_code == 200
    assert api.client.get("/crm/customer/?page=0", headers=admin_headers).status_code == 422
    assert count("200") == ok + 3
    assert count("422") == refused + 1
    assert observed() == timed + 4
