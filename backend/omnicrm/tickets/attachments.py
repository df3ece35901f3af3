"""Ticket attachments: size- and type-limited files stored on disk (``TICKET_ATTACHMENT_DIR``,
default ``instance/attachments``).

Nothing the caller sends names a path: a file is stored as ``<ticket id>/<uuid>``, and the name
it came with is only shown (cleaned to a plain base name). Its type comes from an allow-list of
extensions and must match what the content is (a PDF starts ``%PDF-``, a PNG with its
signature, text is UTF-8): a renamed executable is refused.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicrm.core.db import after_commit, after_end, utcnow
from omnicrm.core.errors import DomainError, NotFound, ValidationFailed
from omnicrm.tickets.models import TicketAttachment, TicketStatus
from omnicrm.tickets.use_cases import TicketClosed, get_ticket

# extension -> (content type, what the content must start with; None: UTF-8 text)
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "txt": ("text/plain", None),
    "log": ("text/plain", None),
    "csv": ("text/csv", None),
}


class AttachmentTooLarge(DomainError):
    status, code = 413, "payload_too_large"


def clean_name(name: str | None) -> str:
    """A display name: the base name only, printable, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    base = base.strip().lstrip(".")
    return base[:200] or "attachment"


def _type_of(name: str, head: bytes, content: bytes) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TYPES:
        allowed = ", ".join(sorted(TYPES))
        raise ValidationFailed.field(
            "file", f"files of this type are not accepted (allowed: {allowed})",
            location="files",
        )  # fmt: skip
    content_type, signatures = TYPES[extension]
    if signatures is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationFailed.field(
                "file", "a text file must be UTF-8", location="files"
            ) from error
        if b"\x00" in content:
            raise ValidationFailed.field("file", "a text file has no NUL bytes", location="files")
    elif not head.startswith(signatures):
        raise ValidationFailed.field(
            "file", f"the content is not a .{extension} file", location="files"
        )
    return content_type


def attach(
    session: Session,
    *,
    ticket_id: int,
    filename: str | None,
    stream: IO[bytes],
    directory: Path,
    max_bytes: int,
    user_id: int | None,
) -> TicketAttachment:
    ticket = get_ticket(session, ticket_id)
    if ticket.status == TicketStatus.closed:
        raise TicketClosed(f"ticket {ticket_id} is closed")
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise AttachmentTooLarge(f"an attachment is at most {max_bytes} bytes")
    if not content:
        raise ValidationFailed.field("file", "the file is empty", location="files")
    name = clean_name(filename)
    content_type = _type_of(name, content[:16], content)
    storage_name = f"{ticket_id}/{uuid.uuid4().hex}"
    path = directory / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)

    attachment = TicketAttachment(
        ticket_id=ticket_id,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage_name,
        uploaded_by_user_id=user_id,
        created_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    _remove_unless_committed(session, path)
    return attachment


def _remove_unless_committed(session: Session, path: Path) -> None:
    """A file written for a unit of work that then rolls back is removed: no orphan files."""
    state = {"committed": False}

    def committed() -> None:
        state["committed"] = True

    def ended() -> None:
        if not state["committed"]:
            path.unlink(missing_ok=True)

    after_commit(session, committed)
    after_end(session, ended)


def attachments_of(session: Session, ticket_id: int) -> list[TicketAttachment]:
    return list(
        session.scalars(
            select(TicketAttachment)
            .where(TicketAttachment.ticket_id == ticket_id)
            .order_by(TicketAttachment.attachment_id)
        )
    )


def open_attachment(
    session: Session, *, ticket_id: int, attachment_id: int, directory: Path
) -> tuple[TicketAttachment, Path]:
    attachment = session.get(TicketAttachment, attachment_id)
    if attachment is None or attachment.ticket_id != ticket_id:
        raise NotFound(f"attachment {attachment_id} not found on ticket {ticket_id}")
    path = directory / attachment.storage_name
    if not path.is_file():
        raise NotFound(f"attachment {attachment_id}'s file is missing")
    return attachment, path
