"""The contract as a PDF (fpdf2, built-in core fonts: no font files to ship).

Core fonts only cover latin-1, so every text is reduced to it first (unknown characters become
"?"): a customer called "Zoë" prints as is, one called "王" prints as "?" rather than failing.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

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


def latin1(text: Any) -> str:
    """``text`` as a string the core fonts can print."""
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


def _money(value: Any, currency: str) -> str:
    return "-" if value in (None, "") else f"{value} {currency}"


def _allowance(value: Any, unit: str) -> str:
    return "none included" if value is None else f"{value} {unit}"


def render_contract_pdf(document: dict[str, Any]) -> bytes:
    """The PDF of ``contracts.use_cases.contract_document``'s result."""
    contract = document["contract"]
    customer = document["customer"]
    site = document["site"]
    snap: dict[str, Any] = document["snapshot"]
    currency = snap.get("currency") or "USD"

    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text streams: searchable, and tests can read them
    pdf.set_title(latin1(f"Contract {contract.contract_number}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(width, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)

    def row(label: str, value: Any) -> None:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(55, 6, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(width - 55, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(width, 10, "Service contract", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    row("Contract number", contract.contract_number)
    row("Status", contract.contract_status.value)

    heading("Customer")
    row("Name", customer.customer_name)
    row("Customer id", customer.customer_id)
    if site is not None:
        lines = [
            site.address_line_1,
            site.address_line_2,
            " ".join(p for p in (site.zip_code, site.city) if p),
            " ".join(p for p in (site.state, site.country) if p),
        ]
        row("Address", "\n".join(line for line in lines if line) or site.site_name)
    if customer.tax_identifier:
        row("Tax id", customer.tax_identifier)

    heading("Tariff")
    row("Product", snap.get("product_name"))
    row(
        f"Price ({snap.get('billing_period', 'monthly')})",
        _money(snap.get("retail_cost"), currency),
    )
    row("Setup fee", _money(snap.get("retail_setup_cost"), currency))
    row("Tax", f"{snap.get('tax_percentage', '0')} %")
    row("Data", _allowance(snap.get("data_mb"), "MB"))
    row("Voice", _allowance(snap.get("voice_minutes"), "minutes"))
    row("SMS", _allowance(snap.get("sms"), "messages"))
    row("Rate per MB", _money(snap.get("rate_per_mb"), currency))
    row("Rate per minute", _money(snap.get("rate_per_minute"), currency))
    row("Rate per SMS", _money(snap.get("rate_per_sms"), currency))
    for charge in document["charges"]:
        row(
            f"One-off: {charge.kind}",
            f"{_money(charge.amount, charge.currency)} + tax "
            f"{_money(charge.tax_amount, charge.currency)}",
        )

    heading("Service")
    row("SIM ICCID", contract.sim_iccid or "-")
    row("MSISDN", contract.msisdn or "-")
    row("Service id", contract.service.service_uuid)
    row("Term", f"{contract.term_months} months" if contract.term_months else "no minimum term")
    row("Start date", contract.start_date or "on activation")
    row("End date", contract.end_date or "-")

    heading("Terms")
    for paragraph in TERMS:
        pdf.multi_cell(width, 5, latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    pdf.ln(12)
    half = (width - 10) / 2
    pdf.cell(half, 6, "_" * 40)
    pdf.cell(10, 6, "")
    pdf.cell(half, 6, "_" * 40, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(half, 6, latin1(f"Customer: {customer.customer_name}"))
    pdf.cell(10, 6, "")
    pdf.cell(half, 6, "For the operator", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
