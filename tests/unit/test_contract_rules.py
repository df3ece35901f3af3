"""Contract helpers without a database: term end dates, request fingerprints, PDF text."""

from __future__ import annotations

from datetime import date

from omnicrm.contracts import use_cases as uc
from omnicrm.contracts.pdf import latin1
from omnicrm.core.idempotency import request_fingerprint


def test_term_end_dates_clamp_to_month_end():
    assert uc._add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert uc._add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert uc._add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)
    assert uc._add_months(date(2026, 12, 1), 24) == date(2028, 12, 1)


def test_fingerprint_ignores_key_order_and_sees_values():
    a = request_fingerprint({"customer_id": 1, "product_id": 2})
    assert a == request_fingerprint({"product_id": 2, "customer_id": 1})
    assert a != request_fingerprint({"customer_id": 1, "product_id": 3})
    assert len(a) == 64


def test_pdf_text_is_latin1_with_replacement():
    assert latin1("Zoë Ångström") == "Zoë Ångström"
    assert latin1("王 €") == "? ?"
    assert latin1(None) == ""
