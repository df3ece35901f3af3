"""Delivering the outbox: through a real local SMTP server (aiosmtpd) and through the fake
Mailjet with the official client; a failed attempt is recorded and retried, a permanent refusal
or the last attempt ends ``failed`` (never lost); Mailjet's event webhook moves messages to
delivered or bounced, whatever the order; the SMS log transport; resending."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.mailer import (
    FileMailer,
    LogSms,
    MailjetMailer,
    SmtpMailer,
    transport_for,
)
from omnicrm.notifications.models import Notification, NotificationStatus
from tests.factories import CustomerFactory

S = NotificationStatus
HOOK = "/crm/webhook/mailjet"


def _queue(db_session, template="ticket_replied", to="ada@example.com", **facts):
    from omnicrm.notifications.catalog import TEMPLATES

    note = uc.queue_email(
        db_session, to=to, template=template, context={**TEMPLATES[template].sample, **facts}
    )
    db_session.commit()
    return note.notification_id


def _smtp(with_settings, port):
    return with_settings(
        mail_backend="auto", smtp_host="127.0.0.1", smtp_port=port, smtp_security="none"
    )


def _mailjet(with_settings, fake, **extra):
    return with_settings(
        mailjet_api_key=fake.api_key,
        mailjet_api_secret=fake.api_secret,
        mailjet_api_url=fake.url + "/",
        **extra,
    )


def test_the_backend_follows_the_settings(with_settings):
    assert isinstance(transport_for(with_settings(), "email"), FileMailer)
    assert isinstance(transport_for(with_settings(smtp_host="mx"), "email"), SmtpMailer)
    keys = {"mailjet_api_key": "k", "mailjet_api_secret": "s", "smtp_host": "mx"}
    assert isinstance(transport_for(with_settings(**keys), "email"), MailjetMailer)
    forced = with_settings(**keys, mail_backend="file")
    assert isinstance(transport_for(forced, "email"), FileMailer)
    assert isinstance(transport_for(with_settings(**keys), "sms"), LogSms)


# --- SMTP ---------------------------------------------------------------------------------------
def test_smtp_delivers_text_and_html(db_session, smtp_server, with_settings, attempt):
    recorder, port = smtp_server
    note_id = _queue(db_session, reply="Restart <your> phone & retry")
    error, note = attempt(_smtp(with_settings, port), note_id)
    assert error is None
    assert (note.status, note.attempts, note.provider, note.last_error) == (S.sent, 1, "smtp", None)
    assert note.sent_at is not None and note.provider_id.startswith("<")
    [mail] = recorder.messages
    assert recorder.envelopes[0][1] == ["ada@example.com"]
    assert mail["Subject"] == "[ticket #1042] Re: No data since this morning"
    assert mail["Message-ID"] == note.provider_id
    assert "Restart <your> phone & retry" in mail.get_body(("plain",)).get_content()
    assert "Restart &lt;your&gt; phone &amp; retry" in mail.get_body(("html",)).get_content()


def test_smtp_refusing_the_recipient_fails_at_once(db_session, smtp_server, with_settings, attempt):
    recorder, port = smtp_server
    recorder.refuse["gone@example.com"] = "550 5.1.1 No such user"
    note_id = _queue(db_session, to="gone@example.com")
    error, note = attempt(_smtp(with_settings, port), note_id)
    assert error is None  # nothing to retry: the address does not exist
    assert (note.status, note.attempts) == (S.failed, 1)
    assert "550" in note.last_error and not recorder.messages


def test_a_temporary_smtp_failure_is_retried_then_sent(
    db_session, smtp_server, with_settings, attempt
):
    recorder, port = smtp_server
    recorder.fail_data.append("451 4.3.0 Try again later")
    settings = _smtp(with_settings, port)
    note_id = _queue(db_session)
    error, note = attempt(settings, note_id)
    assert error is not None and not error.permanent
    assert (note.status, note.attempts) == (S.queued, 1) and "451" in note.last_error
    error, note = attempt(settings, note_id)
    assert error is None and (note.status, note.attempts, note.last_error) == (S.sent, 2, None)
    assert len(recorder.messages) == 1


def test_a_server_that_stays_down_ends_failed_after_the_last_attempt(
    db_session, with_settings, attempt
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = _smtp(with_settings, port).model_copy(update={"smtp_timeout_seconds": 2})
    note_id = _queue(db_session)
    for expected in (1, 2):
        error, note = attempt(settings, note_id, max_attempts=3)
        assert error is not None and (note.status, note.attempts) == (S.queued, expected)
    error, note = attempt(settings, note_id, max_attempts=3)
    assert error is None and (note.status, note.attempts) == (S.failed, 3)
    assert "ConnectionRefusedError" in note.last_error or "Errno" in note.last_error
    error, note = attempt(settings, note_id, max_attempts=3)  # a late retry changes nothing
    assert (note.status, note.attempts) == (S.failed, 3)


# --- Mailjet ------------------------------------------------------------------------------------
def test_mailjet_sends_with_our_custom_id(db_session, fake_mailjet, with_settings, attempt):
    note_id = _queue(db_session)
    error, note = attempt(_mailjet(with_settings, fake_mailjet), note_id)
    assert error is None
    [sent] = fake_mailjet.sent
    assert sent["CustomID"] == f"omnicrm-{note_id}"
    assert sent["To"][0]["Email"] == "ada@example.com"
    assert sent["Subject"] == note.subject and sent["TextPart"] == note.body_text
    assert sent["HTMLPart"] == note.body_html and sent["From"]["Email"] == "no-reply@omnicrm.local"
    assert (note.status, note.provider, note.provider_id) == (
        S.sent,
        "mailjet",
        str(sent["To"][0]["MessageID"]),
    )


def test_a_mapped_template_goes_as_a_mailjet_template(
    db_session, fake_mailjet, with_settings, attempt
):
    fake_mailjet.add_template(4711)
    settings = _mailjet(with_settings, fake_mailjet, mailjet_templates={"invoice_issued": 4711})
    note_id = _queue(db_session, template="invoice_issued")
    error, note = attempt(settings, note_id)
    assert error is None and note.status == S.sent
    [sent] = fake_mailjet.sent
    assert (sent["TemplateID"], sent["TemplateLanguage"]) == (4711, True)
    assert sent["Variables"]["invoice_number"] == "INV-2026-000123"
    assert "TextPart" not in sent


def test_mailjet_down_or_5xx_is_retried_and_a_refusal_is_permanent(
    db_session, fake_mailjet, with_settings, attempt
):
    settings = _mailjet(with_settings, fake_mailjet)
    note_id = _queue(db_session)
    fake_mailjet.fail_next(1, status=503)
    error, note = attempt(settings, note_id)
    assert error is not None and (note.status, note.attempts) == (S.queued, 1)
    fake_mailjet.down = True
    error, note = attempt(settings, note_id)
    assert error is not None and "unreachable" in note.last_error
    fake_mailjet.down = False
    error, note = attempt(settings, note_id)
    assert error is None and (note.status, note.attempts) == (S.sent, 3)
    assert len(fake_mailjet.sent) == 1

    bad_key = settings.model_copy(update={"mailjet_api_secret": "wrong"})
    other = _queue(db_session)
    error, note = attempt(bad_key, other)
    assert error is None and (note.status, note.attempts) == (S.failed, 1)
    assert "Mailjet 401" in note.last_error


def test_mailjet_refusing_the_message_is_permanent(
    db_session, fake_mailjet, with_settings, attempt
):
    settings = _mailjet(with_settings, fake_mailjet, mailjet_templates={"invoice_issued": 999})
    note_id = _queue(db_session, template="invoice_issued")  # 999 is no template at Mailjet
    error, note = attempt(settings, note_id)
    assert error is None and (note.status, note.attempts) == (S.failed, 1)
    assert "Mailjet 400" in note.last_error and "TemplateID" in note.last_error


# --- the event webhook --------------------------------------------------------------------------
@pytest.fixture
def hook(app, monkeypatch, client):
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "mailjet_webhook_user", "mj")
    monkeypatch.setattr(settings, "mailjet_webhook_password", "s3cret-hook")

    def post(body, headers):
        return client.post(HOOK, json=body, headers=headers)

    return post


def _sent_by_mailjet(db_session, fake, with_settings, attempt, **facts):
    note_id = _queue(db_session, **facts)
    attempt(_mailjet(with_settings, fake), note_id)
    return note_id, fake.sent[-1]


def test_events_move_messages_forward_never_back(
    db_session, fake_mailjet, with_settings, attempt, hook
):
    delivered_id, delivered = _sent_by_mailjet(db_session, fake_mailjet, with_settings, attempt)
    bounced_id, bounced = _sent_by_mailjet(db_session, fake_mailjet, with_settings, attempt)
    events = [
        fake_mailjet.make_event("sent", delivered),
        fake_mailjet.make_event("open", delivered),
        fake_mailjet.make_event(
            "bounce", bounced, hard_bounce=True, error_related_to="recipient", error="user unknown"
        ),
        fake_mailjet.make_event("sent", bounced),  # late and out of order: still bounced
    ]
    [answer] = fake_mailjet.deliver_events(hook, events, user="mj", password="s3cret-hook")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"received": 4, "applied": 2}
    db_session.expire_all()
    first = db_session.get(Notification, delivered_id)
    second = db_session.get(Notification, bounced_id)
    assert first.status == S.delivered and first.delivered_at is not None
    assert second.status == S.bounced and second.delivered_at is None
    assert second.last_error.startswith("hard bounce: recipient / user unknown / 550 5.1.1")

    again = fake_mailjet.deliver_events(
        hook, events, user="mj", password="s3cret-hook", grouped=False
    )
    assert [r.get_json()["applied"] for r in again] == [0, 0, 0, 0]  # Mailjet's redeliveries


def test_an_event_is_matched_by_message_id_without_custom_id(
    db_session, fake_mailjet, with_settings, attempt, hook
):
    note_id, sent = _sent_by_mailjet(db_session, fake_mailjet, with_settings, attempt)
    event = fake_mailjet.make_event("blocked", sent, CustomID="", error="preblocked")
    [answer] = fake_mailjet.deliver_events(hook, event, user="mj", password="s3cret-hook")
    assert answer.get_json() == {"received": 1, "applied": 1}
    db_session.expire_all()
    note = db_session.get(Notification, note_id)
    assert note.status == S.failed and "preblocked" in note.last_error


def test_a_custom_id_of_another_provider_does_not_match(db_session, hook, smtp_server):
    note_id = _queue(db_session)
    note = db_session.get(Notification, note_id)
    note.status, note.provider = S.sent, "smtp"
    db_session.commit()
    event = {"event": "bounce", "CustomID": f"omnicrm-{note_id}", "MessageID": 1}
    [answer] = _post_events(hook, [event])
    assert answer.get_json()["applied"] == 0


def _post_events(hook, events, user="mj", password="s3cret-hook"):
    from tests.fakes.mailjet import FakeMailjet

    return FakeMailjet.deliver_events(hook, events, user=user, password=password)


def test_the_webhook_checks_its_credentials_and_body(client, hook, app, monkeypatch):
    event = {"event": "sent", "CustomID": "omnicrm-1", "MessageID": 1}
    for user, password in (("mj", "wrong"), ("other", "s3cret-hook"), ("", "")):
        [answer] = _post_events(hook, [event], user=user, password=password)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert client.post(HOOK, json=[event]).status_code == 401
    bearer = {"Authorization": "Bearer " + base64.b64encode(b"mj:s3cret-hook").decode()}
    assert client.post(HOOK, json=[event], headers=bearer).status_code == 401

    basic = {"Authorization": "Basic " + base64.b64encode(b"mj:s3cret-hook").decode()}
    for body in ("not json", [1, 2], [{"no": "event"}], {"event": 5}):
        answer = client.post(HOOK, json=body, headers=basic)
        assert answer.status_code == 422, body
        assert answer.get_json()["code"] == "validation_error"
    too_many = [event] * 1001
    assert client.post(HOOK, json=too_many, headers=basic).status_code == 422

    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "mailjet_webhook_password", "")
    assert client.post(HOOK, json=[event], headers=basic).status_code == 404


# --- SMS, resend, listing -----------------------------------------------------------------------
def test_sms_goes_through_the_log_transport(db_session, with_settings, attempt):
    from omnicrm.notifications.catalog import TEMPLATES

    note = uc.queue_sms(
        db_session,
        to="+12025550100",
        template="service_suspended",
        context=TEMPLATES["service_suspended"].sample,
    )
    db_session.commit()
    assert note.channel == "sms" and note.body_html is None
    assert note.body_text.startswith("OmniCRM Operator: your Mobile 20 GB service is suspended")
    error, note = attempt(with_settings(), note.notification_id)
    assert error is None and (note.status, note.provider) == (S.sent, "log")
    with pytest.raises(LookupError):
        uc.queue_sms(db_session, to="+12025550100", template="invoice_issued", context={})


def test_resend_and_the_outbox_api(db_session, call, smtp_server, with_settings, attempt):
    recorder, port = smtp_server
    recorder.refuse["typo@example.com"] = "550 5.1.1 No such user"
    customer = CustomerFactory()
    note_id = _queue(db_session, to="typo@example.com")
    note = db_session.get(Notification, note_id)
    note.customer_id = customer.customer_id
    db_session.commit()
    attempt(_smtp(with_settings, port), note_id)

    listed = call("get", f"/crm/notification/?customer_id={customer.customer_id}", 200)
    assert [(n["notification_id"], n["status"]) for n in listed] == [(note_id, "failed")]
    assert call("get", "/crm/notification/?status=failed&channel=email", 200)
    assert call("get", "/crm/notification/summary", 200)["counts"]["failed"] >= 1
    detail = call("get", f"/crm/notification/{note_id}", 200)
    assert detail["body_hidden"] is False and "Dear Ada Lovelace" in detail["body_text"]
    assert "<html" in detail["body_html"]

    del recorder.refuse["typo@example.com"]
    again = call("post", f"/crm/notification/{note_id}/resend", 200)
    assert (again["status"], again["attempts"], again["last_error"]) == ("queued", 0, None)
    error, note = attempt(_smtp(with_settings, port), note_id)
    assert error is None and note.status == S.sent and len(recorder.messages) == 1
    refused = call("post", f"/crm/notification/{note_id}/resend", 409)
    assert refused["code"] == "notification_not_resendable"
    call("post", "/crm/notification/999999/resend", 404)
    call("get", "/crm/notification/999999", 404)
    call("get", "/crm/notification/?status=lost", 422)
    call("get", "/crm/notification/?template=../x", 422)


def test_one_time_links_are_never_shown_nor_resent(db_session, call, api, make_user):
    user = make_user("sales")
    api.client.post("/crm/auth/password/forgot", json={"email": user.email})
    note = db_session.scalar(
        select(Notification).where(Notification.recipient == user.email.lower())
    )
    assert note.template == "reset_password" and "token=" in note.body_text
    detail = call("get", f"/crm/notification/{note.notification_id}", 200)
    assert detail["body_hidden"] is True
    assert detail["body_text"] is None and detail["body_html"] is None
    note.status = S.failed
    db_session.commit()
    refused = call("post", f"/crm/notification/{note.notification_id}/resend", 409)
    assert "one-time link" in refused["message"]


def test_resend_needs_notification_send(db_session, api, make_user):
    note_id = _queue(db_session)
    sales = api.headers_for(make_user("sales").email)  # sales cannot even read the outbox
    assert api.client.post(f"/crm/notification/{note_id}/resend", headers=sales).status_code == 403
    support = api.headers_for(make_user("support").email)
    answer = api.client.post(f"/crm/notification/{note_id}/resend", headers=support)
    assert answer.status_code == 409  # allowed, but a queued message is not resent


def test_a_resend_forgets_the_old_delivery(
    db_session, call, fake_mailjet, with_settings, attempt, hook
):
    note_id, sent = _sent_by_mailjet(db_session, fake_mailjet, with_settings, attempt)
    bounce = fake_mailjet.make_event("bounce", sent, error="mailbox full")
    fake_mailjet.deliver_events(hook, bounce, user="mj", password="s3cret-hook")
    again = call("post", f"/crm/notification/{note_id}/resend", 200)
    assert (again["status"], again["provider"], again["provider_id"], again["sent_at"]) == (
        "queued",
        None,
        None,
        None,
    )
    late = fake_mailjet.make_event("sent", sent)  # about the first send: matches nothing now
    late["CustomID"] = ""
    [answer] = fake_mailjet.deliver_events(hook, late, user="mj", password="s3cret-hook")
    assert answer.get_json()["applied"] == 0
    counts = call("get", f"/crm/notification/summary?recipient={sent['To'][0]['Email']}", 200)
    assert counts["counts"]["queued"] >= 1 and counts["counts"]["bounced"] == 0
