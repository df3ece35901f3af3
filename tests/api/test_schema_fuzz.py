"""Schema fuzzing of the whole API (reliability plan rows 2 and 10).

schemathesis reads the OpenAPI document and drives every operation over HTTP (the test server)
with generated input: the spec's examples, its boundaries (coverage), and random valid and
invalid values. As an admin, every answer must be documented: no 5xx, a status code the operation
lists, its content type, a body matching its schema and the headers it declares (``X-Pagination``),
and input the document does not allow refused with a 4xx (``negative_data_rejection``: a ``0`` for
a boolean, a missing required body). Without credentials, every operation the spec does not mark
public must refuse (``ignored_auth``). Each operation is one test, in the usual rolled-back
transaction; Redis and the rate limits are cleared between them.

``FUZZ_EXAMPLES`` sets the generated examples per operation (default 15; a release run uses
more, e.g. ``FUZZ_EXAMPLES=200 make test``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]
# These operations exist to queue a provisioning job, which would outlive the test's rolled-back
# transaction in the broker; tests/provisioning covers them against real workers.
QUEUES_JOBS = r"^/crm/provision/(simple)?$|^/crm/provision/\{provision_id\}/retry$"


ROOT = Path(__file__).resolve().parents[2]
# The committed document: tests/api/test_platform.py checks that it is the one served.
schema = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json").exclude(
    path_regex=QUEUES_JOBS, method="POST"
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented(
    case: Any, admin_headers: dict[str, str], live_server: str
) -> None:
    case.call_and_validate(base_url=live_server, headers=admin_headers, checks=CHECKS)
