"""Background delivery of queued notifications."""

from __future__ import annotations

import dramatiq

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.core.logging import get_logger
from omnicrm.notifications.use_cases import deliver

log = get_logger("omnicrm.notifications")


@dramatiq.actor(queue_name="notifications", max_retries=5, min_backoff=1000)
def deliver_notification(notification_id: int) -> None:
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db
    from omnicrm.notifications.mailer import FileMailer

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        mailer = FileMailer(settings.instance_path / "outbox", settings.mail_from)
        with get_db().job_scope() as session:
            deliver(session, mailer=mailer, notification_id=notification_id)


@dramatiq.actor(queue_name="notifications", max_retries=0)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Deliver a batch (each in its own unit of work); one that fails is handed to
    :func:`deliver_notification`, which retries it with backoff."""
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db
    from omnicrm.notifications.mailer import FileMailer

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        mailer = FileMailer(settings.instance_path / "outbox", settings.mail_from)
        for notification_id in notification_ids:
            try:
                with get_db().job_scope() as session:
                    deliver(session, mailer=mailer, notification_id=notification_id)
            except Exception:
                log.warning("notification_retry_later", notification_id=notification_id)
                deliver_notification.send(notification_id)
