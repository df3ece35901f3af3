"""The billing API: transactions, runs, invoices (detail, PDF, issue, void), pro-forma and
statement, through HTTP as an integrator or the staff UI would use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from omnicrm.billing.models import BillingCursor, InvoiceSequence, Transaction
from omnicrm.catalog.use_cases import price_snapshot_json
from omnicrm.notifications.models import Notification
from tests.factories import ProductFactory, ServiceFactory

D = Decimal


def test_a_run_bills_invoices_numbers_and_mails(call, billable, run_now, db_session):
    customer, service = billable()
    done = run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    assert (done["status"], done["processed"], done["total"]) == ("done", 1, 1)
    # November and December in advance: 2 x (20.00 + 2.00).
    assert (done["transactions_created"], done["invoices_created"]) == (2, 1)
    [listed] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    invoice = call("get", f"/crm/invoice/{listed['invoice_id']}", 200)
    assert invoice["invoice_number"].startswith("INV-2026-")
    assert invoice["customer_name"] == customer.customer_name
    assert (invoice["status"], invoice["kind"]) == ("issued", "invoice")
    assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == (
        "40.00",
        "4.00",
        "44.00",
    )
    assert invoice["amount_due"] == "44.00" and invoice["amount_paid"] == "0.00"
    assert invoice["tax_summary"] == [{"tax_percentage": "10.00", "net": "40.00", "tax": "4.00"}]
    assert [
        (x["period_start"], x["amount"], x["tax_amount"], x["total"]) for x in invoice["lines"]
    ] == [
        ("2026-11-01", "20.00", "2.00", "22.00"),
        ("2026-12-01", "20.00", "2.00", "22.00"),
    ]
    assert invoice["lines"][0]["service_name"] == service.service_name
    mail = db_session.scalar(select(Notification).where(Notification.template == "invoice_issued"))
    assert mail.recipient == customer.email and invoice["invoice_number"] in mail.subject
    # The same period again: nothing billed twice.
    again = run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    assert (again["transactions_created"], again["invoices_created"]) == (0, 0)
    lines = call("get", f"/crm/transaction/?customer_id={customer.customer_id}", 200)
    assert len(lines) == 2 and all(x["invoice_number"] == invoice["invoice_number"] for x in lines)


def test_the_pdf_carries_the_number_and_is_cached(
    call, api, admin_headers, billable, run_now, settings
):
    customer, _ = billable(customer_name="Zoë & Co <b>")
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    url = f"/crm/invoice/{invoice['invoice_id']}/pdf"
    first = api.client.get(url, headers=admin_headers)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    body = first.data
    assert body.startswith(b"%PDF") and invoice["invoice_number"].encode() in body
    assert b"Zo\\353 & Co <b>" in body or "Zoë & Co <b>".encode("latin-1") in body
    cached = list(
        (settings.instance_path / "cache" / "invoices").glob(f"{invoice['invoice_id']}-*.pdf")
    )
    assert len(cached) == 1
    assert api.client.get(url, headers=admin_headers).data == body


def test_an_operator_template_replaces_the_built_in_one(
    call, api, admin_headers, billable, run_now, settings
):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    folder = settings.instance_path / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "invoice.html"
    template.write_text("<h1>ACME TELECOM {{ invoice.number }}</h1><p>{{ invoice.total }}</p>")
    try:
        body = api.client.get(
            f"/crm/invoice/{invoice['invoice_id']}/pdf", headers=admin_headers
        ).data
        assert b"ACME TELECOM" in body and invoice["invoice_number"].encode() in body
    finally:
        template.unlink()


def test_voiding_an_invoice_issues_a_credit_note_and_changes_no_other(call, billable, run_now):
    customer, _ = billable()
    other, _ = billable()
    run_now(period_end="2026-12-01")
    [mine] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    [theirs] = call("get", f"/crm/invoice/?customer_id={other.customer_id}", 200)
    before = call("get", f"/crm/invoice/{theirs['invoice_id']}", 200)
    voided = call(
        "post", f"/crm/invoice/{mine['invoice_id']}/void", 200, json={"reason": "wrong tariff"}
    )
    assert voided["status"] == "void" and voided["void_reason"] == "wrong tariff"
    assert voided["amount_due"] == "0.00"
    note = call("get", f"/crm/invoice/{voided['credited_by_id']}", 200)
    assert note["kind"] == "credit_note" and note["invoice_number"].startswith("CN-2026-")
    assert note["credit_note_for_id"] == mine["invoice_id"]
    assert (note["subtotal"], note["tax_total"], note["total"]) == ("-40.00", "-4.00", "-44.00")
    assert sum(D(x["total"]) for x in note["lines"]) == D("-44.00")
    assert call("get", f"/crm/invoice/{theirs['invoice_id']}", 200) == before
    again = call("post", f"/crm/invoice/{mine['invoice_id']}/void", 409, json={"reason": "x"})
    assert again["code"] == "invoice_state"
    refused = call("post", f"/crm/invoice/{note['invoice_id']}/void", 409, json={"reason": "x"})
    assert "credit note" in refused["message"]
    # Its lines are not invoiced again.
    assert run_now(period_end="2026-12-01")["invoices_created"] == 0


def test_manual_charges_and_credits(call, billable):
    customer, service = billable()
    base = {"customer_id": customer.customer_id, "description": "Site visit"}
    charge = call(
        "post",
        "/crm/transaction/",
        201,
        json={**base, "kind": "charge", "amount": "50.00", "service_id": service.service_id},
    )
    # The service's tax rate is the default.
    assert (charge["amount"], charge["tax_percentage"], charge["tax_amount"]) == (
        "50.00",
        "10.00",
        "5.00",
    )
    credit = call(
        "post",
        "/crm/transaction/",
        201,
        json={**base, "kind": "credit", "amount": "12.345", "tax_percentage": "20"},
    )
    # Stored negative; tax half-up per line: 12.345 * 20 % = 2.469 -> 2.47.
    assert (credit["amount"], credit["tax_amount"], credit["total"]) == (
        "-12.345",
        "-2.47",
        "-14.815",
    )
    assert credit["created_by_user_id"] is not None
    for bad, field in [
        ({"amount": "0"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"kind": "recurring"}, "kind"),
        ({"tax_percentage": "101"}, "tax_percentage"),
        ({"description": ""}, "description"),
    ]:
        body = call(
            "post", "/crm/transaction/", 422, json={**base, "kind": "charge", "amount": "1", **bad}
        )
        assert field in body["errors"]["json"], body
    stranger = ServiceFactory()
    wrong = call(
        "post",
        "/crm/transaction/",
        422,
        json={**base, "kind": "charge", "amount": "1", "service_id": stranger.service_id},
    )
    assert "service_id" in wrong["errors"]["json"]
    call(
        "post",
        "/crm/transaction/",
        404,
        json={**base, "customer_id": 999999, "kind": "charge", "amount": "1"},
    )


def test_void_a_transaction_once_and_never_an_invoiced_one(call, billable, run_now):
    customer, _ = billable()
    charge = call(
        "post",
        "/crm/transaction/",
        201,
        json={
            "customer_id": customer.customer_id,
            "kind": "charge",
            "amount": "9",
            "description": "x",
        },
    )
    voided = call(
        "post", f"/crm/transaction/{charge['transaction_id']}/void", 200, json={"reason": "typo"}
    )
    assert voided["void"] is True and voided["void_reason"] == "typo"
    call("post", f"/crm/transaction/{charge['transaction_id']}/void", 409, json={"reason": "x"})
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    assert invoice["total"] == "44.00"  # the voided charge is not on it
    [line, *_] = call(
        "get", f"/crm/transaction/?customer_id={customer.customer_id}&invoiced=true", 200
    )
    refused = call(
        "post", f"/crm/transaction/{line['transaction_id']}/void", 409, json={"reason": "x"}
    )
    assert refused["code"] == "transaction_locked" and "invoice" in refused["message"]
    assert (
        call("get", f"/crm/transaction/?customer_id={customer.customer_id}&void=true", 200)[0][
            "transaction_id"
        ]
        == charge["transaction_id"]
    )


def test_the_proforma_shows_the_next_invoice_and_writes_nothing(call, billable, db_session):
    customer, _ = billable()
    count = lambda model: db_session.scalar(select(func.count()).select_from(model))  # noqa: E731
    before = (count(Transaction), count(InvoiceSequence))
    cursor_before = db_session.get(BillingCursor, _service_id(db_session, customer)).billed_through
    shown = call(
        "get",
        f"/crm/invoice/proforma?customer_id={customer.customer_id}&period_end=2026-12-01",
        200,
    )
    assert shown["invoice_id"] is None and shown["invoice_number"] is None
    assert (shown["status"], shown["total"]) == ("draft", "44.00")
    assert len(shown["lines"]) == 2
    db_session.expire_all()
    assert (count(Transaction), count(InvoiceSequence)) == before
    assert (
        db_session.get(BillingCursor, _service_id(db_session, customer)).billed_through
        == cursor_before
    )
    call("get", "/crm/invoice/proforma?customer_id=999999", 404)


def _service_id(db_session, customer):
    from omnicrm.services.models import Service

    return db_session.scalar(
        select(Service.service_id).where(Service.customer_id == customer.customer_id)
    )


def test_drafts_when_runs_do_not_issue(call, billable, run_now, settings, monkeypatch):
    monkeypatch.setattr(settings, "billing_auto_issue", False)
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [draft] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    assert draft["status"] == "draft" and draft["invoice_number"] is None
    assert draft["amount_due"] == "0.00"
    # Voiding a draft gives its lines back to be invoiced again, and no credit note.
    discarded = call(
        "post", f"/crm/invoice/{draft['invoice_id']}/void", 200, json={"reason": "redo"}
    )
    assert discarded["credited_by_id"] is None and discarded["lines"] == []
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [fresh] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}&status=draft", 200)
    issued = call("post", f"/crm/invoice/{fresh['invoice_id']}/issue", 200)
    assert issued["status"] == "issued" and issued["invoice_number"].startswith("INV-")
    assert issued["due_date"] is not None and len(issued["lines"]) == 2
    call("post", f"/crm/invoice/{fresh['invoice_id']}/issue", 409)


def test_the_statement_runs_from_opening_to_closing(call, billable, run_now):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    call("post", f"/crm/invoice/{invoice['invoice_id']}/void", 200, json={"reason": "r"})
    day = invoice["issue_date"]
    statement = call(
        "get", f"/crm/customer/{customer.customer_id}/statement?date_from={day}&date_to={day}", 200
    )
    assert statement["opening_balance"] == "0.00"
    assert [(x["kind"], x["debit"], x["credit"], x["balance"]) for x in statement["lines"]] == [
        ("invoice", "44.00", "0.00", "44.00"),
        ("credit_note", "0.00", "44.00", "0.00"),
    ]
    assert statement["closing_balance"] == "0.00"
    later = call(
        "get",
        f"/crm/customer/{customer.customer_id}/statement?date_from=2099-01-01&date_to=2099-12-31",
        200,
    )
    assert later["opening_balance"] == "0.00" and later["lines"] == []
    # An end before the start is an empty range (the API's rule for every range).
    empty = call(
        "get",
        f"/crm/customer/{customer.customer_id}/statement?date_from=2026-12-02&date_to=2026-12-01",
        200,
    )
    assert empty["lines"] == [] and empty["opening_balance"] == empty["closing_balance"]


def test_roles_without_billing_rights_are_refused(api, make_user, billable):
    customer, _ = billable()
    support = make_user("support")
    headers = api.headers_for(support.email)
    for method, path, body in [
        ("get", "/crm/transaction/", None),
        (
            "post",
            "/crm/transaction/",
            {
                "customer_id": customer.customer_id,
                "kind": "charge",
                "amount": "1",
                "description": "x",
            },
        ),
        ("get", "/crm/invoice/", None),
        ("post", "/crm/billing/run", {}),
        (
            "get",
            f"/crm/customer/{customer.customer_id}/statement?date_from=2026-01-01&date_to=2026-02-01",
            None,
        ),
    ]:
        response = getattr(api.client, method)(path, headers=headers, json=body)
        assert response.status_code == 403, (path, response.get_json())


def test_the_cli_runs_billing_with_a_progress_bar(app, monkeypatch, billable, call):
    """`omnicrm billing run --date` (on the test's app, as the scheduler CLI test does)."""
    from click.testing import CliRunner

    import omnicrm.cli as cli

    customer, _ = billable()
    monkeypatch.setattr(cli, "_app", lambda: app)
    args = ["billing", "run", "--date", "2026-12-01", "--customer", str(customer.customer_id)]
    done = CliRunner().invoke(cli.main, args)
    assert done.exit_code == 0, done.output
    assert "done, 1 customers, 2 transactions, 1 invoices" in done.output
    again = CliRunner().invoke(cli.main, args)
    assert "done, 1 customers, 0 transactions, 0 invoices" in again.output
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    assert invoice["total"] == "44.00"
    bad = CliRunner().invoke(cli.main, ["billing", "run", "--date", "01/12/2026"])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_a_promotion_discounts_the_first_months(db_session, database):
    """A promo product aimed at the tariff when the service goes live: 50 % off each monthly
    charge whose period starts within 2 months of the first day."""
    from freezegun import freeze_time

    from omnicrm.billing import invoices as inv
    from omnicrm.billing.run import execute_run, request_run
    from omnicrm.catalog.models import ProductCategory
    from omnicrm.services import use_cases as services

    tariff = ProductFactory(retail_cost=D("30.00"), tax_percentage=D("0"))
    ProductFactory(
        category=ProductCategory.promo, promo_target_product_id=tariff.product_id,
        promo_discount_percent=D("50"), promo_months=2, retail_cost=D("0"),
    )  # fmt: skip
    service = ServiceFactory(
        product_id=tariff.product_id, retail_cost=tariff.retail_cost,
        price_snapshot=price_snapshot_json(tariff),
    )  # fmt: skip
    db_session.flush()
    with freeze_time("2027-01-17 09:00:00"):
        for status in ("provisioning", "active"):
            services.change_service_status(
                db_session, service_id=service.service_id, to_status=status
            )
    totals = []
    for day in ("2027-02-01", "2027-03-01", "2027-04-01"):
        with freeze_time(f"{day} 03:00:00"):
            run = request_run(
                db_session,
                period_end=date.fromisoformat(day),
                customer_id=service.customer_id,
                user_id=None,
            )
            execute_run(database, run.billing_run_id, chunk_size=10)
        invoice = db_session.scalars(
            select(inv.Invoice).where(inv.Invoice.billing_run_id == run.billing_run_id)
        ).one()
        totals.append(
            [(x.kind.value, x.retail_amount) for x in inv.lines_of(db_session, invoice.invoice_id)]
        )
    # The promotion covers periods starting before Mar 17 (2 months after Jan 17): the partial
    # January (30 * 15/31 = 14.52, half off 7.26), February and March (30.00, half off 15.00);
    # April is full price.
    assert totals == [
        [
            ("recurring", D("14.52")),
            ("promo", D("-7.26")),
            ("recurring", D("30.00")),
            ("promo", D("-15.00")),
        ],
        [("recurring", D("30.00")), ("promo", D("-15.00"))],
        [("recurring", D("30.00"))],
    ]


def test_a_run_that_fails_midway_keeps_its_committed_chunks_and_resumes(
    billable, database, monkeypatch, call
):
    """The second chunk fails: the run is marked failed with the reason, the first chunk's
    invoices stay, and running it again bills the rest, never the first again."""
    from omnicrm.billing import run as runs

    customers = [billable()[0] for _ in range(3)]
    real = runs.bill_chunk
    calls = {"n": 0}

    def flaky(session, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost its database")
        return real(session, **kwargs)

    monkeypatch.setattr(runs, "bill_chunk", flaky)
    with database.job_scope() as session:
        run_id = runs.request_run(
            session, period_end=date(2026, 12, 1), customer_id=None, user_id=None
        ).billing_run_id
    with pytest.raises(RuntimeError):
        runs.execute_run(database, run_id, chunk_size=1)
    failed = call("get", f"/crm/billing/run/{run_id}", 200)
    assert failed["status"] == "failed" and "worker lost its database" in failed["error"]
    invoiced = [
        len(call("get", f"/crm/invoice/?customer_id={c.customer_id}", 200)) for c in customers
    ]
    assert set(invoiced) <= {0, 1}  # what committed before the failure stays, once
    resumed = runs.execute_run(database, run_id, chunk_size=1)
    assert resumed.status.value == "done"
    assert [
        len(call("get", f"/crm/invoice/?customer_id={c.customer_id}", 200)) for c in customers
    ] == [1, 1, 1]


def test_a_manual_charge_retried_with_its_key_charges_once(call, billable):
    customer, _ = billable()
    body = {
        "customer_id": customer.customer_id,
        "kind": "charge",
        "amount": "5",
        "description": "x",
    }
    key = {"Idempotency-Key": "visit-42"}
    first = call("post", "/crm/transaction/", 201, json=body, headers=key)
    again = call("post", "/crm/transaction/", 201, json=body, headers=key)
    assert again == first
    other = call("post", "/crm/transaction/", 422, json={**body, "amount": "6"}, headers=key)
    assert other["code"] == "idempotency_key_reused"
    assert len(call("get", f"/crm/transaction/?customer_id={customer.customer_id}", 200)) == 1


def test_lists_take_several_statuses_and_statements_name_the_currency(call, billable, run_now):
    customer, _ = billable()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    url = f"/crm/invoice/?customer_id={customer.customer_id}"
    assert len(call("get", f"{url}&status=issued&status=overdue", 200)) == 1
    assert call("get", f"{url}&status=paid&status=void", 200) == []
    call("get", f"{url}&status=lost", 422)
    day = invoice["issue_date"]
    statement = call(
        "get", f"/crm/customer/{customer.customer_id}/statement?date_from={day}&date_to={day}", 200
    )
    assert statement["currency"] == customer.currency
    shown = call("get", f"/crm/invoice/proforma?customer_id={customer.customer_id}", 200)
    assert all(line["transaction_id"] is None for line in shown["lines"])


def test_billing_goes_at_most_a_month_ahead(call, billable):
    customer, _ = billable()
    refused = call("post", "/crm/billing/run", 422, json={"period_end": "2099-01-01"})
    assert "period_end" in refused["errors"]["json"]
    far = call(
        "get",
        f"/crm/invoice/proforma?customer_id={customer.customer_id}&period_end=2099-01-01",
        422,
    )
    assert "period_end" in far["errors"]["query"]
