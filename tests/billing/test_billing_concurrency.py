"""Billing runs that overlap: eight runs of the same period started at the same moment bill
each period once, give each customer one invoice, and number the invoices without a gap or a
duplicate; a run repeated afterwards writes nothing. Real commits in real threads
(``committed``): the database decides (PostgreSQL's advisory lock and unique ``source``;
SQLite's single writer)."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select

from omnicrm.billing.models import BillingCursor, BillingRun, Invoice, Transaction
from omnicrm.billing.run import bill_chunk, execute_run, request_run
from omnicrm.catalog.models import Product
from omnicrm.customers.models import Customer
from omnicrm.notifications.models import Notification
from omnicrm.services.models import Service, ServiceStatus

RUNS = 8
CUSTOMERS = 24
WALK_INS = 6
CHUNK = 5

pytestmark = [pytest.mark.committed]


@pytest.fixture
def book(app: Any, database: Any) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    # Core inserts: no activity rows, which would outlive the rows deleted below and be
    # matched by later tests to a customer that reuses an id (SQLite reuses them).
    with app.app_context(), database.job_scope() as session:

        def add(model: Any, rows: list[dict[str, Any]]) -> list[int]:
            table = model.__table__
            key = table.primary_key.columns[0]
            return list(session.scalars(insert(table).returning(key), rows))

        [product] = add(Product, [{
            "product_name": f"Race plan {tag}", "product_slug": f"race-bill-{tag}",
            "category": "standalone", "retail_cost": Decimal("20.00"),
        }])  # fmt: skip
        emails = [f"bill-{tag}-{n}@example.net" for n in range(CUSTOMERS)]
        customers = add(
            Customer, [{"customer_name": f"Billing race {tag} {e}", "email": e} for e in emails]
        )
        services = add(Service, [{
            "customer_id": c, "product_id": product, "service_name": f"Race {tag} {c}",
            "service_uuid": uuid.uuid4().hex, "service_status": ServiceStatus.active,
            "retail_cost": Decimal("20.00"),
            "price_snapshot": {"product_name": "Race", "tax_percentage": "10.00"},
        } for c in customers])  # fmt: skip
        session.execute(
            insert(BillingCursor.__table__),
            [{"service_id": s, "billed_through": date(2026, 11, 17)} for s in services],
        )
        # And customers with a manual charge only (no service, so no cursor to lock).
        walk_ins = add(
            Customer,
            [{"customer_name": f"Billing race {tag} walk-in {n}"} for n in range(WALK_INS)],
        )
        add(Transaction, [{
            "customer_id": c, "kind": "charge", "description": "Call-out",
            "retail_amount": Decimal("50.00"),
        } for c in walk_ins])  # fmt: skip
        ids = {
            "customers": [*customers, *walk_ins],
            "services": services,
            "product": product,
            "emails": emails,
        }
    yield ids
    with app.app_context(), database.job_scope() as session:
        session.execute(delete(Notification).where(Notification.recipient.in_(ids["emails"])))
        mine = Transaction.customer_id.in_(ids["customers"])
        invoices = select(Invoice.invoice_id).where(Invoice.customer_id.in_(ids["customers"]))
        session.execute(delete(Transaction).where(mine))
        session.execute(delete(Invoice).where(Invoice.credit_note_for_id.in_(invoices)))
        session.execute(delete(Invoice).where(Invoice.customer_id.in_(ids["customers"])))
        session.execute(delete(BillingRun).where(BillingRun.customer_id.in_(ids["customers"])))
        session.execute(delete(BillingCursor).where(BillingCursor.service_id.in_(ids["services"])))
        session.execute(delete(Service).where(Service.service_id.in_(ids["services"])))
        session.execute(delete(Product).where(Product.product_id == ids["product"]))
        session.execute(delete(Customer).where(Customer.customer_id.in_(ids["customers"])))


def _numbers(session: Any, customers: list[int]) -> list[int]:
    rows = session.scalars(
        select(Invoice.invoice_number).where(Invoice.customer_id.in_(customers))
    ).all()
    return sorted(int(re.fullmatch(r"INV-\d{4}-(\d{6})", n).group(1)) for n in rows)


def test_eight_runs_at_once_bill_once_and_number_without_gaps(app, database, book):
    """Each racer does what a run does (its chunks of customers, each a committed unit of
    work), over the same customers at the same time."""
    customers = book["customers"]
    chunks = [customers[i : i + CHUNK] for i in range(0, len(customers), CHUNK)]
    start = threading.Barrier(RUNS)
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            with app.app_context():
                start.wait()
                for chunk in chunks:
                    with database.job_scope() as session:
                        bill_chunk(
                            session,
                            customer_ids=chunk,
                            as_of=date(2026, 12, 1),
                            run_id=None,
                            auto_issue=True,
                            payment_terms_days=14,
                            suspended_billed=False,
                        )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with database.job_scope() as session:
        # Nov 17-30 (14 of 30 days: 9.33) and December (20.00) for each service, once.
        per_service = session.execute(
            select(Transaction.service_id, func.count(), func.sum(Transaction.retail_amount))
            .where(Transaction.service_id.in_(book["services"]))
            .group_by(Transaction.service_id)
        ).all()
        assert sorted(count for _, count, _ in per_service) == [2] * CUSTOMERS
        assert {total for _, _, total in per_service} == {Decimal("29.33")}
        invoices = session.execute(
            select(Invoice.customer_id, func.count())
            .where(Invoice.customer_id.in_(customers))
            .group_by(Invoice.customer_id)
        ).all()
        assert sorted(count for _, count in invoices) == [1] * (CUSTOMERS + WALK_INS)
        numbers = _numbers(session, customers)
        # No duplicate, no gap: consecutive numbers of the year's series.
        assert numbers == list(range(numbers[0], numbers[0] + CUSTOMERS + WALK_INS))
        assert (
            session.scalar(
                select(func.count())
                .select_from(Transaction)
                .where(Transaction.customer_id.in_(customers), Transaction.invoice_id.is_(None))
            )
            == 0
        )


def test_a_run_repeated_after_another_writes_nothing(app, database, book):
    customer = book["customers"][0]
    with app.app_context():
        results = []
        for _ in range(2):
            with database.job_scope() as session:
                run_id = request_run(
                    session, period_end=date(2026, 12, 1), customer_id=customer, user_id=None
                ).billing_run_id
            results.append(execute_run(database, run_id, chunk_size=CHUNK))
    first, second = results
    assert (first.transactions_created, first.invoices_created) == (2, 1)
    assert (second.transactions_created, second.invoices_created) == (0, 0)
    assert second.status.value == "done"
