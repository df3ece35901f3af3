"""Request and response schemas of the contracts API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.contracts.models import ContractStatus
from omnicrm.core.fields import ID, Text
from omnicrm.core.money import MoneyField, PercentField
from omnicrm.core.query import sort_field
from omnicrm.core.spec import PHONE_FORMAT
from omnicrm.services.schemas import ReasonSchema

STATUSES = [s.value for s in ContractStatus]
CONTRACT_SORTS = ("contract_id", "contract_number", "contract_status", "created_at")

__all__ = ["ReasonSchema"]


class ContractCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    product_id = fields.Integer(required=True, strict=True, validate=ID)
    sim_iccid = Text(
        validate=validate.Length(min=1, max=32),
        metadata={
            "description": "This SIM (else a free one is picked): an ICCID, 19-20 digits "
            "starting 89 with a valid Luhn check digit (spaces and dashes ignored; else 422), "
            "of a SIM the product binds (else 422) that is free (else 404/409)"
        },
    )
    msisdn = Text(
        validate=validate.Length(min=1, max=32),
        metadata={
            "format": PHONE_FORMAT,
            "description": "This number (else a free one is picked): a valid phone number, "
            "E.164 or national (default region), stored as E.164 (else 422), that the "
            "product binds (else 422) and is free (else 404/409)",
        },
    )
    site_id = fields.Integer(strict=True, validate=ID, allow_none=True)


class ContractServiceSchema(Schema):
    service_id = fields.Integer()
    service_uuid = Text()
    service_status = fields.Function(lambda s: s.service_status.value)


class ContractChargeSchema(Schema):
    contract_charge_id = fields.Integer()
    kind = Text()
    amount = MoneyField()
    currency = Text()
    tax_percentage = PercentField()
    tax_amount = MoneyField()
    created_at = fields.DateTime()


class ContractSchema(Schema):
    contract_id = fields.Integer()
    contract_number = Text()
    customer_id = fields.Integer()
    customer_name = Text(allow_none=True, metadata={"description": "The customer's name"})
    product_id = fields.Integer()
    product_name = Text(allow_none=True, metadata={"description": "The tariff's current name"})
    service_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    site_name = Text(allow_none=True, metadata={"description": "The site's name (null: no site)"})
    contract_status = fields.Function(
        lambda c: c.contract_status.value, metadata={"enum": STATUSES}
    )
    term_months = fields.Integer()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    price_snapshot = fields.Dict()
    sim_inventory_id = fields.Integer(allow_none=True)
    number_inventory_id = fields.Integer(allow_none=True)
    sim_iccid = Text(allow_none=True)
    msisdn = Text(allow_none=True)
    service = fields.Nested(ContractServiceSchema)
    charges = fields.List(fields.Nested(ContractChargeSchema))
    provision = fields.Function(
        lambda c: None,
        allow_none=True,
        metadata={"description": "The provisioning job (null until provisioning exists)"},
    )
    accepted_by_user_id = fields.Integer(allow_none=True)
    accepted_by_name = Text(
        allow_none=True,
        metadata={"description": "The accepting user's full name (else username)"},
    )
    accepted_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ContractQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    product_id = fields.Integer(validate=ID)
    contract_status = fields.List(Text(validate=validate.OneOf(STATUSES)))
    q = Text(validate=validate.Length(max=100), metadata={"description": "Contract number"})
    sort = sort_field(CONTRACT_SORTS, "-created_at")
