"""Schemas of the notification outbox API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.core.fields import ID, Text
from omnicrm.notifications.catalog import CATEGORIES, OPTIONAL_CATEGORIES, TEMPLATES
from omnicrm.notifications.models import NotificationStatus

STATUSES = [s.value for s in NotificationStatus]


class NotificationSchema(Schema):
    notification_id = fields.Integer()
    channel = fields.String(metadata={"enum": ["email", "sms"]})
    recipient = fields.String()
    customer_id = fields.Integer(allow_none=True)
    customer_name = fields.String(
        allow_none=True, metadata={"description": "The customer's name (null: none named)"}
    )
    category = fields.String(
        metadata={"enum": sorted(CATEGORIES), "description": "What a customer may opt out of"}
    )
    subject = fields.String()
    template = fields.String(metadata={"description": "Its name in the catalogue"})
    status = fields.String(
        metadata={
            "enum": STATUSES,
            "description": "`queued` (waiting for an attempt), `sent` (the mail server or "
            "provider took it), `delivered` / `bounced` (the provider's later report), `failed` "
            "(every attempt failed, or refused for good), `suppressed` (opted out: not sent)",
        }
    )
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    provider = fields.String(
        allow_none=True, metadata={"description": "What carried it: file, smtp, mailjet, log"}
    )
    provider_id = fields.String(allow_none=True, metadata={"description": "Its id there"})
    created_at = fields.DateTime()
    last_attempt_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)


class NotificationDetailSchema(NotificationSchema):
    body_hidden = fields.Boolean(
        metadata={"description": "True for messages holding a one-time link (sign-in, "
                  "password reset): their bodies are never shown"}
    )  # fmt: skip
    body_text = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True)


class NotificationQuerySchema(Schema):
    recipient = Text(validate=validate.Length(max=254))
    status = Text(validate=validate.OneOf(STATUSES))
    template = Text(validate=validate.OneOf(sorted(TEMPLATES)))
    channel = Text(validate=validate.OneOf(["email", "sms"]))
    category = Text(validate=validate.OneOf(sorted(CATEGORIES)))
    customer_id = fields.Integer(validate=ID)


class SummaryQuerySchema(NotificationQuerySchema):
    class Meta:
        exclude = ("status",)


class StatusCountsSchema(Schema):
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(),
        metadata={"description": "Messages per status (every status present)"},
    )  # fmt: skip


class TemplateSchema(Schema):
    name = fields.String()
    category = fields.String()
    required = fields.Boolean(metadata={"description": "Sent whatever the customer prefers"})
    sensitive = fields.Boolean(metadata={"description": "Holds a one-time link"})
    description = fields.String()
    channels = fields.List(fields.String())
    overridden = fields.List(
        fields.String(),
        metadata={"description": "Parts (subject, text, html, sms) the operator replaced in "
                  "NOTIFICATION_TEMPLATE_DIR"},
    )  # fmt: skip


class PreviewSchema(Schema):
    name = fields.String()
    subject = fields.String()
    text = fields.String()
    html = fields.String(allow_none=True)
    sms = fields.String(allow_none=True)
    sample = fields.Dict(metadata={"description": "The sample facts it was rendered with"})


class PreferenceSchema(Schema):
    category = fields.String()
    label = fields.String()
    required = fields.Boolean(metadata={"description": "Always sent (cannot be opted out of)"})
    subscribed = fields.Boolean()


class PreferencesSchema(Schema):
    customer_id = fields.Integer()
    preferences = fields.List(fields.Nested(PreferenceSchema))


class PreferencesUpdateSchema(Schema):
    opted_out = fields.List(
        Text(validate=validate.OneOf(list(OPTIONAL_CATEGORIES))),
        required=True,
        validate=validate.Length(max=len(OPTIONAL_CATEGORIES)),
        metadata={"description": "The categories the customer does not want (replaces the "
                  "list; required categories cannot be opted out of)"},
    )  # fmt: skip


class MailjetWebhookAnswerSchema(Schema):
    received = fields.Integer(metadata={"description": "Events in the call"})
    applied = fields.Integer(metadata={"description": "Events that changed a message's status"})
