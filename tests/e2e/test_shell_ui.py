"""The staff shell in a real browser: with the OS asking for dark (``prefers-color-scheme``), the
whole UI is dark by default — the main area too, not only the header and navbar — and the tab is
named after the page ("Customers · OmniCRM"). Choosing Light in the header's colour-scheme menu
makes it light, and the choice survives a reload. Screenshots of both go to ARTIFACTS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

# The relative luminance (0 black … 1 white) of an element's computed background colour.
LUMINANCE_JS = """
(selector) => {
  const el = document.querySelector(selector);
  const rgb = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
"""


def _luminance(page: Any, selector: str) -> float:
    return float(page.evaluate(LUMINANCE_JS, selector))


def test_dark_by_os_then_light_by_choice(
    page: Any, live_server: str, committed_user: Callable[..., tuple[str, str]]
) -> None:
    page.emulate_media(color_scheme="dark")
    login(page, live_server, *committed_user("admin", "E2E Shell"))

    page.goto(f"{live_server}/customers")
    expect(page.get_by_test_id("customers-table")).to_be_visible()
    expect(page).to_have_title("Customers · OmniCRM")

    # Auto (the default) follows the OS: dark, on the document and in the main area.
    toggle = page.get_by_test_id("color-scheme-toggle")
    expect(toggle).to_have_attribute("data-scheme", "auto")
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
    assert _luminance(page, "main") < 0.05, "the main area should be dark"
    assert _luminance(page, "body") < 0.05, "the page body should be dark"
    page.screenshot(path=str(ARTIFACTS / "shell-dark.png"), full_page=True)

    toggle.click()
    page.get_by_test_id("color-scheme-light").click()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "light")
    expect(toggle).to_have_attribute("data-scheme", "light")
    assert _luminance(page, "main") > 0.8, "the main area should be light"
    assert _luminance(page, "body") > 0.8, "the page body should be light"
    page.screenshot(path=str(ARTIFACTS / "shell-light.png"), full_page=True)

    # The choice is kept (localStorage) over the OS setting.
    page.reload()
    expect(page.get_by_test_id("customers-table")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "light")
    assert _luminance(page, "main") > 0.8
    expect(page).to_have_title("Customers · OmniCRM")
