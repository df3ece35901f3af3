"""Every message OmniCRM sends: its template, its category (what a customer may opt out of)
and the sample facts its preview is rendered with.

A template name reaches the file system only through this catalogue: a name that is not a key
of :data:`TEMPLATES` is refused before any loader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Category:
    label: str
    # Legally or operationally required: sent whatever the customer's preferences say.
    required: bool


CATEGORIES: dict[str, Category] = {
    "account": Category("Sign-in and account security", required=True),
    "billing": Category("Invoices, credit notes and payment reminders", required=True),
    "contract": Category("Contract and service status changes", required=False),
    "payments": Category("Payment receipts and saved cards", required=False),
    "usage": Category("Balance and allowance alerts", required=False),
    "tickets": Category("Support tickets", required=False),
    "staff": Category("Messages to staff", required=True),
}

# What customers may turn off: the categories that are not required.
OPTIONAL_CATEGORIES = tuple(name for name, c in CATEGORIES.items() if not c.required)


@dataclass(frozen=True)
class TemplateSpec:
    category: str
    description: str
    sample: dict[str, Any]
    # Its body holds a one-time link: the outbox never shows it.
    sensitive: bool = False
    channels: tuple[str, ...] = ("email",)


_CUSTOMER = {"customer_name": "Ada Lovelace"}
_TICKET = {**_CUSTOMER, "ticket_id": 1042, "ticket_subject": "No data since this morning"}
_INVOICE = {
    **_CUSTOMER,
    "invoice_number": "INV-2026-000123",
    "total": "44.00",
    "currency": "EUR",
    "due_date": "2026-12-21",
}
_CONTRACT = {
    **_CUSTOMER,
    "contract_number": "C-2026-000042",
    "product_name": "Mobile 20 GB",
    "reason": "",
}

TEMPLATES: dict[str, TemplateSpec] = {
    "welcome": TemplateSpec(
        "account",
        "A new staff or portal account: choose a password",
        {"link": "https://crm.example.com/reset-password?token=SAMPLE", "valid_for": "1 hour"},
        sensitive=True,
    ),
    "verify_email": TemplateSpec(
        "account",
        "Confirm an e-mail address",
        {"link": "https://crm.example.com/verify-email?token=SAMPLE", "valid_for": "48 hours"},
        sensitive=True,
    ),
    "reset_password": TemplateSpec(
        "account",
        "A password reset link",
        {"link": "https://crm.example.com/reset-password?token=SAMPLE", "valid_for": "1 hour"},
        sensitive=True,
    ),
    "contract_created": TemplateSpec(
        "contract",
        "A contract was signed (report A24)",
        {**_CONTRACT, "setup_amount": "25.00", "currency": "EUR"},
    ),
    "service_activated": TemplateSpec(
        "contract", "A contract's service is live (A24)", _CONTRACT, channels=("email", "sms")
    ),
    "service_suspended": TemplateSpec(
        "contract",
        "A contract's service was suspended (A24)",
        {**_CONTRACT, "reason": "unpaid invoice INV-2026-000123"},
        channels=("email", "sms"),
    ),
    "service_resumed": TemplateSpec(
        "contract", "A suspended service runs again (A24)", _CONTRACT, channels=("email", "sms")
    ),
    "contract_closed": TemplateSpec(
        "contract", "A contract was closed (A24)", {**_CONTRACT, "reason": "moved abroad"}
    ),
    "charging_threshold": TemplateSpec(
        "usage",
        "A balance or allowance crossed an alert level",
        {
            **_CUSTOMER,
            "service_name": "Mobile 20 GB",
            "balance_type": "data",
            "percent_used": 80,
            "value": "4096",
            "below": "",
            "unit": "MB",
        },
        channels=("email", "sms"),
    ),
    "ticket_opened": TemplateSpec("tickets", "We opened a ticket for the customer", _TICKET),
    "ticket_replied": TemplateSpec(
        "tickets",
        "Staff replied on a ticket",
        {**_TICKET, "reply": "We reset your data session; please restart your phone."},
    ),
    "ticket_closed": TemplateSpec(
        "tickets", "A ticket was closed", {**_TICKET, "reason": "Solved after a restart."}
    ),
    "ticket_breached": TemplateSpec(
        "staff",
        "A ticket missed its SLA (to its assignee)",
        {**_TICKET, "due_at": "2026-12-07 13:00"},
    ),
    "invoice_issued": TemplateSpec("billing", "An invoice was issued", _INVOICE),
    "credit_note_issued": TemplateSpec("billing", "A credit note was issued", _INVOICE),
    "dunning_reminder": TemplateSpec(
        "billing",
        "An invoice is overdue",
        {**_CUSTOMER, "amount": "44.00", "currency": "EUR", "days_overdue": 7},
    ),
    "payment_confirmed": TemplateSpec(
        "payments",
        "A payment was received",
        {**_CUSTOMER, "amount": "44.00", "currency": "EUR", "receipt_number": "RCPT-2026-000077"},
    ),
    "payment_action_required": TemplateSpec(
        "billing",
        "The bank asks the customer to confirm an automatic card payment",
        {**_CUSTOMER, "invoice_number": "INV-2026-000123"},
    ),
    "card_expiring": TemplateSpec(
        "payments",
        "A saved card expires soon",
        {**_CUSTOMER, "brand": "visa", "last4": "4242", "expires": "2026-12-31", "expired": False},
    ),
    "provisioning_failed": TemplateSpec(
        "staff",
        "A provisioning job failed for good (to PROVISIONING_FAILURE_EMAILS)",
        {
            "provision_id": 77,
            "action": "activate",
            "play": "activate_mobile",
            "customer_id": 12,
            "service_id": 34,
            "attempts": 3,
            "error": "HSS unreachable",
            "url": "https://crm.example.com/provisioning/77",
        },
    ),
}


def spec_of(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise LookupError(f"unknown notification template {name!r}") from None
