"""Customer, contact and site business rules: validation, de-duplication, archiving, search.

Plain functions over a Session: they flush, never commit. Phone numbers typed in national
format are read in ``default_region`` (the caller passes the configured region).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicrm.core.db import utcnow
from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import validation as v
from omnicrm.customers.errors import CustomerArchived, DuplicateCustomer
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
    ContactType,
    Customer,
    CustomerStatus,
    PaymentType,
    Site,
    Tag,
)
from omnicrm.geo.geocoder import Geocoder, GeocodeResult

DEFAULT_REGION = v.DEFAULT_REGION
MAX_ID = 2**31 - 1  # ids are 32-bit columns: a larger id names nothing (and would not bind)


def _storable_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------
class _FieldErrors:
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


def _strip(value: str) -> str:
    return value.strip()


def _as_datetime(value: date | datetime | None) -> datetime | None:
    """A bare date means midnight UTC; datetimes are kept (the DB stores UTC)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------
_CUSTOMER_SORT_COLUMNS: dict[str, Any] = {
    "customer_name": func.lower(Customer.customer_name),
    "created_at": Customer.created_at,
    "updated_at": Customer.updated_at,
    "customer_id": Customer.customer_id,
}


def get_customer(session: Session, *, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id) if _storable_id(customer_id) else None
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def standing(session: Session, *, customer_id: int) -> tuple[CustomerStatus, PaymentType]:
    """A customer's status and payment type, read without loading the customer (a sale's
    check); 404 as :func:`get_customer`."""
    row = (
        session.execute(
            select(Customer.customer_status, Customer.customer_payment_type).where(
                Customer.customer_id == customer_id
            )
        ).first()
        if _storable_id(customer_id)
        else None
    )
    if row is None:
        raise NotFound(f"customer {customer_id} not found")
    return row.customer_status, row.customer_payment_type


def customer_id_for_contact(session: Session, *, contact_id: int) -> int | None:
    """The live customer a contact belongs to (a user's self-care link), or None.

    An archived customer's portal users lose access: None for them.
    """
    if not _storable_id(contact_id):
        return None
    return session.scalar(
        select(Contact.customer_id)
        .join(Customer, Customer.customer_id == Contact.customer_id)
        .where(
            Contact.contact_id == contact_id,
            Customer.customer_status != CustomerStatus.archived,
        )
    )


def _refresh_linked_users(session: Session, contact_ids: list[int]) -> None:
    """Users linked to these contacts must re-read their self-care link after this commit."""
    from omnicrm.auth.use_cases import forget_users_linked_to

    if contact_ids:
        forget_users_linked_to(session, contact_ids=contact_ids)


def _normalise_customer(data: Mapping[str, Any], *, default_region: str) -> dict[str, Any]:
    values = dict(data)
    errors = _FieldErrors()
    errors.apply(values, "customer_name", v.normalise_name)
    errors.apply(values, "email", v.normalise_email)
    errors.apply(values, "phone", v.normalise_phone, default_region)
    errors.apply(values, "tax_identifier", v.normalise_tax_identifier)
    errors.apply(values, "currency", v.normalise_currency)
    errors.apply(values, "notes", _strip)
    errors.apply(values, "tags", v.normalise_tags)
    for field in ("contract_start_date", "contract_end_date"):
        if field in values:
            values[field] = _as_datetime(values[field])
    errors.raise_if_any()
    return values


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
    default_region: str = DEFAULT_REGION,
) -> Customer:
    """Create a customer; 409 ``duplicate_customer`` if a live one has the e-mail or phone.

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
        },
        default_region=default_region,
    )
    _check_contract_dates(values["contract_start_date"], values["contract_end_date"])
    _reject_duplicate(session, email=values["email"], phone=values["phone"])
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
        _refresh_linked_users(session, contact_ids)
    return customer


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
    start = _as_datetime(created_from)
    end = created_to
    if end is not None and not isinstance(end, datetime):
        # A bare date includes the whole day (9999-12-31 has no next day: no upper bound).
        end = _as_datetime(end + timedelta(days=1)) if end < date.max else None
    if start is not None and end is not None and end < start:
        raise ValidationFailed.field(
            "created_to", "must not be before created_from", location="query"
        )
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


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------
_CONTACT_SORT_COLUMNS: dict[str, Any] = {
    "contact_id": Contact.contact_id,
    "contact_firstname": func.lower(Contact.contact_firstname),
    "contact_lastname": func.lower(Contact.contact_lastname),
    "created_at": Contact.created_at,
}


def _live_customer(session: Session, customer_id: int) -> Customer:
    """The parent of a new contact or site: it must exist (404) and not be archived (409)."""
    customer = session.get(Customer, customer_id) if _storable_id(customer_id) else None
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


def _contact_types(values: Iterable[str]) -> list[str]:
    given = set(values)
    return [t.value for t in ContactType if t.value in given]  # canonical order, no repeats


def _normalise_contact(data: Mapping[str, Any], *, default_region: str) -> dict[str, Any]:
    values = dict(data)
    errors = _FieldErrors()
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
    contact = session.get(Contact, contact_id) if _storable_id(contact_id) else None
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
    _live_customer(session, customer_id)
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
    _refresh_linked_users(session, [contact_id])
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


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------
_SITE_SORT_COLUMNS: dict[str, Any] = {
    "site_id": Site.site_id,
    "site_name": func.lower(Site.site_name),
    "city": func.lower(Site.city),
    "created_at": Site.created_at,
}
_ADDRESS_FIELDS = ("address_line_1", "address_line_2", "city", "state", "zip_code", "country")
_SITE_TEXT_FIELDS = (
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "zip_code",
    "google_maps_place_id",
)


def _normalise_site(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    errors = _FieldErrors()
    errors.apply(values, "site_name", v.normalise_name)
    for field in _SITE_TEXT_FIELDS:
        errors.apply(values, field, _strip)
    errors.apply(values, "country", v.normalise_country)
    errors.raise_if_any()
    return values


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise ValidationFailed.field(missing, "latitude and longitude go together")


def _address_of(values: Mapping[str, Any]) -> str | None:
    """A geocodable one-line address, or None when there is too little to locate."""
    if not any(values.get(f) for f in ("address_line_1", "city", "zip_code")):
        return None
    return ", ".join(str(values[f]) for f in _ADDRESS_FIELDS if values.get(f))


def _geocode(geocoder: Geocoder, values: Mapping[str, Any]) -> GeocodeResult | None:
    address = _address_of(values)
    return geocoder.geocode(address) if address else None


def _use_location(values: dict[str, Any], found: GeocodeResult) -> None:
    """Take the geocoder's coordinates; a place id the caller gave (e.g. from the UI's
    autocomplete) wins over the geocoder's."""
    values["latitude"], values["longitude"] = found.latitude, found.longitude
    values["google_maps_place_id"] = values.get("google_maps_place_id") or found.place_id


def _set_plus_code(values: dict[str, Any], geocoder: Geocoder) -> None:
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is None or longitude is None:
        values["plus_code"] = None
    else:
        values["plus_code"] = geocoder.plus_code(latitude, longitude)


def get_site(session: Session, *, site_id: int) -> Site:
    site = session.get(Site, site_id) if _storable_id(site_id) else None
    if site is None:
        raise NotFound(f"site {site_id} not found")
    return site


def create_site(
    session: Session,
    *,
    geocoder: Geocoder,
    customer_id: int,
    site_name: str,
    address_line_1: str | None = None,
    address_line_2: str | None = None,
    city: str | None = None,
    state: str | None = None,
    zip_code: str | None = None,
    country: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    google_maps_place_id: str | None = None,
) -> Site:
    """Create a site: coordinates given get a plus code; an address alone is geocoded."""
    values = _normalise_site(
        {
            "site_name": site_name,
            "address_line_1": address_line_1,
            "address_line_2": address_line_2,
            "city": city,
            "state": state,
            "zip_code": zip_code,
            "country": country,
            "latitude": latitude,
            "longitude": longitude,
            "google_maps_place_id": google_maps_place_id,
        }
    )
    _check_coordinates(values["latitude"], values["longitude"])
    _live_customer(session, customer_id)
    if values["latitude"] is None:
        found = _geocode(geocoder, values)
        if found is not None:
            _use_location(values, found)
    _set_plus_code(values, geocoder)
    site = Site(customer_id=customer_id, **values)
    session.add(site)
    session.flush()
    return site


def update_site(
    session: Session, *, geocoder: Geocoder, site_id: int, changes: Mapping[str, Any]
) -> Site:
    """Change a site. New coordinates get a new plus code; a new address without coordinates
    is geocoded (if the geocoder cannot, the old coordinates stay)."""
    site = get_site(session, site_id=site_id)
    values = _normalise_site(changes)
    merged = {
        field: getattr(site, field)
        for field in (*_ADDRESS_FIELDS, "latitude", "longitude", "google_maps_place_id")
    }
    merged.update(values)
    coordinates_given = "latitude" in values or "longitude" in values
    if coordinates_given:
        _check_coordinates(merged["latitude"], merged["longitude"])
    address_changed = any(f in values and values[f] != getattr(site, f) for f in _ADDRESS_FIELDS)
    if address_changed and not coordinates_given:
        found = _geocode(geocoder, merged)
        if found is not None:
            # The old place id described the old address: only a newly given one may stay.
            merged["google_maps_place_id"] = values.get("google_maps_place_id")
            _use_location(merged, found)
    _set_plus_code(merged, geocoder)
    for field, value in merged.items():
        setattr(site, field, value)
    session.flush()
    return site


def delete_site(session: Session, *, site_id: int) -> None:
    session.delete(get_site(session, site_id=site_id))
    session.flush()


def sites_query(
    *,
    customer_id: int | None = None,
    q: str | None = None,
    country: str | None = None,
    sort: str = "site_id",
) -> Select[Any]:
    stmt = select(Site)
    if customer_id is not None:
        stmt = stmt.where(Site.customer_id == customer_id)
    if q and q.strip():
        pattern = like_pattern(q.strip())
        stmt = stmt.where(
            or_(
                Site.site_name.ilike(pattern, escape="\\"),
                Site.address_line_1.ilike(pattern, escape="\\"),
                Site.city.ilike(pattern, escape="\\"),
                Site.zip_code.ilike(pattern, escape="\\"),
                Site.plus_code.ilike(pattern, escape="\\"),
            )
        )
    if country:
        stmt = stmt.where(Site.country == country.upper())
    return stmt.order_by(*order_by(sort, _SITE_SORT_COLUMNS, Site.site_id))
