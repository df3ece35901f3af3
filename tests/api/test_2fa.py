"""TOTP 2FA: enrolment, login step, replay refusal, backup codes, brute-force limit (row 7)."""

from __future__ import annotations

import pyotp
from freezegun import freeze_time

from tests.conftest import TEST_PASSWORD


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def enrol(api, user, frozen=None):
    headers = bearer(api.login(user.email)["token"])
    setup = api.client.post("/crm/auth/2fa/setup", headers=headers)
    assert setup.status_code == 200
    body = setup.get_json()
    assert body["otpauth_uri"].startswith("otpauth://totp/OmniCRM:")
    assert body["qr_svg"].lstrip().startswith("<svg")
    secret = body["secret"]
    enabled = api.client.post(
        "/crm/auth/2fa/enable", json={"code": pyotp.TOTP(secret).now()}, headers=headers
    )
    assert enabled.status_code == 200, enabled.get_json()
    codes = enabled.get_json()["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes, headers


def login(client, email, totp=None):
    payload = {"email": email, "password": TEST_PASSWORD}
    if totp is not None:
        payload["totp"] = totp
    return client.post("/crm/auth/login", json=payload)


def test_login_requires_totp_once_enabled(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, _ = enrol(api, user)
        missing = login(api.client, user.email)
        assert missing.status_code == 401
        assert missing.get_json()["code"] == "totp_required"
        frozen.tick(30)
        ok = login(api.client, user.email, pyotp.TOTP(secret).now())
        assert ok.status_code == 200
        assert ok.get_json()["user"]["is_2fa_enabled"] is True


def test_same_code_twice_is_refused(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, _ = enrol(api, user)
        frozen.tick(30)
        code = pyotp.TOTP(secret).now()
        assert login(api.client, user.email, code).status_code == 200
        frozen.tick(5)  # still inside the same 30 s step
        replay = login(api.client, user.email, code)
        assert replay.status_code == 401
        assert replay.get_json()["code"] == "totp_required"


def test_enrolment_code_cannot_be_replayed_for_login(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        secret, _, _ = enrol(api, user)
        assert login(api.client, user.email, pyotp.TOTP(secret).now()).status_code == 401


def test_backup_code_works_once(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        _, codes, _ = enrol(api, user)
        assert login(api.client, user.email, codes[0]).status_code == 200
        assert login(api.client, user.email, codes[0]).status_code == 401
        assert login(api.client, user.email, codes[1].upper()).status_code == 200


def test_sixth_wrong_code_in_five_minutes_is_429(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, _ = enrol(api, user)
        for _ in range(5):
            assert login(api.client, user.email, "000000").status_code == 401
        frozen.tick(30)
        blocked = login(api.client, user.email, pyotp.TOTP(secret).now())
        assert blocked.status_code == 429
        assert blocked.get_json()["code"] == "rate_limited"


def test_enable_with_wrong_code_is_422_and_2fa_stays_off(api, make_user):
    user = make_user("support")
    headers = bearer(api.login(user.email)["token"])
    api.client.post("/crm/auth/2fa/setup", headers=headers)
    response = api.client.post("/crm/auth/2fa/enable", json={"code": "123456"}, headers=headers)
    assert response.status_code == 422
    assert "code" in response.get_json()["errors"]["json"]
    assert (
        api.client.get("/crm/auth/me", headers=headers).get_json()["user"]["is_2fa_enabled"]
        is False
    )


def test_disable_needs_a_valid_code(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, headers = enrol(api, user)
        assert (
            api.client.post(
                "/crm/auth/2fa/disable", json={"code": "111111"}, headers=headers
            ).status_code
            == 401
        )
        frozen.tick(30)
        done = api.client.post(
            "/crm/auth/2fa/disable", json={"code": pyotp.TOTP(secret).now()}, headers=headers
        )
        assert done.status_code == 200
        assert login(api.client, user.email).status_code == 200


def test_setup_twice_when_enabled_is_409(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        _, _, headers = enrol(api, user)
        assert api.client.post("/crm/auth/2fa/setup", headers=headers).status_code == 409


def test_regenerate_backup_codes_invalidates_old(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, old, headers = enrol(api, user)
        frozen.tick(30)
        fresh = api.client.post(
            "/crm/auth/2fa/backup-codes", json={"code": pyotp.TOTP(secret).now()}, headers=headers
        ).get_json()["backup_codes"]
        assert login(api.client, user.email, old[0]).status_code == 401
        assert login(api.client, user.email, fresh[0]).status_code == 200
