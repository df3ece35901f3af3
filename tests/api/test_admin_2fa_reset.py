"""An administrator resets the 2FA of a user who lost their device (POST /crm/user/<id>/2fa/reset):
the second factor goes, every session of the user ends, the change is audited; never for
oneself (409 ``self_reset``), never for someone holding more than the actor (403)."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from omnicrm.activity.models import Activity
from omnicrm.auth.models import BackupCode
from tests.api.test_2fa import enrol, login


def _reset(api, user_id, headers):
    return api.client.post(f"/crm/user/{user_id}/2fa/reset", headers=headers)


def test_admin_resets_a_users_2fa_ending_their_sessions(api, make_user, db_session):
    admin = make_user("admin")
    user = make_user("support")
    with freeze_time("2026-11-22 10:00:00") as frozen:
        admin_headers = api.headers_for(admin.email)
        _, _, user_headers = enrol(api, user)
        assert login(api.client, user.email).get_json()["code"] == "totp_required"
        frozen.tick(30)

        response = _reset(api, user.id, admin_headers)

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["is_2fa_enabled"] is False
        # The old session is over; the password alone signs in again; the backup codes are gone.
        assert api.client.get("/crm/auth/me", headers=user_headers).status_code == 401
        again = login(api.client, user.email)
        assert again.status_code == 200
        assert again.get_json()["user"]["is_2fa_enabled"] is False
    db_session.expire_all()
    assert db_session.scalars(select(BackupCode).where(BackupCode.user_id == user.id)).all() == []
    assert user.totp_secret is None
    audit = db_session.scalars(
        select(Activity)
        .where(Activity.object_type == "user", Activity.object_id == str(user.id))
        .where(Activity.action == "update")
    ).all()
    assert any(
        row.after == {"is_2fa_enabled": False} and row.user_id == admin.id for row in audit
    ), [(r.before, r.after, r.user_id) for r in audit]


def test_resetting_your_own_2fa_is_refused(api, make_user):
    admin = make_user("admin")
    with freeze_time("2026-11-22 10:00:00"):
        _, _, headers = enrol(api, admin)
        response = _reset(api, admin.id, headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "self_reset"


def test_reset_needs_user_write_and_to_outrank_the_user(api, make_user, db_session):
    from omnicrm.auth.models import Role

    target = make_user("admin")
    support = make_user("support")
    # support holds no user.write: 403 before anything else.
    response = _reset(api, target.id, api.headers_for(support.email))
    assert response.status_code == 403
    # A user admin who is not an admin cannot reset an admin's 2FA.
    db_session.add(
        Role(
            name="useradmin",
            permissions=[
                p
                for p in db_session.scalars(select(Role).where(Role.name == "admin"))
                .one()
                .permissions
                if p.name in {"user.read", "user.write"}
            ],
        )
    )
    db_session.commit()
    useradmin = make_user("useradmin")
    response = _reset(api, target.id, api.headers_for(useradmin.email))
    assert response.status_code == 403
    assert response.get_json()["code"] == "permission_denied"


def test_reset_without_2fa_is_409_and_unknown_user_404(api, make_user, admin_headers):
    user = make_user("support")
    response = _reset(api, user.id, admin_headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "2fa_disabled"
    assert _reset(api, 987654, admin_headers).status_code == 404


def test_weak_new_password_on_change_names_new_password(api, make_user):
    """The UI puts the reason under the input the user typed into."""
    from tests.conftest import TEST_PASSWORD

    user = make_user("support")
    response = api.client.post(
        "/crm/auth/password/change",
        json={"current_password": TEST_PASSWORD, "new_password": "short"},
        headers=api.headers_for(user.email),
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"new_password"}
