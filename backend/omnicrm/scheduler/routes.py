"""Periodic jobs: list them with their schedule, next and last run; see a job's runs; run one
now (queued for the workers like a scheduled run)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Page

from omnicrm.core.auth import get_principal, require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.scheduler import schemas as s
from omnicrm.scheduler import use_cases as uc
from omnicrm.scheduler.models import ScheduledJobRun

blp = Blueprint(
    "scheduler",
    __name__,
    url_prefix="/crm/scheduler",
    description="Periodic jobs fired by the scheduler and run by the workers",
)


def _settings() -> Any:
    return current_app.extensions["omnicrm_settings"]


@blp.route("/job/")
class Jobs(MethodView):
    @require_permission("scheduler.read")
    @blp.response(200, s.JobSchema(many=True))
    @blp.paginate(Page)
    def get(self) -> list[uc.JobView]:
        """Every periodic job by name: its schedule, next due time and last run."""
        return uc.list_jobs(request_session(), _settings())


JOB_ID = {
    "in": "path",
    "name": "job_id",
    "description": "The job's name, which is its id: `domain.job`, e.g. "
    "`inventory.release_quarantine`",
}


@blp.route("/job/<string:job_id>/run", parameters=[JOB_ID])
class JobRuns(MethodView):
    @require_permission("scheduler.read")
    @blp.response(200, s.RunSchema(many=True))
    @blp.alt_response(404, description="No such job")
    @blp.paginate()
    def get(self, job_id: str, pagination_parameters: Any) -> Any:
        """The job's runs, newest first."""
        uc.get_job(job_id)
        return paginate_query(request_session(), uc.runs_query(job_id), pagination_parameters)

    @require_permission("scheduler.run")
    @blp.response(202, s.RunSchema)
    @blp.alt_response(404, description="No such job")
    def post(self, job_id: str) -> ScheduledJobRun:
        """Run the job now: a run is queued for the workers (also for a job whose schedule is
        off here); follow it in the job's runs."""
        principal = get_principal()
        who = f"api-key:{principal.api_key_id}" if principal.api_key_id else "user"
        if principal.user_id is not None:
            who = f"user:{principal.user_id}"
        return uc.run_now(
            request_session(),
            job_name=job_id,
            settings=_settings(),
            fired_by=f"{who} {principal.email}".strip(),
        )
