"""The customer read cache never serves data older than the last commit."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def headers(api, make_user):
    return api.headers_for(make_user("support").email)


def _create(api, headers, name, **extra):
    response = api.client.post(
        "/crm/customer/", json={"customer_name": name, **extra}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_second_read_is_a_hit_and_a_write_invalidates(api, headers):
    first = _create(api, headers, "Cache One")
    miss = api.client.get("/crm/customer/?page=1", headers=headers)
    hit = api.client.get("/crm/customer/?page=1", headers=headers)
    assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("miss", "hit")
    assert hit.get_json() == miss.get_json()
    assert hit.headers["X-Pagination"] == miss.headers["X-Pagination"]
    _create(api, headers, "Cache Two")
    after = api.client.get("/crm/customer/?page=1", headers=headers)
    assert after.headers["X-Cache"] == "miss"
    assert {c["customer_name"] for c in after.get_json()} >= {"Cache One", "Cache Two"}
    assert '"total": 2' in after.headers["X-Pagination"]
    assert first["customer_id"] in [c["customer_id"] for c in after.get_json()]


def test_detail_reflects_a_patch_immediately(api, headers):
    customer = _create(api, headers, "Before Rename")
    url = f"/crm/customer/{customer['customer_id']}"
    api.client.get(url, headers=headers)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "hit"
    api.client.patch(url, json={"customer_name": "After Rename"}, headers=headers)
    fresh = api.client.get(url, headers=headers)
    assert fresh.headers["X-Cache"] == "miss"
    assert fresh.get_json()["customer_name"] == "After Rename"


def test_contact_change_invalidates_customer_search(api, headers):
    customer = _create(api, headers, "Searchable Co")
    url = "/crm/customer/?q=Zebedee"
    assert api.client.get(url, headers=headers).get_json() == []
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "hit"
    contact = api.client.post(
        "/crm/contact/",
        json={"customer_id": customer["customer_id"], "contact_firstname": "Zebedee"},
        headers=headers,
    )
    assert contact.status_code == 201, contact.get_json()
    found = api.client.get(url, headers=headers).get_json()
    assert [c["customer_id"] for c in found] == [customer["customer_id"]]


def test_a_refused_write_does_not_invalidate(api, headers):
    _create(api, headers, "Dup Source", email="dup@example.com")
    api.client.get("/crm/customer/?page=1", headers=headers)
    refused = api.client.post(
        "/crm/customer/", json={"customer_name": "Dup", "email": "dup@example.com"}, headers=headers
    )
    assert refused.status_code == 409
    assert api.client.get("/crm/customer/?page=1", headers=headers).headers["X-Cache"] == "hit"


def test_cache_is_per_query(api, headers):
    _create(api, headers, "Alpha Query")
    api.client.get("/crm/customer/?q=Alpha", headers=headers)
    other = api.client.get("/crm/customer/?q=Beta", headers=headers)
    assert other.headers["X-Cache"] == "miss"
    assert other.get_json() == []


def test_permission_is_checked_before_the_cache(api, headers, make_user):
    _create(api, headers, "Guarded")
    api.client.get("/crm/customer/?page=1", headers=headers)
    outsider = api.headers_for(make_user("customer").email)
    assert api.client.get("/crm/customer/?page=1", headers=outsider).status_code == 403
    assert api.client.get("/crm/customer/?page=1").status_code == 401


def test_only_200_answers_are_kept(api, headers):
    for url, status in (("/crm/customer/?page=0", 422), ("/crm/customer/2147483000", 404)):
        for _ in range(2):
            answer = api.client.get(url, headers=headers)
            assert answer.status_code == status
            assert "X-Cache" not in answer.headers  # refused by the view each time, never kept


def test_a_hit_skips_parsing_and_the_query(api, headers, monkeypatch):
    from omnicrm.customers import schemas, use_cases

    _create(api, headers, "Parsed Once")
    calls = []
    load, query = schemas.CustomerFilterSchema.load, use_cases.customers_query

    def counting_load(self, *args, **kwargs):
        calls.append("load")
        return load(self, *args, **kwargs)

    def counting_query(*args, **kwargs):
        calls.append("query")
        return query(*args, **kwargs)

    monkeypatch.setattr(schemas.CustomerFilterSchema, "load", counting_load)
    monkeypatch.setattr(use_cases, "customers_query", counting_query)
    url = "/crm/customer/?page=1&q=Parsed"
    miss = api.client.get(url, headers=headers)
    hit = api.client.get(url, headers=headers)
    assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("miss", "hit")
    assert calls == ["load", "query"]
    assert hit.get_data() == miss.get_data()
    assert hit.headers["Content-Type"] == miss.headers["Content-Type"] == "application/json"


def test_cache_can_be_switched_off(app, api, headers, monkeypatch):
    monkeypatch.setattr(app.extensions["omnicrm_settings"], "response_cache_ttl", 0)
    _create(api, headers, "No Cache")
    for _ in range(2):
        assert api.client.get("/crm/customer/?page=1", headers=headers).headers["X-Cache"] == "miss"


def test_writes_from_a_job_invalidate_too(app, api, headers, database):
    from omnicrm.customers.models import Customer

    api.client.get("/crm/customer/?page=1", headers=headers)
    with app.app_context(), database.job_scope() as session:
        session.add(Customer(customer_name="From A Job"))
    listed = api.client.get("/crm/customer/?page=1", headers=headers)
    assert listed.headers["X-Cache"] == "miss"
    assert "From A Job" in [c["customer_name"] for c in listed.get_json()]


# --- one round trip per cached read; the per-process copy ------------------------------------
class _RoundTrips:
    """Counts the writes a Redis client's connections make: one per round trip, whether it
    carries one command, a pipeline or the session check's batch."""

    def __init__(self, client, monkeypatch):
        self.count = 0
        connection_class = client.connection_pool.connection_class
        original = connection_class.send_packed_command

        def send_packed_command(connection, *args, **kwargs):
            self.count += 1
            return original(connection, *args, **kwargs)

        monkeypatch.setattr(connection_class, "send_packed_command", send_packed_command)


def test_a_cached_read_costs_one_redis_round_trip(app, api, headers, monkeypatch):
    customer = _create(api, headers, "One Trip")
    url = f"/crm/customer/{customer['customer_id']}"
    api.client.get(url, headers=headers)  # miss: builds and stores
    trips = _RoundTrips(app.extensions["omnicrm_redis"], monkeypatch)
    for _ in range(3):
        response = api.client.get(url, headers=headers)
        assert response.headers["X-Cache"] == "hit"
        assert response.get_json()["customer_name"] == "One Trip"
    # the session check, which also brings the cache versions: nothing else
    assert trips.count == 3


def test_another_process_bumping_the_version_beats_the_local_copy(app, api, headers):
    from omnicrm.response_cache import bump

    customer = _create(api, headers, "Local Copy")
    url = f"/crm/customer/{customer['customer_id']}"
    api.client.get(url, headers=headers)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "hit"
    # What another process's commit does: only Redis changes, this process's LRU does not.
    bump(app.extensions["omnicrm_redis"], "customers")
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "miss"


def test_a_flushed_redis_never_brings_an_old_entry_back(app, api, make_user):
    user = make_user("support")
    headers = api.headers_for(user.email)
    customer = _create(api, headers, "Before Flush")
    url = f"/crm/customer/{customer['customer_id']}"
    api.client.get(url, headers=headers)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "hit"
    # A Redis restart without persistence: sessions and versions are gone, this process's
    # copy is not. Versions are random tokens, so the new one can never equal the old.
    app.extensions["omnicrm_redis"].flushdb()
    headers = api.headers_for(user.email)
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "miss"
    assert api.client.get(url, headers=headers).headers["X-Cache"] == "hit"


def test_api_key_reads_fetch_the_versions_themselves(app, api, headers, admin_headers):
    customer = _create(api, headers, "Via Key")
    created = api.client.post(
        "/crm/auth/api-key/",
        json={"name": "reader", "scopes": ["customer.read"]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.get_json()
    key = {"X-API-Key": created.get_json()["key"]}
    url = f"/crm/customer/{customer['customer_id']}"
    assert api.client.get(url, headers=key).headers["X-Cache"] == "miss"
    assert api.client.get(url, headers=key).headers["X-Cache"] == "hit"
    api.client.patch(url, json={"customer_name": "Via Key 2"}, headers=headers)
    fresh = api.client.get(url, headers=key)
    assert (fresh.headers["X-Cache"], fresh.get_json()["customer_name"]) == ("miss", "Via Key 2")


# ----------------------------------------------------------------------------------------------
# Single flight and renewal ahead of expiry (a @cached_read view driven directly, many threads)
# ----------------------------------------------------------------------------------------------
def _serve(app, path, build):
    """One request to a ``@cached_read`` view answering ``build()``: (X-Cache, body)."""
    import json

    from flask import Response

    from omnicrm.response_cache import cached_read

    @cached_read("flight-test")
    def view():
        return Response(json.dumps(build()), mimetype="application/json")

    with app.test_request_context(path):
        response = view()
        return response.headers["X-Cache"], response.get_data(as_text=True)


def test_many_readers_missing_one_key_build_it_once(app):
    import threading
    import uuid

    path = f"/crm/flight/{uuid.uuid4().hex}"
    builds, started = [], threading.Event()

    def build():
        builds.append(1)
        started.set()
        time.sleep(0.3)  # the other readers arrive while this build runs
        return {"built": len(builds)}

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(_serve(app, path, build))) for _ in range(8)
    ]
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(builds) == 1
    assert sorted(state for state, _ in results) == ["hit"] * 7 + ["miss"]
    assert {body for _, body in results} == {'{"built": 1}'}


def test_a_failed_build_lets_the_next_reader_build(app):
    import uuid

    path = f"/crm/flight/{uuid.uuid4().hex}"

    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        _serve(app, path, broken)
    # the flight was released: the next reader builds (no 10 s wait), and the one after hits
    started = time.monotonic()
    assert _serve(app, path, lambda: {"ok": True}) == ("miss", '{"ok": true}')
    assert time.monotonic() - started < 2
    assert _serve(app, path, lambda: pytest.fail("built twice")) == ("hit", '{"ok": true}')


def test_an_entry_near_expiry_is_renewed_by_one_reader_while_others_are_served(app, monkeypatch):
    import threading
    import uuid

    from omnicrm.response_cache import store

    path = f"/crm/flight/{uuid.uuid4().hex}"
    ttl = app.extensions["omnicrm_settings"].response_cache_ttl
    assert _serve(app, path, lambda: {"v": 1}) == ("miss", '{"v": 1}')
    assert _serve(app, path, lambda: pytest.fail("fresh entries are served")) == (
        "hit",
        '{"v": 1}',
    )
    # Time passes: the entry is now in the last REFRESH_AHEAD of its TTL, still valid.
    real_time = time.time
    monkeypatch.setattr(
        store.time, "time", lambda: real_time() + ttl * (1 - store.REFRESH_AHEAD / 2)
    )
    renewing, finish = threading.Event(), threading.Event()

    def slow_build():
        renewing.set()
        assert finish.wait(5)
        return {"v": 2}

    renewed = []
    renewer = threading.Thread(target=lambda: renewed.append(_serve(app, path, slow_build)))
    renewer.start()
    assert renewing.wait(5)
    # While it renews, other readers get the current entry at once, and build nothing.
    assert _serve(app, path, lambda: pytest.fail("only one reader renews")) == (
        "hit",
        '{"v": 1}',
    )
    finish.set()
    renewer.join(5)
    assert renewed == [("miss", '{"v": 2}')]
    monkeypatch.setattr(store.time, "time", real_time)
    assert _serve(app, path, lambda: pytest.fail("renewed")) == ("hit", '{"v": 2}')
