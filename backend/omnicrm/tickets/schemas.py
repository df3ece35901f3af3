"""Request and response schemas of the tickets API."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from omnicrm.core.db import utcnow
from omnicrm.core.fields import ID, Text
from omnicrm.tickets.models import ACTIONS, TicketPriority, TicketStatus, allowed_actions

PRIORITIES = [p.value for p in TicketPriority]
TAG = Text(
    validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,31}$", error="Lower-case letters, digits, -.")
)
STATUSES = [s.value for s in TicketStatus]


class TicketCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    subject = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(load_default="", validate=validate.Length(max=20_000))
    priority = Text(load_default="normal", validate=validate.OneOf(PRIORITIES))
    category = Text(load_default=None, allow_none=True, validate=validate.Length(max=50))
    contract_id = fields.Integer(
        strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "One of the customer's contracts (else 422)"},
    )  # fmt: skip
    service_id = fields.Integer(
        strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "One of the customer's services (else 422)"},
    )  # fmt: skip
    assignee_user_id = fields.Integer(
        strict=True, validate=ID, allow_none=True, load_default=None,
        metadata={"description": "A staff user holding `ticket.write` (else 422)"},
    )  # fmt: skip
    team = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50))
    tags = fields.List(TAG, load_default=list, validate=validate.Length(max=20))
    customer_visible = fields.Boolean(
        load_default=True,
        metadata={"description": "The customer sees it and is e-mailed when it is opened, "
                  "replied to and closed; false: an internal ticket (no replies)"},
    )  # fmt: skip


class TicketUpdateSchema(Schema):
    subject = Text(validate=validate.Length(min=1, max=200))
    priority = Text(validate=validate.OneOf(PRIORITIES))
    category = Text(allow_none=True, validate=validate.Length(max=50))
    assignee_user_id = fields.Integer(
        strict=True, validate=ID, allow_none=True,
        metadata={"description": "A staff user holding `ticket.write` (else 422); null unassigns"},
    )  # fmt: skip
    team = Text(allow_none=True, validate=validate.Length(min=1, max=50))
    tags = fields.List(
        TAG, validate=validate.Length(max=20), metadata={"description": "Replaces them"}
    )


class TicketQuerySchema(Schema):
    customer_id = fields.Integer(validate=ID)
    status = fields.List(Text(validate=validate.OneOf(STATUSES)))
    priority = Text(validate=validate.OneOf(PRIORITIES))
    assignee_user_id = fields.Integer(validate=ID)
    unassigned = fields.Boolean(load_default=False)
    breached = fields.Boolean(
        load_default=False, metadata={"description": "Open and past their due time"}
    )
    team = Text(validate=validate.Length(min=1, max=50))
    tag = Text(validate=validate.Length(min=1, max=32))


class TicketTransitionRequestSchema(Schema):
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))


class TicketCommentCreateSchema(Schema):
    body = Text(required=True, validate=validate.Length(min=1, max=20_000))
    internal = fields.Boolean(
        load_default=True,
        metadata={"description": "An internal note (staff only), or false: a reply the "
                  "customer sees and is e-mailed"},
    )  # fmt: skip


class TicketSchema(Schema):
    ticket_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = Text(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    service_id = fields.Integer(allow_none=True)
    subject = Text()
    description = Text()
    priority = fields.Enum(TicketPriority, by_value=True)
    category = Text(allow_none=True)
    status = fields.Enum(TicketStatus, by_value=True)
    allowed_actions = fields.Method(
        "_allowed",
        metadata={
            "description": "The actions allowed from its status",
            "type": "array",
            "items": {"type": "string", "enum": sorted(ACTIONS)},
        },
    )
    assignee_user_id = fields.Integer(allow_none=True)
    assignee_name = Text(allow_none=True, metadata={"description": "Full name, else username"})
    team = Text(allow_none=True)
    tags = fields.List(Text())
    source = Text(allow_none=True, metadata={"description": "What opened it (`provision:<id>`)"})
    due_at = fields.DateTime(allow_none=True)
    breached_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the breach job flagged it"}
    )
    customer_visible = fields.Boolean()
    breached = fields.Method(
        "_breached", metadata={"description": "Open past its due time", "type": "boolean"}
    )
    created_by_user_id = fields.Integer(allow_none=True)
    created_by_name = Text(allow_none=True, metadata={"description": "Full name, else username"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)

    def _allowed(self, ticket: Any) -> list[str]:
        return allowed_actions(TicketStatus(_get(ticket, "status")))

    def _breached(self, ticket: Any) -> bool:
        due = _get(ticket, "due_at")
        return bool(due and _get(ticket, "status") != TicketStatus.closed and due < utcnow())


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class TicketTransitionSchema(Schema):
    transition_id = fields.Integer()
    action = Text()
    from_status = fields.Enum(TicketStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(TicketStatus, by_value=True)
    reason = Text(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    user_name = Text(allow_none=True)
    created_at = fields.DateTime()


class TicketCommentSchema(Schema):
    comment_id = fields.Integer()
    ticket_id = fields.Integer()
    body = Text()
    internal = fields.Boolean()
    author_user_id = fields.Integer(allow_none=True)
    author_name = Text(allow_none=True)
    created_at = fields.DateTime()


class TicketAttachmentSchema(Schema):
    attachment_id = fields.Integer()
    ticket_id = fields.Integer()
    filename = Text()
    content_type = Text()
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = Text()
    uploaded_by_user_id = fields.Integer(allow_none=True)
    uploaded_by_name = Text(allow_none=True)
    created_at = fields.DateTime()


class TicketAttachmentUploadSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "PDF, PNG, JPEG, GIF, or UTF-8 text (.txt, .log, .csv), at "
                  "most TICKET_ATTACHMENT_MAX_BYTES (5 MB); the content must match the type"},
    )  # fmt: skip


class TicketDetailSchema(TicketSchema):
    transitions = fields.List(fields.Nested(TicketTransitionSchema))
    comments = fields.List(fields.Nested(TicketCommentSchema))
    attachments = fields.List(fields.Nested(TicketAttachmentSchema))


class CustomerHistoryEntrySchema(Schema):
    kind = Text(metadata={"enum": ["status", "reply"]})
    at = fields.DateTime()
    status = Text(allow_none=True)
    body = Text(allow_none=True)
