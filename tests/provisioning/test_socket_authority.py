"""Socket.IO connections last only as long as their authority (security review, finding 3).

A socket on ``/provision`` (and ``/``) is cut when its login session ends (logout, logout
everywhere, revocation, password change or reset), its user is disabled, its user's roles or a
role's permissions change, or its access token expires; every ``join`` re-checks the session
and ``provision.read`` with the user's current roles, and a refused one answers an error and
cuts the socket. After that, no replayed or newly streamed job event reaches it, while other
users' and other sessions' sockets keep working.

In this process (the app served by ``live_server``: SQLite + fakeredis, or PostgreSQL + Redis
with the message queue), and across processes (PostgreSQL + Redis only): the API and the
Socket.IO service each their own ``omnicrm run`` process, as deployed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import jwt as pyjwt
import pytest
import socketio
from sqlalchemy import select

from omnicrm.notifications.models import Notification
from omnicrm.provisioning.models import Provision, ProvisionEvent
from omnicrm.provisioning.realtime import DASHBOARD, publish
from tests.conftest import TEST_PASSWORD
from tests.factories import CustomerFactory

NS = "/provision"


class Sock:
    """A Socket.IO client on ``/`` and ``/provision`` recording job events and its cut."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.cut = {"/": threading.Event(), NS: threading.Event()}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("provision.event", self._event, namespace=NS)
        self.client.on("provision.status", self.statuses.append, namespace=NS)
        for namespace, cut in self.cut.items():
            self.client.on("disconnect", lambda *_a, cut=cut: cut.set(), namespace=namespace)
        self.client.connect(
            url,
            auth={"token": token},
            namespaces=["/", NS],
            transports=["websocket"],
            wait_timeout=10,
        )

    def _event(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(data)

    def join(self, room: str) -> dict[str, Any]:
        ack: dict[str, Any] = self.client.call("join", {"room": room}, namespace=NS, timeout=10)
        return ack

    def event_ids(self) -> list[int]:
        with self.lock:
            return [e["provision_event_id"] for e in self.events]

    def wait_cut(self, timeout: float = 10, namespaces: tuple[str, ...] = ("/", NS)) -> bool:
        """These namespaces cut by the server (both: the client is left disconnected)."""
        deadline = time.monotonic() + timeout
        for namespace in namespaces:
            if not self.cut[namespace].wait(max(0.0, deadline - time.monotonic())):
                return False
        while len(namespaces) == 2 and self.client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(namespaces) < 2 or not self.client.connected

    def close(self) -> None:
        self.client.disconnect()


def wait_until(predicate: Any, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def session_of(token: str) -> str:
    sid: str = pyjwt.decode(token, options={"verify_signature": False})["sid"]
    return sid


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Stream:
    """New events of a job, published as a worker would (to its room and the dashboard)."""

    def __init__(self, app: Any, job_id: int) -> None:
        self.app, self.job_id, self.next_id = app, job_id, 10_000_000

    def send(self) -> int:
        self.next_id += 1
        with self.app.app_context():
            publish(
                "provision.event",
                {"provision_id": self.job_id, "provision_event_id": self.next_id},
            )
        return self.next_id


@pytest.fixture
def job(db_session: Any) -> int:
    """A finished job with two events (what a join replays)."""
    customer: Any = CustomerFactory()
    db_session.flush()
    provision = Provision(
        customer_id=customer.customer_id,
        provisioning_play="provision_smoke",
        provisioning_status=0,
        task_count=2,
        tasks_done=2,
        attempts=1,
    )
    db_session.add(provision)
    db_session.flush()
    for n in (1, 2):
        db_session.add(
            ProvisionEvent(
                provision_id=provision.provision_id,
                event_number=n,
                event_name=f"task {n}",
                provisioning_status=0,
            )
        )
    db_session.commit()
    return provision.provision_id


@pytest.fixture
def socks(live_server: str) -> Iterator[Any]:
    opened: list[Sock] = []

    def _open(token: str) -> Sock:
        sock = Sock(live_server, token)
        opened.append(sock)
        return sock

    yield _open
    for sock in opened:
        sock.close()


def joined(socks: Any, token: str, job_id: int) -> Sock:
    """A socket joined to the job's room (the two events replayed) and the dashboard."""
    sock = socks(token)
    assert sock.join(f"provision:{job_id}") == {
        "ok": True,
        "room": f"provision:{job_id}",
        "replayed": 2,
    }
    assert sock.join(DASHBOARD) == {"ok": True, "room": DASHBOARD}
    assert wait_until(lambda: len(sock.event_ids()) == 2)
    return sock


def assert_gone(sock: Sock, stream: Stream, alive: Sock) -> None:
    """``sock`` was cut and gets nothing more, while ``alive`` still receives live events."""
    assert sock.wait_cut(), "the socket was not disconnected"
    seen = list(sock.event_ids())
    new = stream.send()
    assert wait_until(lambda: alive.event_ids().count(new) == 2), "the live socket stopped"
    assert sock.event_ids() == seen


def assert_still_works(sock: Sock, stream: Stream, job_id: int) -> None:
    new = stream.send()
    assert wait_until(lambda: sock.event_ids().count(new) == 2)  # job room + dashboard
    assert sock.join(f"provision:{job_id}")["ok"] is True
    assert sock.client.connected


def assert_join_refused(socks: Any, token: str, job_id: int, code: str) -> None:
    """A new socket with this token (its session still live) may connect, but its join is
    refused: nothing replayed, and it is cut."""
    sock = socks(token)
    ack = sock.join(f"provision:{job_id}")
    assert ack["ok"] is False and ack["code"] == code, ack
    assert sock.wait_cut(namespaces=(NS,))
    assert sock.event_ids() == []
    assert sock.client.connected  # on "/": what it may do there (nothing) has not changed


def test_logout_cuts_that_sessions_sockets_and_no_other(app, api, make_user, socks, job):
    user = make_user("support")
    first, second = api.login(user.email)["token"], api.login(user.email)["token"]
    gone, kept = joined(socks, first, job), joined(socks, second, job)
    stream = Stream(app, job)
    assert api.client.post("/crm/auth/logout", headers=bearer(first)).status_code == 200
    assert_gone(gone, stream, alive=kept)
    assert_still_works(kept, stream, job)


def test_logout_everywhere_cuts_every_session(app, api, make_user, socks, job):
    user = make_user("support")
    first, second = api.login(user.email)["token"], api.login(user.email)["token"]
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    one, two = joined(socks, first, job), joined(socks, second, job)
    stream = Stream(app, job)
    assert api.client.post("/crm/auth/logout?all=1", headers=bearer(first)).status_code == 200
    assert_gone(one, stream, alive=other)
    assert_gone(two, stream, alive=other)
    assert_still_works(other, stream, job)


def test_revoking_a_session_cuts_its_sockets(app, api, make_user, socks, job):
    user = make_user("support")
    first, second = api.login(user.email)["token"], api.login(user.email)["token"]
    kept, gone = joined(socks, first, job), joined(socks, second, job)
    stream = Stream(app, job)
    revoked = api.client.delete(f"/crm/auth/sessions/{session_of(second)}", headers=bearer(first))
    assert revoked.status_code == 204
    assert_gone(gone, stream, alive=kept)
    assert_still_works(kept, stream, job)


def test_a_reused_refresh_token_cuts_its_sessions_sockets(app, api, make_user, socks, job):
    """Refresh-token reuse is taken for theft: the session is revoked, its sockets cut."""
    user = make_user("support")
    stolen, other_session = api.login(user.email), api.login(user.email)
    gone, kept = joined(socks, stolen["token"], job), joined(socks, other_session["token"], job)
    refresh = {"refresh_token": stolen["refresh_token"]}
    assert api.client.post("/crm/auth/refresh", json=refresh).status_code == 200
    reused = api.client.post("/crm/auth/refresh", json=refresh)
    assert reused.status_code == 401 and reused.get_json()["code"] == "refresh_reused"
    stream = Stream(app, job)
    assert_gone(gone, stream, alive=kept)
    assert_still_works(kept, stream, job)


def test_disabling_the_user_cuts_their_sockets(app, api, make_user, socks, job, call):
    user = make_user("support")
    token = api.login(user.email)["token"]
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    gone = joined(socks, token, job)
    call("delete", f"/crm/user/{user.id}", 200)
    stream = Stream(app, job)
    assert_gone(gone, stream, alive=other)
    with pytest.raises(socketio.exceptions.ConnectionError):
        socks(token)
    assert_still_works(other, stream, job)


def test_a_role_without_provision_read_cuts_and_refuses(app, api, make_user, socks, job, call):
    user = make_user("support")
    token = api.login(user.email)["token"]
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    gone = joined(socks, token, job)
    call("patch", f"/crm/user/{user.id}", 200, json={"roles": ["finance"]})
    stream = Stream(app, job)
    assert_gone(gone, stream, alive=other)
    assert_join_refused(socks, token, job, "permission_denied")
    assert_still_works(other, stream, job)


def test_a_permission_removed_from_the_users_role_cuts_and_refuses(
    app, api, make_user, socks, job, call
):
    name = f"noc-{uuid.uuid4().hex[:6]}"
    role = call(
        "post",
        "/crm/role/",
        201,
        json={"name": name, "permissions": ["provision.read", "customer.read"]},
    )
    user = make_user(name)
    token = api.login(user.email)["token"]
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    gone = joined(socks, token, job)
    call("patch", f"/crm/role/{role['id']}", 200, json={"permissions": ["customer.read"]})
    stream = Stream(app, job)
    assert_gone(gone, stream, alive=other)
    assert_join_refused(socks, token, job, "permission_denied")
    assert_still_works(other, stream, job)


def test_the_socket_is_cut_when_its_access_token_expires(app, api, make_user, socks, job):
    from flask_jwt_extended import create_access_token

    user = make_user("support")
    login = api.login(user.email)["token"]
    with app.app_context():
        short = create_access_token(
            identity=str(user.id),
            additional_claims={"sid": session_of(login)},
            expires_delta=timedelta(seconds=4),
        )
    other = joined(socks, login, job)  # same session, a normal token
    expiring = joined(socks, short, job)
    stream = Stream(app, job)
    assert_still_works(expiring, stream, job)  # until it expires
    assert expiring.wait_cut(timeout=8)
    assert_gone(expiring, stream, alive=other)
    with pytest.raises(socketio.exceptions.ConnectionError):
        socks(short)


def test_a_password_change_cuts_the_other_sessions_sockets(app, api, make_user, socks, job):
    user = make_user("support")
    first, second = api.login(user.email)["token"], api.login(user.email)["token"]
    kept, gone = joined(socks, first, job), joined(socks, second, job)
    changed = api.client.post(
        "/crm/auth/password/change",
        json={"current_password": TEST_PASSWORD, "new_password": "a brand new passphrase"},
        headers=bearer(first),
    )
    assert changed.status_code == 200, changed.get_json()
    stream = Stream(app, job)
    assert_gone(gone, stream, alive=kept)
    assert_still_works(kept, stream, job)


def test_a_password_reset_cuts_every_socket(app, api, make_user, socks, job, db_session):
    import re

    user = make_user("support")
    one, two = (joined(socks, api.login(user.email)["token"], job) for _ in range(2))
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    forgot = api.client.post("/crm/auth/password/forgot", json={"email": user.email})
    assert forgot.status_code == 202
    note = db_session.scalars(
        select(Notification)
        .where(Notification.recipient == user.email, Notification.template == "reset_password")
        .order_by(Notification.notification_id.desc())
    ).first()
    mailed = re.search(r"token=([A-Za-z0-9_\-]+)", note.body_text)
    assert mailed is not None
    token = mailed.group(1)
    reset = api.client.post(
        "/crm/auth/password/reset", json={"token": token, "password": "a brand new passphrase"}
    )
    assert reset.status_code == 200, reset.get_json()
    stream = Stream(app, job)
    assert_gone(one, stream, alive=other)
    assert_gone(two, stream, alive=other)


def test_every_join_rechecks_even_when_no_cut_came(app, api, make_user, socks, job):
    """The session ends without the cut reaching the socket (a lost message): its next join is
    refused, it leaves its rooms at once (nothing streamed reaches it) and is cut."""
    from omnicrm.auth.deps import auth_deps

    user = make_user("support")
    token = api.login(user.email)["token"]
    other = joined(socks, api.login(make_user("support").email)["token"], job)
    sock = joined(socks, token, job)
    with app.test_request_context():
        assert auth_deps().sessions.close(user.id, session_of(token))  # no hook: Redis only
    stream = Stream(app, job)
    seen = list(sock.event_ids())
    ack = sock.join(f"provision:{job}")
    assert ack == {"ok": False, "code": "session_revoked", "message": "token has been revoked"}
    new = stream.send()  # before the cut: the socket is in no room any more
    assert wait_until(lambda: other.event_ids().count(new) == 2)
    assert sock.event_ids() == seen
    assert sock.wait_cut()
    assert_still_works(other, stream, job)


def test_a_user_without_provision_read_is_refused_and_cut(api, make_user, socks, job):
    assert_join_refused(
        socks, api.login(make_user("customer").email)["token"], job, "permission_denied"
    )


# ---------------------------------------------------------------------------------------------
# Across processes: `omnicrm run` (API) and `omnicrm run --realtime` (Socket.IO), as deployed
# ---------------------------------------------------------------------------------------------
@pytest.mark.committed
@pytest.mark.postgres
def test_the_realtime_service_cuts_sockets_on_changes_made_in_the_api_service(
    app, settings, make_user, tmp_path
):
    if settings.is_sqlite or not settings.redis_url:
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): server processes")
    from flask_jwt_extended import create_access_token

    from tests.provisioning.test_worker_process import start_server, stop

    admin = make_user("admin")
    user, bystander = make_user("support"), make_user("support")
    api_proc, api_url = start_server(settings, tmp_path, "--workers", "2", "--threads", "4")
    rt_proc, rt_url = start_server(settings, tmp_path, "--realtime", "--threads", "32")
    opened: list[Sock] = []

    def login(email: str) -> str:
        response = httpx.post(
            f"{api_url}/crm/auth/login", json={"email": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def dashboard(token: str) -> Sock:
        sock = Sock(rt_url, token)
        opened.append(sock)
        assert sock.join(DASHBOARD) == {"ok": True, "room": DASHBOARD}
        return sock

    try:
        admin_headers = bearer(login(admin.email))
        first, second = login(user.email), login(user.email)
        kept, gone = dashboard(first), dashboard(second)
        other = dashboard(login(bystander.email))
        stream = Stream(app, 2_000_000_000)  # emitted by this process through the queue

        # Logout of one session, in an API process: only its socket is cut.
        logout = httpx.post(f"{api_url}/crm/auth/logout", headers=bearer(second))
        assert logout.status_code == 200, logout.text
        assert gone.wait_cut()
        new = stream.send()
        assert wait_until(lambda: new in kept.event_ids() and new in other.event_ids())
        assert new not in gone.event_ids()

        # A role change: cut, and a new socket's join is refused.
        patched = httpx.patch(
            f"{api_url}/crm/user/{user.id}", json={"roles": ["finance"]}, headers=admin_headers
        )
        assert patched.status_code == 200, patched.text
        assert kept.wait_cut()
        again = Sock(rt_url, first)
        opened.append(again)
        refused = again.join(DASHBOARD)
        assert refused["ok"] is False and refused["code"] == "permission_denied"
        assert again.wait_cut(namespaces=(NS,))

        # Disabling a user.
        disabled = httpx.delete(f"{api_url}/crm/user/{bystander.id}", headers=admin_headers)
        assert disabled.status_code == 200, disabled.text
        assert other.wait_cut()

        # Token expiry, in the real-time process itself.
        admin_token = login(admin.email)
        with app.app_context():
            short = create_access_token(
                identity=str(admin.id),
                additional_claims={"sid": session_of(admin_token)},
                expires_delta=timedelta(seconds=3),
            )
        watcher, expiring = dashboard(admin_token), dashboard(short)
        assert expiring.wait_cut(timeout=10)
        new = stream.send()
        assert wait_until(lambda: new in watcher.event_ids())
        assert new not in expiring.event_ids()
    finally:
        for sock in opened:
            sock.close()
        stop(rt_proc)
        stop(api_proc)
