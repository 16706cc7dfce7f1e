"""Distances: great-circle distance, a grid of the directory's points, and ZIP centroids.

The ZIP centroid is computed from the directory's own addresses (the mean of the points of the
locations in that ZIP code), so no external gazetteer is needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088
#: Grid cell size in degrees (about 11 km north-south).
CELL_DEGREES = 0.1

Point = tuple[float, float]


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two ``(lat, lon)`` points, in kilometres."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def parse_geo(value: bytes) -> list[tuple[float, float, str]]:
    """``lat,lon,zip;...`` column bytes as ``[(lat, lon, zip), ...]`` (bad parts skipped)."""
    points = []
    for part in value.decode("utf-8", "ignore").split(";"):
        bits = part.split(",")
        if len(bits) < 2:
            continue
        try:
            lat, lon = float(bits[0]), float(bits[1])
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            points.append((lat, lon, bits[2].strip() if len(bits) > 2 else ""))
    return points


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))


@dataclass
class GeoIndex:
    """The points of every document, a grid over them, and ZIP code centroids."""

    points: dict[int, list[Point]] = field(default_factory=dict)
    grid: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    zip_centroids: dict[str, Point] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Iterable[tuple[int, Sequence[tuple[float, float, str]]]]) -> GeoIndex:
        """Index ``(docnum, [(lat, lon, zip), ...])`` pairs."""
        index = cls()
        sums: dict[str, list[float]] = {}
        for docnum, pts in docs:
            if not pts:
                continue
            index.points[docnum] = [(lat, lon) for lat, lon, _ in pts]
            for lat, lon, zip_code in pts:
                cell = index.grid.setdefault(_cell(lat, lon), [])
                if not cell or cell[-1] != docnum:
                    cell.append(docnum)
                if zip_code:
                    acc = sums.setdefault(zip_code, [0.0, 0.0, 0])
                    acc[0] += lat
                    acc[1] += lon
                    acc[2] += 1
        index.zip_centroids = {z: (s[0] / s[2], s[1] / s[2]) for z, s in sums.items()}
        return index

    def distance(self, docnum: int, origin: Point) -> float | None:
        """The distance from ``origin`` to the document's nearest point, or None without one."""
        pts = self.points.get(docnum)
        if not pts:
            return None
        return min(haversine_km(origin, p) for p in pts)

    def within(self, origin: Point, radius_km: float) -> set[int]:
        """The documents with a point within ``radius_km`` of ``origin``."""
        lat, lon = origin
        dlat = radius_km / 111.0
        coslat = max(math.cos(math.radians(lat)), 0.01)
        dlon = min(radius_km / (111.0 * coslat), 180.0)
        lo = _cell(lat - dlat, lon - dlon)
        hi = _cell(lat + dlat, lon + dlon)
        found: set[int] = set()
        span_lon = hi[1] - lo[1]
        cells = (
            self.grid.keys()
            if (hi[0] - lo[0] + 1) * (span_lon + 1) > len(self.grid)
            else [(a, b) for a in range(lo[0], hi[0] + 1) for b in range(lo[1], hi[1] + 1)]
        )
        for key in cells:
            if not (lo[0] <= key[0] <= hi[0] and lo[1] <= key[1] <= hi[1]):
                continue
            for docnum in self.grid.get(key, ()):
                if docnum in found:
                    continue
                d = self.distance(docnum, origin)
                if d is not None and d <= radius_km:
                    found.add(docnum)
        return found
