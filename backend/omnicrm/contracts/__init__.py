"""Contracts: the GetSim sale (customer + tariff + SIM + number -> service), its PDF, its states."""
