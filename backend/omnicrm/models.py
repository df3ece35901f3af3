"""Import every domain's models so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import omnicrm.activity.models
    import omnicrm.auth.models
    import omnicrm.billing.models
    import omnicrm.catalog.models
    import omnicrm.charging.models
    import omnicrm.contracts.models
    import omnicrm.customers.models
    import omnicrm.imports.models
    import omnicrm.inventory.models
    import omnicrm.notifications.models
    import omnicrm.payments.models
    import omnicrm.provisioning.models
    import omnicrm.scheduler.models
    import omnicrm.services.models
    import omnicrm.tickets.models  # noqa: F401
