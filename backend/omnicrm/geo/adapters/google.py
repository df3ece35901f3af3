"""Google Maps Geocoding API adapter (the ``googlemaps`` client, base URL configurable for tests).

A geocoding failure (network, quota, bad key) must never fail the site being saved: it is
logged and the site keeps the coordinates it was given.
"""

from __future__ import annotations

from typing import Any

import googlemaps
from googlemaps.exceptions import ApiError, HTTPError, Timeout, TransportError

from omnicrm.core.logging import get_logger
from omnicrm.geo.geocoder import GeocodeResult, plus_code_for

log = get_logger("omnicrm.geo")

DEFAULT_BASE_URL = "https://maps.googleapis.com"


class GoogleMapsGeocoder:
    """Geocodes addresses with the Geocoding API; plus codes are computed locally."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 5.0,
        retry_timeout: int = 5,
    ) -> None:
        # A request thread waits on this call: keep timeouts short and never sleep on quota.
        self.client = googlemaps.Client(
            key=api_key,
            base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            timeout=timeout,
            retry_timeout=retry_timeout,
            retry_over_query_limit=False,
        )

    def geocode(self, address: str) -> GeocodeResult | None:
        try:
            results: list[dict[str, Any]] = self.client.geocode(address)
        except (ApiError, HTTPError, Timeout, TransportError) as exc:
            log.warning("geocode_failed", error=type(exc).__name__, detail=str(exc)[:200])
            return None
        if not results:
            return None
        best = results[0]
        try:
            location = best["geometry"]["location"]
            latitude, longitude = float(location["lat"]), float(location["lng"])
        except (KeyError, TypeError, ValueError):
            log.warning("geocode_unexpected_response")
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        place_id = best.get("place_id")
        return GeocodeResult(latitude, longitude, str(place_id) if place_id else None)

    def plus_code(self, latitude: float, longitude: float) -> str:
        return plus_code_for(latitude, longitude)
