"""Mailer backends; the default writes RFC 5322 files under instance/outbox/ (Mailjet later)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from omnicrm.notifications.models import Notification


class Mailer(Protocol):
    def send(self, note: Notification) -> str: ...


class FileMailer:
    """Delivers to ``<dir>/<notification_id>.eml``: inspectable in development and tests."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, note: Notification) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = note.recipient
        message["Subject"] = note.subject
        message["X-OmniCRM-Notification"] = str(note.notification_id)
        message.set_content(note.body_text)
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{note.notification_id}.eml"
        path.write_bytes(bytes(message))
        return str(path)
