"""Customers: creating and editing them (normalised, de-duplicated), archiving and restoring
them, and reading a customer's standing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.fields import storable_id
from omnicrm.customers import validation as v
from omnicrm.customers.errors import CustomerArchived, DuplicateCustomer
from omnicrm.customers.models import (
    AccountType,
    Contact,
    Customer,
    CustomerStatus,
    PaymentType,
    Tag,
)
from omnicrm.customers.use_cases._common import (
    DEFAULT_REGION,
    FieldErrors,
    as_datetime,
    refresh_linked_users,
    strip,
)


def get_customer(session: Session, *, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id) if storable_id(customer_id) else None
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


class Standing(NamedTuple):
    status: CustomerStatus
    payment_type: PaymentType
    currency: str


def standing(session: Session, *, customer_id: int) -> Standing:
    """A customer's status, payment type and currency, read without loading the customer (a
    sale's check); 404 as :func:`get_customer`."""
    row = (
        session.execute(
            select(
                Customer.customer_status, Customer.customer_payment_type, Customer.currency
            ).where(Customer.customer_id == customer_id)
        ).first()
        if storable_id(customer_id)
        else None
    )
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    return Standing(row.customer_status, row.customer_payment_type, row.currency)


def _normalise_customer(data: Mapping[str, Any], *, default_region: str) -> dict[str, Any]:
    values = dict(data)
    errors = FieldErrors()
    errors.apply(values, "customer_name", v.normalise_name)
    errors.apply(values, "email", v.normalise_email)
    errors.apply(values, "phone", v.normalise_phone, default_region)
    errors.apply(values, "tax_identifier", v.normalise_tax_identifier)
    errors.apply(values, "currency", v.normalise_currency)
    errors.apply(values, "notes", strip)
    errors.apply(values, "tags", v.normalise_tags)
    for field in ("contract_start_date", "contract_end_date"):
        if field in values:
            values[field] = as_datetime(values[field])
    errors.raise_if_any()
    return values


def _reject_external_id(
    session: Session, external_id: str | None, *, exclude_id: int | None = None
) -> None:
    """409 naming the customer (archived ones too) that already has this external id."""
    if not external_id:
        return
    stmt = select(Customer.customer_id).where(Customer.external_id == external_id)
    if exclude_id is not None:
        stmt = stmt.where(Customer.customer_id != exclude_id)
    other = session.scalar(stmt)
    if other is not None:
        raise DuplicateCustomer(
            f"customer {other} already has external_id {external_id!r}",
            errors={"json": {"external_id": [f"already customer {other}'s"]}},
            extra={"customer_id": other},
        )


def _check_contract_dates(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed.field("contract_end_date", "must be on or after contract_start_date")


def _reject_duplicate(
    session: Session, *, email: str | None, phone: str | None, exclude_id: int | None = None
) -> None:
    """409 naming the live customer that already has this e-mail or phone."""
    matches: list[ColumnElement[bool]] = []
    if email:
        matches.append(Customer.email == email)
    if phone:
        matches.append(Customer.phone == phone)
    if not matches:
        return
    stmt = (
        select(Customer)
        .where(or_(*matches), Customer.customer_status != CustomerStatus.archived)
        .order_by(Customer.customer_id)
        .limit(1)
    )
    if exclude_id is not None:
        stmt = stmt.where(Customer.customer_id != exclude_id)
    existing = session.scalar(stmt)
    if existing is None:
        return
    field = "email" if email and existing.email == email else "phone"
    raise DuplicateCustomer(
        f"customer {existing.customer_id} already has this {field}",
        errors={"json": {field: [f"already used by customer {existing.customer_id}"]}},
        extra={"existing_customer_id": existing.customer_id, "field": field},
    )


def _tags_named(session: Session, names: list[str]) -> list[Tag]:
    """Tags by name, creating missing ones (a concurrent creator of the same tag is tolerated)."""
    if not names:
        return []
    found = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name in found:
            continue
        try:
            with session.begin_nested():
                tag = Tag(name=name)
                session.add(tag)
        except IntegrityError:
            tag = session.scalars(select(Tag).where(Tag.name == name)).one()
        found[name] = tag
    return [found[name] for name in sorted(names)]  # the order the relationship loads them in


def _apply_customer_fields(customer: Customer, values: Mapping[str, Any]) -> None:
    enums: dict[str, Callable[[Any], Any]] = {
        "customer_account_type": AccountType,
        "customer_status": CustomerStatus,
        "customer_payment_type": PaymentType,
    }
    for field, value in values.items():
        if field == "tags":
            continue
        setattr(customer, field, enums[field](value) if field in enums else value)


def create_customer(
    session: Session,
    *,
    customer_name: str,
    customer_account_type: str = AccountType.individual.value,
    customer_status: str = CustomerStatus.open.value,
    customer_payment_type: str = PaymentType.prepaid.value,
    customer_enabled: bool = True,
    tax_identifier: str | None = None,
    contract_start_date: date | datetime | None = None,
    contract_end_date: date | datetime | None = None,
    email: str | None = None,
    phone: str | None = None,
    currency: str = "USD",
    notes: str | None = None,
    tags: Iterable[str] = (),
    external_id: str | None = None,
    default_region: str = DEFAULT_REGION,
) -> Customer:
    """Create a customer; 409 ``duplicate_customer`` if a live one has the e-mail or phone,
    or any has the ``external_id``.

    There is deliberately no override: to reuse an address, edit or archive the other customer.
    """
    if customer_status == CustomerStatus.archived:
        raise ValidationFailed.field("customer_status", "a new customer cannot be archived")
    values = _normalise_customer(
        {
            "customer_name": customer_name,
            "customer_account_type": customer_account_type,
            "customer_status": customer_status,
            "customer_payment_type": customer_payment_type,
            "customer_enabled": customer_enabled,
            "tax_identifier": tax_identifier,
            "contract_start_date": contract_start_date,
            "contract_end_date": contract_end_date,
            "email": email,
            "phone": phone,
            "currency": currency,
            "notes": notes,
            "tags": list(tags),
            "external_id": external_id,
        },
        default_region=default_region,
    )
    _check_contract_dates(values["contract_start_date"], values["contract_end_date"])
    _reject_duplicate(session, email=values["email"], phone=values["phone"])
    _reject_external_id(session, values["external_id"])
    tag_objects = _tags_named(session, values["tags"])
    customer = Customer()
    _apply_customer_fields(customer, values)
    customer.tags = tag_objects
    session.add(customer)
    session.flush()
    return customer


def update_customer(
    session: Session,
    *,
    customer_id: int,
    changes: Mapping[str, Any],
    default_region: str = DEFAULT_REGION,
) -> Customer:
    """Change a customer. An archived one only accepts being restored (a live status)."""
    customer = get_customer(session, customer_id=customer_id)
    values = _normalise_customer(changes, default_region=default_region)
    new_status = values.get("customer_status")
    if new_status == CustomerStatus.archived:
        raise ValidationFailed.field("customer_status", "archive a customer with DELETE")
    archived = customer.customer_status == CustomerStatus.archived
    restoring = archived and new_status is not None
    if archived and not restoring:
        raise CustomerArchived(
            f"customer {customer_id} is archived; restore it (set customer_status) first",
            extra={"customer_id": customer_id},
        )
    start = values.get("contract_start_date", customer.contract_start_date)
    end = values.get("contract_end_date", customer.contract_end_date)
    _check_contract_dates(start, end)
    email = values.get("email", customer.email)
    phone = values.get("phone", customer.phone)
    if restoring or email != customer.email or phone != customer.phone:
        _reject_duplicate(
            session,
            email=email if restoring or email != customer.email else None,
            phone=phone if restoring or phone != customer.phone else None,
            exclude_id=customer.customer_id,
        )
    if values.get("external_id") and values["external_id"] != customer.external_id:
        _reject_external_id(session, values["external_id"], exclude_id=customer.customer_id)
    tag_objects = _tags_named(session, values["tags"]) if "tags" in values else None
    _apply_customer_fields(customer, values)
    if tag_objects is not None:
        customer.tags = tag_objects
    if restoring:
        customer.archived_at = None
    session.flush()
    return customer


def archive_customer(session: Session, *, customer_id: int) -> Customer:
    """Archive (never delete): hidden from lists, read-only, its e-mail/phone free for reuse."""
    customer = get_customer(session, customer_id=customer_id)
    if customer.customer_status != CustomerStatus.archived:
        customer.customer_status = CustomerStatus.archived
        customer.archived_at = utcnow()
        session.flush()
        contact_ids = list(
            session.scalars(select(Contact.contact_id).where(Contact.customer_id == customer_id))
        )
        refresh_linked_users(session, contact_ids)
    return customer
