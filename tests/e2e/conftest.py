"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a download.

Without Chromium they are skipped with a clear message, unless OMNICRM_E2E_REQUIRED=1 (CI),
where a missing browser or UI build fails the run.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_iccid

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRED = os.environ.get("OMNICRM_E2E_REQUIRED") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests are required here but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, settings: object) -> Iterator[object]:
    dist = settings.frontend_dist  # type: ignore[attr-defined]
    if not (dist / "index.html").exists():
        _unavailable(f"the UI is not built ({dist}); run `make ui`")
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The app runs under its Content-Security-Policy: anything the policy blocks (a script,
    # a style, a WebSocket) is a console error that fails the test.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], f"the Content-Security-Policy blocked: {blocked}"


# --- committed data and helpers shared by the browser tests -------------------------------------
# The browser's requests run on the live server's threads, so what a test arranges must be
# committed for real (the tests are marked ``committed``).
PASSWORD = "browser test password"


@pytest.fixture
def committed_user(app: Any, database: Any) -> Callable[..., tuple[str, str]]:
    """Make a user with ``role``, committed; returns (email, password)."""
    from omnicrm.auth.deps import auth_deps
    from omnicrm.auth.use_cases import create_user

    def _make(role: str, full_name: str = "E2E Staff") -> tuple[str, str]:
        email = f"e2e-{role}-{uuid.uuid4().hex[:8]}@example.com"
        with app.test_request_context(), database.job_scope() as session:
            create_user(
                session,
                auth_deps(),
                email=email,
                password=PASSWORD,
                roles=[role],
                full_name=full_name,
                email_verified=True,
                actor=None,
            )
        return email, PASSWORD

    return _make


@pytest.fixture
def committed_sale(
    app: Any, database: Any, committed_user: Callable[..., tuple[str, str]]
) -> Callable[..., tuple[str, str, int, int]]:
    """Make an admin, an Open customer paying ``payment_type``, a product binding a SIM and a
    number (``product_fields`` on top), and ``stock`` SIMs and numbers, all committed; returns
    (email, password, customer_id, product_id)."""
    from omnicrm.catalog.use_cases import create_product
    from omnicrm.customers.use_cases import create_customer
    from omnicrm.inventory import use_cases as inv

    def _make(
        *, payment_type: str, stock: int = 1, **product_fields: Any
    ) -> tuple[str, str, int, int]:
        email, password = committed_user("admin", "E2E Sales")
        tag = uuid.uuid4().hex[:8]
        with app.test_request_context(), database.job_scope() as session:
            customer = create_customer(
                session,
                customer_name=f"Browser Pty {tag}",
                customer_account_type="Business",
                customer_payment_type=payment_type,
            )
            product = create_product(
                session,
                **{
                    "product_name": f"Browser Mobile {tag}",
                    "category": "standalone",
                    "inventory_items_list": ["SIM Card", "Phone Number"],
                    f"{payment_type}_eligible": True,
                    **product_fields,
                },
            )
            sim = inv.template_named(session, "SIM Card")
            number = inv.template_named(session, "Phone Number")
            for _ in range(stock):
                inv.create_item(
                    session,
                    inventory_template_id=sim.inventory_template_id,
                    serial=random_iccid(),
                    itemtext2=random_imsi(),
                )
                inv.create_item(
                    session,
                    inventory_template_id=number.inventory_template_id,
                    serial=random_msisdn(),
                )
            session.flush()
            ids = customer.customer_id, product.product_id
        return email, password, *ids

    return _make


def login(page: Any, live_server: str, email: str, password: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def socket_frames(page: Any) -> list[str]:
    """Every WebSocket frame the page receives from now on. The app opens its one Socket.IO
    connection when it starts (live updates) and every namespace shares it, so call this
    before the page's first load."""
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda frame: frames.append(frame if isinstance(frame, str) else frame.decode()),
        ),
    )
    return frames


def random_iccid() -> str:
    """A random valid ICCID (Luhn check digit included): committed data must not collide."""
    return make_iccid(random.randrange(10**16), prefix="89")


def random_imsi() -> str:
    return "50501" + "".join(str(random.randint(0, 9)) for _ in range(10))


def random_msisdn() -> str:
    """A random Australian mobile number that phonenumbers accepts (E.164)."""
    return "+61" + random_au_mobile_digits()


def random_au_mobile_digits() -> str:
    import phonenumbers

    while True:
        digits = f"4{random.randint(10_000_000, 99_999_999)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+61{digits}")):
            return digits


@pytest.fixture
def worker(app: Any) -> Iterator[Any]:
    """The embedded worker `make run` starts: real Dramatiq threads in this process, running
    the jobs a page starts (imports, billing runs, provisioning, the outbox's mail). Yielded so
    a test can hold it (``pause``) while the page shows a queued job, then let it go."""
    import omnicrm.worker as worker_module

    worker_module.use_app(app)
    worker_module.broker.flush_all()  # messages of earlier, rolled-back tests
    running = worker_module.start_embedded_worker(threads=2)
    yield running
    running.resume()  # a test that failed while holding it
    running.stop()
    worker_module.use_app(None)
