"""Request and response schemas of the provisioning API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.catalog.schemas import JsonObject
from omnicrm.core.fields import ID, MAX_ID, Text
from omnicrm.core.query import sort_field
from omnicrm.plays.declared_vars import PLAY_NAME
from omnicrm.provisioning.models import ProvisionAction, ProvisionStatus

PROVISION_SORTS = ("provision_id", "provisioning_status", "created_at", "started_at", "finished_at")
STATUS_DOC = ", ".join(f"{s.value} {s.label}" for s in ProvisionStatus)
ACTIONS = [a.value for a in ProvisionAction]

EXTRA_VARS_DOC = (
    "Variables for the play. Only the variables the play declares (ansible/caller_vars/"
    "<play>.yml, listed per play in ansible/README.md) are accepted, each with its type and "
    "bounds: any other key (Ansible's ansible_*, the engine's omnicrm/customer/service/"
    "parent_service/product/inventory, the play's own variables) or a wrong value is a 422 "
    "naming extra_vars.<key>, and no job is queued. Values are data, never templates."
)


def _play_name() -> Text:
    return Text(
        validate=validate.Regexp(PLAY_NAME, error="a playbook name: letters, digits, _ and -"),
        metadata={"description": "A playbook in the Ansible directory, without .yml"},
    )


class ProvisionQuerySchema(Schema):
    provisioning_status = fields.List(
        fields.Integer(validate=validate.OneOf([int(s) for s in ProvisionStatus])),
        metadata={"description": f"Any of: {STATUS_DOC} (repeat the parameter)"},
    )
    customer_id = fields.Integer(validate=ID)
    service_id = fields.Integer(validate=ID)
    product_id = fields.Integer(validate=ID)
    action = Text(validate=validate.OneOf(ACTIONS))
    play = _play_name()
    sort = sort_field(PROVISION_SORTS, "-provision_id")


class ProvisionCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True, validate=ID)
    product_id = fields.Integer(required=True, strict=True, validate=ID)
    service_id = fields.Integer(
        strict=True,
        validate=ID,
        allow_none=True,
        metadata={"description": "The service (an add-on product applies to it)"},
    )
    inventory = fields.List(
        fields.Integer(strict=True, validate=ID),
        validate=validate.Length(max=20),
        metadata={"description": "Inventory item ids to pass to the play (SIM, number, router)"},
    )
    play = _play_name()
    extra_vars = JsonObject(metadata={"description": EXTRA_VARS_DOC})


class SimpleProvisionSchema(Schema):
    service_id = fields.Integer(required=True, strict=True, validate=ID)
    play = Text(
        required=True,
        validate=validate.Regexp(PLAY_NAME, error="a playbook name: letters, digits, _ and -"),
    )
    extra_vars = JsonObject(metadata={"description": EXTRA_VARS_DOC})


class DashboardQuerySchema(Schema):
    hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=24 * 14))


class RecentEventsQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EventsQuerySchema(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "Only events numbered after this (polling)"},
    )


class ProvisionEventSchema(Schema):
    provision_event_id = fields.Integer()
    provision_id = fields.Integer()
    event_number = fields.Integer()
    event_name = Text()
    attempt = fields.Integer()
    host = Text(allow_none=True)
    changed = fields.Boolean()
    skipped = fields.Boolean()
    provisioning_status = fields.Integer(metadata={"description": STATUS_DOC})
    status_label = Text(metadata={"description": "The status in words"})
    provisioning_result_json = fields.Dict(metadata={"description": "The task's full result"})
    task_finished_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class ProvisionSchema(Schema):
    provision_id = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer()
    service_id = fields.Integer(allow_none=True)
    action = Text(metadata={"enum": ACTIONS})
    provisioning_play = Text()
    provisioning_status = fields.Integer(metadata={"description": STATUS_DOC})
    status_label = Text(metadata={"description": "The status in words"})
    task_count = fields.Integer(metadata={"description": "Tasks a clean run has (progress)"})
    tasks_done = fields.Integer(metadata={"description": "Tasks finished in this attempt"})
    attempts = fields.Integer()
    retries = fields.Integer()
    max_retries = fields.Integer()
    cancel_requested = fields.Boolean()
    error = Text(allow_none=True)
    initiated_by = Text()
    initiated_by_user_id = fields.Integer(allow_none=True)
    initiated_by_name = Text(
        allow_none=True,
        metadata={"description": "The name of the user who queued it (null: system, API key)"},
    )
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProvisionDetailSchema(ProvisionSchema):
    customer_name = Text(metadata={"description": "The customer's name (detail views only)"})
    provisioning_json_vars = fields.Dict(metadata={"description": "The variables the play got"})
    inventory_ids = fields.List(fields.Integer())
    config_content = Text(allow_none=True, metadata={"description": "A rendered device config"})
    events = fields.List(fields.Nested(ProvisionEventSchema))


class SeriesPointSchema(Schema):
    hour = fields.DateTime()
    succeeded = fields.Integer()
    failed = fields.Integer()
    success_rate = fields.Float(allow_none=True, metadata={"description": "0..1, none if idle"})


class DashboardSchema(Schema):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Jobs per status name (success, running, failed, queued, ...)"},
    )
    series = fields.List(fields.Nested(SeriesPointSchema))
    generated_at = fields.DateTime()
