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
        "/crm/auth/2fa/enable",
        json={"code": pyotp.TOTP(secret).now(), "password": TEST_PASSWORD},
        headers=headers,
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
    response = api.client.post(
        "/crm/auth/2fa/enable", json={"code": "123456", "password": TEST_PASSWORD}, headers=headers
    )
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


# ---------------------------------------------------------------------------------------------
# Enabling needs the password and ends the other sessions; wrong codes throttled per client
# ---------------------------------------------------------------------------------------------
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
REAL_USER = {"REMOTE_ADDR": "198.51.100.7"}


def _activity(db_session, action):
    from sqlalchemy import select

    from omnicrm.activity.models import Activity

    db_session.expire_all()
    stmt = select(Activity).where(Activity.action == action).order_by(Activity.activity_id)
    return list(db_session.scalars(stmt))


def test_enable_needs_the_current_password(api, make_user, db_session):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        headers = bearer(api.login(user.email)["token"])
        secret = api.client.post("/crm/auth/2fa/setup", headers=headers).get_json()["secret"]
        code = pyotp.TOTP(secret).now()
        missing = api.client.post("/crm/auth/2fa/enable", json={"code": code}, headers=headers)
        assert missing.status_code == 422
        assert "password" in missing.get_json()["errors"]["json"]
        guess = "a stolen session's guess"
        wrong = api.client.post(
            "/crm/auth/2fa/enable", json={"code": code, "password": guess}, headers=headers
        )
        assert wrong.status_code == 422
        assert wrong.get_json()["errors"]["json"] == {"password": ["is not correct"]}
        me = api.client.get("/crm/auth/me", headers=headers).get_json()
        assert me["user"]["is_2fa_enabled"] is False
        [row] = _activity(db_session, "password_check_failed")
        assert row.user_id == user.id and row.after == {"purpose": "2fa_enable"}
        assert guess not in str(row.after)
        # the code was not spent on the refused attempt
        ok = api.client.post(
            "/crm/auth/2fa/enable", json={"code": code, "password": TEST_PASSWORD}, headers=headers
        )
        assert ok.status_code == 200


def test_wrong_passwords_on_enable_are_throttled(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        headers = bearer(api.login(user.email)["token"])
        secret = api.client.post("/crm/auth/2fa/setup", headers=headers).get_json()["secret"]
        payload = {"code": pyotp.TOTP(secret).now()}
        for _ in range(5):
            response = api.client.post(
                "/crm/auth/2fa/enable", json={**payload, "password": "guess-guess"}, headers=headers
            )
            assert response.status_code == 422
        blocked = api.client.post(
            "/crm/auth/2fa/enable", json={**payload, "password": TEST_PASSWORD}, headers=headers
        )
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == str(blocked.get_json()["retry_after"])


def test_enabling_ends_every_other_session(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00"):
        other = api.login(user.email)  # e.g. a session an attacker holds
        _, _, headers = enrol(api, user)
        assert api.client.get("/crm/auth/me", headers=headers).status_code == 200  # stays
        assert api.client.get("/crm/auth/me", headers=bearer(other["token"])).status_code == 401
        refreshed = api.client.post(
            "/crm/auth/refresh", json={"refresh_token": other["refresh_token"]}
        )
        assert refreshed.status_code == 401
        sessions = api.client.get("/crm/auth/sessions", headers=headers).get_json()
        assert [s["current"] for s in sessions] == [True]


def test_wrong_codes_from_one_client_do_not_lock_out_the_real_user(api, make_user):
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, _ = enrol(api, user)
        for _ in range(5):
            response = api.client.post(
                "/crm/auth/login",
                json={"email": user.email, "password": TEST_PASSWORD, "totp": "000000"},
                environ_base=ATTACKER,
            )
            assert response.status_code == 401
        frozen.tick(30)
        code = pyotp.TOTP(secret).now()
        attacker = api.client.post(
            "/crm/auth/login",
            json={"email": user.email, "password": TEST_PASSWORD, "totp": code},
            environ_base=ATTACKER,
        )
        assert attacker.status_code == 429
        assert attacker.headers["Retry-After"] == str(attacker.get_json()["retry_after"])
        real = api.client.post(
            "/crm/auth/login",
            json={"email": user.email, "password": TEST_PASSWORD, "totp": code},
            environ_base=REAL_USER,
        )
        assert real.status_code == 200


def test_account_ceiling_counts_wrong_codes_from_anywhere(app, api, make_user, monkeypatch):
    monkeypatch.setattr(app.extensions["omnicrm_settings"], "totp_account_max_failures", 8)
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        secret, _, _ = enrol(api, user)
        for i in range(8):  # two per client: no single client reaches its own limit
            response = api.client.post(
                "/crm/auth/login",
                json={"email": user.email, "password": TEST_PASSWORD, "totp": "000000"},
                environ_base={"REMOTE_ADDR": f"192.0.2.{i // 2}"},
            )
            assert response.status_code == 401
        frozen.tick(30)
        locked = api.client.post(
            "/crm/auth/login",
            json={"email": user.email, "password": TEST_PASSWORD, "totp": pyotp.TOTP(secret).now()},
            environ_base=REAL_USER,
        )
        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == str(locked.get_json()["retry_after"])
