"""Activity-log endpoints (read-only: the log is written by the recorder, never by the API)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.activity import schemas as s
from omnicrm.activity import use_cases as uc
from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query

blp = Blueprint("activity", __name__, url_prefix="/crm", description="Activity (audit) log")


@blp.route("/activity/")
class ActivityList(MethodView):
    @require_permission("activity.read")
    @blp.arguments(s.ActivityQuerySchema, location="query")
    @blp.response(200, s.ActivitySchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """The activity log, newest first."""
        stmt = uc.activity_query(**query)
        return paginate_query(request_session(), stmt, pagination_parameters)


@blp.route("/customer/<int:customer_id>/activity")
class CustomerActivity(MethodView):
    @require_permission("customer.read")
    @blp.arguments(s.CustomerActivityQuerySchema, location="query")
    @blp.response(200, s.ActivitySchema(many=True))
    @blp.alt_response(404, description="No such customer")
    @blp.paginate()
    def get(self, query: dict[str, Any], customer_id: int, pagination_parameters: Any) -> Any:
        """Activity of one customer, its contacts and sites, newest first."""
        session = request_session()
        stmt = uc.customer_activity_query(session, customer_id=customer_id, **query)
        return paginate_query(session, stmt, pagination_parameters)
