"""A fake Mailjet Send API v3.1 (``POST /v3.1/send``) over HTTP, in memory, plus its event webhook.

It speaks the wire protocol of ``api.mailjet.com`` so that the official ``mailjet-rest`` client
(1.9.x) runs against it unchanged. ``api_url`` takes the plain ``http://127.0.0.1:PORT``, with or
without a trailing slash (1.9 adds one, strips it again and builds ``{api_url}/v3.1/send``; the
slash form, which :meth:`FakeMailjet.client` passes, is the one the default URL uses). The SSRF
guard of the client only accepts ``*.mailjet.com``, ``localhost``, ``127.0.0.1`` and ``::1``.
Over ``http://`` it mounts no retrying adapter (its 3-try ``JitterRetry`` on 429/5xx and read
errors, POST included, is for ``https://`` only): one call here is one request::

    client = mailjet_rest.Client(
        auth=(fake.api_key, fake.api_secret), version="v3.1", api_url=fake.url + "/", timeout=5
    )
    client.send.create(data={"Messages": [...]})

mailjet-rest 1.9 raises on every HTTP error: 400 ``ValidationError``, 401/403 ``MailjetAuthError``,
404 ``DoesNotExistError``, 429 ``ApiRateLimitError`` (with ``status_code`` and the raw
``response_body``), other statuses a bare ``ApiError``; a dropped connection ``CriticalApiError``
and a timeout ``mailjet_rest.TimeoutError`` (the ``requests`` exception is the ``__cause__``).

Modelled from the real service:

- HTTP Basic auth (API key : secret key); else 401 ``{"ErrorIdentifier", "StatusCode": 401,
  "ErrorMessage": "API key authentication/authorization failure. ..."}``. The ``Idempotency-Key``
  the client derives from the payload (minus CustomID, EventPayload, SandboxMode) is ignored, as
  Mailjet documents no such feature.
- ``{"Messages": [...], "SandboxMode", "Globals", "AdvanceErrorHandling"}``: Globals merged under
  each message (the message wins, shallow); AdvanceErrorHandling accepted and ignored. Call-level
  errors send nothing: bad JSON -> 400 ``{"ErrorIdentifier", "ErrorCode": "mj-0002", ...}``; a
  missing, non-list, empty or over-50 ``Messages`` (mj-0003/0004/0007/0008) or an unknown payload
  property -> 400 ``{"Errors": [...], "Messages": []}``, the shape Mailjet uses for those.
- Each message, in request order, is ``{"Status": "success", "CustomID", "To": [{"Email",
  "MessageUUID", "MessageID" (int), "MessageHref"}], "Cc", "Bcc"}`` or ``{"Status": "error",
  "Errors": [{"ErrorIdentifier", "ErrorCode", "StatusCode", "ErrorMessage", "ErrorRelatedTo"}]}``
  listing every error (:func:`_check_message`: From/To required, valid-looking emails, Subject and
  TextPart/HTMLPart unless TemplateID, TemplateID added with :meth:`FakeMailjet.add_template`,
  CustomID <= 64 characters, <= 50 recipients...), with Mailjet's codes (mj-0003 missing, mj-0004
  type, mj-0013 email, send-0003 no content, send-0010 template, mj-0006 too long). One failed
  message makes the call a 400, but Mailjet processes messages separately: the valid ones of that
  call are still sent and answered as successes (a client must read ``response_body`` to know).
- SandboxMode: validated, nothing sent, MessageUUID "" and MessageID 0 as Mailjet documents.
- Events as the Event API posts them — a JSON array (grouped) or one object per POST, Basic
  credentials from the URL set at Mailjet (``https://user:pass@host/path``), retried by Mailjet
  unless answered 200 (not modelled): ``event, time, MessageID`` (int), ``Message_GUID, email,
  mj_campaign_id, mj_contact_id, customcampaign, CustomID, Payload`` plus ``EVENT_FIELDS[kind]``
  (sent: ``mj_message_id`` as a string and ``smtp_reply``; bounce: ``blocked, hard_bounce,
  error_related_to, error, comment``; blocked: ``error_related_to, error``...).

Deviations kept on purpose: an unknown message property is refused (mj-0004 'Unknown property
"X".'; Mailjet documents nothing) so that a client sending something not modelled fails loudly;
type mismatches are always per-message errors (Mailjet answers some call-level); error messages
are Mailjet's where known (mj-0002/0003/0004/0013, send-0003, 401), paraphrases otherwise; sender
validation (send-0008), template and attachment contents are not checked; other paths are 404.

Failure knobs for tests: ``fail_next(n, status=500)``: the next ``n`` authenticated send calls
answer that status with a JSON error and send nothing; ``down = True`` closes every connection
without an answer; ``delay = seconds`` waits before handling each call (it is still applied: a
client that timed out cannot know). ``sent`` is a snapshot of the accepted messages (as received,
Globals merged, ``MessageID``/``MessageUUID`` added to each recipient); ``calls`` holds every
authenticated send payload. A bug in the fake answers 500 and lands in ``crashes``; the
``fake_mailjet`` fixture fails the test if there is any.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

import mailjet_rest
import pytest
import requests

from tests.fakes._server import LocalServer

Obj = dict[str, Any]
Post = Callable[[Any, dict[str, str]], Any]

SEND_PATH = "/v3.1/send"
MAX_MESSAGES = 50
MAX_RECIPIENTS = 50
MAX_CUSTOM_ID = 64
PAYLOAD_KEYS = {"Messages", "SandboxMode", "Globals", "AdvanceErrorHandling"}
MESSAGE_KEYS = {
    "From", "Sender", "To", "Cc", "Bcc", "ReplyTo", "Subject", "TextPart", "HTMLPart",
    "TemplateID", "TemplateLanguage", "TemplateErrorReporting", "TemplateErrorDeliver",
    "Attachments", "InlinedAttachments", "Priority", "CustomCampaign", "DeduplicateCampaign",
    "TrackOpens", "TrackClicks", "CustomID", "EventPayload", "MonitoringCategory", "URLTags",
    "Headers", "Variables",
}  # fmt: skip
STRINGS = ("Subject", "TextPart", "HTMLPart", "CustomID", "EventPayload", "CustomCampaign")
TYPED: dict[str, tuple[type, str]] = {
    **dict.fromkeys(STRINGS, (str, "string")),
    **dict.fromkeys(("Headers", "Variables"), (dict, "object")),
    "TemplateLanguage": (bool, "boolean"),
}
TRACKING = ("account_default", "disabled", "enabled")
AUTH_MESSAGE = (
    "API key authentication/authorization failure. You may be unauthorized to access the API or "
    "your API key may be expired. Visit API keys management section to check your keys."
)
MESSAGE_HREF = "https://api.mailjet.com/v3/REST/message/{}"
BROWSER = {"ip": "198.51.100.7", "geo": "FR", "agent": "Mozilla/5.0 (X11; Linux x86_64)"}
EVENT_FIELDS: dict[str, Obj] = {  # what each kind adds to the common fields
    "sent": {"smtp_reply": "250 2.0.0 OK 1700000000 a1si2345678wrb.1 - gsmtp"},
    "open": BROWSER,
    "click": {"url": "https://example.com/", **BROWSER},
    "bounce": {
        "blocked": False,
        "hard_bounce": True,
        "error_related_to": "recipient",
        "error": "user unknown",
        "comment": "550 5.1.1 The email account that you tried to reach does not exist",
    },
    "spam": {"source": "JMRPP"},
    "blocked": {"error_related_to": "recipient", "error": "user unknown"},
    "unsub": {"mj_list_id": 0, **BROWSER},
}
EVENT_KINDS = tuple(EVENT_FIELDS)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _error(code: str, message: str, related: list[str] | None = None, status: int = 400) -> Obj:
    error: Obj = {
        "ErrorIdentifier": str(uuid.uuid4()),
        "ErrorCode": code,
        "StatusCode": status,
        "ErrorMessage": message,
    }
    if related:
        error["ErrorRelatedTo"] = related
    return error


def _mismatch(expected: str, field: str) -> Obj:
    return _error("mj-0004", f'Type mismatch. Expected type "{expected}".', [field])


def _missing(field: str) -> Obj:
    return _error("mj-0003", "Missing mandatory property.", [field])


def _check_address(value: Any, field: str, errors: list[Obj]) -> None:
    if not isinstance(value, dict):
        errors.append(_mismatch("emailIn", field))
        return
    email, name = value.get("Email"), value.get("Name")
    if email is None:
        errors.append(_missing(f"{field}.Email"))
    elif not isinstance(email, str):
        errors.append(_mismatch("string", f"{field}.Email"))
    elif not email:
        errors.append(_error("mj-0012", "Empty string is not allowed.", [f"{field}.Email"]))
    elif not _EMAIL.fullmatch(email):
        errors.append(
            _error("mj-0013", f'"{email}" is an invalid email address.', [f"{field}.Email"])
        )
    if name is not None and not isinstance(name, str):
        errors.append(_mismatch("string", f"{field}.Name"))


def _check_recipients(message: Obj, key: str, errors: list[Obj]) -> int:
    value = message.get(key)
    if value is None:
        if key == "To":
            errors.append(_missing("To"))
        return 0
    if not isinstance(value, list):
        errors.append(_mismatch("array of emails", key))
        return 0
    if not value and key == "To":
        errors.append(_error("mj-0007", "Empty array is not allowed.", ["To"]))
    for index, item in enumerate(value):
        _check_address(item, f"{key}[{index}]", errors)
    return len(value)


def _check_message(message: Obj, templates: set[int]) -> list[Obj]:
    """Every error Mailjet would report for one (Globals-merged) message."""
    errors = [
        _error("mj-0004", f'Unknown property "{key}".', [key])
        for key in message
        if key not in MESSAGE_KEYS
    ]
    if message.get("From") is None:
        errors.append(_missing("From"))
    else:
        _check_address(message["From"], "From", errors)
    if message.get("ReplyTo") is not None:
        _check_address(message["ReplyTo"], "ReplyTo", errors)
    count = sum(_check_recipients(message, key, errors) for key in ("To", "Cc", "Bcc"))
    if count > MAX_RECIPIENTS:
        text = f"Too many recipients: the maximum is {MAX_RECIPIENTS} (To, Cc and Bcc together)."
        errors.append(_error("send-0015", text, ["To", "Cc", "Bcc"]))
    for key, (kind, name) in TYPED.items():
        if message.get(key) is not None and not isinstance(message[key], kind):
            errors.append(_mismatch(name, key))
    template = message.get("TemplateID")
    if template is not None:
        if isinstance(template, bool) or not isinstance(template, int):
            errors.append(_mismatch("integer", "TemplateID"))
        elif template not in templates:
            text = f'Template ID "{template}" doesn\'t exist for your account.'
            errors.append(_error("send-0010", text, ["TemplateID"]))
    else:
        if not message.get("Subject"):
            errors.append(_missing("Subject"))
        if not message.get("TextPart") and not message.get("HTMLPart"):
            text = 'At least "HTMLPart", "TextPart" or "TemplateID" must be provided.'
            errors.append(_error("send-0003", text, ["HTMLPart", "TextPart", "TemplateID"]))
    custom_id = message.get("CustomID")
    if isinstance(custom_id, str) and len(custom_id) > MAX_CUSTOM_ID:
        text = f'"CustomID" is too long: the maximum is {MAX_CUSTOM_ID} characters.'
        errors.append(_error("mj-0006", text, ["CustomID"]))
    for key in ("TrackOpens", "TrackClicks"):
        if key in message and message[key] not in TRACKING:
            text = f'"{message[key]}" is not an allowed value for "{key}".'
            errors.append(_error("mj-0005", text, [key]))
    return errors


class FakeMailjet(LocalServer):
    """Mailjet's Send API v3.1 behind a threaded stdlib HTTP server; accepted messages in memory."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = secrets.token_hex(16)  # Mailjet keys are 32 hex digits
        self.api_secret = secrets.token_hex(16)
        self.calls: list[Any] = []  # every authenticated send payload, as received
        self.crashes: list[Exception] = []  # exceptions raised by the fake's own code
        self.down = False
        self.delay = 0.0
        self._sent: list[Obj] = []
        self._templates: set[int] = set()
        self._failures: list[int] = []
        self._ids = itertools.count(secrets.randbelow(2**50) + 2**56)
        self._contacts: dict[str, int] = {}
        self._campaigns: dict[str, int] = {"": 7000}  # transactional mail without CustomCampaign
        self._lock = threading.RLock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake._serve(self)

        self._listen(host, port, Handler)

    def client(self, **options: Any) -> mailjet_rest.Client:
        """A ``mailjet_rest.Client`` for Send API v3.1 on this fake (``options`` override)."""
        settings: Obj = {"version": "v3.1", "api_url": self.url + "/", "timeout": 5}
        settings.update(options)
        return mailjet_rest.Client(auth=(self.api_key, self.api_secret), **settings)

    # ---- state, knobs and helpers ------------------------------------------------------------
    @property
    def sent(self) -> list[Obj]:
        """The accepted messages, oldest first (a copy)."""
        with self._lock:
            return copy.deepcopy(self._sent)

    def add_template(self, template_id: int) -> None:
        """Make ``template_id`` a template this account may send."""
        with self._lock:
            self._templates.add(int(template_id))

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` send calls with HTTP ``status`` and send nothing."""
        with self._lock:
            self._failures.extend([status] * n)

    def make_event(
        self, kind: str, message: Obj, recipient: str | None = None, **overrides: Any
    ) -> Obj:
        """The event Mailjet would post about ``message`` (an item of ``sent``) for
        ``recipient`` (default: its first To); ``overrides`` replace or add fields."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; one of {EVENT_KINDS}")
        people = [r for key in ("To", "Cc", "Bcc") for r in message.get(key) or []]
        wanted = recipient or people[0]["Email"]
        found = next((r for r in people if r["Email"].lower() == wanted.lower()), None)
        if found is None or "MessageID" not in found:
            raise ValueError(f"{wanted!r} is not a recipient of a message in sent")
        with self._lock:
            contact = self._contacts.setdefault(found["Email"].lower(), len(self._contacts) + 1)
            campaign = message.get("CustomCampaign") or ""
            campaign_id = self._campaigns.setdefault(campaign, 7000 + len(self._campaigns))
        event: Obj = {
            "event": kind,
            "time": int(time.time()),
            "MessageID": found["MessageID"],
            "Message_GUID": found["MessageUUID"],
            "email": found["Email"],
            "mj_campaign_id": campaign_id,
            "mj_contact_id": 100000 + contact,
            "customcampaign": campaign,
            "CustomID": message.get("CustomID") or "",
            "Payload": message.get("EventPayload") or "",
        }
        event.update(copy.deepcopy(EVENT_FIELDS[kind]))
        if kind == "sent":
            event["mj_message_id"] = str(found["MessageID"])
        event.update(overrides)
        return event

    @staticmethod
    def deliver_events(
        target: str | Post,
        events: Obj | list[Obj],
        *,
        user: str | None = None,
        password: str | None = None,
        grouped: bool = True,
        timeout: float = 5,
    ) -> list[Any]:
        """POST ``events`` as Mailjet does: one JSON array if ``grouped``, else one object per
        POST, with ``Authorization: Basic`` from ``user``/``password`` (or from the
        ``user:pass@`` of a URL target). ``target`` is a full URL (sent with ``requests``) or a
        callable ``post(json_body, headers) -> response``, e.g. for a Flask test client
        ``lambda body, headers: client.post("/hooks/mailjet", json=body, headers=headers)``.
        Returns the responses, one per POST."""
        batch = [events] if isinstance(events, dict) else list(events)
        bodies: list[Any] = [batch] if grouped else batch
        url: str | None = None
        if isinstance(target, str):
            parts = urlsplit(target)
            if parts.username is not None and user is None:
                user, password = unquote(parts.username), unquote(parts.password or "")
            url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        headers = {"Content-Type": "application/json"}
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        responses = []
        for body in bodies:
            if url is not None:
                payload = json.dumps(body)
                responses.append(requests.post(url, data=payload, headers=headers, timeout=timeout))
            else:
                assert callable(target)
                responses.append(target(copy.deepcopy(body), dict(headers)))
        return responses

    # ---- HTTP --------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if self.down:
            self._drop(handler)
            return
        if urlsplit(handler.path).path.rstrip("/") != SEND_PATH:
            self._reply(handler, 404, {"StatusCode": 404, "ErrorMessage": "Object not found"})
            return
        if not self._authorized(handler.headers.get("Authorization") or ""):
            flat = {"ErrorIdentifier": str(uuid.uuid4()), "StatusCode": 401}
            self._reply(handler, 401, {**flat, "ErrorMessage": AUTH_MESSAGE})
            return
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = body.decode(errors="replace")
        with self._lock:
            self.calls.append(payload)
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            message = f"{HTTPStatus(failure).phrase} (fake Mailjet failure knob)"
            flat = {"ErrorIdentifier": str(uuid.uuid4()), "StatusCode": failure}
            self._reply(handler, failure, {**flat, "ErrorMessage": message})
            return
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            try:
                status, answer = self._send(payload)
            except Exception as exc:  # a bug in the fake: answer it loudly, not as a dropped line
                self.crashes.append(exc)
                status, answer = 500, _error("mj-0000", f"fake Mailjet crashed: {exc!r}", None, 500)
        self._reply(handler, status, answer)

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except ValueError:
            return False
        return secrets.compare_digest(f"{user}\n{password}", f"{self.api_key}\n{self.api_secret}")

    def _send(self, payload: Any) -> tuple[int, Obj]:
        """Validate and apply one send call (lock held): (status, answer)."""
        if not isinstance(payload, dict):
            text = "Malformed JSON, please review the syntax and properties types."
            return 400, _error("mj-0002", text)
        errors = [
            _error("mj-0004", f'Unknown property "{key}".', [key])
            for key in payload
            if key not in PAYLOAD_KEYS
        ]
        messages = payload.get("Messages")
        if messages is None:
            errors.append(_missing("Messages"))
        elif not isinstance(messages, list):
            errors.append(_mismatch("Messages", "Messages"))
        elif not messages:
            errors.append(_error("mj-0007", "Empty array is not allowed.", ["Messages"]))
        elif len(messages) > MAX_MESSAGES:
            text = f"Too many messages: the maximum is {MAX_MESSAGES} per call."
            errors.append(_error("mj-0008", text, ["Messages"]))
        sandbox, globals_ = payload.get("SandboxMode", False), payload.get("Globals") or {}
        if not isinstance(sandbox, bool):
            errors.append(_mismatch("boolean", "SandboxMode"))
        if not isinstance(globals_, dict):
            errors.append(_mismatch("object", "Globals"))
        if errors:
            return 400, {"Errors": errors, "Messages": []}
        assert isinstance(messages, list)
        answers = []
        for item in messages:
            if not isinstance(item, dict):
                answers.append({"Status": "error", "Errors": [_mismatch("message", "Messages")]})
                continue
            message = {**copy.deepcopy(globals_), **copy.deepcopy(item)}
            problems = _check_message(message, self._templates)
            if problems:
                answers.append({"Status": "error", "Errors": problems})
            else:
                answers.append(self._accept(message, sandbox))
        failed = any(answer["Status"] == "error" for answer in answers)
        return (400 if failed else 200), {"Messages": answers}

    def _accept(self, message: Obj, sandbox: bool) -> Obj:
        answer: Obj = {"Status": "success", "CustomID": message.get("CustomID") or ""}
        for key in ("To", "Cc", "Bcc"):
            answer[key] = []
            for recipient in message.get(key) or []:
                ids = (0, "") if sandbox else (next(self._ids), str(uuid.uuid4()))
                recipient["MessageID"], recipient["MessageUUID"] = ids
                href = MESSAGE_HREF.format(ids[0])
                entry = {"Email": recipient["Email"], "MessageUUID": ids[1], "MessageID": ids[0]}
                answer[key].append({**entry, "MessageHref": href})
        if not sandbox:
            self._sent.append(message)
        return answer

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        """Close the connection without an answer: the client sees it at once."""
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(2)  # socket.SHUT_RDWR

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, body: Obj) -> None:
        payload = json.dumps(body).encode()
        with contextlib.suppress(OSError):
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=UTF-8")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)


@pytest.fixture
def fake_mailjet() -> Iterator[FakeMailjet]:
    """A running fake Mailjet for one test: ``fake_mailjet.client()`` is a ready v3.1 client."""
    with FakeMailjet() as fake:
        yield fake
        assert not fake.crashes, f"the fake Mailjet itself crashed: {fake.crashes!r}"
