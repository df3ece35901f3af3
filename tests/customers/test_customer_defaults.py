"""GET /crm/customer/defaults: what the new-customer form starts from (the operator's settings)."""

from __future__ import annotations

import pytest

URL = "/crm/customer/defaults"


@pytest.fixture
def aud_operator(app, monkeypatch):
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setitem(
        app.extensions,
        "omnicrm_settings",
        settings.model_copy(update={"default_currency": "AUD", "default_phone_region": "AU"}),
    )


def test_defaults_follow_the_operator_settings(api, admin_headers, aud_operator):
    response = api.client.get(URL, headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json() == {"currency": "AUD", "phone_region": "AU"}
    # ...and a customer created without a currency gets the same one.
    created = api.client.post(
        "/crm/customer/", json={"customer_name": "Koala Co"}, headers=admin_headers
    )
    assert created.status_code == 201
    assert created.get_json()["currency"] == "AUD"


def test_defaults_need_a_login_and_customer_read(api, make_user):
    assert api.client.get(URL).status_code == 401
    # Every staff role reads customers; a portal-only principal does not.
    support = api.headers_for(make_user("support").email)
    assert api.client.get(URL, headers=support).status_code == 200
