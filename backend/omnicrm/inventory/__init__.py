"""Inventory: SIM cards, phone numbers, routers; templates, states, stock, CSV import."""
