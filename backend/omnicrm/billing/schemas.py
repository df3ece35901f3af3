"""Request and response schemas of the billing API (transactions, invoices, runs)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.billing.invoices import INVOICE_SORTS
from omnicrm.billing.models import InvoiceKind, InvoiceStatus, RunStatus, TransactionKind
from omnicrm.billing.use_cases import TRANSACTION_SORTS
from omnicrm.charging.schemas import TopUpAmount
from omnicrm.core.fields import ID, Text
from omnicrm.core.money import MoneyField, PercentField
from omnicrm.core.query import sort_field

KINDS = [k.value for k in TransactionKind]
INVOICE_STATUSES = [s.value for s in InvoiceStatus]
RUN_STATUSES = [s.value for s in RunStatus]


class _Range(Schema):
    """From and to, both included (an end before the start is an empty range)."""

    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)


class TransactionQuerySchema(_Range):
    customer_id = fields.Integer(validate=ID)
    service_id = fields.Integer(validate=ID)
    invoice_id = fields.Integer(validate=ID)
    kind = Text(validate=validate.OneOf(KINDS))
    invoiced = fields.Boolean(metadata={"description": "true: on an invoice; false: not yet"})
    void = fields.Boolean()
    q = Text(validate=validate.Length(max=100), metadata={"description": "In the description"})
    sort = sort_field(tuple(TRANSACTION_SORTS), "-transaction_id")


class TransactionCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    service_id = fields.Integer(
        strict=True,
        validate=ID,
        allow_none=True,
        metadata={
            "description": "One of the customer's services (else 422); its tax rate is the default"
        },
    )
    kind = Text(
        required=True,
        validate=validate.OneOf(["charge", "credit"]),
        metadata={"description": "charge (the customer owes it) or credit (stored negative)"},
    )
    description = Text(required=True, validate=validate.Length(min=1, max=300))
    amount = TopUpAmount(
        required=True,
        metadata={"description": "Net amount, above 0 and below 1,000,000 (a credit too)"},
    )
    tax_percentage = PercentField(
        load_default=None,
        allow_none=True,
        metadata={"description": "Tax rate (0-100); default the service's, else 0"},
    )


class VoidSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class TransactionSchema(Schema):
    transaction_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = Text()
    service_id = fields.Integer(allow_none=True)
    service_name = Text(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    invoice_id = fields.Integer(allow_none=True)
    invoice_number = Text(allow_none=True)
    billing_run_id = fields.Integer(allow_none=True)
    kind = fields.Enum(TransactionKind, by_value=True)
    description = Text()
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(
        allow_none=True, metadata={"description": "Exclusive: the line covers [start, end)"}
    )
    currency = Text()
    wholesale_amount = MoneyField()
    retail_amount = MoneyField(metadata={"description": "Net; a credit is negative"})
    amount = MoneyField(
        attribute="retail_amount", dump_only=True, metadata={"description": "Net (as retail)"}
    )
    tax_percentage = PercentField()
    tax_amount = MoneyField()
    total = MoneyField(metadata={"description": "Net plus tax"})
    paid_from_balance = fields.Boolean(
        metadata={"description": "Paid from the prepaid balance when it happened: not invoiced"}
    )
    void = fields.Boolean()
    void_reason = Text(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    created_by_user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class InvoiceQuerySchema(_Range):
    customer_id = fields.Integer(validate=ID)
    status = fields.List(
        Text(validate=validate.OneOf(INVOICE_STATUSES)),
        metadata={"description": "Repeat for several (status=issued&status=overdue)"},
    )
    kind = Text(validate=validate.OneOf([k.value for k in InvoiceKind]))
    billing_run_id = fields.Integer(validate=ID)
    q = Text(validate=validate.Length(max=40), metadata={"description": "In the number"})
    sort = sort_field(tuple(INVOICE_SORTS), "-invoice_id")


class TaxRateSchema(Schema):
    tax_percentage = PercentField()
    net = MoneyField()
    tax = MoneyField()


class InvoiceSchema(Schema):
    invoice_id = fields.Integer()
    invoice_number = Text(
        allow_none=True,
        metadata={"description": "INV-<year>-<n> (CN- for credit notes); none while a draft"},
    )
    kind = fields.Enum(InvoiceKind, by_value=True)
    customer_id = fields.Integer()
    customer_name = Text()
    status = fields.Enum(InvoiceStatus, by_value=True)
    currency = Text()
    issue_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    subtotal = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()
    amount_paid = MoneyField()
    amount_due = MoneyField()
    paid = fields.Boolean()
    credit_note_for_id = fields.Integer(allow_none=True)
    void_reason = Text(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    billing_run_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class InvoiceLineSchema(Schema):
    transaction_id = fields.Integer()
    kind = fields.Enum(TransactionKind, by_value=True)
    description = Text()
    service_id = fields.Integer(allow_none=True)
    service_name = Text(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    amount = MoneyField(attribute="retail_amount", dump_only=True, metadata={"description": "Net"})
    tax_percentage = PercentField()
    tax_amount = MoneyField()
    total = MoneyField()
    void = fields.Boolean()


class InvoiceDetailSchema(InvoiceSchema):
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    tax_summary = fields.List(fields.Nested(TaxRateSchema))
    credited_by_id = fields.Integer(
        allow_none=True, metadata={"description": "The credit note that voided it"}
    )


class ProformaLineSchema(InvoiceLineSchema):
    transaction_id = fields.Integer(allow_none=True, metadata={"description": "Always null"})


class ProformaSchema(InvoiceDetailSchema):
    invoice_id = fields.Integer(allow_none=True, metadata={"description": "Always null"})
    lines = fields.List(fields.Nested(ProformaLineSchema))


class ProformaQuerySchema(Schema):
    customer_id = fields.Integer(required=True, validate=ID)
    period_end = fields.Date(
        load_default=None,
        metadata={
            "description": "Bill up to this day (default today; at most 31 days ahead, else 422)"
        },
    )


class StatementQuerySchema(_Range):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)


class StatementLineSchema(Schema):
    date = fields.Date()
    kind = Text(metadata={"enum": ["invoice", "credit_note", "payment", "refund"]})
    invoice_id = fields.Integer()
    reference = Text(metadata={"description": "The invoice number, or the payment's reference"})
    description = Text()
    debit = MoneyField()
    credit = MoneyField()
    balance = MoneyField()


class StatementSchema(Schema):
    customer_id = fields.Integer()
    customer_name = Text()
    currency = Text(metadata={"description": "The customer's currency"})
    date_from = fields.Date()
    date_to = fields.Date()
    opening_balance = MoneyField()
    closing_balance = MoneyField()
    lines = fields.List(fields.Nested(StatementLineSchema))


class RunRequestSchema(Schema):
    period_end = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Bill every period starting on or before this day (in advance) and "
            "usage rated before it; default today; at most 31 days ahead (else 422)"
        },
    )
    customer_id = fields.Integer(
        strict=True,
        validate=ID,
        allow_none=True,
        load_default=None,
        metadata={"description": "Only this customer (else every customer)"},
    )


class RunQuerySchema(Schema):
    status = Text(validate=validate.OneOf(RUN_STATUSES))


class BillingRunSchema(Schema):
    billing_run_id = fields.Integer()
    period_end = fields.Date()
    customer_id = fields.Integer(allow_none=True)
    status = fields.Enum(RunStatus, by_value=True)
    total = fields.Integer(
        attribute="customer_count", metadata={"description": "Customers to go through"}
    )
    processed = fields.Integer()
    transactions_created = fields.Integer()
    invoices_created = fields.Integer()
    error = Text(allow_none=True)
    requested_by_user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
