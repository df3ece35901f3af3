"""Billing endpoints: transactions, invoices (PDF, void, pro-forma), statements and billing
runs (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from omnicrm.billing import invoices as inv
from omnicrm.billing import pdf
from omnicrm.billing import run as runs
from omnicrm.billing import schemas as s
from omnicrm.billing import use_cases as uc
from omnicrm.billing.tasks import queue_run
from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import request_session
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import request_fingerprint, scoped_key
from omnicrm.core.pagination import paginate_query
from omnicrm.customers.models import Customer
from omnicrm.extensions import get_settings

transactions_blp = Blueprint(
    "transactions",
    __name__,
    url_prefix="/crm/transaction",
    description="Transactions: every charge and credit (setup, recurring, usage, add-ons, "
    "manual), voided rather than deleted",
)
invoices_blp = Blueprint(
    "invoices",
    __name__,
    url_prefix="/crm/invoice",
    description="Invoices: customers' transactions rolled up, numbered gap-free, PDF, void by "
    "credit note, pro-forma",
)
billing_blp = Blueprint(
    "billing",
    __name__,
    url_prefix="/crm",
    description="Billing runs (jobs with live progress) and account statements",
)


def _user_id() -> int | None:
    principal = current_principal.get()
    return principal.user_id if principal is not None else None


@transactions_blp.route("/")
class Transactions(MethodView):
    @require_permission("transaction.read")
    @transactions_blp.arguments(s.TransactionQuerySchema, location="query")
    @transactions_blp.response(200, s.TransactionSchema(many=True))
    @transactions_blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Transactions: filter by customer, service, invoice, kind, invoiced or not, void,
        and the days they cover (``date_from``/``date_to``)."""
        return paginate_query(
            request_session(), uc.transactions_query(**query), pagination_parameters
        )

    @require_permission("transaction.write")
    @transactions_blp.arguments(IdempotencyHeaderSchema, location="headers")
    @transactions_blp.arguments(s.TransactionCreateSchema)
    @transactions_blp.response(201, s.TransactionSchema)
    @transactions_blp.alt_response(404, description="No such customer")
    @transactions_blp.alt_response(
        422,
        description="Invalid body, the service is not the customer's, or "
        "`idempotency_key_reused` (other body)",
    )
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """A manual charge or credit (the next invoice carries it). With an Idempotency-Key,
        a retry answers the first transaction instead of charging again."""
        key = scoped_key(headers.get("idempotency_key"))
        return uc.create_manual(
            request_session(),
            user_id=_user_id(),
            idempotency=(key, request_fingerprint(data)) if key else None,
            **data,
        )


@transactions_blp.route("/<int:transaction_id>")
class TransactionItem(MethodView):
    @require_permission("transaction.read")
    @transactions_blp.response(200, s.TransactionSchema)
    @transactions_blp.alt_response(404, description="No such transaction")
    def get(self, transaction_id: int) -> Any:
        """One transaction."""
        return uc.get_transaction(request_session(), transaction_id=transaction_id)


@transactions_blp.route("/<int:transaction_id>/void")
class TransactionVoid(MethodView):
    @require_permission("transaction.write")
    @transactions_blp.arguments(s.VoidSchema)
    @transactions_blp.response(200, s.TransactionSchema)
    @transactions_blp.alt_response(404, description="No such transaction")
    @transactions_blp.alt_response(
        409, description="`transaction_locked`: already void, or on an invoice (void that)"
    )
    def post(self, data: dict[str, Any], transaction_id: int) -> Any:
        """Void an uninvoiced transaction, with the reason: it is never invoiced."""
        return uc.void_transaction(
            request_session(),
            transaction_id=transaction_id,
            reason=data["reason"],
            user_id=_user_id(),
        )


@invoices_blp.route("/")
class Invoices(MethodView):
    @require_permission("invoice.read")
    @invoices_blp.arguments(s.InvoiceQuerySchema, location="query")
    @invoices_blp.response(200, s.InvoiceSchema(many=True))
    @invoices_blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Invoices and credit notes: filter by customer, status, kind, run, issue dates."""
        return paginate_query(request_session(), inv.invoices_query(**query), pagination_parameters)


def _detail(invoice_id: int) -> dict[str, Any]:
    session = request_session()
    view = inv.invoice_view(session, inv.get_invoice(session, invoice_id=invoice_id))
    return _flatten(view)


def _flatten(view: dict[str, Any]) -> dict[str, Any]:
    invoice = view["invoice"]
    body = {key: getattr(invoice, key) for key in s.InvoiceSchema().fields}
    return {
        **body,
        "lines": view["lines"],
        "tax_summary": view["tax_summary"],
        "credited_by_id": view["credited_by_id"],
    }


@invoices_blp.route("/<int:invoice_id>")
class InvoiceItem(MethodView):
    @require_permission("invoice.read")
    @invoices_blp.response(200, s.InvoiceDetailSchema)
    @invoices_blp.alt_response(404, description="No such invoice")
    def get(self, invoice_id: int) -> Any:
        """One invoice with its lines (net and tax each) and its tax summary per rate."""
        return _detail(invoice_id)


@invoices_blp.route("/<int:invoice_id>/pdf")
class InvoicePdf(MethodView):
    @require_permission("invoice.read")
    @invoices_blp.response(200, description="The invoice (application/pdf)")
    @invoices_blp.alt_response(404, description="No such invoice")
    def get(self, invoice_id: int) -> Response:
        """The invoice as a PDF (rendered from the operator's template, cached)."""
        session = request_session()
        invoice = inv.get_invoice(session, invoice_id=invoice_id)
        customer = session.get(Customer, invoice.customer_id)
        data = pdf.document(inv.invoice_view(session, invoice), customer)
        body = pdf.cached_pdf(get_settings(), invoice_id, data)
        name = invoice.invoice_number or f"draft-{invoice_id}"
        return Response(
            body,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )


@invoices_blp.route("/<int:invoice_id>/issue")
class InvoiceIssue(MethodView):
    @require_permission("invoice.write")
    @invoices_blp.response(200, s.InvoiceDetailSchema)
    @invoices_blp.alt_response(404, description="No such invoice")
    @invoices_blp.alt_response(409, description="`invoice_state`: not a draft")
    def post(self, invoice_id: int) -> Any:
        """Issue a draft: its number, issue and due dates, the customer's e-mail."""
        settings = get_settings()
        inv.issue_one(
            request_session(),
            invoice_id=invoice_id,
            day=uc.today(),
            payment_terms_days=settings.billing_payment_terms_days,
        )
        return _detail(invoice_id)


@invoices_blp.route("/<int:invoice_id>/void")
class InvoiceVoid(MethodView):
    @require_permission("invoice.void")
    @invoices_blp.arguments(s.VoidSchema)
    @invoices_blp.response(200, s.InvoiceDetailSchema)
    @invoices_blp.alt_response(404, description="No such invoice")
    @invoices_blp.alt_response(
        409, description="`invoice_state`: already void, a credit note, or paid on"
    )
    def post(self, data: dict[str, Any], invoice_id: int) -> Any:
        """Void an invoice: an issued one by a credit note (``credited_by_id``), a draft by
        returning its lines to be invoiced again."""
        inv.void_invoice(
            request_session(),
            invoice_id=invoice_id,
            reason=data["reason"],
            user_id=_user_id(),
            day=uc.today(),
        )
        return _detail(invoice_id)


@invoices_blp.route("/proforma")
class InvoiceProforma(MethodView):
    @require_permission("invoice.read")
    @invoices_blp.arguments(s.ProformaQuerySchema, location="query")
    @invoices_blp.response(200, s.ProformaSchema)
    @invoices_blp.alt_response(404, description="No such customer")
    def get(self, query: dict[str, Any]) -> Any:
        """What the customer's next invoice would hold if billed up to ``period_end``
        (status ``draft``, no number): computed and discarded, nothing is written."""
        view = runs.proforma(
            request_session(),
            customer_id=query["customer_id"],
            as_of=query["period_end"] or uc.today(),
            suspended_billed=get_settings().billing_suspended_policy == "bill",
        )
        return _flatten(view)


@billing_blp.route("/customer/<int:customer_id>/statement")
class CustomerStatement(MethodView):
    @require_permission("invoice.read")
    @billing_blp.arguments(s.StatementQuerySchema, location="query")
    @billing_blp.response(200, s.StatementSchema)
    @billing_blp.alt_response(404, description="No such customer")
    def get(self, query: dict[str, Any], customer_id: int) -> Any:
        """The account statement: opening balance, each invoice and credit note issued in
        [date_from, date_to] with the running balance, closing balance."""
        return inv.statement(request_session(), customer_id=customer_id, **query)


@billing_blp.route("/billing/run")
class BillingRuns(MethodView):
    @require_permission("invoice.read")
    @billing_blp.arguments(s.RunQuerySchema, location="query")
    @billing_blp.response(200, s.BillingRunSchema(many=True))
    @billing_blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Billing runs, newest first."""
        return paginate_query(request_session(), runs.runs_query(**query), pagination_parameters)

    @require_permission("invoice.write")
    @billing_blp.arguments(s.RunRequestSchema)
    @billing_blp.response(202, s.BillingRunSchema)
    @billing_blp.alt_response(404, description="No such customer")
    def post(self, data: dict[str, Any]) -> Any:
        """Start a billing run (a job): follow it at ``GET /crm/billing/run/<id>`` or live on
        Socket.IO (namespace ``/billing``, room ``billing-run:<id>``). Running the same
        period again bills nothing twice."""
        session = request_session()
        run = runs.request_run(session, user_id=_user_id(), **data)
        queue_run(session, run.billing_run_id)
        return run


@billing_blp.route("/billing/run/<int:billing_run_id>")
class BillingRunItem(MethodView):
    @require_permission("invoice.read")
    @billing_blp.response(200, s.BillingRunSchema)
    @billing_blp.alt_response(404, description="No such billing run")
    def get(self, billing_run_id: int) -> Any:
        """One billing run: status, progress and what it wrote."""
        return runs.get_run(request_session(), billing_run_id=billing_run_id)
