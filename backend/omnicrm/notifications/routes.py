"""The notification outbox (read-only: bodies may hold one-time links, so they are not shown)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.notifications import schemas as s
from omnicrm.notifications.use_cases import list_notifications

blp = Blueprint("notifications", __name__, url_prefix="/crm/notification", description="Outbox")


@blp.route("/")
class Notifications(MethodView):
    @require_permission("notification.read")
    @blp.arguments(s.NotificationQuerySchema, location="query")
    @blp.response(200, s.NotificationSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Queued, sent and failed notifications, newest first."""
        return paginate_query(request_session(), list_notifications(**query), pagination_parameters)
