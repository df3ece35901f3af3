"""Provisioning endpoints (thin: parse, call a use case, dump). Live updates: realtime.py."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import scoped_key
from omnicrm.core.pagination import paginate_query
from omnicrm.extensions import get_settings
from omnicrm.provisioning import schemas as s
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.models import Provision, ProvisionEvent

blp = Blueprint(
    "provisioning",
    __name__,
    url_prefix="/crm/provision",
    description="Provisioning jobs: Ansible plays run by workers, every task recorded; live "
    "over Socket.IO namespace /provision (rooms provision:<id>, dashboard)",
)


def _play_config() -> uc.PlayConfig:
    return uc.PlayConfig.from_settings(get_settings())


@blp.route("/")
class Provisions(MethodView):
    @require_permission("provision.read")
    @blp.arguments(s.ProvisionQuerySchema, location="query")
    @blp.response(200, s.ProvisionSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Jobs, newest first: filter by status, customer, service, product, action, play."""
        return paginate_query(
            request_session(), uc.provisions_query(**query), pagination_parameters
        )

    @require_permission("provision.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.ProvisionCreateSchema)
    @blp.response(201, s.ProvisionDetailSchema)
    @blp.alt_response(404, description="No such customer, product, service or inventory item")
    @blp.alt_response(409, description="`playbook_missing`: no such play in the Ansible directory")
    @blp.alt_response(
        422,
        description="Invalid body (`extra_vars.<key>`: a variable the play does not declare, or "
        "a value out of its bounds), or `idempotency_key_reused` (other body)",
    )
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Provision:
        """Run a product's play for a customer (and service): queued for the workers."""
        inventory_ids = data.pop("inventory", None)
        return uc.create_provision(
            request_session(),
            inventory_ids=inventory_ids,
            idempotency_key=scoped_key(headers.get("idempotency_key")),
            config=_play_config(),
            **data,
        )


@blp.route("/simple")
class SimpleProvision(MethodView):
    @require_permission("provision.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.SimpleProvisionSchema)
    @blp.response(201, s.ProvisionDetailSchema)
    @blp.alt_response(404, description="No such service")
    @blp.alt_response(409, description="`playbook_missing`: no such play in the Ansible directory")
    @blp.alt_response(
        422,
        description="Invalid body (`extra_vars.<key>`: a variable the play does not declare, or "
        "a value out of its bounds)",
    )
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Provision:
        """Simple provisioning: an external system (the OCS) runs a named play for a service,
        e.g. on balance exhaustion. Use an API key with ``provision.write``."""
        return uc.trigger_play(
            request_session(),
            idempotency_key=scoped_key(headers.get("idempotency_key")),
            config=_play_config(),
            **data,
        )


@blp.route("/dashboard")
class Dashboard(MethodView):
    @require_permission("provision.read")
    @blp.arguments(s.DashboardQuerySchema, location="query")
    @blp.response(200, s.DashboardSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Jobs per status, and succeeded/failed per hour with the success rate."""
        return uc.dashboard(request_session(), **query)


@blp.route("/events")
class RecentEvents(MethodView):
    @require_permission("provision.read")
    @blp.arguments(s.RecentEventsQuerySchema, location="query")
    @blp.response(200, s.ProvisionEventSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[ProvisionEvent]:
        """The latest task results across all jobs, newest first (the live feed's start)."""
        return uc.recent_events(request_session(), **query)


@blp.route("/<int:provision_id>")
class ProvisionItem(MethodView):
    @require_permission("provision.read")
    @blp.response(200, s.ProvisionDetailSchema)
    @blp.alt_response(404, description="No such job")
    def get(self, provision_id: int) -> Provision:
        """One job with its variables and every task result so far."""
        return uc.get_provision(request_session(), provision_id=provision_id)


@blp.route("/<int:provision_id>/events")
class ProvisionEvents(MethodView):
    @require_permission("provision.read")
    @blp.arguments(s.EventsQuerySchema, location="query")
    @blp.response(200, s.ProvisionEventSchema(many=True))
    @blp.alt_response(404, description="No such job")
    def get(self, query: dict[str, Any], provision_id: int) -> list[ProvisionEvent]:
        """A job's task results after ``after`` (polling, for clients without Socket.IO)."""
        uc.get_provision(request_session(), provision_id=provision_id)
        return uc.events_of(request_session(), provision_id, after=query["after"])


@blp.route("/<int:provision_id>/retry")
class ProvisionRetry(MethodView):
    @require_permission("provision.write")
    @blp.response(200, s.ProvisionDetailSchema)
    @blp.alt_response(404, description="No such job")
    @blp.alt_response(
        409,
        description="`job_not_retryable` (not failed/cancelled), `inventory_unavailable` (the "
        "SIM or number was sold since)",
    )
    def post(self, provision_id: int) -> Provision:
        """Run a failed or cancelled job again."""
        return uc.retry(request_session(), provision_id=provision_id, config=_play_config())


@blp.route("/<int:provision_id>/cancel")
class ProvisionCancel(MethodView):
    @require_permission("provision.write")
    @blp.response(200, s.ProvisionDetailSchema)
    @blp.alt_response(404, description="No such job")
    @blp.alt_response(409, description="`job_finished`: it already ended")
    def post(self, provision_id: int) -> Provision:
        """Cancel a queued job, or ask a running one to stop."""
        return uc.cancel(request_session(), provision_id=provision_id)
