"""Eight transactions find the same level reached at once: it fires once (one crossing, one
e-mail). The unique key decides, not the check before it. Real commits (``committed``)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from omnicrm.catalog.models import Product
from omnicrm.charging.ledger import InternalLedger
from omnicrm.charging.models import ChargingAccount, ThresholdCrossing
from omnicrm.charging.ports import AccountOptions, BalanceSpec, BalanceType, Cause
from omnicrm.charging.thresholds import check_thresholds
from omnicrm.customers.models import Customer
from omnicrm.notifications.models import Notification
from omnicrm.services.models import Service, ServiceStatus

RACERS = 8

pytestmark = [pytest.mark.committed]


@pytest.fixture
def low_wallet(database: Any) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    email = f"race-{tag}@example.net"
    with database.job_scope() as session:
        customer = Customer(customer_name=f"Race {tag}", email=email)
        product = Product(
            product_name=f"Race plan {tag}", product_slug=f"race-{tag}", category="standalone",
            low_balance_alert=Decimal("5.00"),
        )  # fmt: skip
        session.add_all([customer, product])
        session.flush()
        service = Service(
            customer_id=customer.customer_id,
            product_id=product.product_id,
            service_name=f"Race {tag}",
            service_uuid=uuid.uuid4().hex,
            service_status=ServiceStatus.active,
        )
        session.add(service)
        session.flush()
        ledger = InternalLedger(session)
        ledger.create_account(service.service_uuid, AccountOptions(), service_id=service.service_id)
        ledger.add_balance(
            service.service_uuid,
            BalanceSpec(BalanceType.monetary, Decimal("1.00")),
            cause=Cause.topup,
            reference="race",
        )
        ids = (customer.customer_id, product.product_id, service.service_id)
        account = service.service_uuid
    yield {"account": account, "email": email}
    with database.job_scope() as session:
        session.execute(delete(Notification).where(Notification.recipient == email))
        session.execute(delete(ChargingAccount).where(ChargingAccount.account == account))
        session.execute(delete(Service).where(Service.service_id == ids[2]))
        session.execute(delete(Product).where(Product.product_id == ids[1]))
        session.execute(delete(Customer).where(Customer.customer_id == ids[0]))


def test_a_level_reached_by_racing_transactions_fires_once(app, database, low_wallet):
    start = threading.Barrier(RACERS)
    fired: list[int] = []
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            with app.app_context():
                start.wait()
                with database.job_scope() as session:
                    fired.append(len(check_thresholds(session, [low_wallet["account"]])))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(fired) == [0] * (RACERS - 1) + [1]
    with database.job_scope() as session:
        crossings = session.scalar(
            select(func.count())
            .select_from(ThresholdCrossing)
            .where(ThresholdCrossing.account == low_wallet["account"])
        )
        mails = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient == low_wallet["email"])
        )
    assert (crossings, mails) == (1, 1)
