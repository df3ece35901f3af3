"""Connect the domains to each other and to core, once per process: every domain's event
handlers (``<domain>/handlers.py``) and the hooks core calls without importing a domain.

Like ``models.py`` (every model) and ``periodic.py`` (every periodic job), this top-level
module is the one place that knows which domains react to which others. ``create_app`` and
the worker call :func:`wire`.
"""

from __future__ import annotations


def wire() -> None:
    """Register every domain's event handlers and core's hooks (idempotent)."""
    import omnicrm.auth.handlers
    import omnicrm.billing.handlers
    import omnicrm.charging.handlers
    import omnicrm.contracts.handlers
    import omnicrm.contracts.notices
    import omnicrm.notifications.handlers
    import omnicrm.provisioning.handlers
    import omnicrm.scheduler.handlers
    import omnicrm.services.handlers
    import omnicrm.tickets.handlers  # noqa: F401
    from omnicrm.auth.principal import principal_for_access_token
    from omnicrm.core.realtime import use_token_checker

    use_token_checker(principal_for_access_token)
