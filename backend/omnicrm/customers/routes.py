"""Customer, contact and site endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context
from flask.views import MethodView
from sqlalchemy.orm import Session

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.pagination import paginate_query
from omnicrm.customers import schemas as s
from omnicrm.customers import use_cases as uc
from omnicrm.customers.export import XLSX_MIMETYPE
from omnicrm.customers.models import Contact, Customer, Site
from omnicrm.extensions import default_currency, default_phone_region, get_db, limiter
from omnicrm.geo.choice import current_geocoder
from omnicrm.notifications import schemas as notification_schemas
from omnicrm.notifications import use_cases as notifications
from omnicrm.response_cache import cached_read

blp = Blueprint(
    "customers", __name__, url_prefix="/crm", description="Customers, their contacts and sites"
)

EXPORT_RATE_LIMIT = "10 per minute"


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------
@blp.route("/customer/")
class Customers(MethodView):
    @require_permission("customer.read")
    @cached_read("customers")
    @blp.arguments(s.CustomerFilterSchema, location="query")
    @blp.response(200, s.CustomerSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Customers: search, filter, sort (archived ones hidden unless asked for)."""
        stmt = uc.customers_query(default_region=default_phone_region(), **query)
        return paginate_query(request_session(), stmt, pagination_parameters)

    @require_permission("customer.write")
    @blp.arguments(s.CustomerCreateSchema)
    @blp.response(201, s.CustomerSchema)
    @blp.alt_response(409, description="`duplicate_customer`: e-mail or phone already used")
    def post(self, data: dict[str, Any]) -> Customer:
        """Create a customer (refused when a live customer has the same e-mail or phone)."""
        data.setdefault("currency", default_currency())
        return uc.create_customer(request_session(), default_region=default_phone_region(), **data)


_EXPORT_DOC = {
    "responses": {
        "200": {
            "description": "The customer list as a file (attachment)",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _closing(chunks: Iterator[bytes], session: Session) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        session.close()


@blp.route("/customer/export")
class CustomerExport(MethodView):
    decorators = [limiter.limit(EXPORT_RATE_LIMIT)]

    @require_permission("customer.export")
    @blp.arguments(s.CustomerExportQuerySchema, location="query")
    @blp.doc(**_EXPORT_DOC)
    @blp.alt_response(429, description="Too many exports")
    def get(self, query: dict[str, Any]) -> Response:
        """Export customers (same filters as the list) as CSV or XLSX."""
        # The file is streamed after the request's own session has committed and closed, so
        # the rows are read through a session of their own, closed when the stream ends.
        session = get_db().new_session()
        try:
            export = uc.export_customers(
                session, fmt=query.pop("format"), default_region=default_phone_region(), **query
            )
        except BaseException:
            session.close()
            raise
        response = Response(
            stream_with_context(_closing(export.chunks, session)), content_type=export.mimetype
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/customer/defaults")
class CustomerDefaults(MethodView):
    @require_permission("customer.read")
    @blp.response(200, s.CustomerDefaultsSchema)
    def get(self) -> dict[str, str]:
        """What a new customer gets when the form leaves it out (operator settings)."""
        return {"currency": default_currency(), "phone_region": default_phone_region()}


@blp.route("/customer/<int:customer_id>")
class CustomerItem(MethodView):
    @require_permission("customer.read")
    @cached_read("customers")
    @blp.response(200, s.CustomerSchema)
    @blp.alt_response(404, description="No such customer")
    def get(self, customer_id: int) -> Customer:
        """One customer (archived ones included)."""
        return uc.get_customer(request_session(), customer_id=customer_id)

    @require_permission("customer.write")
    @blp.arguments(s.CustomerUpdateSchema)
    @blp.response(200, s.CustomerSchema)
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(409, description="Duplicate e-mail/phone, or the customer is archived")
    def patch(self, data: dict[str, Any], customer_id: int) -> Customer:
        """Change a customer; setting a live status on an archived one restores it."""
        return uc.update_customer(
            request_session(),
            customer_id=customer_id,
            changes=data,
            default_region=default_phone_region(),
        )

    @require_permission("customer.write")
    @blp.response(200, s.CustomerSchema)
    @blp.alt_response(404, description="No such customer")
    def delete(self, customer_id: int) -> Customer:
        """Archive a customer (status Archived; customers are never deleted)."""
        return uc.archive_customer(request_session(), customer_id=customer_id)


@blp.route("/customer/<int:customer_id>/notification-preferences")
class CustomerNotificationPreferences(MethodView):
    @require_permission("customer.read")
    @blp.response(200, notification_schemas.PreferencesSchema)
    @blp.alt_response(404, description="No such customer")
    def get(self, customer_id: int) -> Any:
        """Which categories of messages the customer receives (required ones always)."""
        session = request_session()
        uc.get_customer(session, customer_id=customer_id)
        return {
            "customer_id": customer_id,
            "preferences": notifications.preferences(session, customer_id=customer_id),
        }

    @require_permission("customer.write")
    @blp.arguments(notification_schemas.PreferencesUpdateSchema)
    @blp.response(200, notification_schemas.PreferencesSchema)
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(422, description="A category that is required or unknown")
    def put(self, data: dict[str, Any], customer_id: int) -> Any:
        """Set the categories the customer opted out of (the whole list; invoices, payment
        reminders and account security messages are always sent)."""
        session = request_session()
        uc.get_customer(session, customer_id=customer_id)
        return {
            "customer_id": customer_id,
            "preferences": notifications.set_opt_outs(
                session, customer_id=customer_id, opted_out=data["opted_out"]
            ),
        }


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------
@blp.route("/contact/")
class Contacts(MethodView):
    @require_permission("customer.read")
    @blp.arguments(s.ContactQuerySchema, location="query")
    @blp.response(200, s.ContactSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Contacts, optionally of one customer."""
        stmt = uc.contacts_query(default_region=default_phone_region(), **query)
        return paginate_query(request_session(), stmt, pagination_parameters)

    @require_permission("customer.write")
    @blp.arguments(s.ContactCreateSchema)
    @blp.response(201, s.ContactSchema)
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(409, description="The customer is archived")
    def post(self, data: dict[str, Any]) -> Contact:
        """Add a contact person to a customer."""
        return uc.create_contact(request_session(), default_region=default_phone_region(), **data)


@blp.route("/contact/<int:contact_id>")
class ContactItem(MethodView):
    @require_permission("customer.read")
    @blp.response(200, s.ContactSchema)
    @blp.alt_response(404, description="No such contact")
    def get(self, contact_id: int) -> Contact:
        """One contact."""
        return uc.get_contact(request_session(), contact_id=contact_id)

    @require_permission("customer.write")
    @blp.arguments(s.ContactUpdateSchema)
    @blp.response(200, s.ContactSchema)
    @blp.alt_response(404, description="No such contact")
    def patch(self, data: dict[str, Any], contact_id: int) -> Contact:
        """Change a contact."""
        return uc.update_contact(
            request_session(),
            contact_id=contact_id,
            changes=data,
            default_region=default_phone_region(),
        )

    @require_permission("customer.write")
    @blp.response(204)
    @blp.alt_response(404, description="No such contact")
    def delete(self, contact_id: int) -> None:
        """Delete a contact."""
        uc.delete_contact(request_session(), contact_id=contact_id)


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------
@blp.route("/site/")
class Sites(MethodView):
    @require_permission("customer.read")
    @blp.arguments(s.SiteQuerySchema, location="query")
    @blp.response(200, s.SiteSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Sites, optionally of one customer."""
        stmt = uc.sites_query(**query)
        return paginate_query(request_session(), stmt, pagination_parameters)

    @require_permission("customer.write")
    @blp.arguments(s.SiteCreateSchema)
    @blp.response(201, s.SiteSchema)
    @blp.alt_response(404, description="No such customer")
    @blp.alt_response(409, description="The customer is archived")
    def post(self, data: dict[str, Any]) -> Site:
        """Add a service location to a customer (geocoded when possible; plus code computed)."""
        return uc.create_site(request_session(), geocoder=current_geocoder(), **data)


@blp.route("/site/<int:site_id>")
class SiteItem(MethodView):
    @require_permission("customer.read")
    @blp.response(200, s.SiteSchema)
    @blp.alt_response(404, description="No such site")
    def get(self, site_id: int) -> Site:
        """One site."""
        return uc.get_site(request_session(), site_id=site_id)

    @require_permission("customer.write")
    @blp.arguments(s.SiteUpdateSchema)
    @blp.response(200, s.SiteSchema)
    @blp.alt_response(404, description="No such site")
    def patch(self, data: dict[str, Any], site_id: int) -> Site:
        """Change a site (new coordinates or address: plus code and geocoding redone)."""
        return uc.update_site(
            request_session(), geocoder=current_geocoder(), site_id=site_id, changes=data
        )

    @require_permission("customer.write")
    @blp.response(204)
    @blp.alt_response(404, description="No such site")
    def delete(self, site_id: int) -> None:
        """Delete a site."""
        uc.delete_site(request_session(), site_id=site_id)
