"""A postpaid customer walked through 13 months with the clock under control: sign-up on the
17th, monthly runs on the 1st, a plan change, a suspension and resumption, an overdue invoice,
a late run, usage in arrears and termination. Every invoice line and total is checked against
values computed by hand (in the comments), not by the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from omnicrm.billing import invoices as inv
from omnicrm.billing.models import Invoice, InvoiceStatus, Transaction
from omnicrm.billing.run import execute_run, request_run
from omnicrm.catalog.use_cases import price_snapshot_json
from omnicrm.charging.ports import UsageType
from omnicrm.charging.use_cases import rate_usage
from omnicrm.customers.models import PaymentType
from omnicrm.services import use_cases as services
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory

D = Decimal


def at(day: str) -> freeze_time:
    return freeze_time(f"{day} 12:00:00", tz_offset=0)


@pytest.fixture
def journey(db_session, database):
    small = ProductFactory(
        product_name="Small",
        retail_cost=D("20.00"),
        wholesale_cost=D("8.00"),
        tax_percentage=D("10.00"),
    )
    large = ProductFactory(
        product_name="Large",
        retail_cost=D("31.00"),
        wholesale_cost=D("12.00"),
        tax_percentage=D("10.00"),
        rate_per_mb=D("0.05"),
        data_mb=None,
    )
    customer = CustomerFactory(customer_payment_type=PaymentType.postpaid, email="ada@example.com")
    service = ServiceFactory(
        customer_id=customer.customer_id,
        product_id=small.product_id,
        retail_cost=small.retail_cost,
        wholesale_cost=small.wholesale_cost,
        price_snapshot=price_snapshot_json(small),
    )
    db_session.flush()

    def run(day: str) -> list[Invoice]:
        with at(day):
            billing = request_run(
                db_session, period_end=date.fromisoformat(day), customer_id=None, user_id=None
            )
            db_session.flush()
            execute_run(database, billing.billing_run_id, chunk_size=50)
        db_session.expire_all()
        return list(
            db_session.scalars(
                select(Invoice)
                .where(Invoice.billing_run_id == billing.billing_run_id)
                .where(Invoice.customer_id == customer.customer_id)
            )
        )

    return customer, service, large, run


def lines(db_session, invoice):
    return [
        (row.description.split(":")[0], row.period_start, row.retail_amount, row.tax_amount)
        for row in inv.lines_of(db_session, invoice.invoice_id)
    ]


def totals(invoice):
    return (invoice.invoice_number, invoice.subtotal, invoice.tax_total, invoice.total)


def test_thirteen_months_of_one_customer(db_session, journey):
    customer, service, large, run = journey
    sid = service.service_id

    with at("2027-01-17"):  # sign-up on the 17th
        services.change_service_status(db_session, service_id=sid, to_status="provisioning")
        services.change_service_status(db_session, service_id=sid, to_status="active")

    # Feb 1: Jan 17-31 is 15 of 31 days: 20 * 15 / 31 = 9.677 -> 9.68, tax 0.968 -> 0.97;
    # February in advance 20.00 + 2.00. Total 29.68 + 2.97 = 32.65.
    [first] = run("2027-02-01")
    assert totals(first) == ("INV-2027-000001", D("29.68"), D("2.97"), D("32.65"))
    assert lines(db_session, first) == [
        ("Monthly charge", date(2027, 1, 17), D("9.68"), D("0.97")),
        ("Monthly charge", date(2027, 2, 1), D("20.00"), D("2.00")),
    ]
    assert first.issue_date == date(2027, 2, 1) and first.due_date == date(2027, 2, 15)
    assert first.status == InvoiceStatus.issued

    [march] = run("2027-03-01")
    assert totals(march) == ("INV-2027-000002", D("20.00"), D("2.00"), D("22.00"))

    # Mar 10: to Large (31.00). March is billed to Apr 1: 22 days of 31 credited at Small
    # (20 * 22 / 31 = 14.19, tax 1.42) and charged at Large (31 * 22 / 31 = 22.00, tax 2.20).
    with at("2027-03-10"):
        services.change_plan(db_session, service_id=sid, product_id=large.product_id, reason=None)
    [april] = run("2027-04-01")
    # -14.19 + 22.00 + 31.00 = 38.81; tax -1.42 + 2.20 + 3.10 = 3.88; total 42.69.
    assert totals(april) == ("INV-2027-000003", D("38.81"), D("3.88"), D("42.69"))
    assert lines(db_session, april) == [
        ("Plan change credit", date(2027, 3, 10), D("-14.19"), D("-1.42")),
        ("Plan change charge", date(2027, 3, 10), D("22.00"), D("2.20")),
        ("Monthly charge", date(2027, 4, 1), D("31.00"), D("3.10")),
    ]

    [may] = run("2027-05-01")
    assert totals(may) == ("INV-2027-000004", D("31.00"), D("3.10"), D("34.10"))

    # May 20: suspended (not billed while suspended). May 20-31, 12 of 31 days, credited:
    # 31 * 12 / 31 = 12.00, tax 1.20.
    with at("2027-05-20"):
        services.suspend_service(db_session, service_id=sid, reason="customer away")
    # Jun 1: nothing to charge and a credit of 13.20 carried (never a negative invoice).
    assert run("2027-06-01") == []
    # Jun 10: resumed; billable again from that day.
    with at("2027-06-10"):
        services.resume_service(db_session, service_id=sid, reason="back")
    # Jul 1: Jun 10-30 is 21 of 30 days: 31 * 21 / 30 = 21.70, tax 2.17; July 31.00 + 3.10;
    # the carried credit -12.00 - 1.20. Subtotal 40.70, tax 4.07, total 44.77.
    [july] = run("2027-07-01")
    assert totals(july) == ("INV-2027-000005", D("40.70"), D("4.07"), D("44.77"))
    assert lines(db_session, july) == [
        ("Suspension credit", date(2027, 5, 20), D("-12.00"), D("-1.20")),
        ("Monthly charge", date(2027, 6, 10), D("21.70"), D("2.17")),
        ("Monthly charge", date(2027, 7, 1), D("31.00"), D("3.10")),
    ]

    for number, day in enumerate(["2027-08-01", "2027-09-01", "2027-10-01", "2027-11-01"], 6):
        [monthly] = run(day)
        assert totals(monthly) == (f"INV-2027-{number:06d}", D("31.00"), D("3.10"), D("34.10"))

    # Nobody pays (payments come with their own issue): on Nov 15 the eight earlier invoices
    # are overdue, November's (due that day) not yet; on Nov 16 it is too.
    november = monthly
    assert inv.mark_overdue(db_session, day=date(2027, 11, 15)) == 8
    db_session.refresh(november)
    assert november.status == InvoiceStatus.issued
    assert inv.mark_overdue(db_session, day=date(2027, 11, 16)) == 1
    db_session.refresh(november)
    assert november.status == InvoiceStatus.overdue and november.amount_due == D("34.10")

    # December's run is late (Dec 5): December is still billed once, dated the 5th.
    [december] = run("2027-12-05")
    assert totals(december) == ("INV-2027-000010", D("31.00"), D("3.10"), D("34.10"))
    assert december.issue_date == date(2027, 12, 5) and december.due_date == date(2027, 12, 19)

    # A new year: numbering starts again.
    [january] = run("2028-01-01")
    assert totals(january) == ("INV-2028-000001", D("31.00"), D("3.10"), D("34.10"))

    # January usage beyond the allowance: 510 MB at 0.05 = 25.50 in arrears (postpaid).
    with at("2028-01-08"):
        rated = rate_usage(
            db_session,
            [
                {
                    "id": "jan-data",
                    "type": UsageType.data,
                    "units": D("510"),
                    "start_time": datetime(2028, 1, 8, 9, tzinfo=UTC),
                    "service_uuid": service.service_uuid,
                }
            ],
        )
    assert rated["results"][0]["arrears"] == D("25.50")
    # Jan 12: terminated. Jan 12-31, 20 of 31 days, credited: 31 * 20 / 31 = 20.00, tax 2.00.
    with at("2028-01-12"):
        services.terminate_service(db_session, service_id=sid, reason="moving abroad")
    # Feb 1: usage 25.50 + tax 2.55, the termination credit -20.00 - 2.00: total 6.05; and
    # no monthly charge for a terminated service.
    [last] = run("2028-02-01")
    assert totals(last) == ("INV-2028-000002", D("5.50"), D("0.55"), D("6.05"))
    assert lines(db_session, last) == [
        ("Termination credit", date(2028, 1, 12), D("-20.00"), D("-2.00")),
        ("Data usage beyond the allowance", None, D("25.50"), D("2.55")),
    ]
    # Nothing more, ever: the service is terminated and everything is invoiced.
    assert run("2028-03-01") == []
    open_lines = db_session.scalars(
        select(Transaction).where(
            Transaction.customer_id == customer.customer_id, Transaction.invoice_id.is_(None)
        )
    ).all()
    assert open_lines == []
    # Thirteen runs, twelve invoices (June carried its credit), each numbered once.
    numbers = db_session.scalars(
        select(Invoice.invoice_number)
        .where(Invoice.customer_id == customer.customer_id)
        .order_by(Invoice.invoice_id)
    ).all()
    assert len(numbers) == 12 and len(set(numbers)) == 12
