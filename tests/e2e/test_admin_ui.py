"""The admin and account screens in a real browser, against the live server:

- an admin makes a role (picking permissions) and invites a user with it (no password); the
  invitation's set-password link, read from the outbox row the API wrote, sets a password, and
  the new user sees only what the role allows;
- an API key made in the UI works against the API with its one-time secret, until it is revoked
  in the UI (then 401);
- forgot password: from the login page's link, through the mailed link, to a new password.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


def _mailed_link(database: Any, live_server: str, email: str, template: str) -> str:
    """The newest link mailed to ``email`` with ``template``, moved onto the live server (the
    mail carries ``public_url``; its path and query are what the UI reads)."""
    from omnicrm.notifications.models import Notification

    with database.job_scope() as session:
        note = session.scalars(
            select(Notification)
            .where(Notification.recipient == email, Notification.template == template)
            .order_by(Notification.notification_id.desc())
        ).first()
        assert note is not None, f"no {template} mail to {email} in the outbox"
        link = str(note.context["link"])
        assert link in note.body_text  # the mail itself carries the link
    parts = urlsplit(link)
    return f"{live_server}{parts.path}?{parts.query}"


def _pick_option(page: Any, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=False).first.click()


def test_admin_creates_role_and_invites_user_who_sets_password_and_sees_only_the_role(
    page: Any,
    browser: Any,
    live_server: str,
    database: Any,
    committed_user: Callable[..., tuple[str, str]],
) -> None:
    tag = uuid.uuid4().hex[:8]
    role_name = f"viewer-{tag}"
    new_email = f"e2e-invitee-{tag}@example.com"
    login(page, live_server, *committed_user("admin", "E2E Admin"))

    # The role: two permissions picked by searching the catalogue.
    page.get_by_test_id("nav-settings/roles").click()
    expect(page).to_have_title("Roles · OmniCRM")
    page.get_by_test_id("role-new").click()
    page.get_by_test_id("role-form-name").fill(role_name)
    page.get_by_test_id("role-form-description").fill("Reads customers and tickets")
    page.get_by_test_id("permission-search").fill("customer.read")
    page.get_by_test_id("permission-customer.read").check()
    page.get_by_test_id("permission-search").fill("ticket")
    expect(page.get_by_test_id("permission-customer.read")).to_have_count(0)
    page.get_by_test_id("permission-ticket.read").check()
    expect(page.get_by_test_id("permission-count")).to_have_text("2 selected")
    page.get_by_test_id("role-form-submit").click()
    row = page.locator(f'[data-testid="role-row"][data-role="{role_name}"]')
    expect(row.get_by_test_id("role-permissions")).to_contain_text("customer.read")
    expect(row.get_by_test_id("role-permissions")).to_contain_text("ticket.read")

    # The user: no password, so the form says an invitation goes out.
    page.get_by_test_id("nav-settings/users").click()
    expect(page).to_have_title("Users · OmniCRM")
    page.get_by_test_id("user-new").click()
    page.get_by_test_id("user-form-name").fill("Ivy Invitee")
    page.get_by_test_id("user-form-email").fill(new_email)
    _pick_option(page, "user-form-roles", role_name)
    page.keyboard.press("Escape")  # close the roles dropdown, not the dialog
    expect(page.get_by_test_id("user-invite-note")).to_be_visible()
    page.get_by_test_id("user-form-submit").click()
    page.get_by_test_id("users-search").fill(new_email)
    user_row = page.locator(f'[data-testid="user-row"][data-email="{new_email}"]')
    expect(user_row).to_contain_text(role_name)
    expect(user_row.get_by_test_id("user-active")).to_have_text("Active")
    expect(user_row.get_by_test_id("user-2fa")).to_have_text("Off")

    # The invitee, in a browser of their own, follows the mailed link.
    link = _mailed_link(database, live_server, new_email, "welcome")
    assert "/reset-password?token=" in link
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    invitee = context.new_page()
    invitee.set_default_timeout(15_000)
    try:
        invitee.goto(link)
        expect(invitee).to_have_title("Set a new password · OmniCRM")
        invitee.get_by_test_id("reset-password").fill("ivy's new password")
        invitee.get_by_test_id("reset-confirm").fill("ivy's other password")
        invitee.get_by_test_id("reset-submit").click()
        expect(invitee.get_by_text("The passwords do not match")).to_be_visible()
        invitee.get_by_test_id("reset-confirm").fill("ivy's new password")
        invitee.get_by_test_id("reset-submit").click()
        invitee.wait_for_url(f"{live_server}/login")
        expect(invitee.get_by_test_id("login-notice")).to_contain_text("Your password is set")

        login(invitee, live_server, new_email, "ivy's new password")
        # Customers and Tickets only: no admin settings, no other areas.
        expect(invitee.get_by_test_id("nav-customers")).to_be_visible()
        expect(invitee.get_by_test_id("nav-tickets")).to_be_visible()
        hidden_areas = ("settings/users", "settings/roles", "settings/api-keys", "products")
        for hidden in (*hidden_areas, "invoices"):
            expect(invitee.get_by_test_id(f"nav-{hidden}")).to_have_count(0)
        invitee.goto(f"{live_server}/settings/users")
        expect(invitee.get_by_test_id("users-table")).to_have_count(0)
        expect(invitee).to_have_title("Not allowed · OmniCRM")

        # The link was single use.
        invitee.goto(link)
        invitee.get_by_test_id("reset-password").fill("yet another password")
        invitee.get_by_test_id("reset-confirm").fill("yet another password")
        invitee.get_by_test_id("reset-submit").click()
        expect(invitee.get_by_test_id("reset-invalid")).to_be_visible()
    finally:
        context.close()


def test_api_key_secret_works_until_revoked_in_the_ui(
    page: Any, live_server: str, committed_user: Callable[..., tuple[str, str]]
) -> None:
    name = f"e2e key {uuid.uuid4().hex[:8]}"
    login(page, live_server, *committed_user("admin", "E2E Keys"))

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("user-menu-api-keys").click()
    expect(page).to_have_title("API keys · OmniCRM")
    page.get_by_test_id("apikey-new").click()
    page.get_by_test_id("apikey-form-submit").click()
    expect(page.get_by_text("Name the key (what uses it?)")).to_be_visible()
    page.get_by_test_id("apikey-form-name").fill(name)
    page.get_by_test_id("permission-search").fill("customer.read")
    page.get_by_test_id("permission-customer.read").check()
    page.get_by_test_id("apikey-form-submit").click()

    modal = page.get_by_test_id("apikey-secret-modal")
    expect(modal).to_contain_text("only time the key is shown")
    secret = page.get_by_test_id("apikey-secret").inner_text().strip()
    assert secret.startswith("ock_")
    page.get_by_test_id("apikey-secret-done").click()
    expect(modal).to_have_count(0)

    row = page.locator(f'[data-testid="apikey-row"][data-name="{name}"]')
    expect(row).to_contain_text("customer.read")
    expect(row.get_by_test_id("apikey-prefix")).to_have_text(secret.split("_")[1])
    assert secret not in page.content()  # shown once, never again

    headers = {"X-API-Key": secret}
    ok = requests.get(f"{live_server}/crm/customer/", headers=headers, timeout=10)
    assert ok.status_code == 200, ok.text
    # Its scope is customer.read only.
    assert requests.get(f"{live_server}/crm/user/", headers=headers, timeout=10).status_code == 403

    row.get_by_test_id("apikey-revoke").click()
    page.get_by_test_id("confirm-action").click()
    expect(row).to_have_count(0)
    refused = requests.get(f"{live_server}/crm/customer/", headers=headers, timeout=10)
    assert refused.status_code == 401, refused.text


def test_forgot_password_from_the_login_page(
    page: Any,
    live_server: str,
    database: Any,
    committed_user: Callable[..., tuple[str, str]],
) -> None:
    email, old_password = committed_user("support", "E2E Forgetful")

    page.goto(f"{live_server}/login")
    page.get_by_test_id("login-forgot").click()
    page.wait_for_url(f"{live_server}/forgot-password")
    expect(page).to_have_title("Forgot password · OmniCRM")
    page.get_by_test_id("forgot-email").fill(email)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("forgot-sent")).to_contain_text(email)

    page.goto(_mailed_link(database, live_server, email, "reset_password"))
    page.get_by_test_id("reset-password").fill("short")
    page.get_by_test_id("reset-confirm").fill("short")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_text("At least 8 characters", exact=True)).to_be_visible()
    page.get_by_test_id("reset-password").fill("a fresh new password")
    page.get_by_test_id("reset-confirm").fill("a fresh new password")
    page.get_by_test_id("reset-submit").click()
    page.wait_for_url(f"{live_server}/login")
    expect(page.get_by_test_id("login-notice")).to_be_visible()

    # The old password is over; the new one signs in.
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(old_password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Invalid email or password.")
    page.get_by_test_id("login-password").fill("a fresh new password")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_invalid_reset_and_verify_links_say_so(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/reset-password?token=not-a-real-token-at-all")
    page.get_by_test_id("reset-password").fill("a fresh new password")
    page.get_by_test_id("reset-confirm").fill("a fresh new password")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-invalid")).to_contain_text(
        "invalid, was already used or has expired"
    )

    page.goto(f"{live_server}/verify-email?token=not-a-real-token-at-all")
    expect(page).to_have_title("Verify e-mail · OmniCRM")
    expect(page.get_by_test_id("verify-invalid")).to_be_visible()
    page.get_by_test_id("verify-login").click()
    page.wait_for_url(f"{live_server}/login")
