"""Background jobs run in real Dramatiq workers: in-process (embedded) and as `omnicrm worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from omnicrm.notifications.models import Notification, NotificationStatus

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.committed
def test_embedded_worker_delivers_a_queued_mail(app, api, database, settings):
    """`make run` mode: a real Dramatiq worker inside the process drains the outbox."""
    import omnicrm.worker as worker_module
    from omnicrm.auth.models import User
    from omnicrm.worker import broker, start_embedded_worker, use_app

    email = f"embedded-{uuid.uuid4().hex[:8]}@example.com"  # committed for real: unique per run
    with app.test_request_context():
        from omnicrm.auth.deps import auth_deps
        from omnicrm.auth.use_cases import create_user

        with database.job_scope() as session:
            create_user(
                session,
                auth_deps(),
                email=email,
                password="long enough pw",
                roles=["support"],
                email_verified=True,
                actor=None,
            )
    use_app(app)
    broker.flush_all()  # messages queued by earlier tests point at rolled-back rows
    worker = start_embedded_worker(threads=1)
    try:
        assert (
            api.client.post("/crm/auth/password/forgot", json={"email": email}).status_code == 202
        )
        broker.join("notifications", timeout=10_000)
        worker.join()
        with database.job_scope() as session:
            note = session.scalar(select(Notification).where(Notification.recipient == email))
            assert note is not None
            assert note.status == NotificationStatus.sent
            assert note.attempts == 1
            note_id = note.notification_id
        mail = message_from_bytes(
            (settings.instance_path / "outbox" / f"{note_id}.eml").read_bytes(),
            policy=email_policy,
        )
        assert mail["To"] == email
        assert "reset-password?token=" in mail.get_body(("plain",)).get_content()
        assert 'href="http' in mail.get_body(("html",)).get_content()
    finally:
        worker.stop()
        worker_module.use_app(None)
        with database.job_scope() as session:
            session.execute(delete(Notification).where(Notification.recipient == email))
            session.execute(update(User).where(User.email == email).values(is_active=False))


@pytest.mark.committed
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL: `omnicrm worker` uses the Redis broker",
)
def test_worker_process_delivers_through_redis(app, database, settings, tmp_path):
    """A separate `omnicrm worker` process consumes the message from Redis and commits."""
    from omnicrm.notifications.tasks import deliver_notification

    with database.job_scope() as session:
        note = Notification(
            recipient="proc@example.com", subject="hi", body_text="hello", template="test"
        )
        session.add(note)
        session.flush()
        note_id = note.notification_id
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "omnicrm.cli", "worker", "--processes", "1", "--threads", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deliver_notification.send(note_id)
        deadline = time.time() + 30
        status = None
        while time.time() < deadline:
            with database.job_scope() as session:
                status = session.get(Notification, note_id).status
            if status == NotificationStatus.sent:
                break
            time.sleep(0.2)
        assert status == NotificationStatus.sent
        assert (tmp_path / "outbox" / f"{note_id}.eml").exists()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        with database.job_scope() as session:
            session.execute(delete(Notification).where(Notification.notification_id == note_id))
