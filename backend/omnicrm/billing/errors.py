"""Billing's domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class TransactionLocked(Conflict):
    """A transaction that cannot change any more (void, or on an invoice)."""

    code = "transaction_locked"


class InvoiceStateError(Conflict):
    """An invoice action its status does not allow (void twice, issue an issued one)."""

    code = "invoice_state"
