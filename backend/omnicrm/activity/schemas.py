"""Schemas of the activity-log API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate


class FieldChangeSchema(Schema):
    field = fields.String(metadata={"description": "Column name(s), e.g. address_line_1"})
    label = fields.String(metadata={"description": "What staff read, e.g. Address line 1"})
    before = fields.String(allow_none=True, metadata={"description": "null: created"})
    after = fields.String(allow_none=True, metadata={"description": "null: deleted"})


class ActivitySchema(Schema):
    activity_id = fields.Integer()
    created_at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    api_key_id = fields.Integer(allow_none=True)
    action = fields.String(metadata={"description": "create, update, archive, delete, login, ..."})
    object_type = fields.String(metadata={"description": "customer, contact, site, user, ..."})
    object_id = fields.String()
    customer_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True, metadata={"description": "Changed fields, old values"})
    after = fields.Dict(allow_none=True, metadata={"description": "Changed fields, new values"})
    request_id = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    actor = fields.String(
        metadata={"description": "Who did it: the user's name, an API key, or System"}
    )
    summary = fields.String(
        metadata={"description": 'The row in words, e.g. "Address changed from A to B"'}
    )
    changes = fields.List(
        fields.Nested(FieldChangeSchema),
        metadata={"description": "Changed fields, labelled, values as text"},
    )


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 date-time with offset, converted to UTC (refused if UTC cannot hold it)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:  # e.g. 0001-01-01T00:00+14:00
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from exc


_ID = validate.Range(min=1, max=2**31 - 1)
# Types, ids and actions are plain identifiers: control characters (NUL included) never match.
_PLAIN = validate.Regexp(r"\A[^\x00-\x1f\x7f]*\Z", error="Must not contain control characters.")


# The same rule for the OpenAPI document (validate.And hides the Regexp from it).
def _plain_doc(max_length: int) -> dict[str, object]:
    return {"pattern": r"^[^\x00-\x1f\x7f]*$", "maxLength": max_length}


class ActivityQuerySchema(Schema):
    user_id = fields.Integer(validate=_ID)
    object_type = fields.String(
        validate=validate.And(validate.Length(max=64), _PLAIN), metadata=_plain_doc(64)
    )
    object_id = fields.String(
        validate=validate.And(validate.Length(max=128), _PLAIN), metadata=_plain_doc(128)
    )
    customer_id = fields.Integer(validate=_ID)
    action = fields.String(
        validate=validate.And(validate.Length(max=32), _PLAIN), metadata=_plain_doc(32)
    )
    from_ = UtcDateTime(data_key="from", metadata={"description": "Inclusive (ISO 8601)"})
    to = UtcDateTime(metadata={"description": "Exclusive (ISO 8601)"})


class CustomerActivityQuerySchema(Schema):
    action = fields.String(
        validate=validate.And(validate.Length(max=32), _PLAIN), metadata=_plain_doc(32)
    )
