"""Request and response schemas of the payments API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.charging.schemas import TopUpAmount
from omnicrm.core.fields import ID, Text
from omnicrm.core.money import MoneyField
from omnicrm.payments.models import PaymentMethod, PaymentStatus

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


class PaymentSchema(Schema):
    payment_id = fields.Integer()
    customer_id = fields.Integer()
    service_id = fields.Integer(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    amount = MoneyField()
    currency = Text()
    method = fields.Enum(PaymentMethod, by_value=True)
    status = fields.Enum(PaymentStatus, by_value=True)
    gateway = Text()
    gateway_reference = Text(allow_none=True)
    receipt_number = Text()
    amount_refunded = MoneyField()
    credit = MoneyField(metadata={"description": "Left as account credit for the next invoice"})
    note = Text(allow_none=True)
    created_by_user_id = fields.Integer(allow_none=True)
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
