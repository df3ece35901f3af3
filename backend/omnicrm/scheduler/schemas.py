"""Schemas of the scheduler API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from omnicrm.scheduler.models import RunOutcome, RunTrigger

OUTCOMES = [o.value for o in RunOutcome]
TRIGGERS = [t.value for t in RunTrigger]


class RunSchema(Schema):
    run_id = fields.Integer()
    job_name = fields.String()
    trigger = fields.String(
        validate=validate.OneOf(TRIGGERS),
        metadata={"description": "schedule: fired by a scheduler; manual: run now by a user"},
    )
    due_at = fields.DateTime(
        allow_none=True, metadata={"description": "The due time it was fired for (schedule)"}
    )
    fired_by = fields.String(
        metadata={"description": 'The scheduler ("host:pid") or user that started it'}
    )
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    queued_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    worker = fields.String(
        allow_none=True, metadata={"description": 'The worker ("host:pid") that ran it'}
    )
    result = fields.Dict(allow_none=True, metadata={"description": "The job's summary"})
    error = fields.String(allow_none=True)


class JobSchema(Schema):
    job_name = fields.String(metadata={"description": "domain.job"})
    description = fields.String()
    schedule = fields.String(
        metadata={
            "description": "Effective schedule: 'every 5m', 'cron 0 2 * * *', or 'off' "
            "(SCHEDULER_SCHEDULES overrides the declared one)"
        }
    )
    default_schedule = fields.String(metadata={"description": "The schedule declared in code"})
    enabled = fields.Boolean()
    next_run_at = fields.DateTime(allow_none=True)
    last_run = fields.Nested(RunSchema, allow_none=True)
