"""Sample CSV files for the import pages: the headers are the importer's own (``columns_for``
of the template, the subscriber ``COLUMNS``), and every example row is run through the row
kind's own ``validate`` before it is written, so a sample always imports cleanly.

The values are random (valid ICCIDs with their Luhn digit, IMSIs, numbers, MACs, e-mails), so
a sample imported twice adds new rows each time rather than tripping over the last import's."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable

import phonenumbers
from sqlalchemy.orm import Session

from omnicrm.customers.models import AccountType
from omnicrm.imports import subscribers
from omnicrm.imports.rows import RowError
from omnicrm.imports.stock import StockRows
from omnicrm.inventory import use_cases as inventory
from omnicrm.inventory.models import InventoryTemplate

SAMPLE_ROWS = 3
_ATTEMPTS = 50  # a random phone number is not always a valid one: draw again


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # every second digit from the right, the check digit to come
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def sample_iccid() -> str:
    body = "89" + _digits(17)
    return body + _luhn_digit(body)


def sample_msisdn(region: str) -> str:
    """A mobile number of ``region`` (its example number with random last digits)."""
    example = phonenumbers.example_number_for_type(
        region.upper(), phonenumbers.PhoneNumberType.MOBILE
    ) or phonenumbers.example_number_for_type("GB", phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    national = str(example.national_number)
    number = phonenumbers.PhoneNumber(
        country_code=example.country_code, national_number=int(national[:-4] + _digits(4))
    )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sample_mac() -> str:
    # 02: a locally administered unicast address, never a real vendor's.
    return ":".join(["02", *(f"{secrets.randbelow(256):02x}" for _ in range(5))])


def _stock_value(header: str, field: str, template: InventoryTemplate, region: str) -> str:
    tag = secrets.token_hex(3).upper()
    by_header: dict[str, Callable[[], str]] = {
        "iccid": sample_iccid,
        "imsi": lambda: "00101" + _digits(10),
        "puk1": lambda: _digits(8),
        "puk2": lambda: _digits(8),
        "ki_ref": lambda: f"KI-{tag}",
        "msisdn": lambda: sample_msisdn(region),
        "mac": sample_mac,
        "serial_number": lambda: f"SN-{tag}",
        "management_url": lambda: "https://192.0.2.1/",
        "serial": lambda: f"SAMPLE-{tag}",
    }
    if header in by_header:
        return by_header[header]()
    label = getattr(template, f"{field}_label", None)
    return f"{label} {tag}" if label else ""


def sample_template(session: Session, name: str) -> InventoryTemplate:
    """The template a sample is asked for (404 naming the ``template`` query field)."""
    return inventory.template_named(session, name, location="query")


def stock_sample(template: InventoryTemplate, *, region: str, rows: int = SAMPLE_ROWS) -> str:
    """A CSV with the template's headers and ``rows`` items that validate."""
    kind = StockRows(template, region=region, user_id=None)
    header = list(kind.columns)

    def row() -> list[str]:
        return [_stock_value(h, kind.field_of[h], template, region) for h in header]

    return _write(header, rows, row, lambda cells: kind.validate(header, cells))


def _subscriber_row(header: list[str]) -> list[str]:
    tag = secrets.token_hex(4)
    values = {
        "external_id": f"SAMPLE-{tag.upper()}",
        "customer_name": f"Sample Customer {tag.upper()}",
        "email": f"sample-{tag}@example.com",
        "customer_account_type": AccountType.individual.value,
        "contact_firstname": "Sam",
        "contact_lastname": f"Sample {tag.upper()}",
        "contact_email": f"sam-{tag}@example.com",
    }
    return [values.get(name, "") for name in header]


def subscriber_sample(*, region: str, rows: int = SAMPLE_ROWS) -> str:
    """A CSV with every subscriber header and ``rows`` customers (with a contact) that
    validate; the sale columns are left blank (a product slug is the operator's own)."""
    header = list(subscribers.COLUMNS)
    return _write(
        header,
        rows,
        lambda: _subscriber_row(header),
        lambda cells: subscribers.validate(header, cells, region=region),
    )


def _write(
    header: list[str],
    rows: int,
    make: Callable[[], list[str]],
    check: Callable[[list[str]], object],
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(rows):
        for attempt in range(_ATTEMPTS):
            cells = make()
            try:
                check(cells)
            except RowError:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            writer.writerow(cells)
            break
    return out.getvalue()
