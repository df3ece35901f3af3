"""The Geocoder port, plus-code computation, and picking an adapter from the settings."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from openlocationcode import openlocationcode as olc

from omnicrm.settings import Settings

PLUS_CODE_LENGTH = 10  # ~14 m x 14 m: enough to find a building


class GeocodeResult(NamedTuple):
    latitude: float
    longitude: float
    place_id: str | None


class Geocoder(Protocol):
    """Turns an address into coordinates, and coordinates into a plus code."""

    def geocode(self, address: str) -> GeocodeResult | None:
        """Coordinates and place id of ``address``, or None when it cannot be located."""
        ...

    def plus_code(self, latitude: float, longitude: float) -> str:
        """The global Open Location Code of a point (e.g. ``4RRH46J5+FP``)."""
        ...


def plus_code_for(latitude: float, longitude: float) -> str:
    """Plus codes are pure arithmetic: every adapter computes them locally, no network."""
    return str(olc.encode(latitude, longitude, PLUS_CODE_LENGTH))


def geocoder_from_settings(settings: Settings) -> Geocoder:
    """Google Maps when ``GOOGLE_MAPS_API_KEY`` is set, otherwise the offline geocoder."""
    from omnicrm.geo.adapters.offline import OfflineGeocoder

    if settings.google_maps_api_key:
        from omnicrm.geo.adapters.google import GoogleMapsGeocoder

        try:
            return GoogleMapsGeocoder(
                api_key=settings.google_maps_api_key,
                base_url=settings.google_maps_base_url or None,
            )
        except ValueError as exc:  # the client refuses malformed keys: say so, keep working
            from omnicrm.core.logging import get_logger

            get_logger("omnicrm.geo").error("google_maps_disabled", reason=str(exc))

    return OfflineGeocoder()


def current_geocoder() -> Geocoder:
    """The app's geocoder, built once per app (the Google client keeps an HTTP session)."""
    from flask import current_app

    geocoder: Geocoder | None = current_app.extensions.get("omnicrm_geocoder")
    if geocoder is None:
        geocoder = geocoder_from_settings(current_app.extensions["omnicrm_settings"])
        current_app.extensions["omnicrm_geocoder"] = geocoder
    return geocoder
