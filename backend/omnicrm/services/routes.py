"""Service endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
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


def _phone_region() -> str:
    settings = current_app.extensions["omnicrm_settings"]
    return str(settings.default_phone_region or "US")


@blp.route("/")
class Services(MethodView):
    @require_permission("service.read")
    @blp.arguments(s.ServiceQuerySchema, location="query")
    @blp.response(200, s.ServiceSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Services: filter by customer, product, status; search name, uuid, MSISDN."""
        stmt = uc.services_query(default_region=_phone_region(), **query)
        return paginate_query(request_session(), stmt, pagination_parameters)


@blp.route("/<int:service_id>")
class ServiceItem(MethodView):
    @require_permission("service.read")
    @blp.response(200, s.ServiceDetailSchema)
    @blp.alt_response(404, description="No such service")
    def get(self, service_id: int) -> Service:
        """One service with its bound inventory and status history."""
        return uc.get_service(request_session(), service_id=service_id)


@blp.route("/<int:service_id>/suspend")
class Suspend(MethodView):
    @require_permission("service.write")
    @blp.arguments(s.ReasonSchema)
    @blp.response(200, s.ServiceDetailSchema)
    @blp.alt_response(404, description="No such service")
    @blp.alt_response(409, description=_TRANSITION_409)
    def post(self, data: dict[str, Any], service_id: int) -> Any:
        """Suspend an active service (and its bundle children): active -> suspended."""
        return uc.suspend_service(request_session(), service_id=service_id, **data)


@blp.route("/<int:service_id>/resume")
class Resume(MethodView):
    @require_permission("service.write")
    @blp.arguments(s.ReasonSchema)
    @blp.response(200, s.ServiceDetailSchema)
    @blp.alt_response(404, description="No such service")
    @blp.alt_response(409, description=_TRANSITION_409)
    def post(self, data: dict[str, Any], service_id: int) -> Any:
        """Resume a suspended service (and its bundle children): suspended -> active."""
        return uc.resume_service(request_session(), service_id=service_id, **data)


@blp.route("/<int:service_id>/terminate")
class Terminate(MethodView):
    @require_permission("service.write")
    @blp.arguments(s.ReasonSchema)
    @blp.response(200, s.ServiceDetailSchema)
    @blp.alt_response(404, description="No such service")
    @blp.alt_response(409, description=_TRANSITION_409)
    def post(self, data: dict[str, Any], service_id: int) -> Any:
        """Terminate a service and its bundle children; its SIM and number go back to stock."""
        return uc.terminate_service(request_session(), service_id=service_id, **data)
