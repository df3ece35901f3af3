"""The notification outbox: what was sent to whom and what became of it, the templates with
their preview, a resend for failed messages, and Mailjet's delivery reports."""

from __future__ import annotations

import hmac
import re
from typing import Any

from flask import request
from flask.views import MethodView

from omnicrm.core.auth import public, require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session
from omnicrm.core.errors import DomainError, NotFound, Unauthorized, ValidationFailed
from omnicrm.core.names import attach, customer_names
from omnicrm.core.pagination import paginate_query
from omnicrm.extensions import get_settings
from omnicrm.notifications import schemas as s
from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.catalog import CATEGORIES, TEMPLATES
from omnicrm.notifications.render import overridden

blp = Blueprint("notifications", __name__, url_prefix="/crm/notification", description="Outbox")


@blp.route("/")
class Notifications(MethodView):
    @require_permission("notification.read")
    @blp.arguments(s.NotificationQuerySchema, location="query")
    @blp.response(200, s.NotificationSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Every message, newest first: queued, sent, delivered, bounced, failed, suppressed."""
        session = request_session()
        notes = paginate_query(session, uc.list_notifications(**query), pagination_parameters)
        return _with_names(session, notes)


def _with_names(session: Any, notes: list[Any]) -> list[Any]:
    """The customer's name beside ``customer_id`` (one query for the page)."""
    ids = (n["customer_id"] if isinstance(n, dict) else n.customer_id for n in notes)
    attach(notes, customer_names(session, ids), id_attr="customer_id", name_attr="customer_name")
    return notes


@blp.route("/summary")
class Summary(MethodView):
    @require_permission("notification.read")
    @blp.arguments(s.SummaryQuerySchema, location="query")
    @blp.response(200, s.StatusCountsSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """How many messages are in each status (among those the list's filters select)."""
        return {"counts": uc.status_counts(request_session(), **query)}


@blp.route("/<int:notification_id>")
class NotificationItem(MethodView):
    @require_permission("notification.read")
    @blp.response(200, s.NotificationDetailSchema)
    @blp.alt_response(404, description="No such message")
    def get(self, notification_id: int) -> Any:
        """One message with its bodies — except a message holding a one-time link (welcome,
        e-mail verification, password reset), whose body is never shown (`body_hidden`)."""
        note = uc.get_notification(request_session(), notification_id)
        spec = TEMPLATES.get(note.template)
        hidden = spec is None or spec.sensitive
        names = s.NotificationSchema().fields
        body = {name: getattr(note, name) for name in names if name != "customer_name"}
        _with_names(request_session(), [body])
        text, html = note.body_text, note.body_html
        if not hidden and not text:  # queued in bulk: the worker renders it when sending
            rendered = uc.render_template(note.template, note.context or {})
            text, html = rendered.text, rendered.html
        return body | {
            "body_hidden": hidden,
            "body_text": None if hidden else text,
            "body_html": None if hidden else html,
        }


@blp.route("/<int:notification_id>/resend")
class Resend(MethodView):
    @require_permission("notification.send")
    @blp.response(200, s.NotificationSchema)
    @blp.alt_response(404, description="No such message")
    @blp.alt_response(
        409,
        description="`notification_not_resendable`: only failed or bounced messages are sent "
        "again, and never one holding a one-time link",
    )
    def post(self, notification_id: int) -> Any:
        """Queue a failed or bounced message again (e.g. after the address was corrected:
        it goes to the address it was written for)."""
        return uc.resend(request_session(), notification_id=notification_id)


@blp.route("/template/")
class Templates(MethodView):
    @require_permission("notification.read")
    @blp.response(200, s.TemplateSchema(many=True))
    def get(self) -> Any:
        """Every message OmniCRM sends, with its category and which parts the operator has
        overridden (files in NOTIFICATION_TEMPLATE_DIR)."""
        directory = get_settings().template_dir
        return [
            {
                "name": name,
                "category": spec.category,
                "required": CATEGORIES[spec.category].required,
                "sensitive": spec.sensitive,
                "description": spec.description,
                "channels": list(spec.channels),
                "overridden": overridden(directory, name),
            }
            for name, spec in sorted(TEMPLATES.items())
        ]


@blp.route("/template/<string:template_id>/preview")
class Preview(MethodView):
    @require_permission("notification.read")
    @blp.response(200, s.PreviewSchema)
    @blp.alt_response(404, description="No such template")
    def get(self, template_id: str) -> Any:
        """The template (`template_id`: its name, e.g. `invoice_issued`) rendered with its
        sample facts, as a customer would get it (with the operator's overrides)."""
        name = template_id
        spec = TEMPLATES.get(name)
        if spec is None:
            raise NotFound(f"no notification template {name!r}")
        rendered = uc.render_template(name, spec.sample)
        return {
            "name": name,
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "sms": rendered.sms,
            "sample": spec.sample,
        }


# --- Mailjet's event webhook ---------------------------------------------------------------------
webhook_blp = Blueprint(
    "mailjet_webhook",
    __name__,
    url_prefix="/crm/webhook",
    description="Mailjet's delivery reports (HTTP Basic credentials; public)",
)

MAX_EVENTS = 1000
_CUSTOM_ID = re.compile(r"^omnicrm-(\d{1,18})$")


class WebhookOff(DomainError):
    status, code = 404, "not_found"


def _check_credentials() -> None:
    settings = get_settings()
    if not (settings.mailjet_webhook_user and settings.mailjet_webhook_password):
        raise WebhookOff("the Mailjet webhook is not configured")
    auth = request.authorization
    ok = (
        auth is not None
        and auth.type == "basic"
        and hmac.compare_digest(
            (auth.username or "").encode(), settings.mailjet_webhook_user.encode()
        )
        and hmac.compare_digest(
            (auth.password or "").encode(), settings.mailjet_webhook_password.encode()
        )
    )
    if not ok:
        raise Unauthorized(
            "the webhook's credentials are wrong",
            headers={"WWW-Authenticate": 'Basic realm="mailjet"'},
        )


def _events() -> list[dict[str, Any]]:
    body = request.get_json(silent=True)
    events = [body] if isinstance(body, dict) else body
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ValidationFailed.field("body", "a Mailjet event object or an array of them")
    if len(events) > MAX_EVENTS:
        raise ValidationFailed.field("body", f"at most {MAX_EVENTS} events per call")
    for index, event in enumerate(events):
        if not isinstance(event.get("event"), str):
            raise ValidationFailed.field(f"{index}.event", "missing or not a string")
    return events


@webhook_blp.route("/mailjet")
class MailjetWebhook(MethodView):
    @public
    @webhook_blp.response(200, s.MailjetWebhookAnswerSchema)
    @webhook_blp.alt_response(401, description="Wrong or missing HTTP Basic credentials")
    @webhook_blp.alt_response(404, description="The webhook is off (no credentials configured)")
    @webhook_blp.alt_response(422, description="The body is not a Mailjet event or array of them")
    def post(self) -> Any:
        """Mailjet's event webhook (public: it must carry the HTTP Basic credentials given to
        Mailjet in the URL). A JSON event or an array of them: `sent` marks the message
        delivered, `bounce` bounced, `blocked` failed; other events (open, click, spam, unsub)
        are acknowledged and ignored. Matched by `CustomID` (`omnicrm-<id>`) or `MessageID`;
        repeated and out-of-order reports never undo a bounce or a failure."""
        _check_credentials()
        session = request_session()
        events = _events()
        applied = 0
        for event in events:
            match = _CUSTOM_ID.match(str(event.get("CustomID") or ""))
            message_id = event.get("MessageID")
            applied += uc.record_provider_event(
                session,
                provider="mailjet",
                event=event["event"],
                provider_id=str(message_id) if isinstance(message_id, int | str) else None,
                notification_id=int(match.group(1)) if match else None,
                detail=_detail(event),
            )
        return {"received": len(events), "applied": applied}


def _detail(event: dict[str, Any]) -> str | None:
    parts = [
        str(event[key])
        for key in ("error_related_to", "error", "comment")
        if event.get(key) not in (None, "")
    ]
    kind = "hard bounce" if event.get("hard_bounce") else event.get("event")
    return f"{kind}: {' / '.join(parts)}" if parts else str(kind)
