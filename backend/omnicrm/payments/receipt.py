"""A payment's receipt as a PDF (fpdf2 core fonts, uncompressed: tests read its text)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from sqlalchemy.orm import Session

from omnicrm.core.money import format_money
from omnicrm.customers.models import Customer
from omnicrm.extensions import get_settings


def _latin1(text: Any) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def render_receipt(session: Session, view: dict[str, Any]) -> bytes:
    payment = view["payment"]
    customer = session.get(Customer, payment.customer_id)
    settings = get_settings()
    pdf = FPDF(format=(148, 210))  # A5, in mm
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(settings.company_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin1(f"Receipt {payment.receipt_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    rows = [
        ("Received from", customer.customer_name if customer else payment.customer_id),
        ("Date", payment.created_at.date().isoformat()),
        ("Amount", f"{format_money(payment.amount)} {payment.currency}"),
        ("Method", payment.method.value.replace("_", " ")),
        ("Reference", payment.gateway_reference or "-"),
    ]
    rows += [
        (f"Paid on {a['invoice_number']}", f"{format_money(a['amount'])} {payment.currency}")
        for a in view["allocations"]
    ]
    if payment.credit:
        rows.append(("Account credit", f"{format_money(payment.credit)} {payment.currency}"))
    if payment.service_id is not None:
        rows.append(("Topped up", f"service {payment.service_id}"))
    if payment.amount_refunded:
        rows.append(("Refunded", f"{format_money(payment.amount_refunded)} {payment.currency}"))
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(45, 6, _latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
