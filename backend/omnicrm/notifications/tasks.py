"""Background delivery of queued notifications: one attempt per message per run, its outcome
committed before Dramatiq retries it with backoff (so the outbox always shows the attempts and
the last error), and a final ``failed`` once the attempts are spent."""

from __future__ import annotations

from typing import Any

import dramatiq

import omnicrm.core.jobs  # noqa: F401 - sets the broker before any actor is declared
from omnicrm.core.logging import get_logger
from omnicrm.notifications.mailer import DeliveryError, transport_for
from omnicrm.notifications.use_cases import deliver

log = get_logger("omnicrm.notifications")

# Dramatiq's own limit stays above NOTIFICATION_MAX_ATTEMPTS (at most 20): the row's attempt
# count decides when a message has failed for good.
_RETRIES: dict[str, Any] = {"max_retries": 25, "min_backoff": 2_000, "max_backoff": 300_000}


def _attempt(notification_id: int) -> DeliveryError | None:
    """One attempt in its own committed unit of work; the error to retry on, if any."""
    from omnicrm.core.jobs import worker_app
    from omnicrm.extensions import get_db

    app = worker_app()
    with app.app_context():
        settings = app.extensions["omnicrm_settings"]
        with get_db().job_scope() as session:
            try:
                deliver(
                    session,
                    transports=lambda channel: transport_for(settings, channel),
                    notification_id=notification_id,
                    max_attempts=settings.notification_max_attempts,
                )
            except DeliveryError as exc:
                log.warning(
                    "notification_retry_later", notification_id=notification_id, error=str(exc)
                )
                return exc
    return None


@dramatiq.actor(queue_name="notifications", **_RETRIES)
def deliver_notification(notification_id: int) -> None:
    error = _attempt(notification_id)
    if error is not None:
        raise error  # Dramatiq tries again after a backoff


@dramatiq.actor(queue_name="notifications", max_retries=0)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Deliver a batch (each in its own unit of work); one that fails is handed to
    :func:`deliver_notification`, which retries it with backoff."""
    for notification_id in notification_ids:
        if _attempt(notification_id) is not None:
            deliver_notification.send_with_options(args=(notification_id,), delay=2_000)
