"""Product catalog endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from omnicrm.catalog import schemas as s
from omnicrm.catalog import use_cases as uc
from omnicrm.catalog.models import Product
from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.extensions import default_currency
from omnicrm.response_cache import cached_read

blp = Blueprint(
    "catalog",
    __name__,
    url_prefix="/crm",
    description="Product catalog: tariffs, bundles, add-ons, promotions",
)


@blp.route("/product/")
class Products(MethodView):
    @require_permission("product.read")
    @cached_read("catalog")
    @blp.arguments(s.ProductQuerySchema, location="query")
    @blp.response(200, s.ProductSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Products: search, filter, sort (disabled ones included unless filtered out)."""
        return paginate_query(request_session(), uc.products_query(**query), pagination_parameters)

    @require_permission("product.write")
    @blp.arguments(s.ProductCreateSchema)
    @blp.response(201, s.ProductSchema)
    @blp.alt_response(409, description="`duplicate_product`: the slug is taken")
    def post(self, data: dict[str, Any]) -> Product:
        """Create a product (slug generated from the name when omitted; priced in
        DEFAULT_CURRENCY when `currency` is omitted)."""
        data.setdefault("currency", default_currency())
        return uc.create_product(request_session(), **data)


@blp.route("/product/<int:product_id>")
class ProductItem(MethodView):
    @require_permission("product.read")
    @cached_read("catalog")
    @blp.response(200, s.ProductSchema)
    @blp.alt_response(404, description="No such product")
    def get(self, product_id: int) -> Product:
        """One product (disabled ones included)."""
        return uc.get_product(request_session(), product_id=product_id)

    @require_permission("product.write")
    @blp.arguments(s.ProductUpdateSchema)
    @blp.response(200, s.ProductSchema)
    @blp.alt_response(404, description="No such product")
    @blp.alt_response(409, description="`duplicate_product`: the slug is taken")
    def patch(self, data: dict[str, Any], product_id: int) -> Product:
        """Change a product (not its category); price changes never alter what was sold."""
        return uc.update_product(request_session(), product_id=product_id, changes=data)

    @require_permission("product.write")
    @blp.response(200, s.ProductSchema)
    @blp.alt_response(404, description="No such product")
    def delete(self, product_id: int) -> Product:
        """Disable a product (enabled=false; products are never deleted)."""
        return uc.disable_product(request_session(), product_id=product_id)
