"""Contract endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Response
from flask.views import MethodView

from omnicrm.contracts import schemas as s
from omnicrm.contracts import use_cases as uc
from omnicrm.contracts.models import Contract
from omnicrm.contracts.pdf import Operator, render_contract_pdf
from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.fields import IdempotencyHeaderSchema
from omnicrm.core.idempotency import request_fingerprint, scoped_key
from omnicrm.core.pagination import paginate_query
from omnicrm.core.transitions import transition_view
from omnicrm.extensions import default_phone_region, get_settings
from omnicrm.provisioning.use_cases import PlayConfig

blp = Blueprint(
    "contracts",
    __name__,
    url_prefix="/crm/contract",
    description="Contracts: the GetSim sale (customer + tariff + SIM + number), PDF, lifecycle",
)

_TRANSITION_409 = "`invalid_transition`: not allowed from the contract's status (names from/to)"


@blp.route("/")
class Contracts(MethodView):
    @require_permission("contract.read")
    @blp.arguments(s.ContractQuerySchema, location="query")
    @blp.response(200, s.ContractSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Contracts: filter by customer, product, status; search the contract number."""
        return paginate_query(request_session(), uc.contracts_query(**query), pagination_parameters)

    @require_permission("contract.write")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(s.ContractCreateSchema)
    @blp.response(201, s.ContractSchema)
    @blp.alt_response(404, description="No such customer, product, site, SIM or number")
    @blp.alt_response(
        409,
        description="`customer_not_open`, `product_disabled`, `product_not_eligible`, "
        "`inventory_unavailable` (SIM/number taken or none free), `idempotency_key_in_flight`; "
        "nothing was written",
    )
    @blp.alt_response(422, description="Invalid body, or `idempotency_key_reused` (other body)")
    def post(self, headers: dict[str, Any], data: dict[str, Any]) -> Contract:
        """Sell a product (GetSim): bind SIM and number, create service and contract."""
        key = scoped_key(headers.get("idempotency_key"))
        return uc.create_contract(
            request_session(),
            idempotency_key=key,
            request_hash=request_fingerprint(data) if key else None,
            default_region=default_phone_region(),
            play_config=PlayConfig.from_settings(get_settings()),
            **data,
        )


@blp.route("/<int:contract_id>")
class ContractItem(MethodView):
    @require_permission("contract.read")
    @blp.response(200, s.ContractSchema)
    @blp.alt_response(404, description="No such contract")
    def get(self, contract_id: int) -> Contract:
        """One contract with its service, SIM, number and charges."""
        return uc.get_contract(request_session(), contract_id=contract_id)


@blp.route("/<int:contract_id>/pdf")
class ContractPdf(MethodView):
    @require_permission("contract.read")
    @blp.response(200, description="The contract document (application/pdf)")
    @blp.alt_response(404, description="No such contract")
    def get(self, contract_id: int) -> Response:
        """The contract as a PDF to print and sign."""
        document = uc.contract_document(request_session(), contract_id=contract_id)
        number = document["contract"].contract_number
        return Response(
            render_contract_pdf(document, operator=Operator.from_settings(get_settings())),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )


_transition = partial(
    transition_view,
    blp,
    permission="contract.write",
    body=s.ReasonSchema,
    response=s.ContractSchema,
    errors={404: "No such contract", 409: _TRANSITION_409},
)
_transition(
    "/<int:contract_id>/suspend",
    name="ContractSuspend",
    action=uc.suspend_contract,
    summary="Suspend an active contract and its service.",
)
_transition(
    "/<int:contract_id>/resume",
    name="ContractResume",
    action=uc.resume_contract,
    summary="Resume a suspended contract and its service.",
)
_transition(
    "/<int:contract_id>/close",
    name="ContractClose",
    action=uc.close_contract,
    summary="Terminate a contract: end its service for good, return SIM and number to stock.",
)
