"""Charging: balances per service (money, data, voice, SMS), the ledger of their movements, and
the backends that keep them (internal ledger, CGRateS)."""
