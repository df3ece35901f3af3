"""A customer's sites: addresses, coordinates and their plus codes, and geocoding an address
given alone (through the geocoder the caller passes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from omnicrm.core.errors import NotFound, ValidationFailed
from omnicrm.core.fields import storable_id
from omnicrm.core.query import like_pattern, order_by
from omnicrm.customers import validation as v
from omnicrm.customers.models import Site
from omnicrm.customers.use_cases._common import FieldErrors, live_customer, strip
from omnicrm.geo.geocoder import Geocoder, GeocodeResult

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
    errors = FieldErrors()
    errors.apply(values, "site_name", v.normalise_name)
    for field in _SITE_TEXT_FIELDS:
        errors.apply(values, field, strip)
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
    site = session.get(Site, site_id) if storable_id(site_id) else None
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
    live_customer(session, customer_id)
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
