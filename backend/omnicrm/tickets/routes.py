"""Ticket endpoints (thin: parse, call a use case, dump)."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import request_session
from omnicrm.core.names import attach, customer_names, user_names
from omnicrm.core.pagination import paginate_query
from omnicrm.extensions import get_settings
from omnicrm.tickets import attachments
from omnicrm.tickets import schemas as s
from omnicrm.tickets import use_cases as uc
from omnicrm.tickets.models import ACTIONS
from omnicrm.tickets.sla import Sla

blp = Blueprint(
    "tickets",
    __name__,
    url_prefix="/crm/ticket",
    description="Tickets and their TicketStatus machine (free, active, suspended, blocked, "
    "closed), notes and replies",
)


def _user_id() -> int | None:
    principal = current_principal.get()
    return principal.user_id if principal is not None else None


def _detail(ticket_id: int) -> dict[str, Any]:
    session = request_session()
    view = uc.ticket_view(session, uc.get_ticket(session, ticket_id))
    ticket = view["ticket"]
    names = [field.attribute or name for name, field in s.TicketSchema().fields.items()]
    body = {name: getattr(ticket, name) for name in names if hasattr(ticket, name)}
    _with_names(session, [body])
    users = user_names(
        session,
        [
            *(_get(t, "user_id") for t in view["transitions"]),
            *(_get(c, "author_user_id") for c in view["comments"]),
            *(_get(a, "uploaded_by_user_id") for a in view["attachments"]),
        ],
    )
    attach(view["transitions"], users, id_attr="user_id", name_attr="user_name")
    attach(view["comments"], users, id_attr="author_user_id", name_attr="author_name")
    attach(view["attachments"], users, id_attr="uploaded_by_user_id", name_attr="uploaded_by_name")
    return {
        **body,
        "transitions": view["transitions"],
        "comments": view["comments"],
        "attachments": view["attachments"],
    }


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _with_names(session: Any, tickets: list[Any]) -> list[Any]:
    """The customer's, the assignee's and the creator's names beside their ids: one query for
    the customers and one for the users of the whole page."""
    customers = customer_names(session, (_get(t, "customer_id") for t in tickets))
    users = user_names(
        session,
        [
            *(_get(t, "assignee_user_id") for t in tickets),
            *(_get(t, "created_by_user_id") for t in tickets),
        ],
    )
    attach(tickets, customers, id_attr="customer_id", name_attr="customer_name")
    attach(tickets, users, id_attr="assignee_user_id", name_attr="assignee_name")
    attach(tickets, users, id_attr="created_by_user_id", name_attr="created_by_name")
    return tickets


@blp.route("/")
class Tickets(MethodView):
    @require_permission("ticket.read")
    @blp.arguments(s.TicketQuerySchema, location="query")
    @blp.response(200, s.TicketSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Tickets, soonest due first: filter by customer, status, priority, assignee (or
        unassigned), breached SLA. A queue per assignee is `?assignee_user_id=`."""
        session = request_session()
        return _with_names(
            session, paginate_query(session, uc.tickets_query(**query), pagination_parameters)
        )

    @require_permission("ticket.write")
    @blp.arguments(s.TicketCreateSchema)
    @blp.response(201, s.TicketDetailSchema)
    @blp.alt_response(
        422, description="Invalid body; a contract or service not the customer's; an assignee "
        "who cannot work tickets"
    )  # fmt: skip
    def post(self, data: dict[str, Any]) -> Any:
        """Open a ticket: `free`, due by its priority's SLA (TICKET_SLA_HOURS)."""
        ticket = uc.open_ticket(
            request_session(),
            sla=Sla.from_settings(get_settings()),
            user_id=_user_id(),
            **data,
        )
        return _detail(ticket.ticket_id)


@blp.route("/<int:ticket_id>")
class TicketItem(MethodView):
    @require_permission("ticket.read")
    @blp.response(200, s.TicketDetailSchema)
    @blp.alt_response(404, description="No such ticket")
    def get(self, ticket_id: int) -> Any:
        """One ticket with its history: every transition (who, when, why) and comment."""
        return _detail(ticket_id)

    @require_permission("ticket.write")
    @blp.arguments(s.TicketUpdateSchema)
    @blp.response(200, s.TicketDetailSchema)
    @blp.alt_response(404, description="No such ticket")
    @blp.alt_response(409, description="`ticket_closed`")
    @blp.alt_response(422, description="Invalid body, or an assignee who cannot work tickets")
    def patch(self, data: dict[str, Any], ticket_id: int) -> Any:
        """Change the subject, priority (the due time follows), category or assignee."""
        uc.update_ticket(
            request_session(),
            ticket_id=ticket_id,
            sla=Sla.from_settings(get_settings()),
            **data,
        )
        return _detail(ticket_id)


@blp.route("/<int:ticket_id>/comment")
class TicketComments(MethodView):
    @require_permission("ticket.write")
    @blp.arguments(s.TicketCommentCreateSchema)
    @blp.response(201, s.TicketCommentSchema)
    @blp.alt_response(404, description="No such ticket")
    @blp.alt_response(409, description="`ticket_closed`; `ticket_internal` (a reply on a "
                      "ticket the customer does not see)")  # fmt: skip
    def post(self, data: dict[str, Any], ticket_id: int) -> Any:
        """Add an internal note, or (`internal: false`) a reply the customer is e-mailed."""
        return uc.comment(request_session(), ticket_id=ticket_id, user_id=_user_id(), **data)


@blp.route("/<int:ticket_id>/customer-view")
class TicketCustomerView(MethodView):
    @require_permission("ticket.read")
    @blp.response(200, s.CustomerHistoryEntrySchema(many=True))
    @blp.alt_response(404, description="No such ticket")
    def get(self, ticket_id: int) -> Any:
        """What the customer sees of the ticket (the self-care history): status changes and
        replies, never internal notes or reasons; empty for an internal ticket."""
        session = request_session()
        return uc.customer_history(session, uc.get_ticket(session, ticket_id))


@blp.route("/<int:ticket_id>/attachment")
class TicketAttachments(MethodView):
    @require_permission("ticket.write")
    @blp.arguments(s.TicketAttachmentUploadSchema, location="multipart")
    @blp.response(201, s.TicketAttachmentSchema)
    @blp.alt_response(404, description="No such ticket")
    @blp.alt_response(409, description="`ticket_closed`")
    @blp.alt_response(413, description="Larger than TICKET_ATTACHMENT_MAX_BYTES")
    @blp.alt_response(422, description="A type not accepted, or content not of its type")
    def post(self, upload: dict[str, Any], ticket_id: int) -> Any:
        """Attach a file (multipart `file`): stored under a name of ours, typed from an
        allow-list and checked against its content."""
        file = upload["file"]
        settings = get_settings()
        return attachments.attach(
            request_session(),
            ticket_id=ticket_id,
            filename=file.filename,
            stream=file.stream,
            directory=settings.attachment_dir,
            max_bytes=settings.ticket_attachment_max_bytes,
            user_id=_user_id(),
        )


@blp.route("/<int:ticket_id>/attachment/<int:attachment_id>")
class TicketAttachmentItem(MethodView):
    @require_permission("ticket.read")
    @blp.response(200, description="The file, as a download")
    @blp.alt_response(404, description="No such ticket or attachment")
    def get(self, ticket_id: int, attachment_id: int) -> Response:
        """Download an attachment (always as a download, with its checked type)."""
        attachment, path = attachments.open_attachment(
            request_session(),
            ticket_id=ticket_id,
            attachment_id=attachment_id,
            directory=get_settings().attachment_dir,
        )
        return send_file(
            path,
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
        )


def _transition_view(action: str, summary: str) -> None:
    @require_permission("ticket.write")
    @blp.arguments(s.TicketTransitionRequestSchema)
    @blp.response(200, s.TicketDetailSchema)
    @blp.alt_response(404, description="No such ticket")
    @blp.alt_response(
        409, description="`invalid_transition`: not allowed from the ticket's status (the "
        "answer names `from_status` and the `allowed` actions); nothing changed"
    )  # fmt: skip
    def post(self: MethodView, data: dict[str, Any], ticket_id: int) -> Any:
        uc.transition(
            request_session(), ticket_id=ticket_id, action=action, user_id=_user_id(), **data
        )
        return _detail(ticket_id)

    post.__doc__ = summary
    name = f"Ticket{action.capitalize()}"
    view = type(name, (MethodView,), {"post": post, "__module__": __name__})
    blp.route(f"/<int:ticket_id>/{action}")(view)


_SUMMARIES = {
    "activate": "Start work on a free ticket: free -> active.",
    "suspend": "Put an active ticket on hold: active -> suspended.",
    "resume": "Take a suspended ticket up again: suspended -> active.",
    "block": "Block an active ticket (waiting on something outside): active -> blocked.",
    "close": "Close an active or blocked ticket: -> closed.",
}
assert set(_SUMMARIES) == set(ACTIONS)
for _action, _summary in _SUMMARIES.items():
    _transition_view(_action, _summary)
