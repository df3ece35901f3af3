"""A user's Socket.IO connections end with the authority they were opened with.

The auth use cases call :func:`end_sockets_when_done` when login sessions end (logout,
revocation, refresh-token reuse, password change or reset, disabling) or what a user may do
changes (their roles, a role's permissions); ``core.realtime`` cuts the sockets in whichever
process serves them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from omnicrm.auth.sessions import SessionStore
from omnicrm.core.db import after_end
from omnicrm.core.logging import get_logger
from omnicrm.core.realtime import disconnect_user
from omnicrm.extensions import get_redis

log = get_logger("omnicrm.auth")


def end_sockets_when_done(
    session: Session,
    *user_ids: int,
    session_id: str | None = None,
    keep_session: str | None = None,
) -> None:
    """Cut these users' sockets (only login session ``session_id``'s when given; all but
    ``keep_session``'s when that is given) once this unit of work is over: after its commit,
    so that a client reconnecting at once is checked against what was committed; after a
    rollback too, as sessions closed in Redis stay closed. Their cached identities are dropped
    again first: the use case dropped them before the commit, when a concurrent request could
    still cache the old roles."""
    client = get_redis()

    def _end() -> None:
        try:
            SessionStore(client, refresh_ttl=0).forget_identity(*user_ids)
            for user_id in user_ids:
                disconnect_user(user_id, session_id, keep_session=keep_session)
        except Exception:  # what was committed stands; the sockets still die at token expiry
            log.exception("socket_end_failed", user_ids=list(user_ids))

    if user_ids:
        after_end(session, _end)
