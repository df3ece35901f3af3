"""Finding customers: the list's filters and free-text search (contacts included), and the
export that streams the same list as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import validation as v
from omnicrm.customers.export import (
    CSV_MIMETYPE,
    XLSX_MIMETYPE,
    ExportFile,
    csv_chunks,
    export_filename,
    xlsx_chunks,
)
from omnicrm.customers.models import (
    AccountType,
    Contact,
    Customer,
    CustomerStatus,
    PaymentType,
    Tag,
)
from omnicrm.customers.use_cases._common import DEFAULT_REGION, as_datetime

_CUSTOMER_SORT_COLUMNS: dict[str, Any] = {
    "customer_name": func.lower(Customer.customer_name),
    "created_at": Customer.created_at,
    "updated_at": Customer.updated_at,
    "customer_id": Customer.customer_id,
}


def customers_query(
    *,
    q: str | None = None,
    customer_status: list[str] | None = None,
    customer_payment_type: str | None = None,
    customer_account_type: str | None = None,
    customer_enabled: bool | None = None,
    tag: list[str] | None = None,
    created_from: date | datetime | None = None,
    created_to: date | datetime | None = None,
    include_archived: bool = False,
    sort: str = "-created_at",
    default_region: str = DEFAULT_REGION,
) -> Select[Any]:
    """Customers matching every filter. Archived ones only with ``include_archived`` or when
    ``customer_status`` asks for them. A bare ``created_to`` date includes that whole day."""
    stmt = select(Customer)
    if customer_status:
        stmt = stmt.where(
            Customer.customer_status.in_([CustomerStatus(s) for s in customer_status])
        )
    elif not include_archived:
        stmt = stmt.where(Customer.customer_status != CustomerStatus.archived)
    if customer_payment_type:
        stmt = stmt.where(Customer.customer_payment_type == PaymentType(customer_payment_type))
    if customer_account_type:
        stmt = stmt.where(Customer.customer_account_type == AccountType(customer_account_type))
    if customer_enabled is not None:
        stmt = stmt.where(Customer.customer_enabled.is_(customer_enabled))
    for name in tag or []:
        stmt = stmt.where(Customer.tags.any(Tag.name == " ".join(name.split()).lower()))
    start = as_datetime(created_from)
    end = created_to
    if end is not None and not isinstance(end, datetime):
        # A bare date includes the whole day (9999-12-31 has no next day: no upper bound).
        end = as_datetime(end + timedelta(days=1)) if end < date.max else None
    if start is not None:
        stmt = stmt.where(Customer.created_at >= start)
    if end is not None:
        stmt = stmt.where(Customer.created_at < end)
    if q and q.strip():
        stmt = stmt.where(_customer_search(q.strip(), default_region))
    return stmt.order_by(*order_by(sort, _CUSTOMER_SORT_COLUMNS, Customer.customer_id))


def _customer_search(q: str, default_region: str) -> ColumnElement[bool]:
    """Name, e-mail, phone, tax id, id, and the customer's contacts' names, e-mails, phones."""
    pattern = like_pattern(q)
    contact_name = Contact.contact_firstname + " " + Contact.contact_lastname
    contact_match: list[ColumnElement[bool]] = [
        Contact.contact_firstname.ilike(pattern, escape="\\"),
        Contact.contact_lastname.ilike(pattern, escape="\\"),
        contact_name.ilike(pattern, escape="\\"),
        Contact.contact_email.ilike(pattern, escape="\\"),
    ]
    matches: list[ColumnElement[bool]] = [
        Customer.customer_name.ilike(pattern, escape="\\"),
        Customer.email.ilike(pattern, escape="\\"),
        Customer.phone.ilike(pattern, escape="\\"),
        Customer.tax_identifier.ilike(pattern, escape="\\"),
    ]
    e164 = v.parse_phone(q, default_region)
    if e164:  # "(202) 555-0123" finds +12025550123
        matches.append(Customer.phone == e164)
        contact_match.append(Contact.contact_phone == e164)
    digits = v.phone_digits(q)
    if digits:  # "555 0123" finds +12025550123
        matches.append(Customer.phone.like(f"%{digits}%"))
        contact_match.append(Contact.contact_phone.like(f"%{digits}%"))
    if q.isascii() and q.isdigit() and len(q) <= 9:
        matches.append(Customer.customer_id == int(q))
    matches.append(Customer.contacts.any(or_(*contact_match)))
    return or_(*matches)


def export_customers(
    session: Session, *, fmt: str, default_region: str = DEFAULT_REGION, **filters: Any
) -> ExportFile:
    """The customers a list with ``filters`` would show, as a CSV or XLSX file.

    Filters are checked now; rows are read from ``session`` only when the file is streamed, in
    batches, so the export never holds every customer in memory.
    """
    stmt = customers_query(default_region=default_region, **filters)

    def customers() -> Iterator[Customer]:
        yield from session.scalars(stmt.execution_options(yield_per=500))

    if fmt == "xlsx":
        return ExportFile(export_filename("xlsx"), XLSX_MIMETYPE, xlsx_chunks(customers()))
    return ExportFile(export_filename("csv"), CSV_MIMETYPE, csv_chunks(customers()))
