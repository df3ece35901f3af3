"""A job names who queued it (``initiated_by_name``), and a skipped task is recorded as
skipped, not as a success."""

from __future__ import annotations

from typing import Any

from omnicrm.provisioning.models import Provision, ProvisionEvent, ProvisionStatus
from tests.factories import CustomerFactory


def test_lists_and_details_name_the_initiator(call, db_session, make_user):
    user = make_user("support", full_name="Dana Scully")
    customer: Any = CustomerFactory()
    db_session.flush()
    jobs = [
        Provision(
            customer_id=customer.customer_id,
            provisioning_play="provision_smoke",
            initiated_by=by,
            initiated_by_user_id=user_id,
        )
        for by, user_id in ((f"user:{user.id}", user.id), ("system", None))
    ]
    db_session.add_all(jobs)
    db_session.commit()
    rows = {
        r["provision_id"]: r
        for r in call("get", f"/crm/provision/?customer_id={customer.customer_id}", 200)
    }
    assert rows[jobs[0].provision_id]["initiated_by_name"] == "Dana Scully"
    assert rows[jobs[1].provision_id]["initiated_by_name"] is None
    detail = call("get", f"/crm/provision/{jobs[0].provision_id}", 200)
    assert detail["initiated_by_name"] == "Dana Scully"


def test_a_skipped_task_reads_skipped(call, db_session):
    customer: Any = CustomerFactory()
    db_session.flush()
    job = Provision(customer_id=customer.customer_id, provisioning_play="provision_smoke")
    db_session.add(job)
    db_session.flush()
    db_session.add_all(
        [
            ProvisionEvent(
                provision_id=job.provision_id,
                event_number=1,
                event_name="skipped now",
                skipped=True,
                provisioning_status=int(ProvisionStatus.skipped),
            ),
            # Recorded before skipped had its own code: success with the flag.
            ProvisionEvent(
                provision_id=job.provision_id,
                event_number=2,
                event_name="skipped before",
                skipped=True,
                provisioning_status=int(ProvisionStatus.success),
            ),
            ProvisionEvent(
                provision_id=job.provision_id,
                event_number=3,
                event_name="ran",
                provisioning_status=int(ProvisionStatus.success),
            ),
        ]
    )
    db_session.commit()
    events = call("get", f"/crm/provision/{job.provision_id}", 200)["events"]
    assert [e["status_label"] for e in events] == ["Skipped", "Skipped", "Success"]
    assert events[0]["provisioning_status"] == 6
