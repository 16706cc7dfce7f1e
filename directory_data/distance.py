"""Great-circle distances (one definition for every layer)."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088

Point = tuple[float, float]


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two ``(lat, lon)`` points, in kilometres."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_many_km(lat: np.ndarray, lon: np.ndarray, origin: Point) -> np.ndarray:
    """Distances in km from ``origin`` to each point of the arrays ``lat``/``lon`` (degrees)."""
    lat1, lon1 = math.radians(origin[0]), math.radians(origin[1])
    lat2 = np.radians(lat)
    dlat = lat2 - lat1
    dlon = np.radians(lon) - lon1
    h = np.sin(dlat / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
