"""Schemas of the notification outbox API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class NotificationSchema(Schema):
    notification_id = fields.Integer()
    channel = fields.String()
    recipient = fields.String()
    subject = fields.String()
    template = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(Schema):
    recipient = fields.String()
    status = fields.String(validate=validate.OneOf(["queued", "sent", "failed"]))
