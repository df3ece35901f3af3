"""Geocoding and plus codes (Open Location Code) for sites: offline, or Google Maps when keyed."""
