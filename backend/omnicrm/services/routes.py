"""Service endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.core.transitions import transition_view
from omnicrm.extensions import default_phone_region
from omnicrm.services import schemas as s
from omnicrm.services import use_cases as uc
from omnicrm.services.models import Service

blp = Blueprint(
    "services",
    __name__,
    url_prefix="/crm/service",
    description="Services: what customers run, their status machine and bound inventory",
)

_TRANSITION_409 = "`invalid_transition`: not allowed from the service's status (names from/to)"
_PLAN_CHANGE_409 = (
    "`plan_change_refused` (the service is not active or suspended, or is part of a bundle), "
    "`product_disabled`, `product_not_eligible`; nothing was changed"
)
_PLAN_CHANGE_422 = (
    "Invalid body; or `product_id` names no product, a product that is not standalone, the "
    "service's own product, or one priced in another currency"
)


@blp.route("/")
class Services(MethodView):
    @require_permission("service.read")
    @blp.arguments(s.ServiceQuerySchema, location="query")
    @blp.response(200, s.ServiceSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Services: filter by customer, product, status; search name, uuid, MSISDN."""
        stmt = uc.services_query(default_region=default_phone_region(), **query)
        return paginate_query(request_session(), stmt, pagination_parameters)


@blp.route("/<int:service_id>")
class ServiceItem(MethodView):
    @require_permission("service.read")
    @blp.response(200, s.ServiceDetailSchema)
    @blp.alt_response(404, description="No such service")
    def get(self, service_id: int) -> Service:
        """One service with its bound inventory and status history."""
        return uc.get_service_detail(request_session(), service_id=service_id)


_transition = partial(
    transition_view,
    blp,
    permission="service.write",
    body=s.ReasonSchema,
    response=s.ServiceDetailSchema,
    errors={404: "No such service", 409: _TRANSITION_409},
)
_transition(
    "/<int:service_id>/suspend",
    name="Suspend",
    action=uc.suspend_service,
    summary="Suspend an active service (and its bundle children): active -> suspended.",
)
_transition(
    "/<int:service_id>/resume",
    name="Resume",
    action=uc.resume_service,
    summary="Resume a suspended service (and its bundle children): suspended -> active.",
)
_transition(
    "/<int:service_id>/terminate",
    name="Terminate",
    action=uc.terminate_service,
    summary="Terminate a service and its bundle children; its SIM and number go back to stock.",
)
_transition(
    "/<int:service_id>/change-plan",
    name="ChangePlan",
    action=uc.change_plan,
    summary="Change a live service's plan to another standalone product (prices, allowances).",
    body=s.PlanChangeSchema,
    errors={404: "No such service", 409: _PLAN_CHANGE_409, 422: _PLAN_CHANGE_422},
)
