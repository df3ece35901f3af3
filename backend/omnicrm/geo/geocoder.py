"""The Geocoder port and plus-code computation (adapters implement it: adapters/; which one
the app uses: choice.py)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from openlocationcode import openlocationcode as olc

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
