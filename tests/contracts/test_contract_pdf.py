"""The contract PDF: one page for a simple contract (signatures with the content), the
operator's letterhead, a date line, "Page X of Y" and money with two decimals."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from omnicrm.contracts import use_cases as uc
from omnicrm.contracts.pdf import Operator, format_money, format_rate, render_contract_pdf

URL = "/crm/contract/"


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def _sell(call, customer, product, site):
    body = {
        "customer_id": customer.customer_id,
        "product_id": product.product_id,
        "site_id": site.site_id,
    }
    return call("post", URL, 201, json=body)


def test_money_has_two_decimals():
    assert format_money("0.0000", "USD") == "0.00 USD"
    assert format_money(Decimal("1234.505"), "AUD") == "1,234.51 AUD"
    assert format_money(None, "USD") == "-"
    assert format_rate("0.0100", "USD") == "0.01 USD"
    assert format_rate("0.0050", "USD") == "0.005 USD"


def test_simple_contract_is_one_page_with_letterhead(
    app, api, call, admin_headers, stock, customer, site, product
):
    sold = _sell(call, customer, product, site)
    response = api.client.get(f"{URL}{sold['contract_id']}/pdf", headers=admin_headers)
    assert response.status_code == 200
    data = response.data
    assert _pages(data) == 1
    assert b"OmniCRM Operator" in data  # the default COMPANY_NAME
    assert b"Page 1 of 1" in data
    assert b"0.00 USD" in data and b"0.0000" not in data  # the setup fee
    assert b"20.00 USD" in data
    assert b"Date: " in data
    assert b"Customer: Harbour Cafe" in data


def test_operator_details_and_page_numbers(db_session, call, stock, customer, site, product):
    sold = _sell(call, customer, product, site)
    document = uc.contract_document(db_session, contract_id=sold["contract_id"])
    operator = Operator(
        name="Southern Mobile Pty Ltd",
        address="10 Harbour Rd\nSydney NSW 2000",
        email="hello@southern.example",
        phone="+61 2 9000 0000",
        tax_id="ABN 12 345 678 901",
    )
    data = render_contract_pdf(document, operator=operator, today=date(2026, 12, 7))
    assert _pages(data) == 1
    for text in (
        b"Southern Mobile Pty Ltd",
        b"10 Harbour Rd",
        b"hello@southern.example",
        b"+61 2 9000 0000",
        b"ABN 12 345 678 901",
        b"Date: 7 December 2026",
        b"For the operator: Southern Mobile Pty Ltd",
        b"Page 1 of 1",
    ):
        assert text in data, text


def test_signatures_move_with_the_terms_not_alone(db_session, call, stock, customer, site, product):
    sold = _sell(call, customer, product, site)
    document = uc.contract_document(db_session, contract_id=sold["contract_id"])
    # Enough one-off charges to push the terms off the first page.
    charge = SimpleNamespace(
        kind="setup", amount=Decimal("5"), currency="USD", tax_amount=Decimal("0.5")
    )
    document = {**document, "charges": [charge] * 40}
    data = render_contract_pdf(document, operator=Operator(name="Op"))
    assert _pages(data) == 2
    assert b"Page 1 of 2" in data and b"Page 2 of 2" in data
    # Content streams come in page order: the terms start after page 1's footer, and the
    # signatures follow them on page 2.
    page_one_end = data.index(b"Page 1 of 2")
    terms = data.index(b"1. The operator provides")
    signature = data.index(b"Customer: Harbour Cafe")
    assert page_one_end < terms < signature < data.index(b"Page 2 of 2")
