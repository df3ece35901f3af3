"""Helpers shared by the customer, contact and site use cases: id bounds, field validation,
the live parent of a contact or site, and the self-care users linked to contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.events import publish
from omnicrm.core.fields import storable_id
from omnicrm.customers import validation as v
from omnicrm.customers.errors import CustomerArchived
from omnicrm.customers.events import ContactsChanged
from omnicrm.customers.models import Customer, CustomerStatus

DEFAULT_REGION = v.DEFAULT_REGION


class FieldErrors:
    """Collects every field's problem so one 422 names them all."""

    def __init__(self, location: str = "json") -> None:
        self.location = location
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def apply(
        self, data: dict[str, Any], field: str, normalise: Callable[..., Any], *args: Any
    ) -> None:
        """Replace ``data[field]`` by its normalised value; a blank optional text becomes None."""
        if field not in data or data[field] is None:
            return
        value = data[field]
        if isinstance(value, str) and not value.strip() and field in _BLANK_IS_NULL:
            data[field] = None
            return
        try:
            data[field] = normalise(value, *args)
        except ValueError as exc:
            self.add(field, str(exc))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(
                "invalid " + ", ".join(sorted(self.errors)), errors={self.location: self.errors}
            )


_BLANK_IS_NULL = frozenset(
    {
        "email",
        "phone",
        "tax_identifier",
        "notes",
        "contact_email",
        "contact_phone",
        "address_line_1",
        "address_line_2",
        "city",
        "state",
        "zip_code",
        "country",
        "google_maps_place_id",
    }
)


def strip(value: str) -> str:
    return value.strip()


def as_datetime(value: date | datetime | None) -> datetime | None:
    """A bare date means midnight UTC; datetimes are kept (the DB stores UTC)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


def live_customer(session: Session, customer_id: int) -> Customer:
    """The parent of a new contact or site: it must exist (404) and not be archived (409)."""
    customer = session.get(Customer, customer_id) if storable_id(customer_id) else None
    if customer is None:
        raise NotFound(
            f"customer {customer_id} not found",
            errors={"json": {"customer_id": ["no such customer"]}},
        )
    if customer.customer_status == CustomerStatus.archived:
        raise CustomerArchived(
            f"customer {customer_id} is archived", extra={"customer_id": customer_id}
        )
    return customer


def refresh_linked_users(session: Session, contact_ids: list[int]) -> None:
    """Users linked to these contacts must re-read their self-care link after this commit
    (auth handles the event)."""
    if contact_ids:
        publish(session, ContactsChanged(contact_ids=tuple(contact_ids)))
