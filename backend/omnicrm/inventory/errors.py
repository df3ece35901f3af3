"""Inventory-domain errors."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class InventoryUnavailable(Conflict):
    """No free item to reserve: the pool is empty, or the item asked for is taken."""

    code = "inventory_unavailable"


class DuplicateSerial(Conflict):
    """Another item of the same template has this serial (or this SIM's IMSI)."""

    code = "duplicate_serial"


class BuiltinTemplate(Conflict):
    """Built-in templates keep their name and serial kind: code depends on them."""

    code = "builtin_template"


class TemplateInUse(Conflict):
    """The template has items, whose serials were validated by its serial kind."""

    code = "template_in_use"
