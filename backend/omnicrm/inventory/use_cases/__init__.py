"""Inventory business rules: templates, item validation, the state machine, reservation, stock.

Plain functions over a Session: they flush, never commit. Callers import this package
(``from omnicrm.inventory import use_cases``); its modules are:

- :mod:`.templates`: built-in and user-defined templates (sync, list, labels);
- :mod:`.items`: item fields, adding and editing items;
- :mod:`.lifecycle`: :func:`change_state`, the only way an item's state changes (with its
  history row), returns and the quarantine of phone numbers;
- :mod:`.reservation`: the contracts domain's sale takes its free SIM and number with
  :func:`reserve_items` (one ``UPDATE ... RETURNING`` per item over a ``SKIP LOCKED`` pick on
  PostgreSQL) and binds them with :func:`hand_to_service`; both write the same history and
  activity rows with Core statements, the GetSim hot path;
- :mod:`.search`: the item list's filters and search, stock levels.
"""

from omnicrm.core.fields import MAX_ID
from omnicrm.inventory.use_cases._common import DEFAULT_REGION
from omnicrm.inventory.use_cases.items import (
    create_item,
    get_item,
    get_item_with_history,
    normalise_item_fields,
    normalise_serial,
    update_item,
)
from omnicrm.inventory.use_cases.lifecycle import (
    NUMBER_QUARANTINE_DAYS,
    TRANSITIONS,
    change_state,
    release_expired_quarantine,
    return_item,
)
from omnicrm.inventory.use_cases.reservation import (
    Reserved,
    Wanted,
    free_item_query,
    hand_to_service,
    reserve_free_item,
    reserve_items,
    reserve_statement,
)
from omnicrm.inventory.use_cases.search import items_query, stock_levels
from omnicrm.inventory.use_cases.templates import (
    BUILTIN_TEMPLATES,
    GENERIC_CSV_COLUMNS,
    PHONE_NUMBER,
    ROUTER,
    SIM_CARD,
    BuiltinSpec,
    builtin_spec,
    create_template,
    get_template,
    sync_inventory_templates,
    template_named,
    templates_named,
    templates_query,
    update_template,
)

__all__ = [
    "BUILTIN_TEMPLATES",
    "DEFAULT_REGION",
    "GENERIC_CSV_COLUMNS",
    "MAX_ID",
    "NUMBER_QUARANTINE_DAYS",
    "PHONE_NUMBER",
    "ROUTER",
    "SIM_CARD",
    "TRANSITIONS",
    "BuiltinSpec",
    "Reserved",
    "Wanted",
    "builtin_spec",
    "change_state",
    "create_item",
    "create_template",
    "free_item_query",
    "get_item",
    "get_item_with_history",
    "get_template",
    "hand_to_service",
    "items_query",
    "normalise_item_fields",
    "normalise_serial",
    "release_expired_quarantine",
    "reserve_free_item",
    "reserve_items",
    "reserve_statement",
    "return_item",
    "stock_levels",
    "sync_inventory_templates",
    "template_named",
    "templates_named",
    "templates_query",
    "update_item",
    "update_template",
]
