"""Request logs: one JSON line per request carrying its request id, and secrets redacted.

Run in a subprocess: logging is configured once per process (at the first ``create_app``), and
the test suite's own app logs at WARNING, so the lines are read from a fresh interpreter's
stderr, as an operator's log shipper would read them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, secrets, sys
    from pathlib import Path
    from omnicrm import create_app
    from omnicrm.core.logging import get_logger
    from omnicrm.settings import Settings

    instance = Path(sys.argv[1])
    app = create_app(Settings(
        env="test", instance_path=instance, secret_key=secrets.token_urlsafe(48),
        database_url=f"sqlite:///{instance / 'logs.db'}", redis_url="", log_level="INFO",
    ))
    client = app.test_client()
    ids = [
        client.get("/healthz").headers["X-Request-ID"],
        client.get("/healthz", headers={"X-Request-ID": "given-id-42"}).headers["X-Request-ID"],
        client.get("/crm/customer/").headers["X-Request-ID"],
    ]
    get_logger().info("probe", password="hunter22", api_key="k-123", token="t-456", kept="yes")
    sys.stderr.flush()
    print(json.dumps(ids))
    """
)


def test_every_request_logs_one_json_line_with_its_request_id_and_secrets_are_redacted(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    ids = json.loads(done.stdout.strip().splitlines()[-1])
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert [line["request_id"] for line in requests] == ids
    assert ids[1] == "given-id-42" and len(ids[0]) == 32 and ids[0] != ids[2]
    assert [(line["path"], line["status"]) for line in requests] == [
        ("/healthz", 200),
        ("/healthz", 200),
        ("/crm/customer/", 401),
    ]
    assert all(line["level"] == "info" and line["timestamp"] for line in requests)
    [probe] = [line for line in lines if line.get("event") == "probe"]
    assert probe["password"] == probe["api_key"] == probe["token"] == "[redacted]"
    assert probe["kept"] == "yes"
    assert "hunter22" not in done.stderr and "k-123" not in done.stderr
