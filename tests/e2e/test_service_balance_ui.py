"""Charging in a real browser: on an active service's page the data allowance shows as a bar of
its size, and two top-ups of 12.50 through the dialog show in the money balance (12.50, then
25.00) and in the ledger as Top-up rows; the database holds exactly those two movements. Usage
rated through the API shows in the usage card: the period's totals and a chart of each day."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@pytest.fixture
def active_service(
    app: Any, database: Any, committed_sale: Callable[..., tuple[str, str, int, int]]
) -> tuple[str, str, int]:
    """An admin and an active prepaid service whose 10 GB data allowance has 7.2 GB left,
    committed; returns (email, password, service_id)."""
    from omnicrm.catalog.models import Product
    from omnicrm.charging.ledger import InternalLedger
    from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
    from omnicrm.charging.use_cases import ensure_account
    from omnicrm.core.db import utcnow
    from omnicrm.services.models import Service, ServiceStatus
    from omnicrm.services.use_cases import open_service

    email, password, customer_id, product_id = committed_sale(
        payment_type="prepaid", stock=0, retail_cost=Decimal("15.00"), data_mb=10240
    )
    with app.test_request_context(), database.job_scope() as session:
        product = session.get(Product, product_id)
        service_id = open_service(
            session, customer_id=customer_id, product=product, status=ServiceStatus.active
        )
        service = session.get(Service, service_id)
        ensure_account(session, service)
        # What the allowance grant leaves after 2.8 GB of use, named as it names it.
        InternalLedger(session).set_balance(
            service.service_uuid,
            BalanceSpec(
                BalanceType.data,
                Decimal("7372.8"),
                balance_id=f"{product.product_slug}-data",
                expiry=utcnow() + timedelta(days=20),
                weight=20,
            ),
            cause=Cause.allowance,
            reference="browser test allowance",
        )
    return email, password, service_id


# What sticks out past the window's right edge (a table's scroll container clips its table).
WIDER_THAN_THE_WINDOW = """
  [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((el) => !el.closest(".mantine-ScrollArea-root, [data-portal]"))
    .map((el) => `${el.tagName}.${el.className}`.slice(0, 120))
"""


def assert_fits_the_window(page: Any) -> None:
    """Nothing sticks out past the window's right edge. Layouts that follow the width through
    a media-query hook re-render a moment after a resize, so the page gets a few seconds to
    settle before what still sticks out is reported."""
    with contextlib.suppress(Exception):  # what still sticks out is reported below
        page.wait_for_function(f"({WIDER_THAN_THE_WINDOW}).length === 0", timeout=5_000)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []


def top_up(page: Any, amount: str) -> None:
    page.get_by_test_id("service-topup").click()
    page.get_by_test_id("topup-amount").fill(amount)
    page.get_by_test_id("topup-submit").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_top_ups_show_in_the_balance_and_the_ledger(page, live_server, active_service, database):
    from sqlalchemy import select

    from omnicrm.charging.models import BalanceMovement, ChargingBalance
    from omnicrm.services.models import Service

    email, password, service_id = active_service
    login(page, live_server, email, password)
    page.goto(f"{live_server}/services/{service_id}")

    balances = page.get_by_test_id("service-balances")
    data = balances.locator('[data-testid="balance-row"][data-balance-type="data"]')
    expect(data.get_by_test_id("balance-value")).to_have_text("7.2 GB of 10 GB")
    expect(data.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "72")
    expect(data).to_contain_text("Renews")
    money = balances.locator('[data-testid="balance-row"][data-balance-type="monetary"]')
    expect(money).to_have_count(0)

    # A typo is refused in the dialog, before anything is sent.
    page.get_by_test_id("service-topup").click()
    page.get_by_test_id("topup-amount").fill("12.505050")
    page.get_by_test_id("topup-submit").click()
    expect(page.get_by_test_id("topup-form")).to_contain_text("At most 4 decimal places")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    top_up(page, "12.50")
    expect(money.get_by_test_id("balance-value")).to_have_text("12.50 USD")
    ledger = page.get_by_test_id("service-ledger")
    top_ups = ledger.locator('[data-testid="ledger-row"][data-cause="topup"]')
    expect(top_ups).to_have_count(1)
    expect(top_ups.first.get_by_test_id("ledger-cause")).to_have_text("Top-up")
    expect(top_ups.first.get_by_test_id("ledger-amount")).to_have_text("+12.50 USD")
    expect(top_ups.first).to_contain_text("staff top-up")

    top_up(page, "12.50")
    expect(money.get_by_test_id("balance-value")).to_have_text("25.00 USD")
    expect(top_ups).to_have_count(2)
    # Newest first: the second top-up left 25.00.
    expect(ledger.get_by_test_id("ledger-row").first).to_contain_text("25.00 USD")
    page.screenshot(path=str(ARTIFACTS / "service-balances.png"), full_page=True)

    # A phone's width: the cards stack and nothing makes the page scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(money.get_by_test_id("balance-value")).to_be_visible()
    assert_fits_the_window(page)
    page.screenshot(path=str(ARTIFACTS / "service-balances-390.png"), full_page=True)

    with database.job_scope() as session:
        amounts = session.scalars(
            select(BalanceMovement.amount)
            .join(ChargingBalance, ChargingBalance.balance_pk == BalanceMovement.balance_pk)
            .join(Service, Service.service_uuid == ChargingBalance.account)
            .where(Service.service_id == service_id, BalanceMovement.cause == "topup")
        ).all()
    assert sorted(amounts) == [Decimal("12.50"), Decimal("12.50")]


@pytest.fixture
def rated_service(
    app: Any, database: Any, committed_sale: Callable[..., tuple[str, str, int, int]]
) -> tuple[str, str, int, str]:
    """An admin and an active prepaid service rating data at 0.05 a MB, voice at 0.20 a minute
    and SMS at 0.10 each, with a 100 MB data allowance and 10.00 of money, committed; returns
    (email, password, service_id, service_uuid)."""
    from omnicrm.catalog.models import Product
    from omnicrm.charging.ledger import InternalLedger
    from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
    from omnicrm.charging.use_cases import ensure_account
    from omnicrm.core.db import utcnow
    from omnicrm.services.models import Service, ServiceStatus
    from omnicrm.services.use_cases import open_service

    email, password, customer_id, product_id = committed_sale(
        payment_type="prepaid",
        stock=0,
        retail_cost=Decimal("15.00"),
        data_mb=100,
        rate_per_mb=Decimal("0.05"),
        rate_per_minute=Decimal("0.20"),
        rate_per_sms=Decimal("0.10"),
    )
    with app.test_request_context(), database.job_scope() as session:
        product = session.get(Product, product_id)
        service_id = open_service(
            session, customer_id=customer_id, product=product, status=ServiceStatus.active
        )
        service = session.get(Service, service_id)
        ensure_account(session, service)
        ledger = InternalLedger(session)
        ledger.set_balance(
            service.service_uuid,
            BalanceSpec(
                BalanceType.data,
                Decimal(100),
                balance_id=f"{product.product_slug}-data",
                expiry=utcnow() + timedelta(days=20),
                weight=20,
            ),
            cause=Cause.allowance,
            reference="browser test allowance",
        )
        ledger.add_balance(
            service.service_uuid,
            BalanceSpec(BalanceType.monetary, Decimal("10.00")),
            cause=Cause.topup,
            reference="browser test money",
        )
        service_uuid = service.service_uuid
    return email, password, service_id, service_uuid


# The usage chart, its hidden tooltip included, is drawn within the window.
CHART_FITS = """() => {
  const chart = document.querySelector('[data-testid="usage-chart"]');
  return chart !== null && chart.querySelector("svg.recharts-surface") !== null
    && [chart, ...chart.querySelectorAll("*")]
      .every((el) => el.getBoundingClientRect().right <= window.innerWidth + 1);
}"""


def test_rated_usage_shows_in_the_usage_card(page, live_server, rated_service):
    email, password, service_id, service_uuid = rated_service
    # Usage comes in through the real API, as a mediation system would send it.
    answer = page.request.post(
        f"{live_server}/crm/auth/login", data={"email": email, "password": password}
    )
    assert answer.ok, answer.text()
    token = answer.json()["token"]
    now = datetime.now(UTC)
    today, two_days_ago = now - timedelta(minutes=1), now - timedelta(days=2)

    def record(kind: str, units: str, at: datetime) -> dict[str, str]:
        return {
            "id": f"browser-{uuid.uuid4().hex}",
            "service_uuid": service_uuid,
            "type": kind,
            "units": units,
            "start_time": at.isoformat(timespec="seconds"),
        }

    answer = page.request.post(
        f"{live_server}/crm/charging/cdr",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "records": [
                # 30 + 70 MB from the allowance, the other 50 MB at 0.05: 2.50
                record("data", "30", two_days_ago),
                record("data", "120", today),
                record("voice", "3", today),  # 0.60
                record("sms", "2", today),  # 0.20
            ]
        },
    )
    assert answer.ok, answer.text()
    assert answer.json()["rated"] == 4

    login(page, live_server, email, password)
    page.goto(f"{live_server}/services/{service_id}")
    usage = page.get_by_test_id("service-usage")
    expect(usage).to_contain_text("Last 30 days")

    def total(kind: str) -> Any:
        return usage.locator(f'[data-testid="usage-total"][data-usage-type="{kind}"]')

    expect(total("data").get_by_test_id("usage-units")).to_have_text("150 MB")
    expect(total("data").get_by_test_id("usage-charged")).to_have_text("2.50 USD charged")
    expect(total("data")).to_contain_text("2 records · 100 MB from allowances")
    expect(total("voice").get_by_test_id("usage-units")).to_have_text("3 min")
    expect(total("voice").get_by_test_id("usage-charged")).to_have_text("0.60 USD charged")
    expect(total("sms").get_by_test_id("usage-units")).to_have_text("2 SMS")
    expect(total("sms").get_by_test_id("usage-charged")).to_have_text("0.20 USD charged")

    # The chart draws data first: a bar for each of the two days with data use.
    chart = usage.get_by_test_id("usage-chart")
    expect(chart).to_have_attribute("data-usage-type", "data")
    expect(chart.locator("svg.recharts-surface")).to_be_visible()
    expect(chart.locator(".recharts-bar-rectangle")).to_have_count(2)
    usage.get_by_test_id("usage-kind").get_by_text("SMS").click()
    expect(chart).to_have_attribute("data-usage-type", "sms")
    expect(chart.locator(".recharts-bar-rectangle")).to_have_count(1)
    page.mouse.move(0, 0)  # the tooltip off the chart
    usage.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "service-usage.png"), full_page=True)

    # A phone's width: the chart shrinks with the card (once its resize observer has fired),
    # and nothing makes the page scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(CHART_FITS)
    expect(chart.locator("svg.recharts-surface")).to_be_visible()
    assert_fits_the_window(page)
    page.screenshot(path=str(ARTIFACTS / "service-usage-390.png"), full_page=True)
