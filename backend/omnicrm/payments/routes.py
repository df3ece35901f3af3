"""Payment endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import request_session
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import request_fingerprint, scoped_key
from omnicrm.core.pagination import paginate_query
from omnicrm.payments import schemas as s
from omnicrm.payments import use_cases as uc
from omnicrm.payments.dunning import dunning_queue
from omnicrm.payments.receipt import render_receipt

blp = Blueprint(
    "payments",
    __name__,
    url_prefix="/crm/payment",
    description="Payments (GetDeposit): top-ups and invoice settlements, receipts, refunds",
)


def _user_id() -> int | None:
    principal = current_principal.get()
    return principal.user_id if principal is not None else None


def _detail(payment_id: int) -> dict[str, Any]:
    session = request_session()
    view = uc.payment_view(session, uc.get_payment(session, payment_id=payment_id))
    payment = view["payment"]
    body = {key: getattr(payment, key) for key in s.PaymentSchema().fields}
    return {**body, "allocations": view["allocations"], "refunds": view["refunds"]}


@blp.route("/")
class Payments(MethodView):
    @require_permission("payment.read")
    @blp.arguments(s.PaymentQuerySchema, location="query")
    @blp.response(200, s.PaymentSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Payments, newest first: filter by customer, status, method."""
        return paginate_query(request_session(), uc.payments_query(**query), pagination_parameters)

    @require_permission("payment.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.PaymentCreateSchema)
    @blp.response(201, s.PaymentDetailSchema)
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(409, description="`invoice_not_open`: the named invoice is not due")
    @blp.alt_response(
        422,
        description="Invalid body, an invoice or service not the customer's, or "
        "`idempotency_key_reused` (other body)",
    )
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """Record a payment (the manual gateway: cash, bank transfer, voucher, a card taken on
        a terminal): it tops up the named service, or settles the customer's open invoices
        oldest due first (or the one named), the rest left as account credit; a receipt and
        a "payment confirmed" e-mail. With an Idempotency-Key a retry pays once."""
        key = scoped_key(headers.get("idempotency_key"))
        payment = uc.take_payment(
            request_session(),
            user_id=_user_id(),
            idempotency=(key, request_fingerprint(data)) if key else None,
            **data,
        )
        return _detail(payment.payment_id)


@blp.route("/dunning")
class Dunning(MethodView):
    @require_permission("payment.read")
    @blp.response(200, s.DunningEntrySchema(many=True))
    def get(self) -> Any:
        """The dunning queue: customers with overdue money, oldest first, with the last step
        taken and the services dunning holds suspended."""
        return dunning_queue(request_session())


@blp.route("/<int:payment_id>")
class PaymentItem(MethodView):
    @require_permission("payment.read")
    @blp.response(200, s.PaymentDetailSchema)
    @blp.alt_response(404, description="No such payment")
    def get(self, payment_id: int) -> Any:
        """One payment, where it went (invoices, credit) and its refunds."""
        return _detail(payment_id)


@blp.route("/<int:payment_id>/refund")
class PaymentRefund(MethodView):
    @require_permission("payment.refund")
    @blp.arguments(s.RefundCreateSchema)
    @blp.response(200, s.PaymentDetailSchema)
    @blp.alt_response(404, description="No such payment")
    @blp.alt_response(
        409,
        description="`refund_exceeds_payment` (more than is left), or `insufficient_balance` "
        "(a top-up already spent)",
    )
    def post(self, data: dict[str, Any], payment_id: int) -> Any:
        """Refund all or part of a payment: the invoices it settled are due again (newest
        first), then its account credit is taken back; a top-up leaves the balance."""
        uc.refund(request_session(), payment_id=payment_id, user_id=_user_id(), **data)
        return _detail(payment_id)


@blp.route("/<int:payment_id>/receipt")
class PaymentReceipt(MethodView):
    @require_permission("payment.read")
    @blp.response(200, description="The receipt (application/pdf)")
    @blp.alt_response(404, description="No such payment")
    def get(self, payment_id: int) -> Response:
        """The payment's receipt as a PDF."""
        session = request_session()
        view = uc.payment_view(session, uc.get_payment(session, payment_id=payment_id))
        body = render_receipt(session, view)
        number = view["payment"].receipt_number
        return Response(
            body,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )
