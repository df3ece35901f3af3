"""Hardening found by an outside probe (security review, finding 6): browser security headers,
the UI's file fallback, malformed JSON bodies, LIKE wildcards in searches, /metrics access."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from omnicrm.core.blueprint import MAX_JSON_DEPTH
from omnicrm.core.security_headers import API_POLICY, DOCS_POLICY, UI_POLICY, apply_security_headers
from omnicrm.settings import Settings
from omnicrm.web import register_spa


# --- security headers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "policy"),
    [("/crm/customer/", API_POLICY), ("/healthz", API_POLICY), ("/crm/docs/", DOCS_POLICY)],
)
def test_api_and_docs_answers_carry_the_security_headers(client, admin_headers, path, policy):
    response = client.get(path, headers=admin_headers)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_carry_them_too(client):
    response = client.get("/crm/customer/")
    assert response.status_code == 401
    assert response.headers["Content-Security-Policy"] == API_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_ui_gets_a_policy_that_lets_it_run_and_never_be_framed(client):
    response = client.get("/customers")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == UI_POLICY
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_nginx_config_sends_the_same_ui_policy():
    from pathlib import Path

    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    assert f'add_header Content-Security-Policy "{UI_POLICY}" always;' in conf


def test_a_view_may_set_its_own_headers():
    from werkzeug.datastructures import Headers

    headers = Headers({"Content-Security-Policy": "sandbox"})
    apply_security_headers(headers, "/crm/x", "application/json")
    assert headers["Content-Security-Policy"] == "sandbox"


# --- the UI's file fallback -------------------------------------------------------------------
@pytest.fixture
def spa(tmp_path):
    dist = tmp_path / "ui" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>app</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "ui" / "outside.txt").write_text("secret")
    (tmp_path / "secret.txt").write_text("secret")
    app = Flask("spa-test")
    register_spa(app, Settings(env="test", instance_path=tmp_path, frontend_dist=dist))
    return app.test_client()


def test_the_ui_serves_its_files_and_the_app_for_unknown_paths(spa):
    assert spa.get("/assets/app.js").data == b"console.log(1)"
    assert b"<title>app</title>" in spa.get("/customers/7").data


@pytest.mark.parametrize(
    "existing, missing",
    [
        ("/..%2foutside.txt", "/..%2fnothing.txt"),
        ("/..%2f..%2fsecret.txt", "/..%2f..%2fnothing.txt"),
        ("/assets/..%2f..%2foutside.txt", "/assets/..%2f..%2fnothing.txt"),
        ("/%2e%2e/outside.txt", "/%2e%2e/nothing.txt"),
    ],
)
def test_a_path_outside_the_ui_folder_reveals_nothing(spa, existing, missing):
    """An existing file outside the folder and a missing one get the same answer: the app."""
    there, absent = spa.get(existing), spa.get(missing)
    assert (there.status_code, there.data) == (absent.status_code, absent.data)
    assert there.status_code == 200 and b"<title>app</title>" in there.data
    assert b"secret" not in there.data


# --- malformed JSON bodies --------------------------------------------------------------------
def _post_raw(client, headers, body: str):
    return client.post(
        "/crm/customer/", data=body, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    "name", ["\\ud800", "abc\\udfff", "\\udc00\\ud800"], ids=["high", "low", "reversed"]
)
def test_a_lone_surrogate_is_400_not_500(client, admin_headers, name):
    body = '{"customer_name": "' + name + '", "customer_account_type": "Business"}'
    response = _post_raw(client, admin_headers, body)
    assert response.status_code == 400, response.get_json()
    assert "surrogate" in json.dumps(response.get_json())


def test_a_lone_surrogate_in_a_key_is_400(client, admin_headers):
    response = _post_raw(client, admin_headers, '{"\\ud800": 1}')
    assert response.status_code == 400


def test_a_surrogate_pair_is_an_ordinary_character(client, admin_headers):
    body = (
        '{"customer_name": "Smile \\ud83d\\ude00 Pty", "customer_account_type": "Business",'
        ' "customer_payment_type": "prepaid"}'
    )
    response = _post_raw(client, admin_headers, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["customer_name"] == "Smile \U0001f600 Pty"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 50_000])
def test_json_nested_too_deep_is_400_not_500(client, admin_headers, depth):
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = _post_raw(client, admin_headers, body)
        assert response.status_code == 400, response.get_json()
        assert "nested deeper" in json.dumps(response.get_json())


def test_json_within_the_depth_limit_still_reaches_validation(client, admin_headers):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = _post_raw(client, admin_headers, '{"customer_name": ' + nested + "}")
    assert response.status_code == 422  # the schema's answer: not a string


# --- LIKE wildcards ---------------------------------------------------------------------------
def _searches(client, admin_headers):
    spec = client.get("/crm/openapi.json").get_json()
    for path, item in spec["paths"].items():
        get = item.get("get")
        if (
            "{" in path
            or not get
            or "application/json" not in get["responses"]["200"].get("content", {})
        ):
            continue  # exports are files
        names = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
        if "q" in names:
            yield path


def test_every_search_takes_wildcards_literally(client, admin_headers, make_user):
    make_user("support", full_name="Plain Name")  # a user every unescaped pattern would match
    searched = list(_searches(client, admin_headers))
    assert "/crm/user/" in searched and "/crm/customer/" in searched
    for path in searched:
        for wildcard in ("%", "_", "%%", "\\"):
            response = client.get(path, query_string={"q": wildcard}, headers=admin_headers)
            assert response.status_code == 200, (path, response.get_json())
            assert response.get_json() == [], (path, wildcard)


# --- /metrics ---------------------------------------------------------------------------------
def test_metrics_answer_a_local_scraper_without_a_token(client):
    assert client.get("/metrics").status_code == 200


def test_metrics_refuse_a_remote_caller_without_the_token(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404
    assert b"omnicrm_http" not in response.data


def test_metrics_with_a_token_need_it_from_everyone(app, client, monkeypatch):
    monkeypatch.setattr(app.extensions["omnicrm_settings"], "metrics_token", "scrape-secret-1")
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics").status_code == 404  # loopback is not enough now
    wrong = {"Authorization": "Bearer scrape-secret-2"}
    assert client.get("/metrics", headers=wrong, environ_base=remote).status_code == 404
    right = {"Authorization": "Bearer scrape-secret-1"}
    response = client.get("/metrics", headers=right, environ_base=remote)
    assert response.status_code == 200
    assert b"omnicrm_http_requests_total" in response.data


def test_with_stripe_the_ui_policy_lets_stripe_js_in_and_nothing_else(app, client):
    from omnicrm.core.security_headers import STRIPE_UI_POLICY

    settings = app.extensions["omnicrm_settings"]
    settings.stripe_publishable_key = "pk_test_policy"
    try:
        policy = client.get("/customers").headers["Content-Security-Policy"]
        api_policy = client.get("/crm/customer/").headers["Content-Security-Policy"]
    finally:
        settings.stripe_publishable_key = ""
    assert policy == STRIPE_UI_POLICY
    assert "script-src 'self' https://js.stripe.com" in policy
    assert "connect-src 'self' https://api.stripe.com;" in policy
    assert "frame-ancestors 'none'" in policy
    assert api_policy == API_POLICY  # the API's answers stay locked down
