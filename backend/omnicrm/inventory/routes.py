"""Inventory endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import Session

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.core.transitions import transition_view
from omnicrm.extensions import default_phone_region
from omnicrm.inventory import schemas as s
from omnicrm.inventory import use_cases as uc
from omnicrm.inventory.models import Inventory, InventoryTemplate, ItemState

blp = Blueprint(
    "inventory",
    __name__,
    url_prefix="/crm/inventory",
    description="SIM cards, phone numbers, routers: templates, stock, states",
)

_TRANSITION_ERRORS = {
    404: "No such item (or customer)",
    409: "`invalid_transition`: not allowed from the item's state (names from/to)",
}


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------
@blp.route("/template/")
class Templates(MethodView):
    @require_permission("inventory.read")
    @blp.arguments(s.InventoryTemplateQuerySchema, location="query")
    @blp.response(200, s.InventoryTemplateSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Inventory templates (item types and their itemtext labels)."""
        return paginate_query(request_session(), uc.templates_query(**query), pagination_parameters)

    @require_permission("inventory.write")
    @blp.arguments(s.InventoryTemplateCreateSchema)
    @blp.response(201, s.InventoryTemplateSchema)
    @blp.alt_response(409, description="`duplicate_template`: the name is taken")
    def post(self, data: dict[str, Any]) -> InventoryTemplate:
        """Create an inventory template."""
        return uc.create_template(request_session(), **data)


@blp.route("/template/<int:inventory_template_id>")
class TemplateItem(MethodView):
    @require_permission("inventory.read")
    @blp.response(200, s.InventoryTemplateSchema)
    @blp.alt_response(404, description="No such template")
    def get(self, inventory_template_id: int) -> InventoryTemplate:
        """One inventory template."""
        return uc.get_template(request_session(), inventory_template_id=inventory_template_id)

    @require_permission("inventory.write")
    @blp.arguments(s.InventoryTemplateUpdateSchema)
    @blp.response(200, s.InventoryTemplateSchema)
    @blp.alt_response(404, description="No such template")
    @blp.alt_response(
        409, description="`builtin_template`, `template_in_use` or `duplicate_template`"
    )
    def patch(self, data: dict[str, Any], inventory_template_id: int) -> InventoryTemplate:
        """Change a template's name, serial kind or labels."""
        return uc.update_template(
            request_session(), inventory_template_id=inventory_template_id, changes=data
        )


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------
@blp.route("/")
class Items(MethodView):
    @require_permission("inventory.read")
    @blp.arguments(s.InventoryQuerySchema, location="query")
    @blp.response(200, s.InventorySchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Inventory items: filter by state, template, customer, service; search serials."""
        stmt = uc.items_query(default_region=default_phone_region(), **query)
        return paginate_query(request_session(), stmt, pagination_parameters)

    @require_permission("inventory.write")
    @blp.arguments(s.InventoryCreateSchema)
    @blp.response(201, s.InventorySchema)
    @blp.alt_response(404, description="No such template")
    @blp.alt_response(409, description="`duplicate_serial`: serial (or IMSI) already in stock")
    def post(self, data: dict[str, Any]) -> Inventory:
        """Add one item to stock (state `new`)."""
        return uc.create_item(request_session(), default_region=default_phone_region(), **data)


@blp.route("/stock")
class Stock(MethodView):
    @require_permission("inventory.read")
    @blp.arguments(s.StockQuerySchema, location="query")
    @blp.response(200, s.StockLevelSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Stock levels: items per template and state."""
        return uc.stock_levels(request_session(), **query)


@blp.route("/<int:inventory_id>")
class Item(MethodView):
    @require_permission("inventory.read")
    @blp.response(200, s.InventoryDetailSchema)
    @blp.alt_response(404, description="No such item")
    def get(self, inventory_id: int) -> Inventory:
        """One item with its state history."""
        return uc.get_item_with_history(request_session(), inventory_id=inventory_id)

    @require_permission("inventory.write")
    @blp.arguments(s.InventoryUpdateSchema)
    @blp.response(200, s.InventorySchema)
    @blp.alt_response(404, description="No such item")
    @blp.alt_response(409, description="`duplicate_serial`: the IMSI is another SIM's")
    def patch(self, data: dict[str, Any], inventory_id: int) -> Inventory:
        """Change itemtexts, management URL or configuration (state: use the actions)."""
        return uc.update_item(
            request_session(),
            inventory_id=inventory_id,
            changes=data,
            default_region=default_phone_region(),
        )


def _with_history(use_case: Callable[..., Inventory], **fixed: Any) -> Callable[..., Inventory]:
    """``use_case``, answering with the moved item and its state history."""

    def run(session: Session, *, inventory_id: int, **data: Any) -> Inventory:
        item = use_case(session, inventory_id=inventory_id, **fixed, **data)
        return uc.get_item_with_history(session, inventory_id=item.inventory_id)

    return run


_transition = partial(
    transition_view,
    blp,
    permission="inventory.write",
    response=s.InventoryDetailSchema,
    errors=_TRANSITION_ERRORS,
)
_transition(
    "/<int:inventory_id>/reserve",
    name="Reserve",
    action=_with_history(uc.change_state, to_state=ItemState.reserved),
    body=s.ReserveSchema,
    summary="Reserve a new item (optionally for a customer): new -> reserved.",
)
_transition(
    "/<int:inventory_id>/assign",
    name="Assign",
    action=_with_history(uc.change_state, to_state=ItemState.assigned),
    body=s.AssignSchema,
    summary="Hand a reserved item to a customer (and service): reserved -> assigned.",
)
_transition(
    "/<int:inventory_id>/return",
    name="Return",
    action=_with_history(uc.return_item),
    body=s.ReturnSchema,
    summary="Take an assigned item back: -> returned (phone numbers: -> quarantined).",
)
_transition(
    "/<int:inventory_id>/retire",
    name="Retire",
    action=_with_history(uc.change_state, to_state=ItemState.retired),
    body=s.TransitionSchema,
    summary="Take an item out of service for good (an assigned one must be returned first).",
)
_transition(
    "/<int:inventory_id>/release",
    name="Release",
    action=_with_history(uc.change_state, to_state=ItemState.new),
    body=s.TransitionSchema,
    summary="Put an item back in stock: reserved, returned (restock) or quarantined -> new.",
)
