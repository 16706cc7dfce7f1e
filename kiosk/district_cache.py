"""The worker's view of the districts: the kiosk's own district and the district of a point,
read from the database at most every :data:`CACHE_SECONDS` (a reload of the boundaries in this
worker is seen at once, in another worker or host within that time)."""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

from directory_data.districts import DistrictMap, station_district

from kiosk.db import get_database

#: How long a worker keeps the loaded boundaries and its kiosk's district before reading them again.
CACHE_SECONDS = 60.0
_EXTENSION = "kiosk.district_cache"


class _Cache:
    """The worker's boundaries and kiosk district, read again after :data:`CACHE_SECONDS`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.read_at = -CACHE_SECONDS
        self.map = DistrictMap(())
        self.kiosk = ""

    def fresh(self, app: Flask) -> _Cache:
        with self.lock:
            if time.monotonic() - self.read_at >= CACHE_SECONDS:
                with get_database(app).session_factory() as session:
                    self.map = DistrictMap.from_session(session)
                    config = app.config
                    self.kiosk = station_district(session, config.get("DISTRICT"),
                                                  config.get("STATION_LATITUDE"), config.get("STATION_LONGITUDE"))
                self.read_at = time.monotonic()
        return self

    def forget(self) -> None:
        with self.lock:
            self.read_at = -CACHE_SECONDS


def _cache() -> _Cache:
    return current_app.extensions.setdefault(_EXTENSION, _Cache()).fresh(current_app)  # type: ignore[no-any-return]


def kiosk_district() -> str:
    """This kiosk's district: the one ``KIOSK_DISTRICT`` names, else the one its station's
    coordinates lie in (``outside``); ``""`` while no district is loaded."""
    return _cache().kiosk


def district_at(point: tuple[float, float] | None) -> str:
    """The district of ``point`` (latitude, longitude), the kiosk's without one; ``""`` while no
    district is loaded."""
    cache = _cache()
    if point is None or not cache.map:
        return cache.kiosk
    return cache.map.district_of(point[0], point[1])


def loaded_districts() -> list[str]:
    """The loaded district codes (cached)."""
    return _cache().map.codes()


def forget() -> None:
    """Read the boundaries again at the next use (after this worker loaded new ones)."""
    current_app.extensions.setdefault(_EXTENSION, _Cache()).forget()
