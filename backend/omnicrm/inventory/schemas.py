"""Request and response schemas of the inventory API.

Schemas check types, enums and lengths; serial, IMSI, MSISDN and MAC rules live in
``use_cases``/``validation`` so every caller (API, import, contracts) gets them. Unknown fields
are refused (marshmallow's RAISE): ``item_state``, ``customer_id`` and ``service_id`` change only
through the transition endpoints.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.core.fields import ID, NON_BLANK_PATTERN, Text
from omnicrm.core.query import sort_field
from omnicrm.inventory.models import ItemState, SerialKind
from omnicrm.inventory.use_cases import NUMBER_QUARANTINE_DAYS

STATES = [s.value for s in ItemState]
SERIAL_KINDS = [k.value for k in SerialKind]
TEMPLATE_SORTS = ("item", "inventory_template_id", "created_at")
ITEM_SORTS = ("inventory_id", "serial", "item_state", "created_at", "updated_at")


# What inventory.validation.normalise_url takes (after trimming; blank clears the URL).
MANAGEMENT_URL_PATTERN = r"^\s*(?:[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00]+)?\s*$"
SERIAL_RULES = (
    "Validated by the template's serial_kind (422 on serial otherwise): iccid: 19-20 digits "
    "(spaces and dashes ignored) starting 89 with a valid Luhn check digit; msisdn: a valid "
    "phone number, E.164 or national (default region), stored as E.164; mac: "
    "aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or 12 hex digits, stored lower-case "
    "with colons; free: 1-64 printable characters after trimming. A serial already in stock: 409"
)
SIM_ITEMTEXTS = (
    "SIM Card items: itemtext1 mirrors the ICCID, itemtext2 is the IMSI (15 digits, required), "
    "itemtext3/itemtext4 are PUK1/PUK2 (8 digits each); otherwise 422 on that field"
)


def _label() -> Text:
    return Text(allow_none=True, validate=validate.Length(max=100))


def _itemtext() -> Text:
    return Text(allow_none=True, validate=validate.Length(max=255))


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------
class InventoryTemplateSchema(Schema):
    inventory_template_id = fields.Integer()
    item = Text()
    serial_kind = Text(validate=validate.OneOf(SERIAL_KINDS))
    builtin = fields.Boolean()
    itemtext1_label = Text(allow_none=True)
    itemtext2_label = Text(allow_none=True)
    itemtext3_label = Text(allow_none=True)
    itemtext4_label = Text(allow_none=True)
    itemtext5_label = Text(allow_none=True)
    itemtext6_label = Text(allow_none=True)
    itemtext7_label = Text(allow_none=True)
    itemtext8_label = Text(allow_none=True)
    itemtext9_label = Text(allow_none=True)
    itemtext10_label = Text(allow_none=True)
    itemtext11_label = Text(allow_none=True)
    itemtext12_label = Text(allow_none=True)
    itemtext13_label = Text(allow_none=True)
    itemtext14_label = Text(allow_none=True)
    itemtext15_label = Text(allow_none=True)
    itemtext16_label = Text(allow_none=True)
    itemtext17_label = Text(allow_none=True)
    itemtext18_label = Text(allow_none=True)
    itemtext19_label = Text(allow_none=True)
    itemtext20_label = Text(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InventoryTemplateUpdateSchema(Schema):
    """Every field optional. Built-in templates keep their name and serial kind."""

    item = Text(validate=validate.Length(min=1, max=100), metadata={"pattern": NON_BLANK_PATTERN})
    serial_kind = Text(
        validate=validate.OneOf(SERIAL_KINDS),
        metadata={"description": "How `serial` is validated; fixed once the template has items"},
    )
    itemtext1_label = _label()
    itemtext2_label = _label()
    itemtext3_label = _label()
    itemtext4_label = _label()
    itemtext5_label = _label()
    itemtext6_label = _label()
    itemtext7_label = _label()
    itemtext8_label = _label()
    itemtext9_label = _label()
    itemtext10_label = _label()
    itemtext11_label = _label()
    itemtext12_label = _label()
    itemtext13_label = _label()
    itemtext14_label = _label()
    itemtext15_label = _label()
    itemtext16_label = _label()
    itemtext17_label = _label()
    itemtext18_label = _label()
    itemtext19_label = _label()
    itemtext20_label = _label()


class InventoryTemplateCreateSchema(InventoryTemplateUpdateSchema):
    item = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"pattern": NON_BLANK_PATTERN},
    )
    serial_kind = Text(load_default=SerialKind.free.value, validate=validate.OneOf(SERIAL_KINDS))


class InventoryTemplateQuerySchema(Schema):
    q = Text(validate=validate.Length(max=100), metadata={"description": "Template name"})
    sort = sort_field(TEMPLATE_SORTS, "item")


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------
class InventoryHistorySchema(Schema):
    inventory_history_id = fields.Integer()
    from_state = Text(allow_none=True, metadata={"description": "null when the item was added"})
    to_state = Text()
    reason = Text(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    service_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class InventorySchema(Schema):
    inventory_id = fields.Integer()
    inventory_template_id = fields.Integer()
    item = Text(metadata={"description": "The template's name"})
    serial = Text(metadata={"description": "ICCID, E.164 MSISDN, MAC or free text"})
    item_state = Text(validate=validate.OneOf(STATES))
    customer_id = fields.Integer(allow_none=True)
    customer_name = Text(
        allow_none=True, metadata={"description": "The bound customer's name (null: unbound)"}
    )
    service_id = fields.Integer(allow_none=True)
    service_name = Text(
        allow_none=True, metadata={"description": "The bound service's name (null: unbound)"}
    )
    quarantined_until = fields.DateTime(allow_none=True)
    itemtext1 = Text(allow_none=True)
    itemtext2 = Text(allow_none=True)
    itemtext3 = Text(allow_none=True)
    itemtext4 = Text(allow_none=True)
    itemtext5 = Text(allow_none=True)
    itemtext6 = Text(allow_none=True)
    itemtext7 = Text(allow_none=True)
    itemtext8 = Text(allow_none=True)
    itemtext9 = Text(allow_none=True)
    itemtext10 = Text(allow_none=True)
    itemtext11 = Text(allow_none=True)
    itemtext12 = Text(allow_none=True)
    itemtext13 = Text(allow_none=True)
    itemtext14 = Text(allow_none=True)
    itemtext15 = Text(allow_none=True)
    itemtext16 = Text(allow_none=True)
    itemtext17 = Text(allow_none=True)
    itemtext18 = Text(allow_none=True)
    itemtext19 = Text(allow_none=True)
    itemtext20 = Text(allow_none=True)
    management_url = Text(allow_none=True)
    config_content = Text(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InventoryDetailSchema(InventorySchema):
    history = fields.List(
        fields.Nested(InventoryHistorySchema), metadata={"description": "Oldest first"}
    )


class InventoryUpdateSchema(Schema):
    """Every field optional; ``null`` clears. Mirrored fields (a SIM's itemtext1 = ICCID)
    may only be given equal to their source (422 otherwise)."""

    class Meta:
        description = SIM_ITEMTEXTS

    itemtext1 = _itemtext()
    itemtext2 = _itemtext()
    itemtext3 = _itemtext()
    itemtext4 = _itemtext()
    itemtext5 = _itemtext()
    itemtext6 = _itemtext()
    itemtext7 = _itemtext()
    itemtext8 = _itemtext()
    itemtext9 = _itemtext()
    itemtext10 = _itemtext()
    itemtext11 = _itemtext()
    itemtext12 = _itemtext()
    itemtext13 = _itemtext()
    itemtext14 = _itemtext()
    itemtext15 = _itemtext()
    itemtext16 = _itemtext()
    itemtext17 = _itemtext()
    itemtext18 = _itemtext()
    itemtext19 = _itemtext()
    itemtext20 = _itemtext()
    management_url = Text(
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={
            "pattern": MANAGEMENT_URL_PATTERN,
            "description": "An http:// or https:// URL (trimmed; blank clears it)",
        },
    )
    config_content = Text(allow_none=True, validate=validate.Length(max=1_000_000))


class InventoryCreateSchema(InventoryUpdateSchema):
    inventory_template_id = fields.Integer(required=True, strict=True, validate=ID)
    serial = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": SERIAL_RULES},
    )


class InventoryQuerySchema(Schema):
    state = fields.List(
        Text(validate=validate.OneOf(STATES)), metadata={"description": "Repeatable"}
    )
    template = Text(
        validate=validate.Length(max=100),
        metadata={"description": "Template name, e.g. `SIM Card`"},
    )
    template_id = fields.Integer(validate=ID)
    customer_id = fields.Integer(validate=ID)
    service_id = fields.Integer(validate=ID)
    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "Serial and itemtexts; MSISDN and MAC in any format"},
    )
    sort = sort_field(ITEM_SORTS, "inventory_id")


class StockQuerySchema(Schema):
    template = Text(validate=validate.Length(max=100), metadata={"description": "Template name"})


class StockLevelSchema(Schema):
    inventory_template_id = fields.Integer()
    item = Text()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Items per state"}
    )
    total = fields.Integer()


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------
class TransitionSchema(Schema):
    reason = Text(allow_none=True, validate=validate.Length(max=500))


class ReserveSchema(TransitionSchema):
    customer_id = fields.Integer(
        strict=True, validate=ID, metadata={"description": "Hold the item for this customer"}
    )


class AssignSchema(TransitionSchema):
    customer_id = fields.Integer(
        strict=True,
        validate=ID,
        metadata={"description": "Required unless the reservation named the customer"},
    )
    service_id = fields.Integer(strict=True, validate=ID)


class ReturnSchema(TransitionSchema):
    quarantine_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=3650),
        metadata={
            "description": f"Phone numbers only: days in quarantine (default "
            f"{NUMBER_QUARANTINE_DAYS}; 0 = returned at once)"
        },
    )
