"""Request and response schemas of the payments API."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from omnicrm.charging.schemas import TopUpAmount
from omnicrm.core.fields import ID, Text
from omnicrm.core.money import MoneyField
from omnicrm.payments.models import (
    PaymentMethod,
    PaymentStatus,
    ReconciliationKind,
    ReconciliationStatus,
)

METHODS = [m.value for m in PaymentMethod]


class PaymentCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    amount = TopUpAmount(
        required=True, metadata={"description": "Above 0 and below 1,000,000, a decimal string"}
    )
    method = Text(required=True, validate=validate.OneOf(METHODS))
    invoice_id = fields.Integer(
        strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "Settle this open invoice of the customer's (else 422, or "
                  "409 `invoice_not_open`); the rest becomes account credit"},
    )  # fmt: skip
    service_id = fields.Integer(
        strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "Top up this service's balance (prepaid) instead; one of the "
                  "customer's (else 422); not with invoice_id"},
    )  # fmt: skip
    payment_method_id = fields.Integer(
        attribute="card_id", strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "Charge this saved card through Stripe (method `card`); the "
                  "payment is applied only once the charge succeeds"},
    )  # fmt: skip
    charge_card = fields.Boolean(
        load_default=False,
        metadata={"description": "Charge the customer's default saved card (when no card_id)"},
    )
    customer_present = fields.Boolean(
        load_default=False,
        metadata={"description": "The customer is at hand to pass 3-D Secure (on-session): a "
                  "card that asks for it answers `requires_action` with a `client_secret` for "
                  "Stripe.js; otherwise the bank's request is recorded the same way"},
    )  # fmt: skip
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=300))


class RefundCreateSchema(Schema):
    amount = TopUpAmount(required=True, metadata={"description": "At most what is left (409)"})
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class PaymentQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    status = Text(validate=validate.OneOf([s.value for s in PaymentStatus]))
    method = Text(validate=validate.OneOf(METHODS))


class AllocationSchema(Schema):
    invoice_id = fields.Integer()
    invoice_number = Text(allow_none=True)
    amount = MoneyField(metadata={"description": "Paid on it, less what refunds took back"})


class RefundSchema(Schema):
    refund_id = fields.Integer()
    amount = MoneyField()
    reason = Text()
    gateway_reference = Text(allow_none=True)
    created_by_user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


# Display names the routes read beside the ids (for a whole page at once).
NAME_FIELDS = ("customer_name", "created_by_user_name")


class PaymentSchema(Schema):
    payment_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = Text(allow_none=True)
    service_id = fields.Integer(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    amount = MoneyField()
    currency = Text()
    method = fields.Enum(PaymentMethod, by_value=True)
    status = fields.Enum(PaymentStatus, by_value=True)
    gateway = Text(metadata={"enum": ["manual", "stripe"]})
    gateway_reference = Text(allow_none=True)
    payment_method_id = fields.Integer(attribute="card_id", allow_none=True)
    failure_code = Text(
        allow_none=True,
        metadata={"description": "Why a gateway payment failed or waits: the card's decline "
                  "code, `authentication_required`, `not_at_gateway`, …"},
    )  # fmt: skip
    failure_message = Text(allow_none=True)
    receipt_number = Text(allow_none=True, metadata={"description": "Once the money is in"})
    amount_refunded = MoneyField()
    credit = MoneyField(metadata={"description": "Left as account credit for the next invoice"})
    note = Text(allow_none=True)
    created_by_user_id = fields.Integer(allow_none=True)
    created_by_user_name = Text(
        allow_none=True, metadata={"description": "Who recorded it (full name, else username)"}
    )
    created_at = fields.DateTime()


class DunningEntrySchema(Schema):
    customer_id = fields.Integer()
    customer_name = Text()
    overdue = MoneyField(metadata={"description": "Money past its due date"})
    oldest_due_date = fields.Date()
    invoices = fields.Integer(metadata={"description": "Overdue invoices"})
    last_action = Text(allow_none=True, metadata={"enum": ["reminder", "suspend",
                       "termination_request"]})  # fmt: skip
    last_action_at = fields.DateTime(allow_none=True)
    suspended_service_ids = fields.List(
        fields.Integer(), metadata={"description": "Services dunning holds suspended"}
    )


class PaymentDetailSchema(PaymentSchema):
    allocations = fields.List(fields.Nested(AllocationSchema))
    refunds = fields.List(fields.Nested(RefundSchema))
    client_secret = Text(
        allow_none=True,
        metadata={"description": "Only in the answer that created a `requires_action` card "
                  "payment: Stripe.js finishes 3-D Secure with it (`handleNextAction`)"},
    )  # fmt: skip


TOKEN = validate.Regexp(r"^pm_[A-Za-z0-9_]{1,100}$", error="Not a Stripe PaymentMethod id.")


class CardSchema(Schema):
    payment_method_id = fields.Integer(attribute="card_id")
    customer_id = fields.Integer()
    customer_name = Text()
    gateway = Text()
    reference = Text(metadata={"description": "The gateway's token (`pm_…`)"})
    brand = Text()
    last4 = Text()
    exp_month = fields.Integer()
    exp_year = fields.Integer()
    expires_on = fields.Date(metadata={"description": "Its last good day"})
    expired = fields.Boolean()
    expires_soon = fields.Boolean(
        metadata={"description": "Within CARD_EXPIRY_WARNING_DAYS (default 60)"}
    )
    is_default = fields.Boolean()
    expiry_reminded_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    removed_at = fields.DateTime(allow_none=True)


class CardQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    include_removed = fields.Boolean(load_default=False)


class CardCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    token = Text(
        required=True,
        validate=TOKEN,
        metadata={"description": "The PaymentMethod Stripe Elements created (`pm_…`)"},
    )
    make_default = fields.Boolean(load_default=False)


class CardSetupRequestSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)


class CardSetupSchema(Schema):
    setup_intent_id = Text()
    client_secret = Text(metadata={"description": "For Stripe.js `confirmCardSetup`"})
    publishable_key = Text()


class ExpiringQuerySchema(Schema):
    days = fields.Integer(validate=validate.Range(min=1, max=366), load_default=None)


class GatewayConfigSchema(Schema):
    gateway = Text(metadata={"enum": ["manual", "stripe"]})
    card_payments = fields.Boolean(metadata={"description": "Saved cards can be charged"})
    publishable_key = Text(allow_none=True)
    card_expiry_warning_days = fields.Integer()


class ReconciliationCreateSchema(Schema):
    period_start = fields.AwareDateTime(required=True, default_timezone=UTC)
    period_end = fields.AwareDateTime(required=True, default_timezone=UTC)


class ReconciliationItemSchema(Schema):
    item_id = fields.Integer()
    kind = fields.Enum(ReconciliationKind, by_value=True)
    payment_id = fields.Integer(allow_none=True)
    gateway_reference = Text(allow_none=True)
    our_amount = MoneyField(allow_none=True)
    gateway_amount = MoneyField(allow_none=True)
    our_status = Text(allow_none=True)
    gateway_status = Text(allow_none=True)
    detail = Text()


class ReconciliationSchema(Schema):
    reconciliation_id = fields.Integer()
    gateway = Text()
    period_start = fields.DateTime()
    period_end = fields.DateTime()
    status = fields.Enum(ReconciliationStatus, by_value=True)
    gateway_records = fields.Integer(metadata={"description": "Charges read from Stripe"})
    payments_checked = fields.Integer()
    matched = fields.Integer()
    mismatches = fields.Integer()
    resolved = fields.Integer(metadata={"description": "Open payments settled by this run"})
    error = Text(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class ReconciliationDetailSchema(ReconciliationSchema):
    items = fields.List(fields.Nested(ReconciliationItemSchema))


CARD_COLUMNS = (
    "card_id", "customer_id", "gateway", "reference", "brand", "last4", "exp_month", "exp_year",
    "is_default", "expiry_reminded_at", "created_at", "removed_at",
)  # fmt: skip


class WebhookAnswerSchema(Schema):
    received = fields.Boolean()
    duplicate = fields.Boolean(metadata={"description": "Seen before: nothing was changed"})
    outcome = Text(metadata={"description": "What the event did"})
