"""Import every domain's periodic-job declarations so the registry is complete (the API, the
scheduler and the workers all call this), as models.py does for models.

The scheduler package is a leaf the domains register into (scheduler/registry.py); this
top-level module is the one place that knows which domains have periodic work.
"""

from __future__ import annotations


def import_periodic_jobs() -> None:
    import omnicrm.billing.jobs
    import omnicrm.charging.jobs
    import omnicrm.imports.jobs
    import omnicrm.inventory.jobs
    import omnicrm.notifications.jobs
    import omnicrm.payments.jobs
    import omnicrm.provisioning.jobs
    import omnicrm.scheduler.jobs
    import omnicrm.tickets.jobs  # noqa: F401
