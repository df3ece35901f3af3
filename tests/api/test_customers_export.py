"""Customer export: CSV and XLSX parsed back, same filters as the list, formula-safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from omnicrm.customers.export import HEADER, XLSX_MIMETYPE, csv_safe
from omnicrm.customers.models import CustomerStatus
from tests.factories import CustomerFactory

URL = "/crm/customer/export"
EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def customers(db_session, api, admin_headers):
    api.client.post(
        "/crm/customer/",
        json={"customer_name": "Tagged", "tags": ["vip", "fibre"]},
        headers=admin_headers,
    )
    CustomerFactory(
        customer_name=EVIL, email="evil@example.com", phone="+12025550100", notes="@SUM(1+1)\x01"
    )
    CustomerFactory(customer_name="Plain Co", email="plain@example.com", phone="+12025550101")
    CustomerFactory(customer_name="Archived Co", customer_status=CustomerStatus.archived)
    db_session.commit()


def _csv_rows(response):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_export(api, admin_headers, customers):
    response = api.client.get(
        URL, headers=admin_headers, query_string={"format": "csv", "sort": "customer_name"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="customers-') and disposition.endswith(
        '.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv_rows(response)
    assert list(rows[0]) == HEADER
    names = [r["customer_name"] for r in rows]
    assert names == ["'" + EVIL, "Plain Co", "Tagged"]  # archived hidden, as in the list
    evil = rows[0]
    assert evil["phone"] == "'+12025550100"  # would be a formula in a spreadsheet
    assert evil["notes"] == "'@SUM(1+1)\x01"
    assert evil["email"] == "evil@example.com"
    assert evil["customer_enabled"] == "true"
    tagged = rows[2]
    assert tagged["tags"] == "fibre;vip"
    assert tagged["customer_status"] == "Open"
    assert tagged["created_at"].endswith("+00:00")


def test_csv_is_the_default_and_honours_filters(api, admin_headers, customers):
    response = api.client.get(URL, headers=admin_headers, query_string={"tag": "vip"})
    assert response.status_code == 200
    assert [r["customer_name"] for r in _csv_rows(response)] == ["Tagged"]
    archived = api.client.get(
        URL, headers=admin_headers, query_string={"customer_status": "Archived"}
    )
    assert [r["customer_name"] for r in _csv_rows(archived)] == ["Archived Co"]
    searched = api.client.get(URL, headers=admin_headers, query_string={"q": "(202) 555-0101"})
    assert [r["customer_name"] for r in _csv_rows(searched)] == ["Plain Co"]


def test_xlsx_export(api, admin_headers, customers):
    response = api.client.get(
        URL,
        headers=admin_headers,
        query_string={"format": "xlsx", "sort": "customer_name", "include_archived": "true"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Customers"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    by_name = {row[1]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {EVIL, "Plain Co", "Tagged", "Archived Co"}
    # Text cells are typed as text: no formula, and the value itself is untouched.
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert by_name[EVIL]["phone"] == "+12025550100"
    assert by_name[EVIL]["notes"] == "@SUM(1+1)"  # control characters dropped, not a crash
    assert by_name["Tagged"]["tags"] == "fibre;vip"
    assert by_name["Tagged"]["customer_enabled"] is True
    assert by_name["Archived Co"]["customer_status"] == "Archived"
    assert by_name["Tagged"]["created_at"].year >= 2024  # a real date cell (UTC), not text


@pytest.mark.parametrize(
    "params", [{"format": "pdf"}, {"sort": "password_hash"}, {"customer_status": "Gone"}]
)
def test_bad_export_parameters_are_422(api, admin_headers, params):
    response = api.client.get(URL, headers=admin_headers, query_string=params)
    assert response.status_code == 422


def test_export_needs_customer_export(api, make_user, customers):
    support = api.headers_for(make_user("support").email)  # reads customers, cannot export
    assert api.client.get(URL, headers=support).status_code == 403
    finance = api.headers_for(make_user("finance").email)
    assert api.client.get(URL, headers=finance).status_code == 200


def test_export_is_rate_limited(api, admin_headers):
    statuses = [api.client.get(URL, headers=admin_headers).status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        (None, ""),
        (5, "5"),
    ],
)
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe
