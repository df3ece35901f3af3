"""The one place blueprints are registered: the whole URL map at a glance."""

from __future__ import annotations

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    from omnicrm.activity.routes import blp as activity_blp
    from omnicrm.auth.routes import blp as auth_blp
    from omnicrm.auth.user_routes import users_blp
    from omnicrm.billing.routes import billing_blp, invoices_blp, transactions_blp
    from omnicrm.catalog.routes import blp as catalog_blp
    from omnicrm.charging.routes import blp as charging_blp
    from omnicrm.charging.routes import cdr_blp
    from omnicrm.contracts.routes import blp as contracts_blp
    from omnicrm.customers.routes import blp as customers_blp
    from omnicrm.imports.routes import blp as imports_blp
    from omnicrm.imports.routes import legacy_blp as stock_import_blp
    from omnicrm.inventory.routes import blp as inventory_blp
    from omnicrm.notifications.routes import blp as notifications_blp
    from omnicrm.notifications.routes import webhook_blp as mailjet_webhook_blp
    from omnicrm.ops.routes import blp as ops_blp
    from omnicrm.payments.routes import blp as payments_blp
    from omnicrm.payments.routes import methods_blp, webhook_blp
    from omnicrm.provisioning.routes import blp as provisioning_blp
    from omnicrm.scheduler.routes import blp as scheduler_blp
    from omnicrm.services.routes import blp as services_blp
    from omnicrm.tickets.routes import blp as tickets_blp

    api.register_blueprint(ops_blp)  # /healthz /readyz /metrics
    api.register_blueprint(auth_blp)  # /crm/auth/*
    api.register_blueprint(users_blp)  # /crm/user/ /crm/role/ /crm/permission/
    api.register_blueprint(notifications_blp)  # /crm/notification/
    api.register_blueprint(customers_blp)  # /crm/customer/ /crm/contact/ /crm/site/
    api.register_blueprint(activity_blp)  # /crm/activity/ /crm/customer/<id>/activity
    api.register_blueprint(catalog_blp)  # /crm/product/
    api.register_blueprint(inventory_blp)  # /crm/inventory/ (templates, stock, items)
    api.register_blueprint(services_blp)  # /crm/service/
    api.register_blueprint(charging_blp)  # /crm/service/<id>/balance|topup|ledger|usage
    api.register_blueprint(cdr_blp)  # /crm/charging/cdr (usage rating)
    api.register_blueprint(contracts_blp)  # /crm/contract/ (GetSim, PDF)
    api.register_blueprint(provisioning_blp)  # /crm/provision/ (jobs, retry, cancel, simple)
    api.register_blueprint(transactions_blp)  # /crm/transaction/ (charges, credits, void)
    api.register_blueprint(invoices_blp)  # /crm/invoice/ (detail, PDF, issue, void, proforma)
    api.register_blueprint(billing_blp)  # /crm/billing/run, /crm/customer/<id>/statement
    api.register_blueprint(payments_blp)  # /crm/payment/ (take, refund, receipt, reconcile)
    api.register_blueprint(methods_blp)  # /crm/payment-method/ (saved cards, expiring)
    api.register_blueprint(webhook_blp)  # /crm/webhook/stripe (public, signed)
    api.register_blueprint(mailjet_webhook_blp)  # /crm/webhook/mailjet (public, Basic auth)
    api.register_blueprint(tickets_blp)  # /crm/ticket/ (TicketStatus machine, comments)
    api.register_blueprint(imports_blp)  # /crm/import/ (ManyRegister: subscribers, stock)
    api.register_blueprint(stock_import_blp)  # /crm/inventory/import (the same, deprecated)
    api.register_blueprint(scheduler_blp)  # /crm/scheduler/job/ (periodic jobs, runs, run now)
