"""Request and response schemas of the services API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.core.fields import ID, Text
from omnicrm.core.money import MoneyField
from omnicrm.core.query import sort_field
from omnicrm.services.models import ServiceStatus

STATUSES = [s.value for s in ServiceStatus]
SERVICE_SORTS = ("service_id", "service_name", "service_status", "created_at", "updated_at")


class BoundItemSchema(Schema):
    """An inventory item bound to the service (SIM, number, router)."""

    inventory_id = fields.Integer()
    item = Text(metadata={"description": "The template's name: SIM Card, Phone Number, ..."})
    serial = Text()
    item_state = fields.Function(lambda i: i.item_state.value)


class ServiceSchema(Schema):
    service_id = fields.Integer()
    customer_id = fields.Integer()
    product_id = fields.Integer()
    site_id = fields.Integer(allow_none=True)
    customer_name = Text(metadata={"description": "The customer's name"})
    product_name = Text(metadata={"description": "The product's name"})
    site_name = Text(allow_none=True, metadata={"description": "The site's name"})
    service_name = Text()
    service_uuid = Text(metadata={"description": "The charging account id"})
    service_status = fields.Function(lambda s: s.service_status.value, metadata={"enum": STATUSES})
    service_billed = fields.Boolean()
    wholesale_cost = MoneyField()
    retail_cost = MoneyField()
    price_snapshot = fields.Dict(
        metadata={"description": "The product's prices, tax and allowances at sale time"}
    )
    bundled_parent_id = fields.Integer(allow_none=True)
    start_date = fields.DateTime(allow_none=True)
    end_date = fields.DateTime(allow_none=True)
    inventory = fields.List(fields.Nested(BoundItemSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StatusChangeSchema(Schema):
    from_status = Text(allow_none=True)
    to_status = Text()
    reason = Text(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ServiceDetailSchema(ServiceSchema):
    status_history = fields.List(fields.Nested(StatusChangeSchema))


class ServiceQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    product_id = fields.Integer(validate=ID)
    service_status = fields.List(Text(validate=validate.OneOf(STATUSES)))
    q = Text(
        validate=validate.Length(max=100),
        metadata={"description": "Service name, service_uuid, or a bound serial (MSISDN, ICCID)"},
    )
    sort = sort_field(SERVICE_SORTS, "-created_at")


class ReasonSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class PlanChangeSchema(Schema):
    product_id = fields.Integer(
        required=True,
        strict=True,
        validate=ID,
        metadata={
            "description": "The product (tariff) to move to: an existing, standalone product "
            "other than the service's, priced in the service's currency (else 422); enabled "
            "(else 409 `product_disabled`) and sold to the customer's payment type (else 409 "
            "`product_not_eligible`)"
        },
    )
    reason = Text(load_default=None, validate=validate.Length(max=500))
