"""Which geocoder the app uses: Google Maps when configured, else the offline one."""

from __future__ import annotations

from omnicrm.geo.adapters.offline import OfflineGeocoder
from omnicrm.geo.geocoder import Geocoder
from omnicrm.settings import Settings


def geocoder_from_settings(settings: Settings) -> Geocoder:
    """Google Maps when ``GOOGLE_MAPS_API_KEY`` is set, otherwise the offline geocoder."""
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
