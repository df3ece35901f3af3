"""A customer's contacts, and the live customer a contact links a self-care user to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from omnicrm.core.errors import NotFound
from omnicrm.core.fields import storable_id
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import validation as v
from omnicrm.customers.models import Contact, ContactType, Customer, CustomerStatus
from omnicrm.customers.use_cases._common import (
    DEFAULT_REGION,
    FieldErrors,
    live_customer,
    refresh_linked_users,
)

_CONTACT_SORT_COLUMNS: dict[str, Any] = {
    "contact_id": Contact.contact_id,
    "contact_firstname": func.lower(Contact.contact_firstname),
    "contact_lastname": func.lower(Contact.contact_lastname),
    "created_at": Contact.created_at,
}


def _contact_types(values: Iterable[str]) -> list[str]:
    given = set(values)
    return [t.value for t in ContactType if t.value in given]  # canonical order, no repeats


def _normalise_contact(data: Mapping[str, Any], *, default_region: str) -> dict[str, Any]:
    values = dict(data)
    errors = FieldErrors()
    errors.apply(values, "contact_firstname", v.normalise_name)
    if values.get("contact_lastname") is not None:
        values["contact_lastname"] = " ".join(values["contact_lastname"].split())
    errors.apply(values, "contact_email", v.normalise_email)
    errors.apply(values, "contact_phone", v.normalise_phone, default_region)
    if "contact_types" in values:
        values["contact_types"] = _contact_types(values["contact_types"] or [])
    errors.raise_if_any()
    return values


def get_contact(session: Session, *, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id) if storable_id(contact_id) else None
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    return contact


def create_contact(
    session: Session,
    *,
    customer_id: int,
    contact_firstname: str,
    contact_lastname: str = "",
    contact_email: str | None = None,
    contact_phone: str | None = None,
    contact_types: Iterable[str] = (),
    default_region: str = DEFAULT_REGION,
) -> Contact:
    values = _normalise_contact(
        {
            "contact_firstname": contact_firstname,
            "contact_lastname": contact_lastname,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "contact_types": list(contact_types),
        },
        default_region=default_region,
    )
    live_customer(session, customer_id)
    contact = Contact(customer_id=customer_id, **values)
    session.add(contact)
    session.flush()
    return contact


def update_contact(
    session: Session,
    *,
    contact_id: int,
    changes: Mapping[str, Any],
    default_region: str = DEFAULT_REGION,
) -> Contact:
    contact = get_contact(session, contact_id=contact_id)
    values = _normalise_contact(changes, default_region=default_region)
    for field, value in values.items():
        setattr(contact, field, value)
    session.flush()
    return contact


def delete_contact(session: Session, *, contact_id: int) -> None:
    """Delete a contact (a user linked to it for self-care loses the link)."""
    contact = get_contact(session, contact_id=contact_id)
    # Before the DELETE: the database then unlinks the users (ON DELETE SET NULL).
    refresh_linked_users(session, [contact_id])
    session.delete(contact)
    session.flush()


def contacts_query(
    *,
    customer_id: int | None = None,
    q: str | None = None,
    contact_type: str | None = None,
    sort: str = "contact_id",
    default_region: str = DEFAULT_REGION,
) -> Select[Any]:
    stmt = select(Contact)
    if customer_id is not None:
        stmt = stmt.where(Contact.customer_id == customer_id)
    if q and q.strip():
        term = q.strip()
        pattern = like_pattern(term)
        matches: list[ColumnElement[bool]] = [
            Contact.contact_firstname.ilike(pattern, escape="\\"),
            Contact.contact_lastname.ilike(pattern, escape="\\"),
            (Contact.contact_firstname + " " + Contact.contact_lastname).ilike(
                pattern, escape="\\"
            ),
            Contact.contact_email.ilike(pattern, escape="\\"),
            Contact.contact_phone.ilike(pattern, escape="\\"),
        ]
        e164 = v.parse_phone(term, default_region)
        if e164:
            matches.append(Contact.contact_phone == e164)
        stmt = stmt.where(or_(*matches))
    if contact_type:
        # contact_types is a small JSON list; matching its text works on SQLite and PostgreSQL.
        stmt = stmt.where(cast(Contact.contact_types, Text).like(f'%"{contact_type}"%'))
    return stmt.order_by(*order_by(sort, _CONTACT_SORT_COLUMNS, Contact.contact_id))


def customer_id_for_contact(session: Session, *, contact_id: int) -> int | None:
    """The live customer a contact belongs to (a user's self-care link), or None.

    An archived customer's portal users lose access: None for them.
    """
    if not storable_id(contact_id):
        return None
    return session.scalar(
        select(Contact.customer_id)
        .join(Customer, Customer.customer_id == Contact.customer_id)
        .where(
            Contact.contact_id == contact_id,
            Customer.customer_status != CustomerStatus.archived,
        )
    )
