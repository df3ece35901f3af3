"""Transports behind the outbox: how a rendered message leaves (docs/notifications.md).

E-mail: ``file`` (the embedded default: an ``.eml`` per message under ``instance/outbox/``, sends
nothing), ``smtp`` (any relay, STARTTLS or TLS) and ``mailjet`` (Send API v3.1 through the
official ``mailjet-rest``; a catalogued template may be sent as a Mailjet template by id). SMS:
``log`` (writes the message to the log). A transport answers the provider's message id, or
raises :class:`DeliveryError`; ``permanent`` ones (a refused address, a refused payload) are not
retried.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

from omnicrm.core.logging import get_logger

log = get_logger("omnicrm.notifications")


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One message as a transport sees it."""

    notification_id: int
    channel: str
    recipient: str
    subject: str
    text: str
    html: str | None = None
    template: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def custom_id(self) -> str:
        return f"omnicrm-{self.notification_id}"


class Transport(Protocol):
    name: str

    def send(self, message: Outgoing) -> str | None: ...


def _email(sender: str, message: Outgoing) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(idstring=message.custom_id, domain="omnicrm")
    mail["X-OmniCRM-Notification"] = str(message.notification_id)
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


class FileMailer:
    """Delivers to ``<dir>/<notification_id>.eml``: inspectable in development and tests."""

    name = "file"

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, message: Outgoing) -> str | None:
        mail = _email(self.sender, message)
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{message.notification_id}.eml").write_bytes(bytes(mail))
        return str(mail["Message-ID"])


class SmtpMailer:
    """Hands the message to an SMTP relay. A 5xx refusal of the recipient or the message is
    permanent; a connection problem or a 4xx is tried again later."""

    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.security, self.timeout = security, timeout

    def send(self, message: Outgoing) -> str | None:
        mail = _email(self.sender, message)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return str(mail["Message-ID"])


class MailjetMailer:
    """Mailjet's Send API v3.1. A template named in ``templates`` goes as that Mailjet template
    (its facts as ``Variables``); every message carries ``CustomID`` = ``omnicrm-<id>`` so that
    the event webhook finds it."""

    name = "mailjet"

    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        sender: str,
        api_url: str = "https://api.mailjet.com/",
        templates: dict[str, int] | None = None,
        timeout: float = 30.0,
        sandbox: bool = False,
    ) -> None:
        from email.utils import parseaddr

        from mailjet_rest import Client

        self.client = Client(
            auth=(api_key, api_secret), version="v3.1", api_url=api_url, timeout=timeout
        )
        name, address = parseaddr(sender)
        self.sender = {"Email": address, "Name": name} if name else {"Email": address}
        self.templates = templates or {}
        self.sandbox = sandbox

    def payload(self, message: Outgoing) -> dict[str, Any]:
        body: dict[str, Any] = {
            "From": self.sender,
            "To": [{"Email": message.recipient}],
            "Subject": message.subject,
            "CustomID": message.custom_id,
        }
        template_id = self.templates.get(message.template)
        if template_id:
            body |= {
                "TemplateID": template_id,
                "TemplateLanguage": True,
                "Variables": {k: v for k, v in message.facts.items() if _plain(v)},
            }
        else:
            body["TextPart"] = message.text
            if message.html:
                body["HTMLPart"] = message.html
        return {"Messages": [body], "SandboxMode": self.sandbox}

    def send(self, message: Outgoing) -> str | None:
        from mailjet_rest.errors import ApiError, MailjetApiError

        try:
            response = self.client.send.create(data=self.payload(message))
        except MailjetApiError as exc:
            status = exc.status_code
            permanent = status in (400, 401, 403)  # a refused payload or key: retrying won't help
            raise DeliveryError(
                f"Mailjet {status}: {_first_error(exc.response_body)}", permanent=permanent
            ) from exc
        except ApiError as exc:
            raise DeliveryError(f"Mailjet unreachable: {exc}") from exc
        answer = response.json()["Messages"][0]
        if answer.get("Status") != "success":
            raise DeliveryError(f"Mailjet: {answer.get('Errors')}", permanent=True)
        return str(answer["To"][0]["MessageID"])


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _first_error(body: str) -> str:
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return body[:200]
    if "ErrorMessage" in data:
        return str(data["ErrorMessage"])
    errors = (data.get("Messages") or [{}])[0].get("Errors") or []
    return (
        "; ".join(
            f"{e.get('ErrorMessage')} ({', '.join(e.get('ErrorRelatedTo', []))})" for e in errors
        )[:300]
        or body[:200]
    )


class LogSms:
    """The default SMS transport: writes each message to the log (no gateway)."""

    name = "log"

    def send(self, message: Outgoing) -> str | None:
        log.info(
            "sms_sent",
            notification_id=message.notification_id,
            to=message.recipient,
            text=message.text,
        )
        return f"log-{uuid.uuid4().hex[:16]}"


def transport_for(settings: Any, channel: str) -> Transport:
    """The configured transport of ``channel``: Mailjet when its keys are set, else SMTP when a
    host is, else the ``.eml`` files (``MAIL_BACKEND`` picks one explicitly)."""
    if channel == "sms":
        return LogSms()
    backend = settings.mail_backend
    if backend == "auto":
        if settings.mailjet_api_key and settings.mailjet_api_secret:
            backend = "mailjet"
        elif settings.smtp_host:
            backend = "smtp"
        else:
            backend = "file"
    if backend == "mailjet":
        return _mailjet(settings)
    if backend == "smtp":
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            timeout=settings.smtp_timeout_seconds,
        )
    return FileMailer(settings.instance_path / "outbox", settings.mail_from)


_MAILJET: dict[tuple[Any, ...], MailjetMailer] = {}


def _mailjet(settings: Any) -> MailjetMailer:
    """One client (and its connection pool) per configuration, as the library recommends."""
    key = (
        settings.mailjet_api_key,
        settings.mailjet_api_secret,
        settings.mailjet_api_url,
        settings.mail_from,
        tuple(sorted(settings.mailjet_templates.items())),
        settings.mailjet_sandbox,
    )
    if key not in _MAILJET:
        _MAILJET[key] = MailjetMailer(
            api_key=settings.mailjet_api_key,
            api_secret=settings.mailjet_api_secret,
            sender=settings.mail_from,
            api_url=settings.mailjet_api_url,
            templates=dict(settings.mailjet_templates),
            sandbox=settings.mailjet_sandbox,
        )
    return _MAILJET[key]
