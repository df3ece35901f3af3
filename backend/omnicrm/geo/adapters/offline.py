"""The embedded geocoder: computes plus codes, never calls out, cannot locate addresses."""

from __future__ import annotations

from omnicrm.geo.geocoder import GeocodeResult, plus_code_for


class OfflineGeocoder:
    """Default adapter: an address alone stays unlocated; coordinates given get a plus code."""

    def geocode(self, address: str) -> GeocodeResult | None:
        return None

    def plus_code(self, latitude: float, longitude: float) -> str:
        return plus_code_for(latitude, longitude)
