"""Dunning: steps by days overdue (reminder, reminder, suspension for non-payment, termination
request), each once per invoice; a payment that clears the debt resumes the services dunning
suspended, and only those; the dunning queue and the customer's activity show each step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from freezegun import freeze_time
from sqlalchemy import select

from omnicrm.activity.models import Activity
from omnicrm.billing import invoices as inv
from omnicrm.notifications.models import Notification
from omnicrm.payments.dunning import run_dunning
from omnicrm.payments.use_cases import take_payment
from omnicrm.services import use_cases as services
from omnicrm.services.models import Service, ServiceStatus, ServiceStatusHistory
from omnicrm.settings import Settings
from tests.factories import ServiceFactory

STEPS = Settings().dunning_steps


def test_dunning_suspends_for_non_payment_and_a_payment_resumes_only_those(
    call, billable, run_now, db_session
):
    customer, service = billable()
    staff_held = ServiceFactory(
        customer_id=customer.customer_id, service_status=ServiceStatus.active
    )
    db_session.commit()
    services.suspend_service(db_session, service_id=staff_held.service_id, reason="on request")
    db_session.commit()
    run_now(customer_id=customer.customer_id, period_end="2026-12-01")
    [invoice] = call("get", f"/crm/invoice/?customer_id={customer.customer_id}", 200)
    due = inv.Invoice.due_date.type.python_type.fromisoformat(invoice["due_date"])
    assert inv.mark_overdue(db_session, day=due + timedelta(days=1)) == 1

    def dun(days):
        taken = run_dunning(db_session, day=due + timedelta(days=days), config=STEPS)
        db_session.commit()
        return taken

    assert dun(6) == {"reminder": 0, "suspend": 0, "termination_request": 0}
    assert dun(7)["reminder"] == 1
    assert dun(7)["reminder"] == 0  # once per invoice, however often the job runs
    reminders = db_session.scalars(
        select(Notification).where(
            Notification.template == "dunning_reminder", Notification.recipient == customer.email
        )
    ).all()
    assert len(reminders) == 1 and "44.00" in reminders[0].body_text
    assert dun(21) == {"reminder": 1, "suspend": 1, "termination_request": 0}
    db_session.expire_all()
    assert db_session.get(Service, service.service_id).service_status == ServiceStatus.suspended
    reason = db_session.scalar(
        select(ServiceStatusHistory.reason)
        .where(ServiceStatusHistory.service_id == service.service_id)
        .order_by(ServiceStatusHistory.service_status_history_id.desc())
        .limit(1)
    )
    assert reason == "non-payment"
    [queued] = [
        q for q in call("get", "/crm/payment/dunning", 200)
        if q["customer_id"] == customer.customer_id
    ]  # fmt: skip
    assert (queued["overdue"], queued["last_action"], queued["suspended_service_ids"]) == (
        "44.00", "suspend", [service.service_id],
    )  # fmt: skip

    # A partial payment (on day 22) leaves money overdue: nothing resumes.
    def pay(amount):
        with freeze_time(due + timedelta(days=22)):
            take_payment(
                db_session, customer_id=customer.customer_id, amount=Decimal(amount),
                method="bank_transfer",
            )  # fmt: skip
        db_session.commit()

    pay("20")
    db_session.expire_all()
    assert call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["status"] == "overdue"
    assert db_session.get(Service, service.service_id).service_status == ServiceStatus.suspended
    # The rest clears it: dunning's service resumes, the one staff suspended stays.
    pay("24")
    db_session.expire_all()
    assert db_session.get(Service, service.service_id).service_status == ServiceStatus.active
    assert db_session.get(Service, staff_held.service_id).service_status == (
        ServiceStatus.suspended
    )
    assert all(
        q["customer_id"] != customer.customer_id for q in call("get", "/crm/payment/dunning", 200)
    )
    steps = db_session.scalars(
        select(Activity.action).where(
            Activity.customer_id == customer.customer_id, Activity.object_type == "dunning"
        )
    ).all()
    assert len(steps) == 3  # reminder, reminder, suspend: each on the customer's activity
    assert Decimal(call("get", f"/crm/invoice/{invoice['invoice_id']}", 200)["amount_due"]) == 0


def test_a_bad_dunning_configuration_is_refused():
    import pytest

    from omnicrm.payments.dunning import steps_from

    with pytest.raises(ValueError):
        steps_from([{"days": 3, "action": "shout"}])
    with pytest.raises(ValueError):
        steps_from([{"days": -1, "action": "reminder"}])
    assert (
        steps_from([{"days": 9, "action": "suspend"}, {"days": 2, "action": "reminder"}])[0][0] == 2
    )
