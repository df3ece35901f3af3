"""Delivery in a real Dramatiq worker (the in-process one of embedded mode): a send that keeps
failing is retried with backoff, each attempt committed with its error, and ends ``failed`` after
NOTIFICATION_MAX_ATTEMPTS; a send that fails once is retried and sent; a queued message whose
broker message was lost is handed back by the ``notifications.requeue`` job."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from omnicrm.core.db import utcnow
from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.catalog import TEMPLATES
from omnicrm.notifications.jobs import requeue_stale
from omnicrm.notifications.models import Notification, NotificationStatus

S = NotificationStatus


class FlakySmtp:
    """Stands in for the SMTP relay's answers: fails the first ``failures`` sends."""

    name = "smtp"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[int] = []

    def send(self, message):
        self.calls.append(message.notification_id)
        if len(self.calls) <= self.failures:
            raise uc.DeliveryError("SMTP 421: service not available, closing channel")
        return f"<{message.custom_id}@test>"


@pytest.fixture
def worker(app, monkeypatch):
    """A real in-process Dramatiq worker on the stub broker, using the test app."""
    import omnicrm.worker as worker_module

    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "notification_max_attempts", 3)
    worker_module.broker.flush_all()  # messages of earlier, rolled-back tests
    worker_module.use_app(app)
    running = worker_module.start_embedded_worker(threads=1)
    yield worker_module
    running.stop()
    worker_module.use_app(None)


def _queued(app, database, to: str, monkeypatch) -> int:
    """Queues a message whose after-commit hand-off to the broker is lost (Redis restarted
    empty, say). Dropping it at the source, rather than flushing the queue afterwards, leaves the
    running worker no window to pick it up first."""
    from omnicrm.notifications import tasks

    with monkeypatch.context() as lost:
        lost.setattr(tasks.deliver_notification, "send", lambda *args, **kwargs: None)
        with app.app_context(), database.job_scope() as session:
            note = uc.queue_email(
                session,
                to=to,
                template="ticket_replied",
                context=TEMPLATES["ticket_replied"].sample,
            )
            return note.notification_id


def _wait_for(
    database, note_id: int, status: NotificationStatus, seconds: float = 20
) -> Notification:
    deadline = time.monotonic() + seconds
    while True:
        with database.job_scope() as session:
            note = session.get(Notification, note_id)
            session.expunge(note)
        if note.status == status or time.monotonic() > deadline:
            return note
        time.sleep(0.1)


@pytest.mark.committed
@pytest.mark.parametrize(("failures", "final", "attempts"), [(10, S.failed, 3), (1, S.sent, 2)])
def test_the_worker_retries_with_backoff_and_never_loses_a_message(
    app, database, worker, monkeypatch, failures, final, attempts
):
    from omnicrm.notifications import tasks

    flaky = FlakySmtp(failures)
    monkeypatch.setattr(tasks, "transport_for", lambda settings, channel: flaky)
    to = f"retry-{uuid.uuid4().hex[:8]}@example.com"
    try:
        note_id = _queued(app, database, to, monkeypatch)
        # hand it over with a short backoff so the test does not wait the real one (2 s, doubling)
        tasks.deliver_notification.send_with_options(
            args=(note_id,), min_backoff=50, max_backoff=200
        )
        note = _wait_for(database, note_id, final)
        assert (note.status, note.attempts) == (final, attempts)
        assert flaky.calls == [note_id] * attempts  # one send per attempt, none after the end
        if final == S.failed:
            assert note.last_error == "SMTP 421: service not available, closing channel"
        else:
            assert note.last_error is None and note.provider_id == f"<omnicrm-{note_id}@test>"
        time.sleep(0.5)  # nothing more arrives: the message is done with
        assert flaky.calls == [note_id] * attempts
    finally:
        with database.job_scope() as session:
            session.execute(delete(Notification).where(Notification.recipient == to))


@pytest.mark.committed
def test_a_lost_broker_message_is_handed_back_by_the_requeue_job(
    app, database, worker, monkeypatch
):
    from omnicrm.notifications import tasks

    flaky = FlakySmtp(0)
    monkeypatch.setattr(tasks, "transport_for", lambda settings, channel: flaky)
    settings = app.extensions["omnicrm_settings"]
    to = f"lost-{uuid.uuid4().hex[:8]}@example.com"
    try:
        note_id = _queued(app, database, to, monkeypatch)
        time.sleep(0.3)
        assert flaky.calls == []
        with app.app_context(), database.job_scope() as session:
            assert requeue_stale(session, settings)["requeued"] == 0  # too recent to touch
            session.execute(
                update(Notification)
                .where(Notification.notification_id == note_id)
                .values(created_at=utcnow() - timedelta(minutes=20))
            )
        with app.app_context(), database.job_scope() as session:
            assert requeue_stale(session, settings)["requeued"] >= 1
        note = _wait_for(database, note_id, S.sent)
        assert note.status == S.sent and flaky.calls == [note_id]
        with app.app_context(), database.job_scope() as session:
            # touched when handed back: the next sweep leaves it alone
            assert note_id not in uc.stale_queued(session, older_than_minutes=15)
    finally:
        with database.job_scope() as session:
            session.execute(delete(Notification).where(Notification.recipient == to))
