"""Customer, contact and site business rules: validation, de-duplication, archiving, search.

Plain functions over a Session: they flush, never commit. Phone numbers typed in national
format are read in ``default_region`` (the caller passes the configured region). Callers
import this package (``from omnicrm.customers import use_cases``); its modules are
:mod:`.customers` (create, edit, archive/restore, standing), :mod:`.search` (the list and
its export), :mod:`.contacts` and :mod:`.sites` (with geocoding).
"""

from omnicrm.core.fields import MAX_ID
from omnicrm.customers.use_cases._common import DEFAULT_REGION
from omnicrm.customers.use_cases.contacts import (
    contacts_query,
    create_contact,
    customer_id_for_contact,
    delete_contact,
    get_contact,
    update_contact,
)
from omnicrm.customers.use_cases.customers import (
    Standing,
    archive_customer,
    create_customer,
    get_customer,
    standing,
    update_customer,
)
from omnicrm.customers.use_cases.search import customers_query, export_customers
from omnicrm.customers.use_cases.sites import (
    create_site,
    delete_site,
    get_site,
    sites_query,
    update_site,
)

__all__ = [
    "DEFAULT_REGION",
    "MAX_ID",
    "Standing",
    "archive_customer",
    "contacts_query",
    "create_contact",
    "create_customer",
    "create_site",
    "customer_id_for_contact",
    "customers_query",
    "delete_contact",
    "delete_site",
    "export_customers",
    "get_contact",
    "get_customer",
    "get_site",
    "sites_query",
    "standing",
    "update_contact",
    "update_customer",
    "update_site",
]
