"""Notification fixtures: a local SMTP server (aiosmtpd) that records or refuses mail, the fake
Mailjet, and helpers to queue a message and run one delivery attempt as a worker would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.mailer import transport_for
from omnicrm.notifications.models import Notification
from tests.fakes.mailjet import fake_mailjet  # noqa: F401 - a fixture


@dataclass
class SmtpRecorder:
    """The aiosmtpd handler: keeps every accepted message, refuses recipients on demand."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    fail_data: list[str] = field(default_factory=list)  # replies to DATA, one per message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data:
            return self.fail_data.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpRecorder, int]]:
    import socket

    with socket.socket() as probe:  # aiosmtpd's start-up check needs the real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def with_settings(app):
    """``with_settings(**changes)``: the app's settings with ``changes`` (a copy; the app's own
    settings are untouched)."""
    base = app.extensions["omnicrm_settings"]

    def _make(**changes: Any) -> Any:
        return base.model_copy(update=changes)

    return _make


@pytest.fixture
def attempt(db_session):
    """``attempt(settings, notification_id)``: one delivery attempt as the worker makes it,
    committed; returns the error to retry on (or None) and the row as stored."""

    def _attempt(settings: Any, notification_id: int, max_attempts: int | None = None) -> Any:
        error = None
        try:
            uc.deliver(
                db_session,
                transports=lambda channel: transport_for(settings, channel),
                notification_id=notification_id,
                max_attempts=max_attempts or settings.notification_max_attempts,
            )
        except uc.DeliveryError as exc:
            error = exc
        db_session.commit()
        db_session.expire_all()
        return error, db_session.get(Notification, notification_id)

    return _attempt
