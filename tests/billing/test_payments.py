"""Payments (GetDeposit) against invoices and balances: settle oldest first or the one named,
excess as account credit the next invoice uses, top-ups, receipts, refunds that re-open what
was settled and never exceed the payment, idempotent retries, and the statement."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from omnicrm.billing import invoices as inv
from omnicrm.billing import use_cases as billing
from omnicrm.billing.models import Invoice, Settlement, Transaction
from omnicrm.billing.run import bill_chunk
from omnicrm.customers.models import Customer, PaymentType
from omnicrm.notifications.models import Notification
from omnicrm.payments import use_cases as uc
from omnicrm.payments.models import Payment, Refund
from tests.factories import CustomerFactory

D = Decimal
PAY = "/crm/payment/"


def _invoice_for(call, customer, amount):
    """An issued invoice of ``amount`` (a manual charge, no tax) for the customer."""
    call(
        "post", "/crm/transaction/", 201,
        json={"customer_id": customer.customer_id, "kind": "charge", "amount": amount,
              "description": "work", "tax_percentage": "0"},
    )  # fmt: skip


def test_a_payment_settles_the_oldest_invoices_first_and_keeps_the_rest_as_credit(
    call, billable, run_now, db_session
):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")  # 44.00
    _invoice_for(call, customer, "10")
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")  # 10.00
    older, newer = sorted(
        call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200),
        key=lambda i: i["invoice_id"],
    )
    paid = call(
        "post", PAY, 201,
        json={"customer_id": customer.customer_id, "amount": "50.00", "method": "cash"},
    )  # fmt: skip
    assert paid["receipt_number"].startswith("RCPT-") and paid["status"] == "succeeded"
    assert [(a["invoice_id"], a["amount"]) for a in paid["allocations"]] == [
        (older["invoice_id"], "44.00"),
        (newer["invoice_id"], "6.00"),
    ]
    assert paid["credit"] == "0.00"
    first = call("get", f"/crm/invoice/{older['invoice_id']}", 200)
    second = call("get", f"/crm/invoice/{newer['invoice_id']}", 200)
    assert (first["status"], first["amount_due"]) == ("paid", "0.00")
    assert (second["status"], second["amount_paid"], second["amount_due"]) == (
        "partially_paid", "6.00", "4.00",
    )  # fmt: skip
    # Overpaying: 4.00 settles the rest, 6.00 is credit the next invoice takes.
    more = call(
        "post", PAY, 201,
        json={"customer_id": customer.customer_id, "amount": "10", "method": "bank_transfer"},
    )  # fmt: skip
    assert more["credit"] == "6.00"
    _invoice_for(call, customer, "15")
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    latest = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)[0]
    assert latest["total"] == "9.00"  # 15.00 less the 6.00 credit
    mail = db_session.scalars(
        select(Notification)
        .where(Notification.template == "payment_confirmed")
        .order_by(Notification.notification_id)
    ).all()
    assert {m.recipient for m in mail} == {customer.email} and len(mail) == 2
    assert paid["receipt_number"] in mail[0].subject


def test_the_named_invoice_and_what_is_refused(call, billable, run_now):
    customer, service = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    body = {"customer_id": customer.customer_id, "amount": "20", "method": "card"}
    paid = call("post", PAY, 201, json={**body, "invoice_id": invoice["invoice_id"]})
    assert paid["allocations"] == [
        {"invoice_id": invoice["invoice_id"], "invoice_number": invoice["invoice_number"],
         "amount": "20.00"}
    ]  # fmt: skip
    other = CustomerFactory()
    refused = call("post", PAY, 422, json={**body, "customer_id": other.customer_id,
                                          "invoice_id": invoice["invoice_id"]})  # fmt: skip
    assert "invoice_id" in refused["errors"]["json"]
    both = call("post", PAY, 422, json={**body, "invoice_id": invoice["invoice_id"],
                                       "service_id": service.service_id})  # fmt: skip
    assert "service_id" in both["errors"]["json"]
    for bad in ({"amount": "0"}, {"amount": 5}, {"method": "bitcoin"}, {"amount": "-1"}):
        call("post", PAY, 422, json={**body, **bad})
    call("post", PAY, 404, json={**body, "customer_id": 999999})
    call(
        "post", f"/crm/invoice/{invoice['invoice_id']}/void", 409, json={"reason": "paid on"}
    )  # an invoice with money on it is not voided (refund first)


def test_a_prepaid_payment_tops_up_the_chosen_service(call, db_session):
    from omnicrm.services.models import ServiceStatus
    from tests.charging.test_addons import _values  # the balances as the API shows them
    from tests.factories import ProductFactory, ServiceFactory

    customer = CustomerFactory(customer_payment_type=PaymentType.prepaid)
    service = ServiceFactory(
        customer_id=customer.customer_id, product_id=ProductFactory().product_id,
        service_status=ServiceStatus.active,
    )  # fmt: skip
    db_session.commit()
    paid = call(
        "post", PAY, 201,
        json={"customer_id": customer.customer_id, "amount": "25", "method": "voucher",
              "service_id": service.service_id},
    )  # fmt: skip
    assert paid["allocations"] == [] and paid["service_id"] == service.service_id
    assert _values(call, service)[("monetary", "*default")] == "25.00"
    back = call(
        "post", f"{PAY}{paid['payment_id']}/refund", 200, json={"amount": "5", "reason": "x"}
    )
    assert back["status"] == "partially_refunded"
    assert _values(call, service)[("monetary", "*default")] == "20.00"


def test_refunds_reopen_what_was_settled_and_never_exceed_the_payment(call, billable, run_now):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    paid = call(
        "post", PAY, 201,
        json={"customer_id": customer.customer_id, "amount": "50", "method": "card"},
    )  # fmt: skip
    assert paid["credit"] == "6.00"
    url = f"{PAY}{paid['payment_id']}/refund"
    part = call("post", url, 200, json={"amount": "10", "reason": "goodwill"})
    # 10.00 back: from the invoice first (it is due again: 10.00), the credit stays.
    assert part["status"] == "partially_refunded" and part["amount_refunded"] == "10.00"
    again = call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)
    assert (again["status"], again["amount_due"]) == ("partially_paid", "10.00")
    too_much = call("post", url, 409, json={"amount": "40.01", "reason": "x"})
    assert too_much["code"] == "refund_exceeds_payment" and "40.00" in too_much["message"]
    rest = call("post", url, 200, json={"amount": "40", "reason": "closing"})
    assert rest["status"] == "refunded" and len(rest["refunds"]) == 2
    final = call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)
    assert (final["status"], final["amount_paid"]) == ("issued", "0.00")
    # The 6.00 credit was taken back by a charge that offsets it.
    open_lines = call(
        "get", f"/crm/transaction/?customer_id={customer.customer_id}&invoiced=false", 200
    )
    assert sorted(x["amount"] for x in open_lines) == ["-6.00", "6.00"]


def test_the_receipt_and_the_statement(api, admin_headers, call, billable, run_now):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    paid = call(
        "post", PAY, 201,
        json={"customer_id": customer.customer_id, "amount": "44", "method": "cash"},
    )  # fmt: skip
    pdf = api.client.get(f"{PAY}{paid['payment_id']}/receipt", headers=admin_headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert paid["receipt_number"].encode() in pdf.data
    day = invoice["issue_date"]
    statement = call(
        "get",
        f"/crm/customer/{customer.customer_id}/statement?date_from={day}&date_to=2099-01-01",
        200,
    )
    assert [(x["kind"], x["debit"], x["credit"], x["balance"]) for x in statement["lines"]] == [
        ("invoice", "44.00", "0.00", "44.00"),
        ("payment", "0.00", "44.00", "0.00"),
    ]
    assert statement["closing_balance"] == "0.00"
    assert (
        call("get", f"{PAY}?customer_id={customer.customer_id}", 200)[0]["payment_id"]
        == (paid["payment_id"])
    )


def test_a_retried_payment_pays_once(call, billable):
    customer, _ = billable()
    body = {"customer_id": customer.customer_id, "amount": "12.50", "method": "cash"}
    key = {"Idempotency-Key": "till-7"}
    first = call("post", PAY, 201, json=body, headers=key)
    assert call("post", PAY, 201, json=body, headers=key) == first
    other = call("post", PAY, 422, json={**body, "amount": "13"}, headers=key)
    assert other["code"] == "idempotency_key_reused"
    assert len(call("get", f"{PAY}?customer_id={customer.customer_id}", 200)) == 1


def test_roles_without_payment_rights_are_refused(api, make_user, billable):
    customer, _ = billable()
    headers = api.headers_for(make_user("support").email)
    body = {"customer_id": customer.customer_id, "amount": "1", "method": "cash"}
    assert api.client.post(PAY, headers=headers, json=body).status_code == 403
    assert api.client.get(PAY, headers=headers).status_code == 403


# --- concurrency (real commits) ---------------------------------------------------------------


@pytest.fixture
def payer(app: Any, database: Any):
    tag = uuid.uuid4().hex[:8]
    with app.app_context(), database.job_scope() as session:
        customer = session.scalars(
            select(Customer.customer_id).from_statement(
                Customer.__table__.insert()
                .values(customer_name=f"Racing payer {tag}", customer_payment_type="postpaid")
                .returning(Customer.__table__.c.customer_id)
            )
        ).one()
    yield customer
    with app.app_context(), database.job_scope() as session:
        ids = select(Payment.payment_id).where(Payment.customer_id == customer)
        session.execute(delete(Refund).where(Refund.payment_id.in_(ids)))
        session.execute(delete(Settlement).where(Settlement.customer_id == customer))
        session.execute(delete(Transaction).where(Transaction.customer_id == customer))
        session.execute(delete(Payment).where(Payment.customer_id == customer))
        session.execute(delete(Invoice).where(Invoice.customer_id == customer))
        session.execute(delete(Customer).where(Customer.customer_id == customer))


def _race(app: Any, racers: int, work: Any) -> list[Any]:
    start = threading.Barrier(racers)
    results: list[Any] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            with app.app_context():
                start.wait()
                value = work()
        except BaseException as exc:  # collected, checked by the test
            value = exc
        with lock:
            results.append(value)

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.committed
def test_racing_identical_requests_with_one_key_make_one_payment(app, database, payer):
    racers = 50 if database.engine.dialect.name == "postgresql" else 8

    def pay() -> int:
        with database.job_scope() as session:
            payment = uc.take_payment(
                session, customer_id=payer, amount=D("30"), method="cash",
                idempotency=("race-key-" + str(payer), "same-body"),
            )  # fmt: skip
            return payment.payment_id

    ids = _race(app, racers, pay)
    assert all(isinstance(i, int) for i in ids), [i for i in ids if not isinstance(i, int)][:3]
    assert len(set(ids)) == 1
    with database.job_scope() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Payment).where(Payment.customer_id == payer)
            )
            == 1
        )


@pytest.mark.committed
def test_racing_refunds_never_exceed_the_payment(app, database, payer):
    with app.app_context(), database.job_scope() as session:
        payment_id = uc.take_payment(
            session, customer_id=payer, amount=D("10"), method="cash"
        ).payment_id

    def refund() -> str:
        with database.job_scope() as session:
            uc.refund(session, payment_id=payment_id, amount=D("3"), reason="r", user_id=None)
            return "ok"

    results = _race(app, 8, refund)
    assert results.count("ok") == 3  # 3 x 3.00 fit in 10.00; the others are refused
    assert all(getattr(r, "code", None) == "refund_exceeds_payment" for r in results if r != "ok")
    with database.job_scope() as session:
        payment = session.get(Payment, payment_id)
        assert payment.amount_refunded == D("9.00")


# --- the books balance ------------------------------------------------------------------------


operations = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), st.integers(min_value=1, max_value=5000)),
        st.tuples(st.just("credit"), st.integers(min_value=1, max_value=2000)),
        st.tuples(st.just("bill"), st.just(0)),
        st.tuples(st.just("pay"), st.integers(min_value=1, max_value=6000)),
        st.tuples(st.just("refund"), st.integers(min_value=1, max_value=3000)),
        st.tuples(st.just("void"), st.integers(min_value=0, max_value=10)),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(ops=operations)
def test_billed_minus_paid_plus_refunded_is_what_is_due(db_session, ops):
    """For any order of charges, credits, invoicing, payments, refunds and voids: what was
    invoiced (net of credit notes) minus what was paid plus what was refunded equals what is
    due plus the account credit, and no money appears or disappears."""
    savepoint = db_session.begin_nested()
    try:
        customer = CustomerFactory().customer_id
        payments: list[int] = []
        paid = refunded = D(0)
        for op, cents in ops:
            amount = D(cents) / 100
            if op in ("charge", "credit"):
                billing.create_manual(
                    db_session, customer_id=customer, kind=op, description=op, amount=amount,
                    tax_percentage=D("10"),
                )  # fmt: skip
            elif op == "bill":
                bill_chunk(
                    db_session, customer_ids=[customer], as_of=date(2026, 12, 1), run_id=None,
                    auto_issue=True, payment_terms_days=14, suspended_billed=False,
                )  # fmt: skip
            elif op == "pay":
                payments.append(
                    uc.take_payment(
                        db_session, customer_id=customer, amount=amount, method="cash"
                    ).payment_id
                )
                paid += amount
            elif op == "refund" and payments:
                payment = db_session.get(Payment, payments[cents % len(payments)])
                give = min(amount, payment.amount - payment.amount_refunded)
                if give > 0:
                    uc.refund(
                        db_session, payment_id=payment.payment_id, amount=give, reason="r",
                        user_id=None,
                    )  # fmt: skip
                    refunded += give
            elif op == "void":
                issued = db_session.scalars(
                    select(Invoice.invoice_id).where(
                        Invoice.customer_id == customer,
                        Invoice.kind == "invoice",
                        Invoice.status.in_(("issued", "overdue")),
                        Invoice.amount_paid == 0,
                    )
                ).all()
                if issued:
                    inv.void_invoice(
                        db_session, invoice_id=issued[cents % len(issued)], reason="v",
                        user_id=None, day=date(2026, 12, 2),
                    )  # fmt: skip
        db_session.expire_all()
        documents = db_session.scalars(
            select(Invoice).where(
                Invoice.customer_id == customer, Invoice.invoice_number.is_not(None)
            )
        ).all()
        invoiced = sum((d.total for d in documents), D(0))  # credit notes are negative
        due = sum(
            (d.total - d.amount_paid for d in documents
             if d.kind.value == "invoice" and d.status.value != "void"),
            D(0),
        )  # fmt: skip
        settled = D(
            db_session.scalar(
                select(func.coalesce(func.sum(Settlement.amount), 0)).where(
                    Settlement.customer_id == customer
                )
            )
        )
        # Account credit a payment left, less what refunds took back of it.
        credit = -D(
            db_session.scalar(
                select(
                    func.coalesce(func.sum(Transaction.retail_amount + Transaction.tax_amount), 0)
                ).where(
                    Transaction.customer_id == customer,
                    Transaction.source.like("payment:%")
                    | Transaction.description.like("Refund of account credit:%"),
                )
            )
        )
        # No money appears or disappears: what was kept went to invoices or to credit.
        assert paid - refunded == settled + credit
        assert credit >= 0
        # What was billed (credit notes cancelling what they void) less what was paid on it
        # is what is due.
        assert invoiced - settled == due
        # Nothing is paid beyond its total; a void invoice holds nothing.
        assert all(d.amount_paid <= max(d.total, D(0)) for d in documents)
        assert all(d.amount_paid == 0 for d in documents if d.status.value == "void")
    finally:
        savepoint.rollback()
