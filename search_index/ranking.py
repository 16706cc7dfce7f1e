"""Final ranking: text score times quality factors, and the top of the list without sorting all.

``final = raw * stale * status * distance`` where each factor is at most 1: a listing not
verified within ``stale_after_days`` counts :data:`STALE_FACTOR`, an inactive or temporarily
closed one :data:`INACTIVE_FACTOR`, and with a location the distance factor falls from 1 at
the point to :data:`DISTANCE_FLOOR` far away (listings without coordinates count as far).
Because no factor exceeds 1, the top of the list is found by scoring candidates in order of
their raw score and stopping once no later candidate can overtake (a threshold algorithm);
browsing near a point walks the grid outward from the point the same way.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Callable, Collection, Mapping

from search_index.geo import CELL_DEGREES, GeoIndex, Point
from search_index.view import IndexView, Leaves

STALE_FACTOR = 0.75
INACTIVE_FACTOR = 0.5
DISTANCE_FLOOR = 0.35
DISTANCE_SCALE_KM = 8.0
INACTIVE_STATUSES = ("inactive", "temporarily closed")


def distance_factor(distance_km: float | None) -> float:
    """1 at the point, falling towards :data:`DISTANCE_FLOOR` with distance (floor if unknown)."""
    if distance_km is None:
        return DISTANCE_FLOOR
    return DISTANCE_FLOOR + (1.0 - DISTANCE_FLOOR) / (1.0 + distance_km / DISTANCE_SCALE_KM)


Ranked = list[tuple[float, int]]  # (final score, docnum), best first


class Ranker:
    """Quality factors of documents for one search."""

    def __init__(
        self,
        view: IndexView,
        leaves: Leaves,
        today: dt.date,
        stale_after_days: int,
        origin: Point | None,
    ) -> None:
        self.view = view
        self.leaves = leaves
        self.assured = view.ints(leaves, "assured")
        self.stale_before = today.toordinal() - stale_after_days
        self.inactive = view.memo(
            "inactive",
            lambda: frozenset().union(*(view.term_docs(leaves, "status", s) for s in INACTIVE_STATUSES)),
        )
        self.origin = origin
        self.geo: GeoIndex | None = view.geo(leaves) if origin is not None else None
        self._distances: dict[int, float | None] = {}

    def is_stale(self, docnum: int) -> bool:
        """Whether the document was not verified within the request's ``stale_after_days``."""
        assured = self.assured[docnum] if docnum < len(self.assured) else 0
        return assured <= 0 or assured < self.stale_before

    def distance(self, docnum: int) -> float | None:
        """Distance from the request's location to the document (None without either)."""
        if self.geo is None or self.origin is None:
            return None
        if docnum not in self._distances:
            self._distances[docnum] = self.geo.distance(docnum, self.origin)
        return self._distances[docnum]

    def quality(self, docnum: int) -> float:
        """Stale and status factors of a document."""
        factor = STALE_FACTOR if self.is_stale(docnum) else 1.0
        if docnum in self.inactive:
            factor *= INACTIVE_FACTOR
        return factor

    def factor(self, docnum: int) -> float:
        """Every factor of a document, distance included when the search has a location."""
        factor = self.quality(docnum)
        if self.origin is not None:
            factor *= distance_factor(self.distance(docnum))
        return factor

    # -- text results ------------------------------------------------------------------------

    def top_scored(self, raw: Mapping[int, float], candidates: Collection[int], need: int) -> Ranked:
        """The best ``need`` candidates by ``raw * factor`` (exact, without scoring them all)."""
        if need <= 0 or not candidates:
            return []
        size = max(need * 4, 64)
        key = raw.__getitem__
        while True:
            chunk = heapq.nlargest(size, candidates, key=key)
            ranked = sorted(((raw[d] * self.factor(d), d) for d in chunk), key=lambda x: (-x[0], x[1]))
            if len(chunk) >= len(candidates):
                return ranked[:need]
            if len(ranked) >= need and ranked[need - 1][0] >= raw[chunk[-1]]:
                return ranked[:need]
            size *= 4

    # -- browsing ------------------------------------------------------------------------------

    def _browse_order(self) -> list[int]:
        names = self.view.names(self.leaves)
        key_stale = self.stale_before

        def build() -> list[int]:
            docs = sorted(self.view.all_docs())
            return sorted(docs, key=lambda d: (-self.quality(d), names[d] if d < len(names) else "", d))

        return self.view.memo(("browse", key_stale), build)

    def top_browse(self, candidates: Collection[int], need: int) -> Ranked:
        """The best ``need`` candidates when there is no text: by factors, then by name."""
        if need <= 0 or not candidates:
            return []
        if self.origin is not None and self.geo is not None:
            return self._top_near(candidates, need)
        picked: Ranked = []
        for d in self._browse_order():
            if d in candidates:
                picked.append((self.quality(d), d))
                if len(picked) >= need:
                    break
        return picked

    def _top_near(self, candidates: Collection[int], need: int) -> Ranked:
        """Browse near the origin: grid cells in order of distance, stopping when done."""
        assert self.geo is not None and self.origin is not None
        names = self.view.names(self.leaves)
        lat0, lon0 = self.origin
        coslat = max(math.cos(math.radians(lat0)), 0.01)

        def cell_floor_km(cell: tuple[int, int]) -> float:
            # A lower bound of the distance from the origin to any point in the cell.
            lat_lo, lon_lo = cell[0] * CELL_DEGREES, cell[1] * CELL_DEGREES
            dlat = max(lat_lo - lat0, 0.0, lat0 - (lat_lo + CELL_DEGREES))
            dlon = max(lon_lo - lon0, 0.0, lon0 - (lon_lo + CELL_DEGREES))
            return math.hypot(dlat * 111.0, dlon * 111.0 * coslat) * 0.99

        cells = sorted(self.geo.grid.items(), key=lambda item: cell_floor_km(item[0]))
        scored: dict[int, float] = {}
        kept: list[float] = []  # min-heap of the best ``need`` factors so far
        for cell, docs in cells:
            if len(kept) >= need and kept[0] >= distance_factor(cell_floor_km(cell)):
                break
            for d in docs:
                if d in candidates and d not in scored:
                    f = scored[d] = self.factor(d)
                    if len(kept) < need:
                        heapq.heappush(kept, f)
                    elif f > kept[0]:
                        heapq.heapreplace(kept, f)
        if len(scored) < need:
            for d in candidates:
                if d not in scored:
                    scored[d] = self.factor(d)
        ranked = sorted(
            scored.items(), key=lambda x: (-x[1], names[x[0]] if x[0] < len(names) else "", x[0])
        )
        return [(f, d) for d, f in ranked[:need]]


def by_score(scores: Mapping[int, float], counts: Mapping[int, int], concepts: int) -> Callable[[int], float]:
    """The raw score of a document: text score scaled by the share of concepts it matches."""
    if not counts:
        return scores.__getitem__
    table = [(i / concepts) ** 2 for i in range(concepts + 1)]
    return lambda d: scores[d] * table[counts[d]]
