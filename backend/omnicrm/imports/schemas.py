"""Schemas of the imports API."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from omnicrm.core.fields import Text
from omnicrm.imports.models import ImportKind, ImportStatus
from omnicrm.imports.subscribers import COLUMNS, KEYS, REQUIRED

STATUSES = [s.value for s in ImportStatus]
KINDS = [k.value for k in ImportKind]


class SubscriberUploadSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "CSV in UTF-8 (a BOM is fine), delimited by comma, semicolon, tab or "
            f"|, with a header row naming columns among: {', '.join(COLUMNS)}. Required: "
            f"{', '.join(REQUIRED)}, and one of {', '.join(KEYS)} (how a customer is "
            "recognised). A row with product_slug and sim_iccid (and optionally msisdn) sells "
            "that contract. At most IMPORT_MAX_BYTES (50 MB)."
        },
    )


class StockUploadSchema(Schema):
    """A multipart body: the file and the template its rows are items of."""

    template = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Template name: `SIM Card`, `Phone Number`, `Router`, ..."},
    )
    file = Upload(
        required=True,
        metadata={
            "description": "CSV in UTF-8 (a BOM is fine), delimited by comma, semicolon, tab or "
            "|, with a header row. SIM Card: iccid, imsi[, puk1, puk2, ki_ref]; Phone Number: "
            "msisdn; Router: mac[, serial_number, management_url]; other templates: serial[, "
            "itemtext1..20, management_url]. A serial already in stock is updated (while the "
            "item is `new`) or unchanged. At most IMPORT_MAX_BYTES (50 MB)."
        },
    )


class StockSampleQuerySchema(Schema):
    template = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Template name: `SIM Card`, `Phone Number`, `Router`, ..."},
    )


class ImportListQuerySchema(Schema):
    kind = fields.String(
        validate=validate.OneOf(KINDS), metadata={"description": "Only imports of this kind"}
    )


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Validate every row (stock included) and write nothing"},
    )


class RowErrorSchema(Schema):
    row = fields.Integer(attribute="line", metadata={"description": "Line in the file (header=1)"})
    field = fields.String()
    message = fields.String()


class ImportSchema(Schema):
    import_id = fields.Integer()
    kind = fields.String(metadata={"enum": KINDS})
    template = fields.String(
        allow_none=True, metadata={"description": "A stock import's inventory template"}
    )
    status = fields.String(metadata={"enum": STATUSES})
    dry_run = fields.Boolean()
    filename = fields.String()
    file_hash = fields.String(metadata={"description": "SHA-256 of the file"})
    size_bytes = fields.Integer()
    total = fields.Integer(metadata={"description": "Data rows in the file"})
    processed = fields.Integer(metadata={"description": "Rows done (committed)"})
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    failed = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "Why the whole job failed"})
    created_by_user_id = fields.Integer(allow_none=True)
    created_by_user_name = fields.String(
        allow_none=True, metadata={"description": "Who uploaded it (full name, else username)"}
    )
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class ImportDetailSchema(ImportSchema):
    errors = fields.List(
        fields.Nested(RowErrorSchema),
        metadata={"description": "The first 100 row errors (all are in errors.csv)"},
    )
