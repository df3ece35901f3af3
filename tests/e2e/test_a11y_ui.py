"""Every main screen of the staff UI, light and dark, in a real browser: axe-core (the npm
package the front end installs, injected into the page) finds no serious or critical WCAG 2.1
A/AA violation, and each screen is photographed at 1440x900 and 390x844 into ARTIFACTS
(``<screen>-<scheme>-<width>.png``; CI keeps them with its reports).

The screens are the navbar's areas and the detail pages a sale makes (its customer, product,
contract, service and provisioning job), plus the signed-out pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

AXE = Path(__file__).parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = [(1440, 900), (390, 844)]
FAILING_IMPACTS = {"serious", "critical"}

# Ready: the page has named its tab and nothing in the main area is still loading.
SETTLED_JS = """
() => document.title.includes("·")
  && !document.querySelector(
    "main .mantine-Loader-root, main [aria-busy='true'], main .mantine-Skeleton-root"
  )
"""

RUN_AXE_JS = """
async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map(
      (n) => `${n.target.join(" ")} ${n.html.slice(0, 160)} :: ${n.failureSummary}`
    ),
  }));
}
"""


@dataclass(frozen=True)
class Sale:
    email: str
    password: str
    customer_id: int
    product_id: int
    contract_id: int
    service_id: int
    provision_id: int


@pytest.fixture
def sale(
    app: Any,
    database: Any,
    committed_sale: Callable[..., tuple[str, str, int, int]],
    worker: Any,
) -> Iterator[Sale]:
    """An admin and a sale whose activation play the worker has run, all committed."""
    from sqlalchemy import select

    from omnicrm.contracts.use_cases import create_contract
    from omnicrm.provisioning.models import Provision
    from omnicrm.provisioning.use_cases import PlayConfig

    settings = app.extensions["omnicrm_settings"]
    email, password, customer_id, product_id = committed_sale(
        payment_type="prepaid",
        stock=2,
        retail_cost=Decimal("15.00"),
        data_mb=10240,
        provisioning_play="mobile_activate",
        provisioning_json_vars={"apn": "internet", "qos_profile": "basic"},
    )
    with app.test_request_context(), database.job_scope() as session:
        contract = create_contract(
            session,
            customer_id=customer_id,
            product_id=product_id,
            play_config=PlayConfig.from_settings(settings),
        )
        contract_id, service_id = contract.contract_id, contract.service_id
    with database.job_scope() as session:
        provision_id = session.scalars(
            select(Provision.provision_id).where(Provision.service_id == service_id)
        ).first()
    assert provision_id is not None
    yield Sale(email, password, customer_id, product_id, contract_id, service_id, provision_id)


def _screens(sale: Sale) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("customers", "/customers"),
        ("customer", f"/customers/{sale.customer_id}"),
        ("wizard", f"/customers/{sale.customer_id}/contracts/new"),
        ("products", "/products"),
        ("product", f"/products/{sale.product_id}"),
        ("stock", "/inventory"),
        ("items", "/inventory/items"),
        ("stock-import", "/inventory/import"),
        ("services", "/services"),
        ("service", f"/services/{sale.service_id}"),
        ("contracts", "/contracts"),
        ("contract", f"/contracts/{sale.contract_id}"),
        ("provisioning", "/provisioning"),
        ("provision-jobs", "/provisioning/jobs"),
        ("provision-job", f"/provisioning/{sale.provision_id}"),
        ("invoices", "/invoices"),
        ("billing-runs", "/billing/runs"),
        ("dunning", "/payments/dunning"),
        ("reconciliation", "/payments/reconciliation"),
        ("expiring-cards", "/payments/expiring-cards"),
        ("tickets", "/tickets"),
        ("outbox", "/outbox"),
        ("templates", "/outbox/templates"),
        ("activity", "/activity"),
        ("imports", "/imports"),
        ("scheduler", "/settings/scheduler"),
        ("security", "/settings/security"),
        ("users", "/settings/users"),
        ("roles", "/settings/roles"),
        ("api-keys", "/settings/api-keys"),
    ]


def _settle(page: Any, name: str) -> None:
    try:
        page.wait_for_function(SETTLED_JS)
    except Exception as error:  # name the screen that never settled
        raise AssertionError(f"{name} ({page.url}) never finished loading: {error}") from error
    page.wait_for_timeout(250)  # Mantine's transitions (menus, tabs) finish in 200 ms


def _audit(page: Any, name: str, scheme: str, found: dict[str, list[dict[str, Any]]]) -> None:
    """Check the current page with axe at each viewport and photograph it."""
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        _settle(page, name)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{scheme}-{width}.png"), full_page=True)
        bad = [v for v in page.evaluate(RUN_AXE_JS) if v["impact"] in FAILING_IMPACTS]
        if bad:
            found[f"{name} ({scheme}, {width}px)"] = bad


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_screens_pass_axe(page: Any, live_server: str, sale: Sale, scheme: str) -> None:
    assert AXE.exists(), f"{AXE} is missing: run `make setup` (npm ci installs axe-core)"
    page.emulate_media(color_scheme=scheme)
    # An init script (not a <script> tag, which the app's CSP refuses) gives every page axe.
    page.add_init_script(path=str(AXE))
    found: dict[str, list[dict[str, Any]]] = {}

    page.goto(f"{live_server}/login")
    _audit(page, "login", scheme, found)
    page.goto(f"{live_server}/forgot-password")
    _audit(page, "forgot-password", scheme, found)

    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, sale.email, sale.password)
    for name, path in _screens(sale):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{live_server}{path}")
        _audit(page, name, scheme, found)

    assert found == {}, "axe found serious/critical violations:\n" + json.dumps(found, indent=1)
