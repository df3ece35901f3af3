"""Invoice PDFs: a Jinja2 HTML template the operator can replace, drawn by fpdf2 (pure Python,
core fonts: text is reduced to latin-1 as in the contract PDF), rendered on demand and cached
on disk by a fingerprint of everything it shows, so a billing run never waits for PDFs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

from omnicrm.core.money import format_money
from omnicrm.settings import Settings

BUILT_IN = Path(__file__).parent / "templates"
TEMPLATE = "invoice.html"


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def template_dirs(settings: Settings) -> list[Path]:
    """The operator's ``instance/templates/`` first, then the built-in templates."""
    return [settings.instance_path / "templates", BUILT_IN]


def _environment(settings: Settings) -> Environment:
    return Environment(
        loader=FileSystemLoader([str(p) for p in template_dirs(settings)]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _company(settings: Settings) -> dict[str, Any]:
    logo = settings.company_logo
    return {
        "name": settings.company_name,
        "address": settings.company_address,
        "address_lines": [p for p in settings.company_address.splitlines() if p.strip()],
        "tax_id": settings.company_tax_id,
        "bank_details": settings.company_bank_details,
        "bank_lines": [p for p in settings.company_bank_details.splitlines() if p.strip()],
        "logo": str(logo) if logo is not None and logo.is_file() else None,
        "footer": settings.invoice_footer,
    }


def document(view: dict[str, Any], customer: Any, *, proforma: bool = False) -> dict[str, Any]:
    """What the template gets (money as decimal strings) from ``invoices.invoice_view``."""
    invoice = view["invoice"]
    return {
        "invoice": {
            "number": invoice.invoice_number,
            "kind": invoice.kind.value,
            "status": "pro-forma" if proforma else invoice.status.value,
            "proforma": proforma,
            "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
            "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
            "currency": invoice.currency,
            "subtotal": format_money(invoice.subtotal),
            "tax_total": format_money(invoice.tax_total),
            "total": format_money(invoice.total),
            "amount_due": format_money(invoice.total if proforma else invoice.amount_due),
        },
        "customer": {
            "name": customer.customer_name,
            "tax_id": getattr(customer, "tax_identifier", None),
        },
        "lines": [
            {
                "description": row.description,
                "amount": format_money(row.retail_amount),
                "tax_percentage": f"{row.tax_percentage:f}",
                "tax_amount": format_money(row.tax_amount),
                "total": format_money(row.retail_amount + row.tax_amount),
            }
            for row in view["lines"]
            if not row.void
        ],
        "tax_summary": [
            {
                "tax_percentage": f"{rate['tax_percentage']:f}",
                "net": format_money(rate["net"]),
                "tax": format_money(rate["tax"]),
            }
            for rate in view["tax_summary"]
        ],
    }


def render(settings: Settings, data: dict[str, Any]) -> bytes:
    html = _environment(settings).get_template(TEMPLATE).render(company=_company(settings), **data)
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text streams: searchable, and tests can read them
    number = data["invoice"]["number"] or "pro-forma"
    pdf.set_title(_latin1(f"Invoice {number}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.write_html(_latin1(html))
    return bytes(pdf.output())


def fingerprint(settings: Settings, data: dict[str, Any]) -> str:
    """Changes when anything the PDF shows changes: the data, the company, the template."""
    template = next(
        (d / TEMPLATE for d in template_dirs(settings) if (d / TEMPLATE).is_file()), None
    )
    stamp = template.stat().st_mtime_ns if template is not None else 0
    payload = json.dumps([data, _company(settings), str(template), stamp], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def cached_pdf(settings: Settings, invoice_id: int, data: dict[str, Any]) -> bytes:
    """The invoice's PDF from the cache (``instance/cache/invoices/``), rendered when absent
    or stale; older renderings of the same invoice are removed."""
    folder = settings.instance_path / "cache" / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{int(invoice_id)}-{fingerprint(settings, data)}.pdf"
    if path.is_file():
        return path.read_bytes()
    body = render(settings, data)
    partial = path.with_suffix(".tmp")
    partial.write_bytes(body)
    partial.replace(path)
    for old in folder.glob(f"{int(invoice_id)}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return body
