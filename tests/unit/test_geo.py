"""Geocoders: plus codes computed locally; Google Maps spoken to over real HTTP (a local fake
server answering the Geocoding API's JSON), so the real ``googlemaps`` client code runs."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from omnicrm.geo.adapters.google import GoogleMapsGeocoder
from omnicrm.geo.adapters.offline import OfflineGeocoder
from omnicrm.geo.choice import geocoder_from_settings
from omnicrm.geo.geocoder import GeocodeResult, plus_code_for
from omnicrm.settings import Settings

API_KEY = "AIzaFakeKeyForTests0123456789"

GOOGLEPLEX = {
    "address_components": [
        {"long_name": "1600", "short_name": "1600", "types": ["street_number"]},
        {
            "long_name": "Amphitheatre Parkway",
            "short_name": "Amphitheatre Pkwy",
            "types": ["route"],
        },
        {
            "long_name": "Mountain View",
            "short_name": "Mountain View",
            "types": ["locality", "political"],
        },
        {"long_name": "United States", "short_name": "US", "types": ["country", "political"]},
        {"long_name": "94043", "short_name": "94043", "types": ["postal_code"]},
    ],
    "formatted_address": "1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA",
    "geometry": {
        "location": {"lat": 37.4224428, "lng": -122.0842467},
        "location_type": "ROOFTOP",
        "viewport": {
            "northeast": {"lat": 37.4239627802915, "lng": -122.0829089197085},
            "southwest": {"lat": 37.4212648197085, "lng": -122.0856068802915},
        },
    },
    "place_id": "ChIJeRpOeF67j4AR9ydy_PIzPuM",
    "plus_code": {"compound_code": "CWC8+X8 Mountain View, CA", "global_code": "849VCWC8+X8"},
    "types": ["street_address"],
}


class FakeGoogleMaps:
    """A tiny Geocoding API: ``/maps/api/geocode/json?address=...&key=...``.

    Addresses containing "Amphitheatre" resolve to the Googleplex; "explode" answers HTTP 500;
    "garbled" answers OK with a result missing its geometry; anything else is ZERO_RESULTS.
    A key other than ``API_KEY`` gets REQUEST_DENIED, as Google answers it.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                fake.requests.append({"path": [url.path], **query})
                if url.path != "/maps/api/geocode/json":
                    self._send(404, {"error_message": "not found", "status": "INVALID_REQUEST"})
                    return
                address = query.get("address", [""])[0]
                if query.get("key", [""])[0] != API_KEY:
                    self._send(
                        200,
                        {
                            "error_message": "The provided API key is invalid.",
                            "results": [],
                            "status": "REQUEST_DENIED",
                        },
                    )
                elif "explode" in address:
                    self._send(500, {"status": "UNKNOWN_ERROR"})
                elif "garbled" in address:
                    self._send(200, {"results": [{"place_id": "x"}], "status": "OK"})
                elif "Amphitheatre" in address:
                    self._send(200, {"results": [GOOGLEPLEX], "status": "OK"})
                else:
                    self._send(200, {"results": [], "status": "ZERO_RESULTS"})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeGoogleMaps:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def google_maps():
    with FakeGoogleMaps() as fake:
        yield fake


@pytest.fixture
def google(google_maps):
    return GoogleMapsGeocoder(api_key=API_KEY, base_url=google_maps.base_url, retry_timeout=1)


# --------------------------------------------------------------------------------------------
# Plus codes and the offline geocoder
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lat", "lng", "code"),
    [
        (20.3700625, 2.7821875, "7FG49QCJ+2V"),  # from the Open Location Code test vectors
        (47.0000625, 8.0000625, "8FVC2222+22"),
        (37.4224428, -122.0842467, "849VCWC8+X8"),  # what Google reports for the Googleplex
        (90, 1, "CFX3X2X2+X2"),  # the pole is clipped into the last cell, not an error
    ],
)
def test_plus_codes_are_computed_locally(lat, lng, code):
    assert plus_code_for(lat, lng) == code
    assert OfflineGeocoder().plus_code(lat, lng) == code


def test_longitude_180_wraps_to_minus_180():
    assert plus_code_for(0, 180) == plus_code_for(0, -180)


def test_offline_geocoder_cannot_locate_addresses():
    assert OfflineGeocoder().geocode("1600 Amphitheatre Parkway, Mountain View") is None


def test_settings_pick_the_geocoder(google_maps):
    assert isinstance(
        geocoder_from_settings(Settings(env="test", secret_key="x" * 32)), OfflineGeocoder
    )
    keyed = geocoder_from_settings(
        Settings(
            env="test",
            secret_key="x" * 32,
            google_maps_api_key=API_KEY,
            google_maps_base_url=google_maps.base_url,
        )
    )
    assert isinstance(keyed, GoogleMapsGeocoder)
    assert keyed.geocode("1600 Amphitheatre Parkway") is not None


def test_a_malformed_key_falls_back_to_offline_instead_of_failing_requests():
    geocoder = geocoder_from_settings(
        Settings(env="test", secret_key="x" * 32, google_maps_api_key="not-a-google-key")
    )
    assert isinstance(geocoder, OfflineGeocoder)


# --------------------------------------------------------------------------------------------
# Google Maps over HTTP
# --------------------------------------------------------------------------------------------
def test_google_geocodes_an_address(google, google_maps):
    result = google.geocode("1600 Amphitheatre Parkway, Mountain View, CA")
    assert result == GeocodeResult(37.4224428, -122.0842467, "ChIJeRpOeF67j4AR9ydy_PIzPuM")
    assert (
        google.plus_code(result.latitude, result.longitude)
        == GOOGLEPLEX["plus_code"]["global_code"]
    )
    sent = google_maps.requests[-1]
    assert sent["path"] == ["/maps/api/geocode/json"]
    assert sent["address"] == ["1600 Amphitheatre Parkway, Mountain View, CA"]
    assert sent["key"] == [API_KEY]


def test_google_unknown_address_is_none(google):
    assert google.geocode("Nowhere Street 0, Atlantis") is None


def test_google_denied_key_is_none_not_an_error(google_maps):
    wrong = GoogleMapsGeocoder(
        api_key="AIzaWrongKey", base_url=google_maps.base_url, retry_timeout=1
    )
    assert wrong.geocode("1600 Amphitheatre Parkway") is None
    assert google_maps.requests[-1]["key"] == ["AIzaWrongKey"]


def test_google_server_error_is_none_within_the_retry_budget(google):
    started = time.monotonic()
    assert google.geocode("explode please") is None
    assert time.monotonic() - started < 10


def test_google_malformed_result_is_none(google):
    assert google.geocode("garbled address") is None


def test_google_unreachable_is_none():
    with FakeGoogleMaps() as fake:
        base_url = fake.base_url
    geocoder = GoogleMapsGeocoder(api_key=API_KEY, base_url=base_url, timeout=1, retry_timeout=1)
    assert geocoder.geocode("1600 Amphitheatre Parkway") is None
