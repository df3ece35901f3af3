"""Charging endpoints: a service's balances, top-ups and ledger (thin: parse, call, dump)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.charging import schemas as s
from omnicrm.charging import use_cases as uc
from omnicrm.charging.ledger import Idempotency
from omnicrm.charging.models import BalanceMovement
from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import request_session
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import request_fingerprint, scoped_key
from omnicrm.core.pagination import paginate_query


def _charging_engine_errors(blueprint: Blueprint) -> Any:
    """The answers a CGRateS backend adds (``CHARGING_BACKEND=cgrates``)."""

    def decorate(view: Any) -> Any:
        view = blueprint.alt_response(
            503, description="`charging_unavailable`: CGRateS did not answer in time"
        )(view)
        return blueprint.alt_response(
            502,
            description="`charging_failed`: CGRateS refused or did not apply it; nothing "
            "was written here",
        )(view)

    return decorate


blp = Blueprint(
    "charging",
    __name__,
    url_prefix="/crm/service",
    description="Charging: a service's balances (money, data, voice, SMS), top-ups and ledger",
)


@blp.route("/<int:service_id>/balance")
class ServiceBalance(MethodView):
    @require_permission("service.read")
    @blp.response(200, s.ServiceBalancesSchema)
    @blp.alt_response(404, description="No such service")
    @_charging_engine_errors(blp)
    def get(self, service_id: int) -> dict[str, Any]:
        """The service's live balances, highest weight (used first) first; expired ones are
        gone."""
        return uc.service_balances(request_session(), service_id=service_id)


@blp.route("/<int:service_id>/topup")
class ServiceTopUp(MethodView):
    @require_permission("payment.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.TopUpSchema)
    @blp.response(201, s.MovementSchema)
    @blp.alt_response(404, description="No such service")
    @blp.alt_response(409, description="`service_terminated`; nothing was written")
    @blp.alt_response(422, description="Invalid body, or `idempotency_key_reused` (other body)")
    @_charging_engine_errors(blp)
    def post(self, headers: dict[str, Any], data: dict[str, Any], service_id: int) -> Any:
        """Top up the service's monetary balance (staff): one ledger movement. With an
        Idempotency-Key, a retry answers the first top-up instead of adding again."""
        key = scoped_key(headers.get("idempotency_key"))
        principal = current_principal.get()
        return uc.top_up(
            request_session(),
            service_id=service_id,
            amount=data["amount"],
            note=data.get("note"),
            user_id=principal.user_id if principal else None,
            idempotency=Idempotency(key, request_fingerprint(data)) if key else None,
        )


@blp.route("/<int:service_id>/addon")
class ServiceAddon(MethodView):
    @require_permission("payment.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.AddonSaleSchema)
    @blp.response(201, s.AddonSoldSchema)
    @blp.alt_response(404, description="No such service or product")
    @blp.alt_response(
        409,
        description="`service_not_active`, `addon_incompatible`, or (prepaid) "
        "`insufficient_balance`; nothing was written",
    )
    @blp.alt_response(422, description="Invalid body, a disabled add-on, or "
                      "`idempotency_key_reused` (other body)")  # fmt: skip
    @_charging_engine_errors(blp)
    def post(self, headers: dict[str, Any], data: dict[str, Any], service_id: int) -> Any:
        """Sell an add-on onto an active service: its price is taken from the monetary balance
        and its data, voice or SMS added as balances of their own (after the plan's allowance,
        before top-ups; the same add-on again adds onto them and extends their expiry); then
        its play applies it to the network. With an Idempotency-Key a retry answers the first
        sale."""
        key = scoped_key(headers.get("idempotency_key"))
        principal = current_principal.get()
        return uc.sell_addon(
            request_session(),
            service_id=service_id,
            addon_id=data["product_id"],
            user_id=principal.user_id if principal else None,
            idempotency=Idempotency(key, request_fingerprint(data)) if key else None,
        )


@blp.route("/<int:service_id>/ledger")
class ServiceLedger(MethodView):
    @require_permission("service.read")
    @blp.arguments(s.MovementQuerySchema, location="query")
    @blp.response(200, s.MovementSchema(many=True))
    @blp.paginate()
    def get(
        self, query: dict[str, Any], service_id: int, pagination_parameters: Any
    ) -> list[BalanceMovement]:
        """Every movement of the service's balances, newest first, with its cause."""
        stmt = uc.movements_query(service_id=service_id, **query)
        return paginate_query(request_session(), stmt, pagination_parameters)


@blp.route("/<int:service_id>/usage")
class ServiceUsage(MethodView):
    @require_permission("service.read")
    @blp.arguments(s.UsageQuerySchema, location="query")
    @blp.response(200, s.UsageTotalSchema(many=True))
    @blp.alt_response(404, description="No such service")
    def get(self, query: dict[str, Any], service_id: int) -> list[dict[str, Any]]:
        """The service's rated usage (and postpaid arrears) summed by type, or by day and type
        (``group_by=day``), between ``from`` (inclusive) and ``to``."""
        return uc.usage_totals(
            request_session(),
            service_id=service_id,
            from_=query["from_"],
            to=query["to"],
            group_by=query["group_by"],
        )


cdr_blp = Blueprint(
    "usage",
    __name__,
    url_prefix="/crm/charging",
    description="Usage rating: CDRs drawn from allowances, then charged at the product rates",
)


@cdr_blp.route("/cdr")
class UsageBatch(MethodView):
    @require_permission("usage.write")
    @cdr_blp.arguments(s.UsageBatchSchema)
    @cdr_blp.response(200, s.UsageBatchResultSchema)
    @_charging_engine_errors(cdr_blp)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Rate a batch of up to 10,000 usage records: each draws from its service's allowances
        of its kind, then is charged at the product's rate against the monetary balance. A
        prepaid record money cannot cover is rejected (nothing changes for it); a postpaid one
        keeps the rest as arrears for billing; a record id seen before is a duplicate and
        changes nothing. Each record's result is answered and stored."""
        return uc.rate_usage(request_session(), data["records"])
