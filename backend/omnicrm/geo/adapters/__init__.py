"""Geocoder adapters: offline (embedded default) and Google Maps."""
