"""Request and response schemas of the customer, contact and site API.

Schemas check types, enums and lengths; normalisation (e-mail, phone, tax id, tags) and the
cross-field rules live in ``use_cases`` so every caller gets them. Unknown fields are refused
(marshmallow's default RAISE), so ids, timestamps and archive state cannot be mass-assigned.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from omnicrm.core.fields import ID, Name, Text
from omnicrm.core.query import sort_field
from omnicrm.core.spec import PHONE_FORMAT
from omnicrm.customers.models import AccountType, ContactType, CustomerStatus, PaymentType
from omnicrm.customers.validation import country_pattern

ACCOUNT_TYPES = [t.value for t in AccountType]
PAYMENT_TYPES = [t.value for t in PaymentType]
STATUSES = [s.value for s in CustomerStatus]
LIVE_STATUSES = [s.value for s in CustomerStatus if s != CustomerStatus.archived]
CONTACT_TYPES = [t.value for t in ContactType]


DATE_OR_DATE_TIME = (
    "an ISO 8601 date (2025-01-31) or date-time (2025-01-31T08:00:00Z; without an offset: UTC)"
)
# What validation.normalise_* take (whitespace removed or trimmed, then upper-cased).
TAX_ID_PATTERN = r"^\s*(?:[A-Za-z0-9](?:\s*[A-Za-z0-9./-]){3,19})?\s*$"
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
EMAIL_RULE = (
    "An e-mail address (syntax checked, no DNS, no special-use domain such as .test; else 422), "
    "stored lower-case; blank: null"
)
PHONE_RULE = (
    "A valid phone number (numbering plan checked): E.164 (+12025550123) or a national "
    "number of the default region (US unless configured), any punctuation; stored as E.164. "
    "Otherwise 422; blank: null"
)
EMAIL_FORMATS = [{"format": "email"}, {"enum": [""]}]  # blank: null


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


# Domains reserved for special use (RFC 6761 and friends; email-validator refuses them).
NO_SPECIAL_USE_DOMAIN = (
    r"^(?![\s\S]*[@.](?:"
    + "|".join(_any_case(d) for d in ("arpa", "invalid", "local", "localhost", "onion", "test"))
    + r")\.?$)"
)
DATE_FORMATS = [{"format": "date"}, {"format": "date-time"}]
CUSTOMER_SORTS = ("customer_name", "created_at", "updated_at", "customer_id")
CONTACT_SORTS = ("contact_id", "contact_firstname", "contact_lastname", "created_at")
SITE_SORTS = ("site_id", "site_name", "city", "created_at")


class DateOrDateTime(fields.String):
    """``2025-01-31`` (loaded as a ``date``) or an ISO 8601 date-time (naive means UTC).

    A String subclass so that the OpenAPI document shows ``type: string``.
    """

    default_error_messages = {"invalid": "Not a valid date or date-time (ISO 8601)."}

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> date | datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            # In UTC now: 0001-01-01T00:00+14:00 has no UTC equivalent and must not reach the DB.
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError) as exc:
            raise self.make_error("invalid") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------
class CustomerSchema(Schema):
    customer_id = fields.Integer()
    customer_name = Text()
    customer_account_type = Text(validate=validate.OneOf(ACCOUNT_TYPES))
    customer_status = Text(validate=validate.OneOf(STATUSES))
    customer_payment_type = Text(validate=validate.OneOf(PAYMENT_TYPES))
    customer_enabled = fields.Boolean()
    tax_identifier = Text(allow_none=True)
    external_id = Text(
        allow_none=True, metadata={"description": "Its id in the system it came from"}
    )
    contract_start_date = fields.DateTime(allow_none=True)
    contract_end_date = fields.DateTime(allow_none=True)
    email = Text(allow_none=True)
    phone = Text(allow_none=True, metadata={"description": "E.164"})
    currency = Text()
    notes = Text(allow_none=True)
    tags = fields.List(Text(), attribute="tag_names")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    archived_at = fields.DateTime(allow_none=True)


class CustomerUpdateSchema(Schema):
    """Every field optional; ``null`` clears an optional field."""

    customer_name = Name(validate=validate.Length(min=1, max=200))
    customer_account_type = Text(validate=validate.OneOf(ACCOUNT_TYPES))
    customer_status = Text(
        validate=validate.OneOf(LIVE_STATUSES),
        metadata={
            "description": "Archive with DELETE; setting Open on an archived one restores it"
        },
    )
    customer_payment_type = Text(validate=validate.OneOf(PAYMENT_TYPES))
    customer_enabled = fields.Boolean()
    external_id = Text(
        allow_none=True,
        validate=validate.Regexp(
            EXTERNAL_ID_PATTERN, error="Letters, digits and . _ : / - (at most 64)."
        ),
        metadata={
            "description": "Its id in the system it came from (unique; a bulk import "
            "recognises the customer by it)",
            "pattern": EXTERNAL_ID_PATTERN,
        },
    )
    tax_identifier = Text(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "Spaces removed, upper-cased; 4-20 of A-Z 0-9 - / . starting with a "
            "letter or digit (blank: null)",
            "pattern": TAX_ID_PATTERN,
        },
    )
    contract_start_date = DateOrDateTime(
        allow_none=True, metadata={"description": DATE_OR_DATE_TIME, "anyOf": DATE_FORMATS}
    )
    contract_end_date = DateOrDateTime(
        allow_none=True,
        metadata={
            "description": "On or after contract_start_date (else 422); " + DATE_OR_DATE_TIME,
            "anyOf": DATE_FORMATS,
        },
    )
    email = Text(
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={
            "description": EMAIL_RULE + "; another live customer's: 409",
            "anyOf": EMAIL_FORMATS,
            "pattern": NO_SPECIAL_USE_DOMAIN,
        },
    )
    phone = Text(
        allow_none=True,
        metadata={
            "format": PHONE_FORMAT,
            "description": PHONE_RULE + "; another live customer's: 409",
        },
    )
    currency = Text(
        validate=validate.Length(equal=3),
        metadata={"pattern": CURRENCY_PATTERN, "description": "Stored upper-case"},
    )
    notes = Text(allow_none=True, validate=validate.Length(max=10_000))
    tags = fields.List(
        Text(validate=validate.Length(min=1, max=50)),
        validate=validate.Length(max=20),
        metadata={"description": "Replaces the customer's tags; stored lower-case"},
    )


class CustomerCreateSchema(CustomerUpdateSchema):
    customer_name = Name(required=True, validate=validate.Length(min=1, max=200))
    customer_account_type = Text(
        load_default=AccountType.individual.value, validate=validate.OneOf(ACCOUNT_TYPES)
    )
    customer_status = Text(
        load_default=CustomerStatus.open.value, validate=validate.OneOf(LIVE_STATUSES)
    )
    customer_payment_type = Text(
        load_default=PaymentType.prepaid.value, validate=validate.OneOf(PAYMENT_TYPES)
    )
    customer_enabled = fields.Boolean(load_default=True)
    currency = Text(
        validate=validate.Length(equal=3),
        metadata={
            "pattern": CURRENCY_PATTERN,
            "description": "Stored upper-case; the operator's DEFAULT_CURRENCY when omitted. "
            "Products are sold only to customers billed in their currency",
        },
    )
    tags = fields.List(
        Text(validate=validate.Length(min=1, max=50)),
        load_default=list,
        validate=validate.Length(max=20),
    )


class CustomerFilterSchema(Schema):
    """Filters shared by the customer list and the export."""

    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "Search name, e-mail, phone (any format) and contacts"},
    )
    customer_status = fields.List(
        Text(validate=validate.OneOf(STATUSES)),
        metadata={"description": "Repeatable. Archived customers are hidden unless asked for"},
    )
    customer_payment_type = Text(validate=validate.OneOf(PAYMENT_TYPES))
    customer_account_type = Text(validate=validate.OneOf(ACCOUNT_TYPES))
    customer_enabled = fields.Boolean()
    tag = fields.List(
        Text(validate=validate.Length(min=1, max=50)),
        metadata={"description": "Repeatable; a customer must have every tag given"},
    )
    created_from = DateOrDateTime(
        metadata={
            "description": "Created at or after (inclusive); " + DATE_OR_DATE_TIME,
            "anyOf": DATE_FORMATS,
        }
    )
    created_to = DateOrDateTime(
        metadata={
            "description": "Created before; a bare date includes that whole day (before "
            "created_from: nothing matches); " + DATE_OR_DATE_TIME,
            "anyOf": DATE_FORMATS,
        }
    )
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(CUSTOMER_SORTS, "-created_at")


class CustomerExportQuerySchema(CustomerFilterSchema):
    format = Text(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]), data_key="format")


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------
class ContactSchema(Schema):
    contact_id = fields.Integer()
    customer_id = fields.Integer()
    contact_firstname = Text()
    contact_lastname = Text()
    contact_email = Text(allow_none=True)
    contact_phone = Text(allow_none=True, metadata={"description": "E.164"})
    contact_types = fields.List(Text(validate=validate.OneOf(CONTACT_TYPES)))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ContactUpdateSchema(Schema):
    contact_firstname = Name(validate=validate.Length(min=1, max=100))
    contact_lastname = Text(validate=validate.Length(max=100))
    contact_email = Text(
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={
            "description": EMAIL_RULE,
            "anyOf": EMAIL_FORMATS,
            "pattern": NO_SPECIAL_USE_DOMAIN,
        },
    )
    contact_phone = Text(
        allow_none=True,
        metadata={"format": PHONE_FORMAT, "description": PHONE_RULE},
    )
    contact_types = fields.List(
        Text(validate=validate.OneOf(CONTACT_TYPES)), validate=validate.Length(max=3)
    )


class ContactCreateSchema(ContactUpdateSchema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    contact_firstname = Name(required=True, validate=validate.Length(min=1, max=100))
    contact_lastname = Text(load_default="", validate=validate.Length(max=100))
    contact_types = fields.List(
        Text(validate=validate.OneOf(CONTACT_TYPES)),
        load_default=list,
        validate=validate.Length(max=3),
    )


class ContactQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    q = Text(validate=validate.Length(max=200), metadata={"description": "Name, e-mail, phone"})
    contact_type = Text(validate=validate.OneOf(CONTACT_TYPES))
    sort = sort_field(CONTACT_SORTS, "contact_id")


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------
def _one_without_other(given: str, other: str, *, other_absent: bool) -> dict[str, Any]:
    """A subschema: ``given`` is a number and ``other`` is null (or also absent)."""
    return {
        "required": [given] if other_absent else [given, other],
        "properties": {given: {"type": "number"}, other: {"nullable": True, "enum": [None]}},
    }


class SiteSchema(Schema):
    site_id = fields.Integer()
    customer_id = fields.Integer()
    site_name = Text()
    address_line_1 = Text(allow_none=True)
    address_line_2 = Text(allow_none=True)
    city = Text(allow_none=True)
    state = Text(allow_none=True)
    zip_code = Text(allow_none=True)
    country = Text(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2"})
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    google_maps_place_id = Text(allow_none=True)
    plus_code = Text(allow_none=True, metadata={"description": "Open Location Code"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SiteUpdateSchema(Schema):
    """Give latitude and longitude together, or an address to geocode (when a geocoder can)."""

    class Meta:
        description = (
            "latitude and longitude go together: after the change the site has both or neither "
            "(else 422; one with the other null in the same body is refused by the schema); "
            "without them an address is geocoded when a geocoder is configured"
        )
        json_schema = {
            "not": {
                "anyOf": [
                    _one_without_other("latitude", "longitude", other_absent=False),
                    _one_without_other("longitude", "latitude", other_absent=False),
                ]
            }
        }

    site_name = Name(validate=validate.Length(min=1, max=200))
    address_line_1 = Text(allow_none=True, validate=validate.Length(max=200))
    address_line_2 = Text(allow_none=True, validate=validate.Length(max=200))
    city = Text(allow_none=True, validate=validate.Length(max=100))
    state = Text(allow_none=True, validate=validate.Length(max=100))
    zip_code = Text(allow_none=True, validate=validate.Length(max=20))
    country = Text(
        allow_none=True,
        validate=validate.Length(equal=2),
        metadata={
            "pattern": country_pattern(blank=True),
            "description": "ISO 3166-1 alpha-2 code, any case; stored upper-case (blank: null)",
        },
    )
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    google_maps_place_id = Text(allow_none=True, validate=validate.Length(max=255))


class SiteCreateSchema(SiteUpdateSchema):
    class Meta:
        description = (
            "latitude and longitude go together (both or neither); without them an address is "
            "geocoded when a geocoder is configured"
        )
        json_schema = {
            "not": {
                "anyOf": [
                    _one_without_other("latitude", "longitude", other_absent=True),
                    _one_without_other("longitude", "latitude", other_absent=True),
                ]
            }
        }

    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    site_name = Name(required=True, validate=validate.Length(min=1, max=200))


class SiteQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    q = Text(validate=validate.Length(max=200), metadata={"description": "Name, address, city"})
    country = Text(
        validate=validate.Length(equal=2),
        metadata={"description": "ISO 3166-1 alpha-2 code, any case (not checked: no match)"},
    )
    sort = sort_field(SITE_SORTS, "site_id")


class CustomerDefaultsSchema(Schema):
    currency = Text(
        required=True,
        metadata={"description": "The operator's DEFAULT_CURRENCY (ISO 4217), e.g. AUD"},
    )
    phone_region = Text(
        required=True,
        metadata={"description": "The region national phone numbers are read in, e.g. AU"},
    )
