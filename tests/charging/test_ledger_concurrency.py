"""100 simultaneous changes to one balance: 60 staff top-ups over HTTP and 40 usage debits in
their own transactions, all at once. The total is exact to the cent and the ledger verifies:
the database decides (a row lock and one atomic UPDATE per change), nothing is lost. Real
commits (the ``committed`` marker), data of its own, removed afterwards."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from omnicrm.catalog.models import Product
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.models import ChargingAccount
from omnicrm.charging.ports import BalanceSpec, BalanceType, Cause
from omnicrm.customers.models import Customer
from omnicrm.services.models import Service, ServiceStatus

TOPUPS, DEBITS = 60, 40
TOPUP, DEBIT, OPENING = Decimal("1.01"), Decimal("0.37"), Decimal("100")

pytestmark = [pytest.mark.committed]


@pytest.fixture
def wallet(database: Any, make_user: Any, live_server: str) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    with database.job_scope() as session:
        customer = Customer(customer_name=f"Wallet {tag}", email=f"wallet-{tag}@example.net")
        product = Product(
            product_name=f"Wallet plan {tag}", product_slug=f"wallet-{tag}", category="standalone"
        )
        session.add_all([customer, product])
        session.flush()
        service = Service(
            customer_id=customer.customer_id,
            product_id=product.product_id,
            service_name=f"Wallet {tag}",
            service_uuid=uuid.uuid4().hex,
            service_status=ServiceStatus.active,
        )
        session.add(service)
        session.flush()
        ids = (customer.customer_id, product.product_id, service.service_id)
        uuid_ = service.service_uuid
    user = make_user("admin", email=f"wallet-{tag}@example.com")
    token = httpx.post(
        f"{live_server}/crm/auth/login",
        json={"email": user.email, "password": "correct horse battery staple"},
    ).json()["token"]
    yield {"service_id": ids[2], "account": uuid_, "headers": {"Authorization": f"Bearer {token}"}}
    with database.job_scope() as session:
        session.execute(delete(ChargingAccount).where(ChargingAccount.account == uuid_))
        session.execute(delete(Service).where(Service.service_id == ids[2]))
        session.execute(delete(Product).where(Product.product_id == ids[1]))
        session.execute(delete(Customer).where(Customer.customer_id == ids[0]))


def test_a_hundred_simultaneous_changes_to_one_balance_add_up(database, live_server, wallet):
    url = f"{live_server}/crm/service/{wallet['service_id']}/topup"
    opening = httpx.post(url, json={"amount": str(OPENING)}, headers=wallet["headers"])
    assert opening.status_code == 201, opening.text
    start = threading.Barrier(TOPUPS + DEBITS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def top_up() -> None:
        with httpx.Client(timeout=60) as client:
            start.wait()
            response = client.post(url, json={"amount": str(TOPUP)}, headers=wallet["headers"])
            statuses.append(response.status_code)

    def debit() -> None:
        try:
            start.wait()
            with database.job_scope() as session:
                InternalLedger(session).debit_balance(
                    wallet["account"],
                    BalanceSpec(BalanceType.monetary, DEBIT),
                    cause=Cause.usage,
                    reference="concurrency test",
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=top_up) for _ in range(TOPUPS)]
    threads += [threading.Thread(target=debit) for _ in range(DEBITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and statuses == [201] * TOPUPS
    with database.job_scope() as session:
        ledger = InternalLedger(session)
        [money] = ledger.balances(wallet["account"])
        assert money.value == OPENING + TOPUPS * TOPUP - DEBITS * DEBIT  # 145.80
        assert ledger.verify(wallet["account"]) == []
