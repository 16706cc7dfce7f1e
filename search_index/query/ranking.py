"""Final ranking: ``raw * stale * status * distance`` (each factor at most 1), and the top of the
list (or, sorted by distance, the nearest of the best matches first: :func:`nearest_first`).
Ties go by name when browsing, else by doc number.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from search_index.engine.view import IndexView, Leaves, read_only

STALE_FACTOR = 0.75
INACTIVE_FACTOR = 0.5
DISTANCE_FLOOR = 0.35
DISTANCE_SCALE_KM = 8.0
INACTIVE_STATUSES = ("inactive", "temporarily closed")
#: Sorted by distance, the "best matches" are those scoring at least this share of the best.
BEST_MATCH_SHARE = 0.5


def distance_factor(distances_km: np.ndarray) -> np.ndarray:
    """1 at the point, falling towards :data:`DISTANCE_FLOOR` with distance (floor if unknown)."""
    factor = DISTANCE_FLOOR + (1.0 - DISTANCE_FLOOR) / (1.0 + distances_km / DISTANCE_SCALE_KM)
    return np.where(np.isfinite(distances_km), factor, DISTANCE_FLOOR)


def stale_mask(view: IndexView, leaves: Leaves, today: dt.date, stale_after_days: int) -> np.ndarray:
    """The documents not verified within ``stale_after_days`` of ``today`` (or never)."""
    cutoff = today.toordinal() - stale_after_days

    def build() -> np.ndarray:
        assured = view.ints(leaves, "assured", 0)
        return read_only((assured <= 0) | (assured < cutoff))

    return view.bounded(("stale", cutoff), build)


def quality(view: IndexView, leaves: Leaves, today: dt.date, stale_after_days: int) -> np.ndarray:
    """Stale and status factors of every document."""
    cutoff = today.toordinal() - stale_after_days

    def build() -> np.ndarray:
        factor = np.ones(view.doc_count, dtype=np.float64)
        factor[stale_mask(view, leaves, today, stale_after_days)] *= STALE_FACTOR
        for status in INACTIVE_STATUSES:
            factor[view.term_mask(leaves, "status", status)] *= INACTIVE_FACTOR
        return read_only(factor)

    return view.bounded(("quality", cutoff), build)


def top(docs: np.ndarray, scores: np.ndarray, need: int, tiebreak: np.ndarray | None = None) -> list[tuple[float, int]]:
    """The best ``need`` of ``docs`` by ``scores`` as ``(score, docnum)``; ties to the lower ``tiebreak``."""
    if need <= 0 or not docs.size:
        return []
    if docs.size > need:
        # Everything tied with the need-th score is kept, then ordered exactly.
        kth = np.partition(scores, docs.size - need)[docs.size - need]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    second = tiebreak[docs] if tiebreak is not None else docs
    order = np.lexsort((docs, second, -scores))[:need]
    return [(float(scores[i]), int(docs[i])) for i in order]


def nearest_first(
    docs: np.ndarray, scores: np.ndarray, distances_km: np.ndarray, need: int,
    tiebreak: np.ndarray | None = None, share: float = BEST_MATCH_SHARE,
) -> list[tuple[float, int, bool]]:
    """The first ``need`` of ``docs`` sorted by distance within relevance, as ``(score, docnum,
    best)``: the best matches (a score at least ``share`` of the highest) nearest first, then the
    other matches nearest first; unknown distances last in each group, then by score, then by
    ``tiebreak`` (default: doc number). ``scores`` and ``distances_km`` are per item of ``docs``."""
    if need <= 0 or not docs.size:
        return []
    best = scores >= share * float(scores.max())
    distance = np.where(np.isfinite(distances_km), distances_km, np.inf)
    second = tiebreak[docs] if tiebreak is not None else docs
    order = np.lexsort((docs, second, -scores, distance, ~best))[:need]
    return [(float(scores[i]), int(docs[i]), bool(best[i])) for i in order]
