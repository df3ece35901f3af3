"""The contract as a PDF (fpdf2, built-in core fonts: no font files to ship).

One A4 page for a simple contract: the operator's letterhead (logo, name, address, contact),
the contract, customer, tariff and service, the terms, and the signature block, with a date line
and "Page X of Y" at the foot. The terms and the signatures form one block that never breaks:
when it does not fit, it moves to the next page whole, so the signatures never stand alone.

Core fonts only cover latin-1, so every text is reduced to it first (unknown characters become
"?"): a customer called "Zoë" prints as is, one called "王" prints as "?" rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import structlog
from fpdf import FPDF

from omnicrm.settings import Settings

TERMS = (
    "1. The operator provides the service described above from the start date for the term "
    "shown; after the term the contract continues month to month until either party ends it "
    "with 30 days' notice.",
    "2. Monthly charges are billed in advance at the price shown; usage beyond the included "
    "allowances is billed at the rates shown. Prices include no discounts unless stated.",
    "3. The SIM card remains the operator's property. Report loss or theft at once; the "
    "customer is liable for usage until reported.",
    "4. The operator may suspend the service for non-payment or misuse, and resumes it once the "
    "cause is remedied. Ending the contract within the term may incur the remaining charges.",
    "5. Personal data is processed to provide and bill the service, as set out in the "
    "operator's privacy notice.",
)

logger = structlog.get_logger(__name__)

_CENT = Decimal("0.01")
_ROW = 5.0  # row height (mm): small enough that a simple contract fits one page
_LABEL = 45.0


@dataclass(frozen=True)
class Operator:
    """Who issues the contract (the letterhead), from the operator's settings."""

    name: str = "OmniCRM Operator"
    address: str = ""
    email: str = ""
    phone: str = ""
    tax_id: str = ""
    logo: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Operator:
        logo = settings.company_logo
        return cls(
            name=settings.company_name,
            address=settings.company_address,
            email=settings.company_email,
            phone=settings.company_phone,
            tax_id=settings.company_tax_id,
            logo=logo if logo is not None and logo.is_file() else None,
        )


def latin1(text: Any) -> str:
    """``text`` as a string the core fonts can print."""
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_money(value: Any, currency: str) -> str:
    """``"0.0000"`` -> ``"0.00 USD"``; ``1234.5`` -> ``"1,234.50 USD"`` (half-up to the cent)."""
    amount = _decimal(value)
    if amount is None:
        return "-"
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f} {currency}"


def format_rate(value: Any, currency: str) -> str:
    """A usage rate: at least 2 decimals, more only when they matter (``0.0050`` -> ``0.005``)."""
    amount = _decimal(value)
    if amount is None:
        return "-"
    if amount == amount.quantize(_CENT):
        return format_money(amount, currency)
    return f"{amount.normalize():f} {currency}"


def _allowance(value: Any, unit: str) -> str:
    return "none included" if value is None else f"{value} {unit}"


def _date(value: date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value is not None else ""


class _ContractPdf(FPDF):
    footer_text = ""
    # Known after a first rendering (fpdf2's {nb} alias would split "Page 1 of 1" in two
    # text runs, unsearchable in the file).
    total_pages = 0

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(self.epw / 2, 5, latin1(self.footer_text))
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {self.total_pages or '?'}", align="R")
        self.set_text_color(0)


def render_contract_pdf(
    document: dict[str, Any], *, operator: Operator | None = None, today: date | None = None
) -> bytes:
    """The PDF of ``contracts.use_cases.contract_document``'s result."""
    operator = operator or Operator()
    today = today or date.today()
    first = _render(document, operator, today, total_pages=0)
    return bytes(_render(document, operator, today, total_pages=first.pages_count).output())


def _render(
    document: dict[str, Any], operator: Operator, today: date, *, total_pages: int
) -> _ContractPdf:
    contract = document["contract"]
    customer = document["customer"]
    site = document["site"]
    snap: dict[str, Any] = document["snapshot"]
    currency = snap.get("currency") or "USD"

    pdf = _ContractPdf(format="A4")
    pdf.total_pages = total_pages
    pdf.footer_text = f"{operator.name} - contract {contract.contract_number}"
    pdf.set_compression(False)  # plain text streams: searchable, and tests can read them
    pdf.set_title(latin1(f"Contract {contract.contract_number}"))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, target: Any = pdf) -> None:
        target.ln(1.5)
        target.set_font("Helvetica", "B", 11)
        target.cell(width, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
        target.set_font("Helvetica", size=9)

    def row(label: str, value: Any) -> None:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(_LABEL, _ROW, latin1(label))
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(width - _LABEL, _ROW, latin1(value), new_x="LMARGIN", new_y="NEXT")

    def rows(pairs: list[tuple[str, Any]]) -> None:
        """Two label/value columns side by side: half the height of one column."""
        half = width / 2
        for i in range(0, len(pairs), 2):
            y = pdf.get_y()
            bottom = y
            for j, (label, value) in enumerate(pairs[i : i + 2]):
                pdf.set_xy(pdf.l_margin + j * half, y)
                pdf.set_font("Helvetica", "B", 9)
                pdf.cell(_LABEL * 0.75, _ROW, latin1(label))
                pdf.set_font("Helvetica", size=9)
                pdf.multi_cell(half - _LABEL * 0.75, _ROW, latin1(value), new_x="RIGHT")
                bottom = max(bottom, pdf.get_y())
            pdf.set_xy(pdf.l_margin, bottom)

    # Letterhead: logo and operator name left, address and contact right.
    top = pdf.get_y()
    text_x = pdf.l_margin
    if operator.logo is not None:
        try:
            pdf.image(str(operator.logo), x=pdf.l_margin, y=top, h=14)
            text_x += 30
        except Exception:  # a broken logo file must not stop the contract
            logger.warning("contract_pdf_logo_unreadable", path=str(operator.logo))
    pdf.set_xy(text_x, top)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(width / 2, 7, latin1(operator.name))
    contact = [line for line in operator.address.splitlines() if line.strip()]
    contact += [p for p in (operator.phone, operator.email) if p]
    if operator.tax_id:
        contact.append(f"Tax id {operator.tax_id}")
    pdf.set_font("Helvetica", size=8)
    pdf.set_xy(pdf.l_margin + width / 2, top)
    pdf.multi_cell(width / 2, 4, latin1("\n".join(contact)), align="R", new_x="LMARGIN")
    pdf.set_y(max(pdf.get_y(), top + 15))
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(2)

    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(width / 2, 8, "Service contract")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(
        width / 2, 8, latin1(f"Date: {_date(today)}"), align="R", new_x="LMARGIN", new_y="NEXT"
    )
    rows(
        [("Contract number", contract.contract_number), ("Status", contract.contract_status.value)]
    )

    heading("Customer")
    customer_rows: list[tuple[str, Any]] = [
        ("Name", customer.customer_name),
        ("Customer id", customer.customer_id),
    ]
    if customer.tax_identifier:
        customer_rows.append(("Tax id", customer.tax_identifier))
    rows(customer_rows)
    if site is not None:
        lines = [
            site.address_line_1,
            site.address_line_2,
            " ".join(p for p in (site.zip_code, site.city) if p),
            " ".join(p for p in (site.state, site.country) if p),
        ]
        row("Address", ", ".join(line for line in lines if line) or site.site_name)

    heading("Tariff")
    row("Product", snap.get("product_name"))
    tariff: list[tuple[str, Any]] = [
        (
            f"Price ({snap.get('billing_period', 'monthly')})",
            format_money(snap.get("retail_cost"), currency),
        ),
        ("Setup fee", format_money(snap.get("retail_setup_cost"), currency)),
        ("Tax", f"{_decimal(snap.get('tax_percentage')) or Decimal(0):.2f} %"),
        ("Data", _allowance(snap.get("data_mb"), "MB")),
        ("Voice", _allowance(snap.get("voice_minutes"), "minutes")),
        ("SMS", _allowance(snap.get("sms"), "messages")),
        ("Rate per MB", format_rate(snap.get("rate_per_mb"), currency)),
        ("Rate per minute", format_rate(snap.get("rate_per_minute"), currency)),
        ("Rate per SMS", format_rate(snap.get("rate_per_sms"), currency)),
    ]
    for charge in document["charges"]:
        tariff.append(
            (
                f"One-off: {charge.kind}",
                f"{format_money(charge.amount, charge.currency)} + tax "
                f"{format_money(charge.tax_amount, charge.currency)}",
            )
        )
    rows(tariff)

    heading("Service")
    rows(
        [
            ("SIM ICCID", contract.sim_iccid or "-"),
            ("MSISDN", contract.msisdn or "-"),
            (
                "Term",
                f"{contract.term_months} months" if contract.term_months else "no minimum term",
            ),
            ("Start date", _date(contract.start_date) or "on activation"),
            ("End date", _date(contract.end_date) or "-"),
        ]
    )
    # Full width: a 32-character charging id does not fit half a line.
    row("Service id", contract.service.service_uuid)

    # The terms and the signatures: one block, moved to the next page whole if need be.
    with pdf.unbreakable() as block:
        heading("Terms", block)
        for paragraph in TERMS:
            block.multi_cell(width, 4.2, latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            block.ln(0.8)
        block.ln(10)
        half = (width - 10) / 2
        block.cell(half, 5, "_" * 45)
        block.cell(10, 5, "")
        block.cell(half, 5, "_" * 45, new_x="LMARGIN", new_y="NEXT")
        block.cell(half, 5, latin1(f"Customer: {customer.customer_name}"))
        block.cell(10, 5, "")
        block.cell(
            half, 5, latin1(f"For the operator: {operator.name}"), new_x="LMARGIN", new_y="NEXT"
        )
        block.ln(5)
        block.cell(half, 5, "Date: ____ / ____ / ________")
        block.cell(10, 5, "")
        block.cell(half, 5, "Date: ____ / ____ / ________", new_x="LMARGIN", new_y="NEXT")
    return pdf
