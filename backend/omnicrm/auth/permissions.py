"""The permission catalogue and the built-in roles. Synced into the database by ``sync_rbac``."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "customer.read": "View customers, contacts and sites",
    "customer.write": "Create and edit customers, contacts and sites",
    "customer.export": "Export customer lists",
    "activity.read": "Read the activity (audit) log",
    "user.read": "View staff users",
    "user.write": "Create, edit and disable users",
    "role.read": "View roles and permissions",
    "role.write": "Create and edit roles",
    "apikey.manage": "Create and revoke own API keys",
    "notification.read": "Read the notification outbox and preview its templates",
    "notification.send": "Send failed or bounced notifications again",
    "product.read": "View the product catalog",
    "product.write": "Edit the product catalog",
    "inventory.read": "View inventory",
    "inventory.write": "Edit and import inventory",
    "service.read": "View services",
    "service.write": "Change service lifecycle",
    "contract.read": "View contracts",
    "contract.write": "Create and change contracts",
    "provision.read": "View provisioning jobs",
    "provision.write": "Start, retry and cancel provisioning jobs",
    "usage.write": "Send usage records (CDRs) to be rated",
    "transaction.read": "View transactions",
    "transaction.write": "Create and void transactions",
    "invoice.read": "View invoices",
    "invoice.write": "Generate invoices",
    "invoice.void": "Void invoices",
    "payment.read": "View payments",
    "payment.write": "Take payments",
    "payment.refund": "Refund payments",
    "payment.reconcile": "Reconcile payments with the gateway",
    "ticket.read": "View tickets",
    "ticket.write": "Create and work tickets",
    "report.read": "Run reports",
    "import.write": "Run bulk imports",
    "selfcare.access": "Use the self-care portal for the linked customer",
    "scheduler.read": "View periodic jobs, their schedules and runs",
    "scheduler.run": "Run a periodic job now",
}

_READ_CORE = {"customer.read", "product.read", "service.read", "contract.read"}

BUILTIN_ROLES: dict[str, tuple[str, set[str]]] = {
    "admin": ("Full access", set(PERMISSIONS)),
    "support": (
        "Customer support and NOC",
        _READ_CORE
        | {
            "customer.write",
            "activity.read",
            "inventory.read",
            "provision.read",
            "provision.write",
            "service.write",
            "ticket.read",
            "ticket.write",
            "notification.read",
            "notification.send",
        },
    ),
    "sales": (
        "Sales: customers, contracts",
        _READ_CORE
        | {
            "customer.write",
            "customer.export",
            "inventory.read",
            "contract.write",
            "ticket.read",
            "provision.read",
        },
    ),
    "finance": (
        "Finance: billing and payments",
        _READ_CORE
        | {
            "customer.export",
            "activity.read",
            "transaction.read",
            "transaction.write",
            "invoice.read",
            "invoice.write",
            "invoice.void",
            "payment.read",
            "payment.write",
            "payment.refund",
            "payment.reconcile",
            "report.read",
        },
    ),
    "customer": ("Self-care portal user", {"selfcare.access"}),
}
