"""Live state in a real browser: with a fresh sale's contract page and its service page open
(two tabs), the activation job's success flips both to Active with their start dates, without
a reload (the /live Socket.IO namespace invalidates the pages' queries)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

ACTIVE = re.compile(r"^active$", re.IGNORECASE)


@pytest.fixture
def sale(committed_sale: Any) -> tuple[str, str, int, int]:
    return committed_sale(  # type: ignore[no-any-return]
        payment_type="prepaid",
        retail_cost=Decimal("15.00"),
        data_mb=5120,
        voice_minutes=200,
        sms=200,
        provisioning_play="mobile_activate",
        provisioning_json_vars={"apn": "internet", "qos_profile": "basic"},
    )


def _watch_navigations(page: Any) -> list[str]:
    """Every main-frame navigation from now on (a reload is one), and a marker in the window
    that a reload would wipe."""
    seen: list[str] = []
    page.on(
        "framenavigated", lambda frame: seen.append(frame.url) if frame == page.main_frame else None
    )
    page.evaluate("window.__liveMarker = 'still here'")
    return seen


def _start_of_contract(page: Any) -> Any:
    return page.get_by_text("Start", exact=True).locator("xpath=following-sibling::div[1]")


def test_contract_and_service_pages_turn_active_without_a_reload(page, live_server, sale, worker):
    email, password, customer_id, product_id = sale
    login(page, live_server, email, password)
    worker.pause()  # the activation job waits until both pages are open
    page.goto(f"{live_server}/customers/{customer_id}/contracts/new")
    page.get_by_test_id(f"wizard-product-{product_id}").click()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-create").click()
    page.wait_for_url(re.compile(r"/contracts/\d+$"))
    expect(page.get_by_test_id("contract-status")).to_have_text("Accepted")
    expect(_start_of_contract(page)).to_have_text("—")
    service_href = page.get_by_test_id("contract-service").get_attribute("href")
    assert service_href and re.fullmatch(r"/services/\d+", service_href), service_href

    service_page = page.context.new_page()
    service_page.goto(f"{live_server}{service_href}")
    expect(service_page.get_by_test_id("service-status")).to_have_text(
        re.compile("provisioning", re.IGNORECASE)
    )
    expect(service_page.get_by_test_id("service-start-date")).to_have_text("—")

    contract_navigations = _watch_navigations(page)
    service_navigations = _watch_navigations(service_page)
    worker.resume()

    # The play takes a few seconds; once it succeeded, both pages follow within seconds.
    expect(service_page.get_by_test_id("service-status")).to_have_text(ACTIVE, timeout=60_000)
    expect(service_page.get_by_test_id("service-start-date")).not_to_have_text("—", timeout=3_000)
    expect(page.get_by_test_id("contract-status")).to_have_text("Active", timeout=3_000)
    expect(_start_of_contract(page)).not_to_have_text("—", timeout=3_000)

    assert contract_navigations == [] and service_navigations == []
    for one in (page, service_page):
        assert one.evaluate("window.__liveMarker") == "still here"
