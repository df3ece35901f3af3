"""Payment endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from sqlalchemy import select

from omnicrm.billing.use_cases import today
from omnicrm.core.auth import public, require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import commit, request_session
from omnicrm.core.errors import DomainError
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import request_fingerprint, scoped_key
from omnicrm.core.names import attach, customer_names, user_names
from omnicrm.core.pagination import paginate_query
from omnicrm.customers.models import Customer
from omnicrm.extensions import get_settings
from omnicrm.payments import cards, reconciliation, stripe_gateway, webhooks
from omnicrm.payments import schemas as s
from omnicrm.payments import use_cases as uc
from omnicrm.payments.dunning import dunning_queue
from omnicrm.payments.gateway import Outcome
from omnicrm.payments.models import PaymentCard, PaymentStatus
from omnicrm.payments.receipt import render_receipt
from omnicrm.payments.tasks import queue_reconciliation

blp = Blueprint(
    "payments",
    __name__,
    url_prefix="/crm/payment",
    description="Payments (GetDeposit): top-ups and invoice settlements, receipts, refunds",
)


def _user_id() -> int | None:
    principal = current_principal.get()
    return principal.user_id if principal is not None else None


class PaymentDeclined(DomainError):
    status, code = 402, "payment_declined"


def _detail(payment_id: int) -> dict[str, Any]:
    session = request_session()
    view = uc.payment_view(session, uc.get_payment(session, payment_id=payment_id))
    payment = view["payment"]
    names = [
        field.attribute or name
        for name, field in s.PaymentSchema().fields.items()
        if name not in s.NAME_FIELDS
    ]
    body = {name: getattr(payment, name) for name in names}
    _with_names(session, [body])
    return {**body, "allocations": view["allocations"], "refunds": view["refunds"]}


def _with_names(session: Any, payments: list[Any]) -> list[Any]:
    """The customer's and the recording user's names beside their ids (one query each)."""
    customers = customer_names(session, (_get(p, "customer_id") for p in payments))
    users = user_names(session, (_get(p, "created_by_user_id") for p in payments))
    attach(payments, customers, id_attr="customer_id", name_attr="customer_name")
    attach(payments, users, id_attr="created_by_user_id", name_attr="created_by_user_name")
    return payments


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _answer(payment: Any, client_secret: str | None = None) -> Any:
    """201 when the money is in, 202 while the gateway (or the customer) still has to finish,
    402 when the card was declined — the attempt is kept, so it is committed first."""
    if payment.status == PaymentStatus.failed:
        commit(request_session())
        raise PaymentDeclined(
            f"the payment was declined: {payment.failure_message or payment.failure_code}",
            extra={
                "payment_id": payment.payment_id,
                "failure_code": payment.failure_code,
            },
        )
    body = _detail(payment.payment_id)
    if payment.status in (
        PaymentStatus.requires_action,
        PaymentStatus.pending,
        PaymentStatus.unknown,
    ):
        return {**body, "client_secret": client_secret}, 202
    return body


@blp.route("/")
class Payments(MethodView):
    @require_permission("payment.read")
    @blp.arguments(s.PaymentQuerySchema, location="query")
    @blp.response(200, s.PaymentSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Payments, newest first: filter by customer, status, method."""
        session = request_session()
        return _with_names(
            session, paginate_query(session, uc.payments_query(**query), pagination_parameters)
        )

    @require_permission("payment.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.PaymentCreateSchema)
    @blp.response(201, s.PaymentDetailSchema)
    @blp.alt_response(
        202,
        schema=s.PaymentDetailSchema,
        description="A card payment not finished: `requires_action` (3-D Secure, with "
        "`client_secret` when the customer is present) or `unknown` (Stripe did not answer; "
        "the webhook or the reconciler settles it). Nothing is applied until it succeeds.",
    )
    @blp.alt_response(402, description="`payment_declined`: the card was declined (the "
                      "attempt is kept as a `failed` payment, named in `payment_id`)")  # fmt: skip
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(
        409,
        description="`invoice_not_open`: the named invoice is not due; "
        "`gateway_not_configured`: a card charge without Stripe; `payment_in_doubt`: an "
        "earlier card payment's answer was lost (reconcile before charging again)",
    )
    @blp.alt_response(
        422,
        description="Invalid body, an invoice, service or saved card not the customer's, or "
        "`idempotency_key_reused` (other body)",
    )
    @blp.alt_response(503, description="`gateway_unavailable`: Stripe refused our key")
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Any:
        """Take a payment. Without a card it records money taken elsewhere (cash, bank
        transfer, voucher, a card on a terminal). With `payment_method_id` or `charge_card` it
        charges a saved card through Stripe first. The money tops up the named service, or
        settles the customer's open invoices oldest due first (or the one named), the rest left
        as account credit; a receipt and a "payment confirmed" e-mail. With an Idempotency-Key
        a retry pays once."""
        key = scoped_key(headers.get("idempotency_key"))
        answers: list[Outcome] = []
        payment = uc.take_payment(
            request_session(),
            user_id=_user_id(),
            idempotency=(key, request_fingerprint(data)) if key else None,
            on_outcome=answers.append,
            **data,
        )
        return _answer(payment, answers[0].client_secret if answers else None)


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


@blp.route("/gateway")
class GatewayConfig(MethodView):
    @require_permission("payment.read")
    @blp.response(200, s.GatewayConfigSchema)
    def get(self) -> Any:
        """Which gateway takes card payments here, and the key Stripe Elements needs."""
        gateway = stripe_gateway.configured()
        return {
            "gateway": "stripe" if gateway else "manual",
            "card_payments": gateway is not None,
            "publishable_key": gateway.publishable_key if gateway else None,
            "card_expiry_warning_days": get_settings().card_expiry_warning_days,
        }


@blp.route("/reconciliation/")
class Reconciliations(MethodView):
    @require_permission("payment.reconcile")
    @blp.response(200, s.ReconciliationSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """Reconciliation runs, newest first."""
        return paginate_query(request_session(), reconciliation.runs_query(), pagination_parameters)

    @require_permission("payment.reconcile")
    @blp.arguments(s.ReconciliationCreateSchema)
    @blp.response(202, s.ReconciliationSchema)
    @blp.alt_response(409, description="`gateway_not_configured`: no Stripe to reconcile")
    @blp.alt_response(422, description="An empty or reversed period, or one over 92 days")
    def post(self, data: dict[str, Any]) -> Any:
        """Compare Stripe's charges in a period with our payments (a job): open payments are
        settled from Stripe's record first, then mismatches are listed."""
        session = request_session()
        run = reconciliation.request_run(session, user_id=_user_id(), **data)
        queue_reconciliation(session, run.reconciliation_id)
        return run


@blp.route("/reconciliation/<int:reconciliation_id>")
class ReconciliationItemView(MethodView):
    @require_permission("payment.reconcile")
    @blp.response(200, s.ReconciliationDetailSchema)
    @blp.alt_response(404, description="No such run")
    def get(self, reconciliation_id: int) -> Any:
        """A run with its items: what was resolved and what does not match."""
        session = request_session()
        run = reconciliation.get_run(session, reconciliation_id)
        body = {key: getattr(run, key) for key in s.ReconciliationSchema().fields}
        return {**body, "items": reconciliation.items_of(session, reconciliation_id)}


# --- saved cards -------------------------------------------------------------------------------
methods_blp = Blueprint(
    "payment_methods",
    __name__,
    url_prefix="/crm/payment-method",
    description="Saved cards (Stripe tokens only: brand, last 4, expiry), the default, expiry",
)


def _card_view(card: PaymentCard, customer_name: str | None = None) -> dict[str, Any]:
    session = request_session()
    if customer_name is None:
        customer_name = session.scalar(
            select(Customer.customer_name).where(Customer.customer_id == card.customer_id)
        )
    day = today()
    ends = cards.expiry_date(card)
    warning = get_settings().card_expiry_warning_days
    body = {key: getattr(card, key) for key in s.CARD_COLUMNS}
    return {
        **body,
        "customer_name": customer_name,
        "expires_on": ends,
        "expired": ends < day,
        "expires_soon": (ends - day).days <= warning,
    }


@methods_blp.route("/")
class Cards(MethodView):
    @require_permission("payment.read")
    @methods_blp.arguments(s.CardQuerySchema, location="query")
    @methods_blp.response(200, s.CardSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Saved cards (a customer's with `customer_id`), the default first."""
        session = request_session()
        return [_card_view(card) for card in session.scalars(cards.cards_query(**query).limit(500))]

    @require_permission("payment.write")
    @methods_blp.arguments(s.CardCreateSchema)
    @methods_blp.response(201, s.CardSchema)
    @methods_blp.alt_response(404, description="No such customer")
    @methods_blp.alt_response(
        409,
        description="`gateway_refused` (Stripe refused the card), `card_in_use` (saved for "
        "another customer), `gateway_not_configured`",
    )
    @methods_blp.alt_response(503, description="`gateway_unavailable`")
    def post(self, data: dict[str, Any]) -> Any:
        """Save a card Stripe Elements collected (its `pm_…` token): attached to the
        customer at Stripe, kept here as brand, last 4 and expiry. The first is the default."""
        card = cards.save_card(request_session(), **data)
        return _card_view(card)


@methods_blp.route("/setup")
class CardSetup(MethodView):
    @require_permission("payment.write")
    @methods_blp.arguments(s.CardSetupRequestSchema)
    @methods_blp.response(200, s.CardSetupSchema)
    @methods_blp.alt_response(404, description="No such customer")
    @methods_blp.alt_response(409, description="`gateway_not_configured`")
    @methods_blp.alt_response(503, description="`gateway_unavailable`")
    def post(self, data: dict[str, Any]) -> Any:
        """A Stripe SetupIntent for the browser to collect a card with Elements."""
        return cards.card_setup(request_session(), **data)


@methods_blp.route("/expiring")
class ExpiringCards(MethodView):
    @require_permission("payment.read")
    @methods_blp.arguments(s.ExpiringQuerySchema, location="query")
    @methods_blp.response(200, s.CardSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Saved cards whose last good day is within `days` (default
        CARD_EXPIRY_WARNING_DAYS, 60), soonest first; expired ones too."""
        days = query.get("days") or get_settings().card_expiry_warning_days
        rows = request_session().execute(cards.expiring_query(day=today(), days=days).limit(1000))
        return [_card_view(card, name) for card, name in rows.all()]


@methods_blp.route("/<int:payment_method_id>")
class CardItem(MethodView):
    @require_permission("payment.read")
    @methods_blp.response(200, s.CardSchema)
    @methods_blp.alt_response(404, description="No such card")
    def get(self, payment_method_id: int) -> Any:
        """One saved card."""
        return _card_view(cards.get_card(request_session(), payment_method_id))

    @require_permission("payment.write")
    @methods_blp.response(200, s.CardSchema)
    @methods_blp.alt_response(404, description="No such card")
    @methods_blp.alt_response(503, description="`gateway_unavailable`")
    def delete(self, payment_method_id: int) -> Any:
        """Remove the card: detached at Stripe, kept here as removed (payments name it)."""
        return _card_view(cards.remove_card(request_session(), card_id=payment_method_id))


@methods_blp.route("/<int:payment_method_id>/default")
class CardDefault(MethodView):
    @require_permission("payment.write")
    @methods_blp.response(200, s.CardSchema)
    @methods_blp.alt_response(404, description="No such card")
    @methods_blp.alt_response(409, description="`card_removed`")
    @methods_blp.alt_response(503, description="`gateway_unavailable`")
    def post(self, payment_method_id: int) -> Any:
        """Make the card the customer's default (automatic charges use it)."""
        return _card_view(cards.make_default(request_session(), card_id=payment_method_id))


# --- the webhook -------------------------------------------------------------------------------
webhook_blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/crm/webhook",
    description="Gateways telling us what happened (signed; public)",
)


@webhook_blp.route("/stripe")
class StripeWebhook(MethodView):
    @public
    @webhook_blp.response(200, s.WebhookAnswerSchema)
    @webhook_blp.alt_response(
        400,
        description="`bad_signature`: the Stripe-Signature header does not verify, its "
        "timestamp is older than STRIPE_WEBHOOK_TOLERANCE_SECONDS, or the body is not an event",
    )
    @webhook_blp.alt_response(409, description="`gateway_not_configured`")
    def post(self) -> Any:
        """Stripe's events (public: the body must carry Stripe's signature). Each event is
        applied once: a redelivery answers `duplicate`. Handled: `payment_intent.*` (a card
        payment succeeded, failed or needs 3-D Secure), `refund.*` (refunds made at Stripe are
        mirrored), `payment_method.*` (expiry updates, detached cards), `setup_intent.succeeded`
        (a card saved in the browser)."""
        gateway = cards.require_stripe()
        event = gateway.verify(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
        return webhooks.process(request_session(), event)
