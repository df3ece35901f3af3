"""Cross-cutting behaviour: OpenAPI document, errors, limits, metrics, request ids, Socket.IO."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

PUBLIC = {
    ("post", "/crm/auth/login"),
    ("post", "/crm/auth/refresh"),
    ("post", "/crm/auth/password/forgot"),
    ("post", "/crm/auth/password/reset"),
    ("post", "/crm/auth/verify-email/confirm"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("post", "/crm/webhook/stripe"),  # Stripe's signature instead of a principal
    ("post", "/crm/webhook/mailjet"),  # HTTP Basic credentials given to Mailjet
}


@pytest.fixture
def spec(client):
    response = client.get("/crm/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_spec_is_valid_openapi(spec):
    validate(spec)


def test_every_operation_documents_auth_errors_and_a_summary(spec):
    operations = [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 20
    for method, path, op in operations:
        assert op.get("summary"), f"{method} {path} has no summary"
        if (method, path) in PUBLIC:
            assert op.get("security") == [], f"{method} {path} should be public"
        else:
            assert "security" not in op, f"{method} {path} must inherit the global security"
            assert "401" in op["responses"], f"{method} {path} lacks 401"
            if path not in {"/crm/auth/me", "/crm/auth/logout"} and "Requires permission" in op.get(
                "description", ""
            ):
                assert "403" in op["responses"], f"{method} {path} lacks 403"
    assert spec["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]


def test_path_parameters_are_named_resource_id(spec):
    import re

    for path in spec["paths"]:
        for name in re.findall(r"{([^}]+)}", path):
            assert name.endswith("_id"), f"{path}: parameter {name} should be <resource>_id"


def test_served_spec_matches_committed_file(spec):
    import json
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    if not committed.exists():
        pytest.fail("openapi/openapi.json is missing: run `make openapi`")
    assert json.loads(committed.read_text()) == spec, (
        "openapi/openapi.json is stale: run `make openapi`"
    )


def test_swagger_ui_is_served_offline(client):
    page = client.get("/crm/docs/")
    assert page.status_code == 200
    assert b"/crm/docs/static/swagger-ui-bundle.js" in page.data
    assert client.get("/crm/docs/static/swagger-ui-bundle.js").status_code == 200


def test_unknown_api_path_is_json_404(client):
    response = client.get("/crm/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_wrong_method_is_405_json_with_the_allowed_methods(client):
    response = client.delete("/crm/auth/login")
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"POST", "OPTIONS"}
    response = client.open("/crm/customer/1", method="TRACE")
    assert response.status_code == 405
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("path", ["/crm/customer/{}", "/crm/auth/api-key/{}", "/crm/role/{}"])
def test_an_id_no_database_can_hold_is_404_and_documented(call, spec, path):
    method = "delete" if "api-key" in path else "get"
    for beyond in (2**31 - 1, 2**31, 2**63):  # the last id a column holds, and past it
        assert call(method, path.format(beyond), 404)["code"] == "not_found"
    template = path.replace("{}", "{" + path.split("/")[-2].replace("-", "_") + "_id}")
    operation = spec["paths"][template]
    parameter = next(p for p in operation.get("parameters", []) if p["in"] == "path")
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_oversized_body_is_413(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post(
        "/crm/auth/login", data="x" * 5000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_page_size_is_capped(api, admin_headers):
    response = api.client.get("/crm/user/?page_size=100000", headers=admin_headers)
    assert response.status_code == 422
    assert "page_size" in response.get_json()["errors"]["query"]


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"


def test_metrics_expose_latency_status_and_pool(client):
    client.get("/healthz")
    body = client.get("/metrics").data.decode()
    assert "omnicrm_http_request_duration_seconds_bucket" in body
    assert 'omnicrm_http_requests_total{endpoint="ops.Health",method="GET",status="200"}' in body
    assert "omnicrm_db_pool_checked_out" in body


def test_spa_fallback_never_shadows_the_api(client):
    assert client.get("/").status_code == 200
    assert client.get("/customers/12").status_code == 200
    assert client.get("/crm/unknown").status_code == 404


class TestSocketIO:
    """Connections are JWT-checked; emits reach the user's room (through Redis when configured)."""

    def _connect(self, url, auth, transport="websocket"):
        import socketio

        client = socketio.Client(reconnection=False)
        client.connect(url, auth=auth, transports=[transport], wait_timeout=5)
        return client

    def test_missing_token_is_refused_end_to_end(self, live_server):
        import socketio

        with pytest.raises(socketio.exceptions.ConnectionError):
            self._connect(live_server, {})

    @pytest.mark.parametrize(
        "auth", [None, {}, {"token": ""}, {"token": "nope"}, {"token": 123}, "x"]
    )
    def test_handshake_refuses_bad_auth(self, app, auth):
        from flask_socketio import ConnectionRefusedError

        from omnicrm.core.realtime import principal_from_auth

        with app.test_request_context(), pytest.raises(ConnectionRefusedError):
            principal_from_auth(auth)

    def test_token_joins_the_users_room_and_receives_emits(self, live_server, api, make_user):
        import threading

        from omnicrm.extensions import socketio as server_socketio

        user = make_user("support")
        other = make_user("support")
        token = api.login(user.email)["token"]
        other_token = api.login(other.email)["token"]
        mine, theirs = threading.Event(), threading.Event()
        client = self._connect(live_server, {"token": token})
        other_client = self._connect(live_server, {"token": other_token})
        received = []
        client.on("hello", lambda data: (received.append(data), mine.set()))
        other_client.on("hello", lambda data: theirs.set())
        try:
            deadline = 50
            while not mine.is_set() and deadline:
                server_socketio.emit("hello", {"n": 1}, to=f"user:{user.id}")
                mine.wait(0.2)
                deadline -= 1
            assert received and received[0] == {"n": 1}
            assert not theirs.wait(0.5), "another user's client must not receive it"
        finally:
            client.disconnect()
            other_client.disconnect()

    def test_foreign_origin_is_refused(self, live_server, api, make_user):
        import socketio

        token = api.login(make_user("support").email)["token"]
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                live_server,
                auth={"token": token},
                transports=["websocket"],
                headers={"Origin": "https://evil.example"},
                wait_timeout=5,
            )

    def test_revoked_token_cannot_connect(self, live_server, api, make_user):
        import socketio

        user = make_user("support")
        token = api.login(user.email)["token"]
        api.client.post("/crm/auth/logout", headers={"Authorization": f"Bearer {token}"})
        with pytest.raises(socketio.exceptions.ConnectionError):
            self._connect(live_server, {"token": token})
        from flask_socketio import ConnectionRefusedError

        from omnicrm.core.realtime import principal_from_auth

        with api.client.application.test_request_context(), pytest.raises(ConnectionRefusedError):
            principal_from_auth({"token": token})
