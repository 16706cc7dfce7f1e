"""The worker's view of the districts: the kiosk's own district and the district of a point,
read from the database at most every :data:`CACHE_SECONDS` (a reload of the boundaries in this
worker is seen at once, in another worker or host within that time;
:class:`directory_data.districts.DistrictCache`)."""

from __future__ import annotations

from flask import current_app

from directory_data.districts import DistrictCache

from kiosk.app_state import app_object
from kiosk.db import get_database

#: How long a worker keeps the loaded boundaries and its kiosk's district before reading them again.
CACHE_SECONDS = 60.0
_EXTENSION = "kiosk.district_cache"


def _app_cache() -> DistrictCache:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return app_object(app, _EXTENSION, lambda: DistrictCache(get_database(app).session_factory, CACHE_SECONDS))


def _cache() -> DistrictCache:
    config = current_app.config
    return _app_cache().fresh(config.get("DISTRICT"), config.get("STATION_LATITUDE"), config.get("STATION_LONGITUDE"))


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
    _app_cache().forget()
